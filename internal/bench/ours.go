package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// latencyNodes are the nodes the latency phase empties, one per trial; the
// viewer sorts them first (orderLabel) so their rows are on the first page.
const latencyNodes = 10

// viewerEnv keeps the viewer's AWS SDK off the network: no instance
// metadata, no local credentials, every endpoint on a closed loopback port
// (pricing then falls back to the static table and says so).
var viewerEnv = []string{
	"AWS_EC2_METADATA_DISABLED=true",
	"AWS_CONFIG_FILE=/dev/null",
	"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	"AWS_ENDPOINT_URL=http://127.0.0.1:9",
	"AWS_REGION=us-west-2",
	"TERM=xterm-256color",
	"COLORTERM=truecolor",
}

// ours is one run of the viewer binary in tmux.
type ours struct {
	pane     *pane
	start    time.Time
	log      string
	progress string // the last sync progress seen on screen
}

func startOurs(bin, kubeconfig, dir string, run int, extra ...string) (*ours, error) {
	return startOursAs(bin, kubeconfig, dir, strconv.Itoa(run), extra...)
}

// startOursAs is startOurs with a run name (of letters, digits and '-'),
// which names its log file and tmux server.
func startOursAs(bin, kubeconfig, dir, run string, extra ...string) (*ours, error) {
	o := &ours{log: filepath.Join(dir, "viewer-"+run+".log")}
	sock := fmt.Sprintf("bench-scale-%d-%s", os.Getpid(), run)
	argv := append([]string{bin, "--kubeconfig", kubeconfig, "--log-file", o.log, "--node-sort", orderLabel + "=asc"}, extra...)
	o.start = time.Now()
	p, err := startPane(sock, viewerEnv, argv)
	if err != nil {
		return nil, err
	}
	o.pane = p
	return o, nil
}

func (o *ours) stop() { o.pane.kill() }

// waitScreen polls the screen every `every` until ok accepts it, and returns
// when it did, measured from the poll that saw it.
func (o *ours) waitScreen(what string, every, timeout time.Duration, ok func(string) bool) (time.Time, string, error) {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		s, err := o.pane.capture()
		now := time.Now()
		if err != nil {
			return now, last, fmt.Errorf("%s: %w", what, err)
		}
		last = s
		if ok(s) {
			return now, s, nil
		}
		if now.After(deadline) {
			if !o.pane.alive() {
				return now, s, fmt.Errorf("%s: the viewer exited (log %s)", what, o.log)
			}
			return now, s, fmt.Errorf("%s: not on screen after %s", what, timeout)
		}
		time.Sleep(every)
	}
}

// firstFrame waits for the first screen that shows every node and pod, and
// remembers the last sync progress seen on the way ("pods (37,000 so far)").
func (o *ours) firstFrame(want expected) (time.Duration, string, error) {
	at, s, err := o.waitScreen("first complete frame", 20*time.Millisecond, 10*time.Minute, func(s string) bool {
		if m := progressRe.FindString(s); m != "" {
			o.progress = m
		}
		t := parseTotals(s)
		return t.ok && t.nodes == want.nodes && t.pods == want.pods
	})
	return at.Sub(o.start), s, err
}

var progressRe = regexp.MustCompile(`pods \([0-9,]+ so far\)`)

func (o *ours) mem() (mem, error) { return readMem(o.pane.pid) }

func (o *ours) cpu() (time.Duration, error) { return readCPU(o.pane.pid) }

// cpuOver measures the viewer's CPU time while fn runs.
func (o *ours) cpuOver(fn func() error) (time.Duration, time.Duration, error) {
	c0, err := o.cpu()
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	if err := fn(); err != nil {
		return 0, 0, err
	}
	c1, err := o.cpu()
	if err != nil {
		return 0, 0, err
	}
	return c1 - c0, time.Since(t0), nil
}

// latency empties the latency nodes one by one: all pods but one are
// deleted first, then the timer starts with the delete of the last one and
// stops when the node's row shows 0%. It returns the latencies and updates
// want for the pods deleted.
func (o *ours) latency(ctx context.Context, kube kubernetes.Interface, s size, want *expected) ([]time.Duration, error) {
	var out []time.Duration
	for k := range min(latencyNodes, s.nodes) {
		var idx []int
		for i := k; i < s.pods; i += s.nodes {
			idx = append(idx, i)
		}
		if len(idx) == 0 {
			continue
		}
		node := nodeName(k)
		if _, _, err := o.waitScreen("row of "+node, 50*time.Millisecond, 30*time.Second, func(sc string) bool {
			return rowPods(sc, node) == len(idx)
		}); err != nil {
			return out, err
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(idx))
		for _, i := range idx[:len(idx)-1] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- deletePod(ctx, kube, namespaceName(i), podName(i))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return out, err
			}
		}
		if _, _, err := o.waitScreen("row of "+node+" with one pod", 20*time.Millisecond, 30*time.Second, func(sc string) bool {
			return rowPods(sc, node) == 1
		}); err != nil {
			return out, err
		}
		time.Sleep(300 * time.Millisecond) // let the viewer go idle again
		last := idx[len(idx)-1]
		t0 := time.Now()
		if err := deletePod(ctx, kube, namespaceName(last), podName(last)); err != nil {
			return out, err
		}
		at, _, err := o.waitScreen("row of "+node+" at 0%", 5*time.Millisecond, 30*time.Second, func(sc string) bool {
			_, empty := rowEmpty(sc, node)
			return empty
		})
		if err != nil {
			return out, err
		}
		out = append(out, at.Sub(t0))
		for _, i := range idx {
			want.pods--
			want.cpuUsed -= podCPU(makePod(i, namespaceName(i), podName(i), ""))
		}
	}
	return out, nil
}

// checkTotals waits until the screen shows exactly the expected totals.
func (o *ours) checkTotals(want expected) (totals, error) {
	cpu := ui.FormatPair("cpu", cluster.Quantity{Used: want.cpuUsed, Allocatable: want.cpuAlloc})
	var got totals
	_, _, err := o.waitScreen("final totals", 100*time.Millisecond, 60*time.Second, func(s string) bool {
		got = parseTotals(s)
		return got.ok && got.nodes == want.nodes && got.pods == want.pods && got.cpu == cpu
	})
	if err != nil {
		return got, fmt.Errorf("screen shows %d nodes, %d pods, cpu %q; created %d nodes, %d pods, cpu %q",
			got.nodes, got.pods, got.cpu, want.nodes, want.pods, cpu)
	}
	return got, nil
}

// median of durations or byte counts (the mean of the middle two for an
// even count).
func median[T ~int64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

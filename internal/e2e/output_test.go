//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/syncbuf"

	"github.com/santhosh-tekuri/jsonschema/v6"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
)

// TestOutput runs the real binary's script outputs against the seed lab on
// a real control plane with Karpenter: -o json equals the API's objects to
// the millicore; --once exits 0 within its timeout; --timeout 1ms exits 3
// with partial output; -o ndjson --watch reports the node Karpenter
// launches when the lab scales up, and ends quietly when its reader goes.
func TestOutput(t *testing.T) {
	c := startCluster(t, harness.SizeKarpenter)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := c.CreateLab(ctx); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	dyn, err := c.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, ctx: ctx, kube: c.Client(), dyn: dyn}
	doc, change := outputSchemas(t)
	base := []string{"--kubeconfig", c.Kubeconfig}

	t.Run("json totals equal the objects", func(t *testing.T) {
		args := append([]string{"-o", "json", "--resources", "cpu,memory,pods"}, base...)
		eventually(t, 60*time.Second, "-o json agreeing with the API", func() error {
			before, err := a.expected()
			if err != nil {
				return err
			}
			r := runOutput(t, 60*time.Second, args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			validateJSON(t, doc, r.stdout)
			after, err := a.expected()
			if err != nil {
				return err
			}
			if d := diffViews(before, after); d != "" {
				return fmt.Errorf("the cluster moved while the viewer ran:\n%s", d)
			}
			var d output.Document
			if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
				t.Fatal(err)
			}
			if !d.Synced || d.Summary.Nodes != len(after.Rows) {
				return fmt.Errorf("synced %v, %d nodes; the API has %d", d.Synced, d.Summary.Nodes, len(after.Rows))
			}
			if diff := diffViews(after, docView(t, &d)); diff != "" {
				return fmt.Errorf("-o json disagrees with the API:\n%s", diff)
			}
			t.Logf("-o json agrees with the API: %d nodes, %dm of %dm cpu requested, %d pods", d.Summary.Nodes,
				d.Summary.Resources["cpu"].Requested, d.Summary.Resources["cpu"].Allocatable, d.Pods.Total)
			return nil
		})
	})

	t.Run("once exits 0 within the timeout", func(t *testing.T) {
		start := time.Now()
		r := runOutput(t, 90*time.Second, append([]string{"--once", "--timeout", "60s", "--node-selector", harness.LabSelector}, base...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME ") || !strings.HasPrefix(lines[1], harness.LabNode+" ") {
			t.Errorf("--once printed %q, want the lab node's table", r.stdout)
		}
		// Columns by the header's names (a CPU-USED column comes with usage).
		head, f := strings.Fields(lines[0]), strings.Fields(lines[len(lines)-1])
		cell := func(name string) string {
			if i := slices.Index(head, name); i >= 0 && i < len(f) {
				return f[i]
			}
			return ""
		}
		if cell("TYPE") != "t3a.medium" || cell("PRICE") != "$0.0376" || cell("STATE") != "Ready" {
			t.Errorf("the lab node's line %q (header %q)", lines[len(lines)-1], lines[0])
		}
		t.Logf("--once: exit 0 after %s", time.Since(start).Round(10*time.Millisecond))
	})

	t.Run("timeout 1ms exits 3 with partial output", func(t *testing.T) {
		r := runOutput(t, 60*time.Second, append([]string{"-o", "json", "--timeout", "1ms"}, base...)...)
		if r.code != 3 {
			t.Fatalf("exit %d, want 3 (stderr %q)", r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stderr, "eks-node-viewer: timed out after 1ms waiting for ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line saying what timed out", r.stderr)
		}
		validateJSON(t, doc, r.stdout)
		var d output.Document
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatal(err)
		}
		said := false
		for _, n := range d.Notes {
			said = said || strings.HasPrefix(n, "timed out after 1ms")
		}
		if !said {
			t.Errorf("the partial document does not say so: notes %q", d.Notes)
		}
		t.Logf("partial: synced %v, %d nodes, stderr %q", d.Synced, len(d.Nodes), strings.TrimSpace(r.stderr))
	})

	t.Run("ndjson watch reports Karpenter's node", func(t *testing.T) {
		w := startWatch(t, append([]string{"-o", "ndjson", "--watch", "--node-selector", harness.LabSelector}, base...)...)
		first := w.next(t, 60*time.Second)
		validateJSON(t, doc, first)
		if !strings.Contains(first, `"kind":"ClusterSnapshot"`) || !strings.Contains(first, harness.LabNode) {
			t.Fatalf("first line %s", first)
		}
		scale(t, c, 9)
		deadline := time.Now().Add(4 * time.Minute)
		var added *output.Node
		var seen []string
		for added == nil {
			line := w.next(t, time.Until(deadline))
			validateJSON(t, change, line)
			var ch output.Change
			if err := json.Unmarshal([]byte(line), &ch); err != nil {
				t.Fatal(err)
			}
			seen = append(seen, ch.Type)
			if ch.Type == output.NodeAdded && ch.Node.Name != harness.LabNode {
				added = ch.Node
			}
		}
		t.Logf("NodeAdded %s (state %s, nodeClaim %v, nodePool %v) after %v", added.Name, added.State, deref(added.NodeClaim), deref(added.NodePool), seen)
		// A NodeClaim Karpenter has just created may not name its
		// instance type yet (it is labelled when launched): its change
		// that does comes later on the stream.
		for added.InstanceType == nil && added.NodePool != nil {
			line := w.next(t, time.Until(deadline))
			var ch output.Change
			if err := json.Unmarshal([]byte(line), &ch); err != nil {
				t.Fatal(err)
			}
			// Its own change, or the node it became (a new row).
			if ch.Node != nil && ((ch.Type == output.NodeChanged && ch.Node.Name == added.Name) ||
				(ch.Type == output.NodeAdded && ch.Node.Name != harness.LabNode)) {
				added = ch.Node
				t.Logf("%s %s: type %s, state %s", ch.Type, added.Name, deref(added.InstanceType), added.State)
			}
		}
		if added.NodePool == nil || added.InstanceType == nil {
			t.Errorf("Karpenter's node without its NodePool or type: %+v", added)
		}
		// The reader goes away: the viewer notices and ends, exit 0.
		w.closeReader()
		if code := w.wait(t, 30*time.Second); code != 0 {
			t.Errorf("exit %d after the reader went away, want 0 (stderr %q)", code, w.stderr.String())
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// docView reads the informer tests' view (rows, pod counts, cpu/memory/pods
// totals in milli-units) from a document of --resources cpu,memory,pods.
func docView(t *testing.T, d *output.Document) view {
	t.Helper()
	milli := func(r output.Resource, used bool) int64 {
		v := r.Allocatable
		if used {
			v = r.Requested
		}
		if r.Unit == output.UnitMillicores {
			return v
		}
		return v * 1000
	}
	q := func(res map[string]output.Resource, name string) cluster.Quantity {
		r, ok := res[name]
		if !ok {
			t.Fatalf("no %s in %v", name, res)
		}
		return cluster.Quantity{Used: milli(r, true), Allocatable: milli(r, false)}
	}
	v := view{Rows: map[string]row{}, Total: d.Pods.Total, Pending: d.Pods.Pending, Running: d.Pods.Running, Bound: d.Pods.Bound}
	for _, name := range []string{"cpu", "memory", "pods"} {
		v.Totals = append(v.Totals, q(d.Summary.Resources, name))
	}
	for _, n := range d.Nodes {
		r := row{Launching: n.Launching, Cordoned: n.Cordoned, Deleting: n.Deleting, Ready: n.Ready, Pods: n.Pods,
			CPU: q(n.Resources, "cpu"), Memory: q(n.Resources, "memory"), PodsRes: q(n.Resources, "pods")}
		if n.Launching {
			r = row{Launching: true, Deleting: n.Deleting}
		}
		v.Rows[n.Name] = r
	}
	return v
}

func outputSchemas(t *testing.T) (doc, change *jsonschema.Schema) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(output.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(output.SchemaID, v); err != nil {
		t.Fatal(err)
	}
	if doc, err = c.Compile(output.SchemaID); err != nil {
		t.Fatal(err)
	}
	if change, err = c.Compile(output.SchemaID + "#/$defs/change"); err != nil {
		t.Fatal(err)
	}
	return doc, change
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, s string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("not a valid %s: %v\n%s", sch.Location, err, s)
	}
}

type outputRun struct {
	code           int
	stdout, stderr string
}

// viewerCommand is the viewer binary with args, kept off AWS and any config
// file, standard output a pipe (not a terminal).
func viewerCommand(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, viewerBinary(t), args...)
	cmd.Env = append(append(os.Environ(), viewerEnv...), "HOME="+t.TempDir())
	return cmd
}

// runOutput runs the viewer to its end (killed after limit).
func runOutput(t *testing.T, limit time.Duration, args ...string) outputRun {
	t.Helper()
	return runOutputEnv(t, limit, nil, args...)
}

// runOutputEnv is runOutput with env added to the viewer's environment (a
// local AWS server's, say).
func runOutputEnv(t *testing.T, limit time.Duration, env []string, args ...string) outputRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := viewerCommand(t, ctx, args...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%v: still running after %s (stderr %q)", args, limit, stderr.String())
	case errors.As(err, &exit):
		return outputRun{exit.ExitCode(), stdout.String(), stderr.String()}
	case err != nil:
		t.Fatal(err)
	}
	return outputRun{0, stdout.String(), stderr.String()}
}

// watchRun is the viewer streaming into a pipe that the test reads.
type watchRun struct {
	cmd    *exec.Cmd
	out    *os.File // the pipe's reading end
	lines  chan string
	stderr syncbuf.Buffer
	done   chan int
}

func startWatch(t *testing.T, args ...string) *watchRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := &watchRun{lines: make(chan string, 4096), done: make(chan int, 1)}
	w.cmd = viewerCommand(t, ctx, args...)
	w.cmd.Stderr = &w.stderr
	out, in, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.out, w.cmd.Stdout = out, in
	err = w.cmd.Start()
	in.Close() // the viewer holds the only writing end
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	go func() {
		err := w.cmd.Wait()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			w.done <- exit.ExitCode()
		case err != nil:
			w.done <- -1
		default:
			w.done <- 0
		}
	}()
	return w
}

// next is the stream's next line.
func (w *watchRun) next(t *testing.T, limit time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-w.lines:
		if !ok {
			t.Fatalf("the stream ended (stderr %q)", w.stderr.String())
		}
		return l
	case <-time.After(limit):
		t.Fatalf("no line within %s (stderr %q)", limit, w.stderr.String())
	}
	return ""
}

// closeReader closes the test's end of the pipe, as `| head` does when it
// has read enough.
func (w *watchRun) closeReader() { _ = w.out.Close() }

func (w *watchRun) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case code := <-w.done:
		return code
	case <-time.After(limit):
		_ = w.cmd.Process.Kill()
		t.Fatalf("still running %s after its reader went away", limit)
	}
	return -1
}

// TestOutputLivePrices: a one-shot output waits for the live prices (a
// local server speaking AWS's Pricing and EC2 protocols), rather than
// printing the static table's, and an unpublished spot price is null with
// its reason, the sum a lower bound.
func TestOutputLivePrices(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	aws := startAWS(t)
	ctx := context.Background()
	for _, n := range []struct {
		name, typ, capacity, zone string
		auto                      bool
	}{
		{"auto-od", "t3a.medium", "on-demand", "us-east-1a", true},
		{"od-m5", "m5.large", "on-demand", "us-east-1b", false},
		{"spot-a", "t3a.medium", "spot", "us-east-1a", false},
		{"spot-d", "m5.large", "spot", "us-east-1d", false}, // no spot price published there
	} {
		node := readyNode(n.name, n.typ, "2", "4Gi")
		node.Labels["karpenter.sh/capacity-type"] = n.capacity
		node.Labels["topology.kubernetes.io/zone"] = n.zone
		if n.auto {
			node.Labels["eks.amazonaws.com/compute-type"] = "auto"
		}
		if _, err := c.Client().CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := viewerCommand(t, ctx, "-o", "json", "--kubeconfig", c.Kubeconfig, "--timeout", "60s")
	cmd.Env = append(cmd.Env, aws.Env("us-east-1")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v (stderr %q)", err, stderr.String())
	}
	doc, _ := outputSchemas(t)
	validateJSON(t, doc, stdout.String())
	var d output.Document
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"auto-od": "live 0.0421", "od-m5": "live 0.0960", "spot-a": "live 0.0121", "spot-d": "null"}
	for _, n := range d.Nodes {
		got := "null"
		if n.Price != nil {
			got = fmt.Sprintf("%s %.4f", n.Price.Source, n.Price.Hourly)
		}
		if got != want[n.Name] {
			t.Errorf("%s: price %s, want %s (%+v)", n.Name, got, want[n.Name], n.Price)
		}
		if n.Price == nil && !strings.Contains(n.PriceUnknown, "spot") {
			t.Errorf("%s: unknown price without its reason: %q", n.Name, n.PriceUnknown)
		}
	}
	sum := d.Summary
	if sum.PricePerHour == nil || fmt.Sprintf("%.3f", *sum.PricePerHour) != "0.150" || !sum.LowerBound || sum.UnpricedNodes != 1 {
		t.Errorf("summary %+v (pricePerHour %v)", sum, deref2(sum.PricePerHour))
	}
	if len(aws.CallsTo("GetProducts")) == 0 || len(aws.CallsTo("DescribeSpotPriceHistory")) == 0 {
		t.Error("the viewer did not ask the fake AWS")
	}
	t.Logf("live prices: %.5f/hour (lower bound), notes %q", *sum.PricePerHour, d.Notes)
}

func deref2(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The simulation (make bench-sim, issue 16): the real model and screen at
// sizes past what an API server here can hold, fed in-process through
// cluster.Feed (the informers' transforms, a client-go store, their shared
// handler), the informer's decode measured apart and added. Per size:
// memory held, the cost of a pod event, a frame, opening a node view and
// re-sorting.

// Targets.
const (
	targetSimEventGrowth = 1.5                   // per-event cost, largest size / smallest
	targetSimFrame       = 10 * time.Millisecond // snapshot + Update + View
	targetSimPodBytes    = 1.5 * 1024            // heap held per pod, everything included
	simPodsPerNode       = 20                    // pods per node of a size given as NODES
	simSortKey           = "eks-node-viewer/node-cpu-used=dsc"
)

// defaultSimSizes are the simulated sizes (nodes, 20 pods each).
const defaultSimSizes = "5000 20000 100000"

// simConfig is how the simulation runs.
type simConfig struct {
	sizes  []size
	out    string
	rounds int // repetitions of each timed measurement (medians)
	frames int // frames timed per size
	opens  int // node views opened per size
}

// simResult is everything measured at one size.
type simResult struct {
	size                size
	loadA, loadB        time.Duration
	heapModel, heapAll  heap // heap held: model + store; with the screen
	pod, node           eventCost
	hotPod              perEvent // pod events on a few pods, all in the CPU's caches
	gcPerByte           float64  // the collector's CPU ns per allocated byte at this size's heap
	gcFull              time.Duration
	frames              []frameTimes
	polls               []pollTimes
	opens               []openTimes
	sortFirst, sortNext time.Duration // the other sort's first snapshot, and one without a change
	pollApply, pollSnap time.Duration // a usage poll re-sorting every row
	err                 error
}

// parseSimSizes reads "5000 20000" (nodes, 20 pods each) or NODESxPODS.
func parseSimSizes(s string) ([]size, error) {
	var out []size
	for _, f := range strings.Fields(s) {
		if !strings.Contains(f, "x") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("invalid size %q: want NODES or NODESxPODS, e.g. 5000", f)
			}
			out = append(out, size{n, n * simPodsPerNode})
			continue
		}
		sz, err := parseSizes(f)
		if err != nil {
			return nil, err
		}
		out = append(out, sz...)
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes")
	}
	return out, nil
}

// runSim measures every size, prints the table and writes it under out.
func runSim(cfg simConfig) error {
	if err := prepareOut(cfg.out); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		// Where the time goes (a developer's tool, like the viewer's
		// EKS_NODE_VIEWER_CPUPROFILE).
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	started := time.Now()
	var results []*simResult
	for _, s := range cfg.sizes {
		if ctx.Err() != nil {
			break
		}
		results = append(results, simulate(ctx, cfg, s))
	}
	if err := writeTable(cfg.out, "sim", started, simReport(started, results)); err != nil {
		return err
	}
	for _, r := range results {
		if r.err != nil {
			return fmt.Errorf("%s: %w", r.size, r.err)
		}
	}
	return ctx.Err()
}

func progress(s size, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-sim: %d nodes: %s\n", s.nodes, fmt.Sprintf(format, args...))
}

// simulate measures one size: the model as the viewer runs it (default
// sort, usage on), then one built with another sort on the same objects.
// Each is freed before what follows.
func simulate(ctx context.Context, cfg simConfig, s size) *simResult {
	r := &simResult{size: s}
	r.err = func() error {
		if err := r.measureModel(ctx, cfg); err != nil {
			return err
		}
		return r.measureSort(cfg)
	}()
	return r
}

// simModel is a model fed with every object of a size.
func simModel(w *simWorld, sortSpec string) (*cluster.Cluster, *cluster.Feed, time.Duration, error) {
	sort, err := options.ParseSort(sortSpec)
	if err != nil {
		return nil, nil, 0, err
	}
	// As the viewer runs by default: cpu, usage on (which tracks cpu and
	// memory), prices from the static table.
	c := cluster.New(cluster.Options{
		Resources:     options.DefaultResources,
		Sort:          sort,
		Pricing:       pricing.NewStatic("us-west-2"),
		UsageInterval: options.DefaultUsageInterval,
	})
	t0 := time.Now()
	f := c.Feed()
	if err := w.load(f); err != nil {
		return nil, nil, 0, err
	}
	c.SetNodeUsage(w.usage(time.Now(), 0))
	return c, f, time.Since(t0), nil
}

// heap is the heap after a full collection: in use (its spans, what the
// process holds) and the live objects in them.
type heap struct{ inuse, live int64 }

func (h heap) minus(b heap) heap { return heap{h.inuse - b.inuse, h.live - b.live} }

func heapHeld() heap {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return heap{int64(ms.HeapInuse), int64(ms.HeapAlloc)}
}

func (r *simResult) measureModel(ctx context.Context, cfg simConfig) error {
	s := r.size
	base := heapHeld()
	w := newSimWorld(s, time.Now())
	progress(s, "feeding %d nodes, %d pods, %d NodeClaims, %d events", s.nodes, s.pods, w.claims(), w.events())
	c, f, took, err := simModel(w, options.DefaultNodeSort)
	if err != nil {
		return err
	}
	r.loadA = took
	r.heapModel = heapHeld().minus(base)
	screen, err := newSimScreen(c)
	if err != nil {
		return err
	}
	defer screen.close()
	r.heapAll = heapHeld().minus(base)
	progress(s, "fed in %s; held %s (%s with the screen)", took.Round(time.Millisecond), mb(r.heapModel.inuse), mb(r.heapAll.inuse))

	pods := newPodEvents(w)
	r.gcPerByte, r.gcFull = gcCost()
	gc := r.gcPerByte
	if r.pod, err = eventCosts(cfg.rounds, gc, pods.pass(f), len(pods.ids), pods.objects()); err != nil {
		return err
	}
	if r.hotPod, err = feedCost(cfg.rounds, gc, pods.hotPass(f), len(pods.ids)); err != nil {
		return err
	}
	nodes, err := nodeEvents(w)
	if err != nil {
		return err
	}
	if r.node, err = eventCosts(cfg.rounds, gc, func() error { return updateAll(f, nodes) }, len(nodes), nodes); err != nil {
		return err
	}
	nodes = nil
	progress(s, "pod event: feed %.1f µs, decode %.1f µs; node event: feed %.1f µs, decode %.1f µs",
		r.pod.feed.ns/1e3, r.pod.decode.ns/1e3, r.node.feed.ns/1e3, r.node.decode.ns/1e3)

	// Frames: one pod changes, the screen shows it. The first, untimed,
	// shows the events above (on rows all over the cluster).
	if _, err := screen.frame(); err != nil {
		return err
	}
	runtime.GC()
	for j := range cfg.frames {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := f.Update(pods.at(j * 7919)); err != nil {
			return err
		}
		ft, err := screen.frame()
		if err != nil {
			return err
		}
		r.frames = append(r.frames, ft)
	}
	runtime.GC()
	for range cfg.opens {
		o, err := screen.openNode()
		if err != nil {
			return err
		}
		r.opens = append(r.opens, o)
		if err := screen.back(); err != nil {
			return err
		}
	}
	// Usage polls: every node's sample moves, the screen shows it.
	runtime.GC()
	for k := range cfg.rounds {
		poll := w.usage(time.Now(), k+1)
		t0 := cpuNow()
		c.SetNodeUsage(poll)
		apply := cpuNow() - t0
		ft, err := screen.frame()
		if err != nil {
			return err
		}
		r.polls = append(r.polls, pollTimes{apply: apply, frame: ft})
	}
	progress(s, "frame %s, open a node view %s, frame after a usage poll %s", ms2(r.frameMedian().total()),
		ms2(r.openMedian().total), ms2(r.pollMedian().total()))
	return nil
}

// eventCosts times rounds of pass (each n events through the feed), then
// rounds of the informer's decode of a watch of objs (one event each).
func eventCosts(rounds int, gc float64, pass func() error, n int, objs []kruntime.Object) (eventCost, error) {
	feed, err := feedCost(rounds, gc, pass, n)
	if err != nil {
		return eventCost{}, err
	}
	stream, err := watchStream(objs)
	if err != nil {
		return eventCost{}, err
	}
	var decodes []perEvent
	err = withoutGC(func() error {
		for range rounds {
			x, err := measure(len(objs), gc, func() error {
				k, err := decodeWatch(stream, func(kruntime.Object) {})
				if err == nil && k != len(objs) {
					err = fmt.Errorf("decoded %d objects of %d", k, len(objs))
				}
				return err
			})
			if err != nil {
				return err
			}
			decodes = append(decodes, x)
		}
		return nil
	})
	return eventCost{feed: feed, decode: medianCost(decodes)}, err
}

// feedCost times rounds of pass (each n events through the feed).
func feedCost(rounds int, gc float64, pass func() error, n int) (perEvent, error) {
	var feeds []perEvent
	err := withoutGC(func() error {
		if err := pass(); err != nil { // warm
			return err
		}
		for range rounds {
			x, err := measure(n, gc, pass)
			if err != nil {
				return err
			}
			feeds = append(feeds, x)
		}
		return nil
	})
	return medianCost(feeds), err
}

func updateAll(f *cluster.Feed, objs []kruntime.Object) error {
	for _, o := range objs {
		if err := f.Update(o); err != nil {
			return err
		}
	}
	return nil
}

// measureSort builds the model anew with --node-sort simSortKey: the sort
// is fixed when the model is made, so a re-sort is measured as the first
// snapshot of a model sorted another way (every row built, then sorted),
// and as a usage poll that changes every row's key.
func (r *simResult) measureSort(cfg simConfig) error {
	s := r.size
	w := newSimWorld(s, time.Now())
	progress(s, "feeding again, sorted by %s", simSortKey)
	c, _, took, err := simModel(w, simSortKey)
	if err != nil {
		return err
	}
	r.loadB = took
	runtime.GC()
	t0 := cpuNow()
	snap := c.Snapshot()
	r.sortFirst = cpuNow() - t0
	if len(snap.Nodes) != s.nodes {
		return fmt.Errorf("the sorted model shows %d rows, want %d", len(snap.Nodes), s.nodes)
	}
	first := snap.Nodes[0].Name
	snap = cluster.Snapshot{}
	var next, apply, again []time.Duration
	for k := range cfg.rounds {
		t0 = cpuNow()
		_ = c.Snapshot()
		next = append(next, cpuNow()-t0)
		poll := w.usage(time.Now(), k+1)
		t0 = cpuNow()
		c.SetNodeUsage(poll)
		t1 := cpuNow()
		snap = c.Snapshot()
		apply, again = append(apply, t1-t0), append(again, cpuNow()-t1)
	}
	if snap.Nodes[0].Name == first {
		return fmt.Errorf("the usage polls did not re-sort the rows (%s first throughout)", first)
	}
	r.sortNext, r.pollApply, r.pollSnap = median(next), median(apply), median(again)
	progress(s, "sorted by %s: first snapshot %s; a poll %s + %s", simSortKey, ms2(r.sortFirst), ms2(r.pollApply), ms2(r.pollSnap))
	return nil
}

func (r *simResult) frameMedian() frameTimes {
	if len(r.frames) == 0 {
		return frameTimes{}
	}
	f := slices.Clone(r.frames)
	slices.SortFunc(f, func(a, b frameTimes) int { return int(a.total() - b.total()) })
	return f[len(f)/2]
}

// pollTimes is a usage poll of every node: its apply, then the frame.
type pollTimes struct {
	apply time.Duration
	frame frameTimes
}

func (p pollTimes) total() time.Duration { return p.apply + p.frame.total() }

func (r *simResult) pollMedian() pollTimes {
	if len(r.polls) == 0 {
		return pollTimes{}
	}
	p := slices.Clone(r.polls)
	slices.SortFunc(p, func(a, b pollTimes) int { return int(a.total() - b.total()) })
	return p[len(p)/2]
}

func (r *simResult) openMedian() openTimes {
	if len(r.opens) == 0 {
		return openTimes{}
	}
	o := slices.Clone(r.opens)
	slices.SortFunc(o, func(a, b openTimes) int { return int(a.total - b.total) })
	return o[len(o)/2]
}

// ms2 is a duration in ms with two decimals.
func ms2(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

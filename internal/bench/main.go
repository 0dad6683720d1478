// Command bench measures eks-node-viewer at scale against a real
// kube-apiserver (make bench-scale):
//
//	go run ./internal/bench -sizes "500x10000 5000x100000" -viewer bin/eks-node-viewer
//
// For each size it starts an apiserver-size cluster (internal/e2e/harness),
// creates N realistic nodes and M pods, and compares a bare client-go
// informer (the reference, run as a separate process of this program) with
// the viewer binary run in tmux: time to the first complete screen, memory,
// CPU idle and under churn, the time to open a node view, event-to-screen
// latency, and the final totals against the objects created. Then the
// fleet row: three more API servers of 500 nodes / 10,000 pods each, the
// viewer on all three at once (--context a,b,c) against the viewer on each
// alone (-fleet-only runs just this row). Then it runs the snapshot and
// render benchmarks (the node list's and the node view's). It prints one
// table and writes it under -out.
//
// With -sim (make bench-sim) it runs no cluster: the real model and the
// viewer's screen are fed in-process through cluster.Feed at sizes past
// what an API server here can hold (sim.go):
//
//	go run ./internal/bench -sim -sizes "5000 20000 100000"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

type config struct {
	sizes       []size
	viewer      string
	out         string
	runs        int
	settle      time.Duration
	idle        time.Duration
	churn       time.Duration
	churnRate   int
	churnEvents int
	benchCount  int
	nodeViews   int    // node views opened on the steady-state viewer
	keep        string // dev: keep the cluster in this directory
	reuse       string // dev: use the cluster kept in this directory
	skipRender  bool
	noRef       bool // dev: skip the reference runs
	onlyStart   bool // dev: only the start-ups
	recordOnly  bool // dev: only the recording rows (and the churn CPU they compare with)
	recordSize  time.Duration
	sizeOnly    bool // dev: only the in-process recording size rows (no cluster)
	// The fleet row: fleetClusters clusters of fleetSize (0: no fleet row);
	// fleetOnly: nothing else.
	fleetClusters int
	fleetSize     size
	fleetOnly     bool
}

func main() { os.Exit(benchMain(os.Args[1:])) }

// benchMain runs the mode the flags ask for and returns the exit code: 0,
// 1 when it failed, 2 for bad input.
func benchMain(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var (
		ref           = fs.Bool("reference", false, "internal: run the bare informer (the reference) and report its sync")
		kubeconfig    = fs.String("kubeconfig", "", "internal: kubeconfig for -reference")
		devChurn      = fs.String("dev-churn", "", "development: only churn the cluster of this kubeconfig for -churn")
		devChurnNodes = fs.Int("dev-churn-nodes", 5000, "development: node count for -dev-churn")
		stopDir       = fs.String("stop", "", "development: stop the cluster kept in DIR (-keep) and delete DIR")
		sizes         = fs.String("sizes", "500x10000 5000x100000", "sizes to measure, NODESxPODS separated by spaces (-sim: NODES, 20 pods each, or NODESxPODS; default \""+defaultSimSizes+"\")")
		fleetSize     = fs.String("fleet-size", "500x10000", "NODESxPODS of each cluster of the fleet row")
		sim           = fs.Bool("sim", false, "the simulation (make bench-sim): the model and screen fed in-process, no cluster")
		cfg           config
		scfg          simConfig
	)
	fs.IntVar(&scfg.rounds, "sim-rounds", 9, "-sim: repetitions of each timed measurement (medians)")
	fs.IntVar(&scfg.frames, "sim-frames", 15, "-sim: frames timed per size")
	fs.IntVar(&scfg.opens, "sim-opens", 9, "-sim: node views opened per size")
	fs.StringVar(&cfg.viewer, "viewer", "bin/eks-node-viewer", "the viewer binary")
	fs.StringVar(&cfg.out, "out", "bench-results", "directory for the result table and logs")
	fs.IntVar(&cfg.runs, "runs", 5, "reference and viewer start-ups per size, alternating (medians are reported)")
	fs.DurationVar(&cfg.settle, "settle", 5*time.Second, "wait after the sync before reading RSS")
	fs.DurationVar(&cfg.idle, "idle", 60*time.Second, "idle CPU window")
	fs.DurationVar(&cfg.churn, "churn", 60*time.Second, "churn CPU window")
	fs.IntVar(&cfg.churnRate, "churn-rate", 200, "pod creates + deletes per second during churn")
	fs.IntVar(&cfg.churnEvents, "churn-events", 10, "Karpenter events per second during churn")
	fs.IntVar(&cfg.nodeViews, "node-views", 16, "node views to open (enter on the first and the last node alternately), timed to their pods on screen; 0 skips")
	fs.IntVar(&cfg.benchCount, "bench-count", 5, "go test -count for the render benchmarks")
	fs.StringVar(&cfg.keep, "keep", "", "development: start the (single) cluster in DIR and leave it running")
	fs.StringVar(&cfg.reuse, "reuse", "", "development: use the cluster kept in DIR (objects already loaded are kept)")
	fs.BoolVar(&cfg.skipRender, "skip-render", false, "skip the go test benchmarks")
	fs.BoolVar(&cfg.noRef, "no-reference", false, "development: skip the reference runs")
	fs.BoolVar(&cfg.onlyStart, "startups-only", false, "development: measure only the start-ups (no steady-state phases)")
	fs.BoolVar(&cfg.recordOnly, "record-only", false, "development: measure only the recording rows (size, churn bytes/s, churn CPU with and without --record)")
	fs.BoolVar(&cfg.sizeOnly, "record-size-only", false, "development: only the recording size rows, in process (no cluster, no viewer)")
	fs.DurationVar(&cfg.recordSize, "record-churn", 15*time.Second, "churn window of the in-process recording size row")
	fs.IntVar(&cfg.fleetClusters, "fleet-clusters", 3, "clusters (each its own API server) of the fleet row: the viewer on all at once against each alone; 0 skips the row")
	fs.BoolVar(&cfg.fleetOnly, "fleet-only", false, "measure only the fleet row (no sizes, no render benchmarks)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has said why
	}

	if *sim {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "sizes" })
		spec := defaultSimSizes
		if set {
			spec = *sizes
		}
		var err error
		if scfg.sizes, err = parseSimSizes(spec); err != nil {
			return exitCode("bench-sim", err, 2)
		}
		scfg.out = cfg.out
		return exitCode("bench-sim", runSim(scfg), 1)
	}
	switch {
	case *stopDir != "":
		return exitCode("stop", stopKept(*stopDir), 1)
	case *devChurn != "":
		return exitCode("churn", churnOnly(*devChurn, *devChurnNodes, cfg.churn, cfg.churnEvents), 1)
	case *ref:
		return exitCode("reference", reference(*kubeconfig), 1)
	}
	klog.SetOutput(io.Discard) // client-go's complaints about cancelled requests
	klog.LogToStderr(false)
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return exitCode("bench", err, 2)
	}
	fleet, err := parseSizes(*fleetSize)
	switch {
	case err != nil:
		return exitCode("bench", fmt.Errorf("-fleet-size: %w", err), 2)
	case len(fleet) != 1:
		return exitCode("bench", fmt.Errorf("-fleet-size: one size, not %q", *fleetSize), 2)
	case cfg.fleetClusters < 0 || cfg.fleetOnly && cfg.fleetClusters == 0:
		return exitCode("bench", fmt.Errorf("-fleet-clusters %d: want at least 1 with -fleet-only, 0 to skip the row", cfg.fleetClusters), 2)
	}
	cfg.fleetSize = fleet[0]
	return exitCode("bench", run(cfg), 1)
}

// exitCode reports err, if any, and returns the exit code for it.
func exitCode(what string, err error, code int) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, what+":", err)
	return code
}

// stopKept stops a cluster kept with -keep and deletes its directory.
func stopKept(dir string) error {
	c, err := harness.Load(dir)
	if err != nil {
		return err
	}
	return c.Remove()
}

func parseSizes(s string) ([]size, error) {
	var out []size
	for _, f := range strings.Fields(s) {
		n, m, ok := strings.Cut(f, "x")
		nodes, err1 := strconv.Atoi(n)
		pods, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || nodes < 1 || pods < 0 {
			return nil, fmt.Errorf("invalid size %q: want NODESxPODS, e.g. 5000x100000", f)
		}
		out = append(out, size{nodes, pods})
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes")
	}
	return out, nil
}

func run(cfg config) error {
	if _, err := exec.LookPath("tmux"); err != nil {
		return errors.New("tmux is required (apt-get install -y tmux)")
	}
	viewer, err := filepath.Abs(cfg.viewer)
	if err != nil {
		return err
	}
	if _, err := os.Stat(viewer); err != nil {
		return fmt.Errorf("viewer binary: %w (build it: make build)", err)
	}
	cfg.viewer = viewer
	if err := prepareOut(cfg.out); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	started := time.Now()
	var results []*sizeResult
	for _, s := range cfg.sizes {
		if cfg.fleetOnly {
			break
		}
		if cfg.sizeOnly {
			rec := measureRecordSize(ctx, s, cfg.churnRate, cfg.recordSize)
			results = append(results, &sizeResult{size: s, rec: &rec})
			continue
		}
		r := measureSize(ctx, cfg, s)
		results = append(results, r)
		if ctx.Err() != nil {
			break
		}
	}
	var fleet *fleetResult
	if cfg.fleetClusters > 0 && !cfg.sizeOnly && !cfg.recordOnly && !cfg.onlyStart && cfg.keep == "" && cfg.reuse == "" && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "bench: fleet of %d clusters of %s\n", cfg.fleetClusters, cfg.fleetSize)
		fleet = measureFleet(ctx, cfg)
	}
	var rb *renderBench
	var renderErr error
	if !cfg.skipRender && !cfg.fleetOnly && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "bench: snapshot and render benchmarks (go test -bench)")
		b, err := runRenderBench(ctx, cfg.benchCount)
		rb, renderErr = &b, err
	}
	if err := writeTable(cfg.out, "scale", started, report(started, results, fleet, rb, renderErr)); err != nil {
		return err
	}
	for _, r := range results {
		if r.err != nil {
			return fmt.Errorf("%s: %w", r.size, r.err)
		}
	}
	if fleet != nil && fleet.err != nil {
		return fmt.Errorf("%s: %w", fleet.label(), fleet.err)
	}
	return ctx.Err()
}

// measureSize runs every measurement of one size; errors end up in r.err
// (what was measured before them is still reported).
func measureSize(ctx context.Context, cfg config, s size) *sizeResult {
	r := &sizeResult{size: s}
	fmt.Fprintf(os.Stderr, "bench: %s: recording size (in process)\n", s)
	rec := measureRecordSize(ctx, s, cfg.churnRate, cfg.recordSize)
	r.rec = &rec
	r.err = func() error {
		dir := filepath.Join(cfg.out, "run-"+s.String())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		c, err := startCluster(ctx, cfg)
		if err != nil {
			return err
		}
		if cfg.keep == "" && cfg.reuse == "" {
			defer c.Remove()
		}
		rest, err := c.RESTConfig()
		if err != nil {
			return err
		}
		kube, err := fastClient(rest)
		if err != nil {
			return err
		}
		r.want = plan(s)
		t0 := time.Now()
		fill := load
		if cfg.reuse != "" {
			fill = restore
			_ = (&churner{kube: kube}).cleanup(ctx)
		}
		if err := fill(ctx, kube, s, os.Stderr); err != nil {
			return err
		}
		if cfg.reuse == "" { // a reused cluster has them from its first run
			if err := loadKarpenterSide(ctx, c, s); err != nil {
				return err
			}
		}
		r.load = time.Since(t0)
		if n, err := countNodes(ctx, kube); err != nil || n != s.nodes {
			return fmt.Errorf("after loading: %d nodes (want %d): %v", n, s.nodes, err)
		}
		if n, err := countPods(ctx, kube); err != nil || n != s.pods {
			return fmt.Errorf("after loading: %d pods (want %d): %v", n, s.pods, err)
		}
		time.Sleep(cfg.settle) // let the apiserver's caches settle

		// Start-ups alternate which goes first, so that neither always
		// meets the apiserver right after the other's sync.
		for i := range cfg.runs * boolInt(!cfg.recordOnly) {
			steps := []func() error{
				func() error { return r.measureReference(ctx, cfg, c.Kubeconfig, i) },
				func() error { return r.measureStartup(cfg, c.Kubeconfig, dir, i) },
			}
			if i%2 == 1 {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, step := range steps {
				if err := step(); err != nil {
					return err
				}
			}
		}

		if cfg.onlyStart {
			return nil
		}
		// The steady-state phases run on one more viewer, alone.
		fmt.Fprintf(os.Stderr, "bench: %s: viewer for the steady-state phases\n", s)
		o, err := startOurs(cfg.viewer, c.Kubeconfig, dir, cfg.runs)
		if err != nil {
			return err
		}
		defer o.stop()
		if _, screen, err := o.firstFrame(r.want); err != nil {
			return fmt.Errorf("%w\nlast screen:\n%s", err, screen)
		}
		if err := sleep(ctx, cfg.settle); err != nil {
			return err
		}

		if !cfg.recordOnly {
			fmt.Fprintf(os.Stderr, "bench: %s: idle CPU over %s\n", s, cfg.idle)
			if r.idleCPU, r.idleWall, err = o.cpuOver(func() error { return sleep(ctx, cfg.idle) }); err != nil {
				return err
			}
		}
		if cfg.nodeViews > 0 && !cfg.recordOnly {
			fmt.Fprintf(os.Stderr, "bench: %s: opening %d node views\n", s, cfg.nodeViews)
			if r.opens, err = o.openNodes(s, cfg.nodeViews); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "bench: %s: CPU under churn (%d/s) over %s\n", s, cfg.churnRate, cfg.churn)
		ch := &churner{kube: kube, nodes: s.nodes, rate: cfg.churnRate, events: cfg.churnEvents}
		if err := ch.warmUp(ctx); err != nil {
			return err
		}
		if err := sleep(ctx, 2*time.Second); err != nil { // the warm-up's frames
			return err
		}
		r.churnRate = cfg.churnRate
		if r.churnCPU, r.churnWin, err = o.cpuOver(func() error {
			r.churn = ch.run(ctx, cfg.churn)
			return ctx.Err()
		}); err != nil {
			return err
		}
		if err := ch.cleanup(ctx); err != nil {
			return err
		}
		want := r.want
		if !cfg.recordOnly {
			fmt.Fprintf(os.Stderr, "bench: %s: event-to-screen latency\n", s)
			if r.lat, err = o.latency(ctx, kube, s, &want); err != nil {
				return err
			}
			r.final, r.finalErr = o.checkTotals(want)
		}
		o.stop() // one viewer at a time
		fmt.Fprintf(os.Stderr, "bench: %s: CPU under churn (%d/s) with --record over %s\n", s, cfg.churnRate, cfg.churn)
		side, err := measureRecordCPU(ctx, cfg, c, ch, want)
		rec.cpu, rec.win, rec.churn, rec.plain, rec.err = side.cpu, side.win, side.churn, side.plain, err
		return nil
	}()
	return r
}

// measureReference runs the bare informer once.
func (r *sizeResult) measureReference(ctx context.Context, cfg config, kubeconfig string, i int) error {
	if cfg.noRef {
		return nil
	}
	s := r.size
	fmt.Fprintf(os.Stderr, "bench: %s run %d/%d: reference\n", s, i+1, cfg.runs)
	ref, err := runReference(ctx, kubeconfig, cfg.settle)
	if err != nil {
		return err
	}
	if ref.nodes != s.nodes || ref.pods != s.pods {
		return fmt.Errorf("reference synced %d nodes, %d pods; want %d, %d", ref.nodes, ref.pods, s.nodes, s.pods)
	}
	r.refs = append(r.refs, ref)
	fmt.Fprintf(os.Stderr, "bench: %s run %d/%d: reference %s (CPU %s) %s %s\n", s, i+1, cfg.runs, secs(ref.sync), secs(ref.cpu), mb(ref.rss), mb(ref.peak))
	return nil
}

// measureStartup runs the viewer once until its first complete screen,
// then reads its memory after the settle time.
func (r *sizeResult) measureStartup(cfg config, kubeconfig, dir string, i int) error {
	s := r.size
	fmt.Fprintf(os.Stderr, "bench: %s run %d/%d: viewer\n", s, i+1, cfg.runs)
	o, err := startOurs(cfg.viewer, kubeconfig, dir, i)
	if err != nil {
		return err
	}
	defer o.stop()
	first, screen, err := o.firstFrame(r.want)
	if err != nil {
		return fmt.Errorf("%w\nlast screen:\n%s", err, screen)
	}
	syncCPU, _ := o.cpu()
	time.Sleep(cfg.settle)
	m, err := o.mem()
	if err != nil {
		return err
	}
	r.firsts, r.rss, r.peaks = append(r.firsts, first), append(r.rss, m.rss), append(r.peaks, m.hwm)
	r.syncCPU = append(r.syncCPU, syncCPU)
	if o.progress != "" {
		r.progress = o.progress
	}
	fmt.Fprintf(os.Stderr, "bench: %s run %d/%d: viewer %s (CPU %s) %s %s\n", s, i+1, cfg.runs, secs(first), secs(syncCPU), mb(m.rss), mb(m.hwm))
	return nil
}

func startCluster(ctx context.Context, cfg config) (*harness.Cluster, error) {
	if cfg.reuse != "" {
		c, err := harness.Load(cfg.reuse)
		if err != nil {
			return nil, fmt.Errorf("reuse %s: %w", cfg.reuse, err)
		}
		if !c.Running() {
			return nil, fmt.Errorf("reuse %s: the cluster is not running", cfg.reuse)
		}
		return c, nil
	}
	opts := harness.Options{Size: harness.SizeAPIServer, NoBuild: harness.BuildDisabled()}
	if cfg.keep != "" {
		opts.Dir, opts.Detached = cfg.keep, true
	}
	c, err := harness.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	if cfg.keep != "" {
		c.Detach()
		fmt.Fprintf(os.Stderr, "bench: cluster kept in %s (stop it: go run ./internal/bench -stop %s)\n", cfg.keep, cfg.keep)
	}
	return c, nil
}

// churnOnly runs the churn phase alone against a loaded cluster, for
// profiling a viewer started by hand.
func churnOnly(kubeconfig string, nodes int, d time.Duration, events int) error {
	rest, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	kube, err := fastClient(rest)
	if err != nil {
		return err
	}
	ctx := context.Background()
	ch := &churner{kube: kube, nodes: nodes, rate: 200, events: events}
	if err := ch.warmUp(ctx); err != nil {
		return err
	}
	fmt.Println("churn: start")
	st := ch.run(ctx, d)
	fmt.Printf("churn: %d creates, %d deletes in %s (%.0f/s, %d dropped, %d failed)\n",
		st.creates, st.deletes, st.elapsed.Round(time.Millisecond), st.rate(), st.dropped, st.failed)
	return ch.cleanup(ctx)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Command eks-node-viewer shows a Kubernetes cluster's nodes as bars of
// requested resources with their prices, live.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/complete"
	"github.com/eksnodeviewer/eks-node-viewer/internal/demo"
	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/internal/usage"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// Set by the Makefile's -ldflags; `go install` builds fall back to the
// module's build info.
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	stopProfile := startProfile()
	code := runAs(programFromArg0(os.Args[0]), os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// run is runAs for the program under its own name.
func run(args []string, stdout, stderr io.Writer) int {
	return runAs(program{exe: options.Program, prog: options.Program}, args, stdout, stderr)
}

// runAs returns the exit code: 0 ok, 1 runtime failure, 2 bad input, 3
// timed out with partial output (-o, --once), 128+n a signal.
func runAs(p program, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && complete.IsRequest(args[0]) {
		// The shell's completion hook: whatever goes wrong, it must print
		// nothing but completions (an error would land in the prompt).
		if err := complete.Request(stdout, p.exe, options.DefaultConfigPath(), args); err != nil {
			return 1
		}
		return 0
	}
	if len(args) > 0 && args[0] == complete.Command {
		return exitCode(p, completion(p, args[1:], stdout), stderr)
	}
	o, err := options.ParseAs(p.prog, args, options.DefaultConfigPath(), stdout)
	if err != nil {
		return exitCode(p, err, stderr)
	}
	if o.Version {
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	fleet, err := fleetContexts(o)
	if err != nil {
		return exitCode(p, err, stderr)
	}
	if f, ok := scriptFormat(o, stdout); ok {
		sc := &script{o: o, format: f, prog: p.prog, stdout: stdout, stderr: stderr, fleet: fleet}
		return exitCode(p, sc.run(), stderr)
	}
	return exitCode(p, view(o, fleet), stderr)
}

// exitCode reports err in one line on stderr and returns its exit code.
func exitCode(p program, err error, stderr io.Writer) int {
	var usage *options.UsageError
	var exit *exitError
	var badRecording *cluster.RecordingError
	switch {
	case err == nil || errors.Is(err, options.ErrHelp):
		return 0
	case errors.As(err, &badRecording):
		fmt.Fprintf(stderr, "%s: %v\n", p.prog, err)
		return 2
	case errors.As(err, &exit):
		if exit.msg != "" {
			fmt.Fprintf(stderr, "%s: %s\n", p.prog, exit.msg)
		}
		return exit.code
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s: %v\n", p.prog, err)
		return 2
	}
	fmt.Fprintf(stderr, "%s: %v\n", p.prog, err)
	return 1
}

// started is when the process started (near enough: package init).
var started = time.Now()

// view runs the viewer until the user quits or a signal arrives; a signal
// is an exitError of 128+n once the terminal is restored. fleet are the
// contexts of a fleet (nil: one cluster).
func view(o *options.Options, fleet []kube.Context) error {
	ctx, caught, stop := catchSignals(context.Background())
	defer stop()
	logger, logw, closeLog, err := openLog(o.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	// Exec credential plugins write to standard error: the log's while the
	// screen is up (started before the clients: on Windows client-go keeps
	// the os.Stderr it saw then).
	capture, err := kube.CaptureStderr(logw)
	if err != nil {
		return fmt.Errorf("standard error: %w", err)
	}
	defer capture.Restore()
	s := session{demo: o.Demo}
	rec, err := openRecord(o)
	if err != nil {
		return err
	}
	switch {
	case len(fleet) > 1:
		s.fleet, err = startFleet(ctx, o, logger, fleet)
	case o.Record.Replay != "":
		s.player, s.demo, err = startReplay(ctx, o)
		s.m = s.player
	case o.Demo:
		s.m, err = startDemo(ctx, o, logger, rec)
	default:
		s.m, err = startCluster(ctx, o, logger, rec)
	}
	if err == nil {
		err = runProgram(ctx, s, capture, o)
	}
	err = closeRecord(rec, err)
	if s := caught(); s != nil {
		return signalExit(s, logw)
	}
	return err
}

// openLog sends klog, client-go's warnings and the viewer's own log to the
// --log-file, or nowhere: nothing may write to the terminal under the TUI.
// w is the file (nil for none), for standard error and crashes.
func openLog(path string) (logger *slog.Logger, w io.Writer, closeLog func(), err error) {
	if path == "" {
		kube.QuietLogs(nil)
		return slog.New(slog.DiscardHandler), nil, func() {}, nil
	}
	f, err := kube.OpenLog(path)
	if err != nil {
		return nil, nil, nil, err
	}
	kube.QuietLogs(f)
	// A fatal error in any goroutine (which Bubble Tea cannot recover) is
	// written here too: standard error is a pipe to this file by then.
	_ = debug.SetCrashOutput(f, debug.CrashOptions{})
	return slog.New(slog.NewTextHandler(kube.ScrubWriter(f), nil)), f, func() { f.Close() }, nil
}

// startCluster connects to the kubeconfig's cluster (checked before any
// AWS call) and starts the model on it.
func startCluster(ctx context.Context, o *options.Options, logger *slog.Logger, rec *cluster.Recorder) (*cluster.Cluster, error) {
	clients, err := kubeClients(ctx, o)
	if err != nil {
		return nil, err
	}
	m, err := newModel(ctx, o, logger, clients.Clock.Now, rec)
	if err != nil {
		return nil, err
	}
	start(ctx, m, clients.Kube, clients.Dynamic, logger)
	if m.UsageInterval() > 0 {
		go pollUsage(ctx, m, clients, logger)
	}
	return m, nil
}

// pollUsage polls metrics.k8s.io into the model once its initial sync is
// done (a sample of a node the model has not seen yet would be dropped).
func pollUsage(ctx context.Context, m *cluster.Cluster, clients *kube.Clients, logger *slog.Logger) {
	select {
	case <-m.Synced():
	case <-ctx.Done():
		return
	}
	usage.Run(ctx, m, usage.Options{Client: clients.Metrics, Interval: m.UsageInterval(), Logger: logger})
}

func kubeClients(ctx context.Context, o *options.Options) (*kube.Clients, error) {
	cfg, where, err := kube.Config(o.Kubeconfig, o.Context)
	if err != nil {
		return nil, err
	}
	clients, err := kube.NewClients(cfg, where)
	if err != nil {
		return nil, err
	}
	if err := clients.Check(ctx, 20*time.Second); err != nil {
		return nil, err
	}
	return clients, nil
}

// startDemo starts the model on the embedded lab's in-memory cluster and
// plays the lab script into it; the narration becomes the model's note.
// The setup is in place before the informers start, so the synced model
// shows the lab (what -o prints).
func startDemo(ctx context.Context, o *options.Options, logger *slog.Logger, rec *cluster.Recorder) (*cluster.Cluster, error) {
	script, err := demo.Parse(demo.LabScript)
	if err != nil {
		return nil, err
	}
	m, err := newModel(ctx, o, logger, nil, rec)
	if err != nil {
		return nil, err
	}
	d := demo.New(script, o.DemoSpeed, func(s string) { m.SetNote("demo", s) })
	if err := d.Setup(ctx); err != nil {
		return nil, err
	}
	start(ctx, m, d.Kube, d.Dynamic, logger)
	go func() {
		if err := d.Run(ctx); err != nil {
			logger.Error("demo stopped", "err", err)
			m.SetNote("demo", err.Error())
		}
	}()
	if m.UsageInterval() > 0 {
		go func() {
			select {
			case <-m.Synced():
			case <-ctx.Done():
				return
			}
			// The demo is its own metrics source: its pods' usage
			// annotations, sampled into the model as the poller would.
			if err := d.RunUsage(ctx, m, m.UsageInterval()); err != nil {
				logger.Error("demo usage stopped", "err", err)
				m.SetNote("demo-usage", err.Error())
			}
		}()
	}
	return m, nil
}

// newPrices is the price source: none with --disable-pricing, the lab's
// recorded live prices in the demo (no AWS calls), else the AWS APIs. The
// model follows its Changed channel itself.
func newPrices(ctx context.Context, o *options.Options, logger *slog.Logger) (pricing.Provider, error) {
	switch {
	case o.DisablePricing:
		return nil, nil
	case o.Demo:
		return demo.Prices(), nil
	}
	aws, err := pricing.NewAWS(ctx, pricing.AWSOptions{Region: o.Region, Profile: o.Profile, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("aws pricing: %w (or run with --disable-pricing)", err)
	}
	return aws, nil
}

// newModel is the cluster model, priced by newPrices, on the API server's
// clock (nil: the local one), logging connection failures and recoveries,
// recorded by rec (nil: not recorded).
func newModel(ctx context.Context, o *options.Options, logger *slog.Logger, clock func() time.Time, rec *cluster.Recorder) (*cluster.Cluster, error) {
	prices, err := newPrices(ctx, o, logger)
	if err != nil {
		return nil, err
	}
	return cluster.New(cluster.Options{
		Selector:    o.Selector,
		Resources:   o.Resources,
		ExtraLabels: o.ExtraLabels,
		Sort:        o.Sort,
		Pricing:     prices,
		Now:         clock,
		Logger:      logger,
		AuthHint:    kube.LastAuthMessage,
		// The demo samples its pods' usage annotations instead of
		// metrics.k8s.io (startDemo).
		UsageInterval: usageInterval(o),
		Record:        rec,
	}), nil
}

// usageInterval is the model's usage poll interval: 0 (off) with
// --usage=false. In the demo it is in demo time.
func usageInterval(o *options.Options) time.Duration {
	if !o.Usage {
		return 0
	}
	return o.UsageInterval
}

// start runs the model's informers under the sync's GOGC, and gives the
// sync's memory back once it is done (releaseAfterSync).
func start(ctx context.Context, m *cluster.Cluster, kubeClient kubernetes.Interface, dyn dynamic.Interface, logger *slog.Logger) {
	syncGC()
	m.Start(ctx, kubeClient, dyn)
	go func() {
		if releaseAfterSync(ctx, m.Synced()) {
			s := m.Snapshot()
			logger.Info("initial sync complete", "after", time.Since(started).Round(time.Millisecond), "nodes", len(s.Nodes), "pods", s.Pods.Total)
		}
	}()
}

// runProgram shows the model until the user quits or ctx ends (the
// signals: Bubble Tea's own handler is off, so that catchSignals alone
// decides). The program restores the terminal in every case, a panic in
// the model included.
func runProgram(ctx context.Context, s session, capture *kube.Stderr, o *options.Options) error {
	var screen tea.Model
	if s.fleet != nil {
		// Each cluster is on its own API server's clock (ui.Member.Clock).
		screen = ui.NewFleet(uiMembers(ctx, s.fleet), ui.Options{Style: o.Colors, Version: versionInfo()})
	} else {
		uo := ui.Options{Style: o.Colors, Demo: s.demo, Version: versionInfo(), Clock: s.m.Now}
		if s.player != nil {
			uo.Replay = s.player
		}
		screen = ui.New(pace(ctx, s.m, framePace, syncRefresh, realClock), uo)
	}
	// The renderer wakes up at its frame rate even when nothing changed; 20
	// frames a second is plenty for a screen that changes after a settle of
	// 50 ms and spins at 12, and halves the idle CPU of the default 60.
	return runScreen(ctx, screen, capture, o.LogFile, tea.WithFPS(maxFPS))
}

// session is what the screen shows: a cluster's model, the demo's, a
// replay's player, or a fleet's clusters.
type session struct {
	m      model
	player *cluster.Player // a --replay
	demo   bool
	fleet  []*member // several contexts (m is nil)
}

// model is the model as the screen reads it (a Cluster or a Player).
type model interface {
	Changed() <-chan struct{}
	Synced() <-chan struct{}
	Notify()
	SnapshotFor(cluster.Query) cluster.Snapshot
	Now() time.Time
}

// runScreen runs the model with standard error kept off the screen.
func runScreen(ctx context.Context, model tea.Model, capture *kube.Stderr, logFile string, opts ...tea.ProgramOption) error {
	p := tea.NewProgram(model, append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler()}, opts...)...)
	capture.ScreenOn(true)
	_, err := p.Run()
	capture.ScreenOn(false)
	if err != nil && ctx.Err() == nil {
		return programError(err, logFile)
	}
	return nil
}

// maxFPS caps the frame rate (Bubble Tea's default is 60).
const maxFPS = 20

// releaseAfterSync returns the memory of the initial sync to the OS once it
// is done. Every object was decoded in full and dropped at once (the model
// keeps a small struct per object), so the heap is mostly free space then;
// left to the runtime's background scavenger it would linger for minutes.
//
// It then runs Go on one thread, unless GOMAXPROCS says otherwise: after the
// sync the viewer never needs more than a fraction of a core, and each watch
// event passes through several goroutines, whose hand-offs across threads
// cost more than the work itself (about a tenth less CPU under 200 pod
// changes a second at 5,000 nodes).
// It reports whether the sync completed.
func releaseAfterSync(ctx context.Context, synced <-chan struct{}) bool {
	select {
	case <-synced:
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(100)
		}
		debug.FreeOSMemory()
		if os.Getenv("GOMAXPROCS") == "" {
			runtime.GOMAXPROCS(1)
		}
		return true
	case <-ctx.Done():
		return false
	}
}

// syncGCPercent is the garbage collector's GOGC during the initial sync,
// unless GOGC is set. Every object of the sync is decoded in full and
// dropped at once, while the model that stays is small: at the default of
// 100 the collector would run after every few thousand pods, and costs a
// quarter of the sync's CPU (10,000 pods: 1.6 s of CPU at 100, 1.2 s at
// 200, peak RSS 60 MB and 72 MB). releaseAfterSync sets 100 again.
const syncGCPercent = 200

func syncGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(syncGCPercent)
	}
}

func versionLine() string { return "eks-node-viewer " + versionInfo() }

// versionInfo is "v1.2.3 (commit abc, built 2026-11-27T00:00:00Z)".
func versionInfo() string {
	v, c, d := version, commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, built %s)", v, c, d)
}

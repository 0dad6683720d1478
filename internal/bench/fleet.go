package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// The fleet row (issue 15): several clusters (default three of 500 nodes /
// 10,000 pods), each its own etcd and API server, loaded as a size is. The
// viewer on all of them at once (--context fleet-1,fleet-2,fleet-3) is
// compared with the viewer on each alone (--context fleet-k): the fleet's
// first complete screen (every block synced and priced) against the
// slowest cluster's alone, and its RSS after sync against one cluster's.

// Targets, as ratios to the viewer on one cluster alone.
const (
	targetFleetFirst = 1.2 // x the slowest cluster's first complete screen alone
	targetFleetRSS   = 3.3 // x one cluster's RSS after sync alone
)

// fleetResult is what the fleet row measured.
type fleetResult struct {
	clusters int
	size     size
	load     time.Duration
	contexts []string
	alone    map[string][]time.Duration // each cluster's first complete screen, alone
	// together are the slowest of one viewer per cluster started at
	// once: the same load on the API servers as the fleet's.
	together []time.Duration
	aloneRSS []int64         // RSS after sync of every run alone
	firsts   []time.Duration // the fleet's first complete screen
	rss      []int64         // the fleet's RSS after sync
	peaks    []int64
	lastErr  string // the last screen of a fleet run that failed
	err      error
}

func fleetContext(k int) string { return fmt.Sprintf("fleet-%d", k+1) }

// measureFleet starts the fleet's API servers, loads them and alternates
// runs of the viewer on each cluster alone with runs on the fleet.
func measureFleet(ctx context.Context, cfg config) *fleetResult {
	r := &fleetResult{clusters: cfg.fleetClusters, size: cfg.fleetSize, alone: map[string][]time.Duration{}}
	r.err = func() error {
		dir := filepath.Join(cfg.out, fmt.Sprintf("run-fleet-%dx%s", r.clusters, r.size))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		var members []harness.FleetMember
		for k := range r.clusters {
			members = append(members, harness.FleetMember{Context: fleetContext(k), Options: harness.Options{Size: harness.SizeAPIServer}})
		}
		fmt.Fprintf(os.Stderr, "bench: fleet: starting %d API servers\n", r.clusters)
		f, err := harness.StartFleet(ctx, harness.FleetOptions{Members: members, NoBuild: harness.BuildDisabled()})
		if err != nil {
			return err
		}
		defer f.Remove()
		r.contexts = f.Contexts
		t0 := time.Now()
		for _, name := range f.Contexts {
			fmt.Fprintf(os.Stderr, "bench: fleet: loading %s with %s\n", name, r.size)
			if err := loadCluster(ctx, f.Cluster(name), r.size); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		r.load = time.Since(t0)
		if err := sleep(ctx, cfg.settle); err != nil {
			return err
		}
		want := plan(r.size)
		for i := range cfg.runs {
			// The fleet goes first every other run; the clusters alone
			// take turns in a rotating order.
			var steps []func() error
			for j := range f.Contexts {
				name := f.Contexts[(i+j)%len(f.Contexts)]
				steps = append(steps, func() error { return r.measureAlone(ctx, cfg, f.Kubeconfig, dir, name, i, want) })
			}
			steps = append(steps, func() error { return r.measureTogether(ctx, cfg, f.Kubeconfig, dir, i, want) })
			fleet := func() error { return r.measureFleetRun(ctx, cfg, f.Kubeconfig, dir, i, want) }
			if i%2 == 1 {
				steps = append([]func() error{fleet}, steps...)
			} else {
				steps = append(steps, fleet)
			}
			for _, step := range steps {
				if err := step(); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	return r
}

// loadCluster creates s's objects (nodes, pods, Karpenter's side) in c as
// measureSize does, and checks they are all there.
func loadCluster(ctx context.Context, c *harness.Cluster, s size) error {
	rest, err := c.RESTConfig()
	if err != nil {
		return err
	}
	kube, err := fastClient(rest)
	if err != nil {
		return err
	}
	if err := load(ctx, kube, s, os.Stderr); err != nil {
		return err
	}
	if err := loadKarpenterSide(ctx, c, s); err != nil {
		return err
	}
	if n, err := countNodes(ctx, kube); err != nil || n != s.nodes {
		return fmt.Errorf("after loading: %d nodes (want %d): %v", n, s.nodes, err)
	}
	if n, err := countPods(ctx, kube); err != nil || n != s.pods {
		return fmt.Errorf("after loading: %d pods (want %d): %v", n, s.pods, err)
	}
	return nil
}

// measureAlone runs the viewer on one cluster of the fleet (--context) to
// its first complete, priced screen, then reads its RSS after the settle
// time.
func (r *fleetResult) measureAlone(ctx context.Context, cfg config, kubeconfig, dir, name string, i int, want expected) error {
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: %s alone\n", i+1, cfg.runs, name)
	o, err := startOursAs(cfg.viewer, kubeconfig, dir, fmt.Sprintf("%s-%d", name, i), "--context", name)
	if err != nil {
		return err
	}
	defer o.stop()
	first, screen, err := o.waitComplete(ctx, "first complete screen of "+name, func(s string) bool { return aloneComplete(s, want) })
	if err != nil {
		return fmt.Errorf("%w\nlast screen:\n%s", err, screen)
	}
	if err := sleep(ctx, cfg.settle); err != nil {
		return err
	}
	m, err := o.mem()
	if err != nil {
		return err
	}
	r.alone[name] = append(r.alone[name], first)
	r.aloneRSS = append(r.aloneRSS, m.rss)
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: %s alone %s %s\n", i+1, cfg.runs, name, secs(first), mb(m.rss))
	return nil
}

// measureTogether starts one single-cluster viewer per cluster at once
// and records when the last shows its first complete screen: on this one
// machine the fleet's API servers all serve at once, as they do for the
// fleet, while a cluster alone has the cores to itself (real clusters'
// API servers do not share a machine with each other).
func (r *fleetResult) measureTogether(ctx context.Context, cfg config, kubeconfig, dir string, i int, want expected) error {
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: one viewer per cluster, together\n", i+1, cfg.runs)
	var viewers []*ours
	defer func() {
		for _, o := range viewers {
			o.stop()
		}
	}()
	for _, name := range r.contexts {
		o, err := startOursAs(cfg.viewer, kubeconfig, dir, fmt.Sprintf("%s-together-%d", name, i), "--context", name)
		if err != nil {
			return err
		}
		viewers = append(viewers, o)
	}
	type done struct {
		first  time.Duration
		screen string
		err    error
	}
	results := make(chan done, len(viewers))
	for k, o := range viewers {
		go func() {
			first, screen, err := o.waitComplete(ctx, "first complete screen of "+r.contexts[k]+" (together)", func(s string) bool { return aloneComplete(s, want) })
			results <- done{first, screen, err}
		}()
	}
	var slowest time.Duration
	for range viewers {
		d := <-results
		if d.err != nil {
			return fmt.Errorf("%w\nlast screen:\n%s", d.err, d.screen)
		}
		slowest = max(slowest, d.first)
	}
	r.together = append(r.together, slowest)
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: together, the last complete after %s\n", i+1, cfg.runs, secs(slowest))
	return nil
}

// measureFleetRun runs the viewer on every cluster of the fleet to its
// first complete screen (the fleet line and every block synced and
// priced), then reads its RSS after the settle time.
func (r *fleetResult) measureFleetRun(ctx context.Context, cfg config, kubeconfig, dir string, i int, want expected) error {
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: the fleet (%s)\n", i+1, cfg.runs, strings.Join(r.contexts, ","))
	o, err := startOursAs(cfg.viewer, kubeconfig, dir, fmt.Sprintf("fleet-%d", i), "--context", strings.Join(r.contexts, ","))
	if err != nil {
		return err
	}
	defer o.stop()
	first, screen, err := o.waitComplete(ctx, "first complete fleet screen", func(s string) bool { return fleetComplete(s, r.contexts, want) })
	if err != nil {
		r.lastErr = screen
		return fmt.Errorf("%w\nlast screen:\n%s", err, screen)
	}
	if err := sleep(ctx, cfg.settle); err != nil {
		return err
	}
	m, err := o.mem()
	if err != nil {
		return err
	}
	r.firsts, r.rss, r.peaks = append(r.firsts, first), append(r.rss, m.rss), append(r.peaks, m.hwm)
	fmt.Fprintf(os.Stderr, "bench: fleet run %d/%d: the fleet %s %s (peak %s)\n", i+1, cfg.runs, secs(first), mb(m.rss), mb(m.hwm))
	return nil
}

// waitComplete polls the screen every 20 ms until ok accepts it and
// returns the time from the start; it gives up when the viewer has exited
// (checked every second) or after 10 minutes.
func (o *ours) waitComplete(ctx context.Context, what string, ok func(string) bool) (time.Duration, string, error) {
	deadline := time.Now().Add(10 * time.Minute)
	nextAlive := time.Now().Add(time.Second)
	last := ""
	for {
		s, err := o.pane.capture()
		now := time.Now()
		if err != nil {
			return 0, last, fmt.Errorf("%s: %w", what, err)
		}
		last = s
		if ok(s) {
			return now.Sub(o.start), s, nil
		}
		if now.After(nextAlive) {
			if !o.pane.alive() {
				return 0, s, fmt.Errorf("%s: the viewer exited (log %s)", what, o.log)
			}
			nextAlive = now.Add(time.Second)
		}
		if now.After(deadline) {
			return 0, s, fmt.Errorf("%s: not on screen after 10m", what)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, s, err
		}
	}
}

var (
	// fleetLineRe reads the fleet line: "3 clusters (3 ok) · 1,500 nodes ·
	// cpu ... · $12.345/hour | $9,012.345/month".
	fleetLineRe = regexp.MustCompile(`^([0-9,]+) clusters? \(([0-9,]+) ok\b[^)]*\) · ([0-9,]+) nodes? · `)
	// fleetTitleRe reads a block's title: "▾ fleet-1  https://127.0.0.1:6443  ok".
	fleetTitleRe = regexp.MustCompile(`^[>\s]*[▾▸] (\S+)\s+https://\S+\s+(\S+)`)
	pricedRe     = regexp.MustCompile(`[$][0-9,.]+/hour`)
)

// aloneComplete: the single-cluster screen shows every node and pod, and
// a price.
func aloneComplete(s string, want expected) bool {
	t := parseTotals(s)
	return t.ok && t.nodes == want.nodes && t.pods == want.pods && summaryPriced(strings.Split(s, "\n"))
}

// summaryPriced: the first summary line has a cost ("$1.234/hour", not
// "?/hour").
func summaryPriced(lines []string) bool {
	for _, l := range lines {
		if summaryRe.MatchString(l) {
			return pricedRe.MatchString(l)
		}
	}
	return false
}

// fleetComplete: the fleet line counts every cluster ok, and all their
// nodes, and has a cost; each cluster's block is there, ok, with all its
// nodes and pods and a price.
func fleetComplete(s string, contexts []string, want expected) bool {
	lines := strings.Split(s, "\n")
	line := false
	blocks := map[string][]string{}
	state := map[string]string{}
	cur := ""
	for _, l := range lines {
		if m := fleetLineRe.FindStringSubmatch(l); m != nil && !line {
			n := len(contexts)
			if atoiComma(m[1]) != n || atoiComma(m[2]) != n || atoiComma(m[3]) != n*want.nodes || !pricedRe.MatchString(l) {
				return false
			}
			line = true
			continue
		}
		if m := fleetTitleRe.FindStringSubmatch(l); m != nil {
			cur = m[1]
			state[cur] = m[2]
			continue
		}
		if cur != "" {
			blocks[cur] = append(blocks[cur], strings.TrimLeft(l, " "))
		}
	}
	if !line {
		return false
	}
	for _, name := range contexts {
		b := blocks[name]
		t := parseTotals(strings.Join(b, "\n"))
		if state[name] != "ok" || !t.ok || t.nodes != want.nodes || t.pods != want.pods || !summaryPriced(b) {
			return false
		}
	}
	return true
}

// slowestAlone is the largest of the clusters' median first screens alone.
func (r *fleetResult) slowestAlone() (string, time.Duration) {
	var name string
	var slowest time.Duration
	for _, n := range r.contexts {
		if d := median(r.alone[n]); len(r.alone[n]) > 0 && d >= slowest {
			name, slowest = n, d
		}
	}
	return name, slowest
}

func (r *fleetResult) label() string {
	return fmt.Sprintf("fleet %d x %d nodes / %d pods", r.clusters, r.size.nodes, r.size.pods)
}

func (r *fleetResult) rows() []row {
	var rows []row
	name, slowest := r.slowestAlone()
	metric := fmt.Sprintf("first complete screen (%d clusters)", r.clusters)
	switch {
	case len(r.firsts) > 0 && len(r.together) > 0:
		// Judged against the single-cluster viewers under the same API
		// server load; against a cluster alone as well, for what the
		// shared cores cost.
		first, together := median(r.firsts), median(r.together)
		ratio := first.Seconds() / together.Seconds()
		rows = append(rows, row{metric, secs(together) + " (slowest of 3 singles at once)", secs(first),
			fmt.Sprintf("%.2fx", ratio), fmt.Sprintf("<= %.1fx", targetFleetFirst), verdict(ratio <= targetFleetFirst)})
		if slowest > 0 {
			rows = append(rows, row{"  the same against a cluster alone (cores not shared)", secs(slowest) + " (" + name + " alone)", secs(first),
				fmt.Sprintf("%.2fx", first.Seconds()/slowest.Seconds()), "-", "-"})
		}
	case slowest > 0:
		rows = append(rows, row{metric, secs(slowest) + " (" + name + " alone)", "not measured", "-",
			fmt.Sprintf("<= %.1fx", targetFleetFirst), verdict(false)})
	}
	metric = "RSS after sync"
	switch {
	case len(r.rss) > 0 && len(r.aloneRSS) > 0:
		one, all := median(r.aloneRSS), median(r.rss)
		ratio := float64(all) / float64(one)
		rows = append(rows, row{metric, mb(one) + " (one alone)", mb(all),
			fmt.Sprintf("%.2fx", ratio), fmt.Sprintf("<= %.1fx", targetFleetRSS), verdict(ratio <= targetFleetRSS)})
	case len(r.aloneRSS) > 0:
		rows = append(rows, row{metric, mb(median(r.aloneRSS)) + " (one alone)", "not measured", "-",
			fmt.Sprintf("<= %.1fx", targetFleetRSS), verdict(false)})
	}
	return rows
}

// note is the fleet's line under the table: the load and every run.
func (r *fleetResult) note() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s each, loaded in %s; %d fleet runs (medians); reference: the viewer on one cluster alone (--context)",
		r.label(), r.size, r.load.Round(time.Second), len(r.firsts))
	if r.err != nil {
		fmt.Fprintf(&b, "\n  error: %v", oneLine(r.err))
	}
	var alone []string
	for _, n := range r.contexts {
		if len(r.alone[n]) > 0 {
			alone = append(alone, n+" "+durSecs(r.alone[n]))
		}
	}
	if len(alone) > 0 {
		fmt.Fprintf(&b, "\n  alone (first complete screen): %s; RSS after sync %s", strings.Join(alone, "; "), mbList(r.aloneRSS))
	}
	if len(r.together) > 0 {
		fmt.Fprintf(&b, "\n  one viewer per cluster started at once (the last complete): %s", durSecs(r.together))
	}
	if len(r.firsts) > 0 {
		fmt.Fprintf(&b, "\n  fleet (first complete screen): %s; RSS after sync %s; peak %s", durSecs(r.firsts), mbList(r.rss), mbList(r.peaks))
	}
	return b.String()
}

func durSecs(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.2f", d.Seconds()))
	}
	return strings.Join(s, ",") + " s"
}

func mbList(bs []int64) string {
	var s []string
	for _, b := range bs {
		s = append(s, fmt.Sprintf("%.0f", float64(b)/(1<<20)))
	}
	return strings.Join(s, ",") + " MB"
}

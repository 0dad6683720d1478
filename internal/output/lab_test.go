package output

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/demo"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// The demo's clocks in these tests: every object is stamped labStart, and
// the model reads labNow, so ages and times are the same on every run.
var (
	labStart = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	labNow   = labStart.Add(3 * time.Minute)
)

// lab is the embedded demo cluster (internal/demo) under a real model.
type lab struct {
	t    *testing.T
	m    *cluster.Cluster
	d    *demo.Cluster
	ctx  context.Context
	errc chan error
}

// startLab plays the demo's setup, starts the model on it with opts (the
// demo's selector, prices and the fixed clock added) and waits for the
// initial sync: the model then shows the lab's first screen.
func startLab(t *testing.T, opts cluster.Options, speed float64) *lab {
	t.Helper()
	script, err := demo.Parse(demo.LabScript)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d := demo.New(script, speed, nil)
	d.SetClock(func() time.Time { return labStart })
	if err := d.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	sel, err := labels.Parse(options.DemoNodeSelector)
	if err != nil {
		t.Fatal(err)
	}
	opts.Selector, opts.Pricing = sel, demo.Prices()
	opts.Now = func() time.Time { return labNow }
	m := cluster.New(opts)
	m.Start(ctx, d.Kube, d.Dynamic)
	select {
	case <-m.Synced():
	case <-time.After(30 * time.Second):
		t.Fatal("the demo model did not sync")
	}
	return &lab{t: t, m: m, d: d, ctx: ctx, errc: make(chan error, 1)}
}

// play runs the demo's loop in the background.
func (l *lab) play() {
	go func() { l.errc <- l.d.Run(l.ctx) }()
}

// waitFor returns the first snapshot for which cond holds.
func (l *lab) waitFor(what string, cond func(*cluster.Snapshot) bool) cluster.Snapshot {
	l.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if s := l.m.Snapshot(); s.Synced && cond(&s) {
			return s
		}
		select {
		case err := <-l.errc:
			l.t.Fatalf("demo stopped: %v", err)
		case <-deadline:
			l.t.Fatalf("timed out waiting for %s", what)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// labNode is the lab's static node; other is the first other node.
const labNode = "i-0123456789abcdef0"

func other(s *cluster.Snapshot) *cluster.Node {
	for i := range s.Nodes {
		if s.Nodes[i].Name != labNode {
			return s.Nodes[i]
		}
	}
	return nil
}

// The lab's screens, each a state the script holds for a second or more
// (at speed 10, a tenth of that), pinned down by its conditions.
var labStates = []struct {
	name string
	cond func(*cluster.Snapshot) bool
}{
	{"launching", func(s *cluster.Snapshot) bool {
		o := other(s)
		return len(s.Nodes) == 2 && o.Launching && len(o.Usage) > 0 && o.Usage[0].Allocatable > 0 &&
			s.Pods.Running == 8 && s.Pods.Pending == 1
	}},
	{"two-nodes", func(s *cluster.Snapshot) bool {
		o := other(s)
		return len(s.Nodes) == 2 && !o.Launching && o.Ready && !o.Deleting && o.Pods == 1 && s.Pods.Running == 9
	}},
	{"deleting", func(s *cluster.Snapshot) bool {
		o := other(s)
		return len(s.Nodes) == 2 && o.Deleting && o.Cordoned && s.Pods.Total == 1
	}},
	{"one-node", func(s *cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 }},
}

// labSnapshots are the lab's first screen and then labStates, in order.
// A lab plays for seconds: each set of options plays once per test binary
// (snapshots are immutable, so the tests can share them).
func labSnapshots(t *testing.T, opts cluster.Options) []cluster.Snapshot {
	t.Helper()
	key := fmt.Sprint(opts.Resources, opts.ExtraLabels)
	labCache.Lock()
	defer labCache.Unlock()
	if s, ok := labCache.snaps[key]; ok {
		return s
	}
	l := startLab(t, opts, 10)
	out := []cluster.Snapshot{l.m.Snapshot()}
	l.play()
	for _, st := range labStates {
		out = append(out, l.waitFor(st.name, st.cond))
	}
	labCache.snaps[key] = out
	return out
}

var labCache = struct {
	sync.Mutex
	snaps map[string][]cluster.Snapshot
}{snaps: map[string][]cluster.Snapshot{}}

// richOptions show more of the document: two resources and three extra
// labels (one computed age, one computed usage, one plain).
var richOptions = cluster.Options{
	Resources:   []string{"cpu", "memory"},
	ExtraLabels: []string{"topology.kubernetes.io/zone", cluster.LabelNodeAge, "eks-node-viewer/node-pods-usage"},
}

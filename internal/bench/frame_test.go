package main

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// snapSource hands the model one fixed snapshot.
type snapSource struct {
	snap    cluster.Snapshot
	changed chan struct{}
}

func (s *snapSource) Changed() <-chan struct{}                   { return s.changed }
func (s *snapSource) Synced() <-chan struct{}                    { return nil }
func (s *snapSource) SnapshotFor(cluster.Query) cluster.Snapshot { return s.snap }

// frameSnapshot is a synced snapshot of n priced nodes, shaped like the ones
// the scale benchmark creates.
func frameSnapshot(n int) cluster.Snapshot {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s := cluster.Snapshot{
		Taken: now, Synced: true, Resources: []string{"cpu"},
		Cost: cluster.Cost{Currency: "USD"},
	}
	var tot cluster.Quantity
	for i := range n {
		it := instanceTypes[i%len(instanceTypes)]
		alloc := map[string]int64{"15890m": 15890, "31750m": 31750}[it.cpu]
		nd := cluster.Node{
			Name: nodeName(i), Created: now.Add(-time.Duration(i) * time.Minute), InstanceType: it.name,
			Capacity: pricing.OnDemand, Price: pricing.Price{Hourly: 0.192, Currency: "USD", Source: pricing.Static},
			Ready: true, Pods: 20, MaxPods: 58,
			Usage: []cluster.Quantity{{Used: int64(i%39) * 50, Allocatable: alloc}},
		}
		tot.Used += nd.Usage[0].Used
		tot.Allocatable += alloc
		s.Cost.Hourly += nd.Price.Hourly
		s.Nodes = append(s.Nodes, &nd)
	}
	s.Totals = []cluster.Quantity{tot}
	s.Pods = cluster.PodCounts{Total: 20 * n, Running: 20 * n, Bound: 20 * n}
	return s
}

// loadedModel is the viewer's model at 200x50 showing snap, driven through
// its public API: the first message of Init that arrives within a second is
// the snapshot (the other one is the slow age tick).
func loadedModel(tb testing.TB, snap cluster.Snapshot) tea.Model {
	tb.Helper()
	var m tea.Model = ui.New(&snapSource{snap: snap, changed: make(chan struct{})}, ui.Options{})
	m, _ = m.Update(tea.WindowSizeMsg{Width: paneWidth, Height: paneHeight})
	msgs := make(chan tea.Msg, 4)
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					run(c)
				}
				return
			}
			msgs <- msg
		}()
	}
	run(m.Init())
	select {
	case msg := <-msgs:
		m, _ = m.Update(msg)
	case <-time.After(time.Second):
		tb.Fatal("no snapshot from Init")
	}
	return m
}

// BenchmarkView is one frame (Model.View) at 500 and 5,000 nodes, 200x50:
// allocations should not grow with the node count.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{500, 5000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			m := loadedModel(b, frameSnapshot(n))
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func TestLoadedModelShowsTheSnapshot(t *testing.T) {
	m := loadedModel(t, frameSnapshot(500))
	got := parseTotals(m.View().Content)
	if !got.ok || got.nodes != 500 || got.pods != 10000 {
		t.Fatalf("totals %+v from:\n%s", got, m.View().Content)
	}
}

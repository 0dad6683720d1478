package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/demo"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// tickingClock moves on a millisecond at every reading: every record and
// every snapshot of the live session has a time of its own, so a replay
// seeking to a snapshot's time is exactly where that snapshot was taken.
func tickingClock(start time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// frameOf renders s as the screen shows it, in the view its query is for.
func frameOf(t *testing.T, s cluster.Snapshot, width int) string {
	t.Helper()
	m := New(newFakeSource(s), Options{NoColor: true, Demo: true})
	m.clock = func() time.Time { return s.Taken }
	m, _ = update(t, m, tea.WindowSizeMsg{Width: width, Height: 40})
	switch {
	case s.Query.Node != "":
		m = run(t, m, openNodeMsg{s.Query.Node})
	case s.Query.Pending:
		m = run(t, m, openPendingMsg{})
	}
	m, _ = update(t, m, snapshotMsg{snap: s})
	return m.frame()
}

// snapshotJSON is s as JSON, its unordered lists in order.
func snapshotJSON(s cluster.Snapshot) []byte {
	byName := func(a, b cluster.Pod) int { return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name) }
	s.Pending = slices.Clone(s.Pending)
	slices.SortFunc(s.Pending, byName)
	if s.Detail != nil {
		d := *s.Detail
		d.Pods = slices.Clone(d.Pods)
		slices.SortFunc(d.Pods, byName)
		s.Detail = &d
	}
	b, _ := json.Marshal(s)
	return b
}

// TestReplayShowsTheLiveScreens records the demo live (fast), taking
// snapshots of the node list, the pending pods and a node as it goes, then
// replays the recording and seeks to each snapshot's time: the replayed
// snapshots are the live ones, and so are the screens.
func TestReplayShowsTheLiveScreens(t *testing.T) {
	script, err := demo.Parse(demo.LabScript)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := labels.Parse(options.DemoNodeSelector)
	if err != nil {
		t.Fatal(err)
	}
	sort, err := options.ParseSort(options.DefaultNodeSort)
	if err != nil {
		t.Fatal(err)
	}
	opts := cluster.Options{Selector: sel, Resources: []string{"cpu", "memory"}, Sort: sort,
		ExtraLabels: []string{"karpenter.sh/nodepool", cluster.LabelNodeAge}}

	var file bytes.Buffer
	rec := cluster.NewRecorder(&file, cluster.RecordInfo{Demo: true})
	live := opts
	live.Now = tickingClock(time.Now().Truncate(time.Second))
	live.Pricing = demo.Prices()
	live.Record = rec
	live.UsageInterval = 10 * time.Second // the demo measures itself, in demo time
	m := cluster.New(live)
	ctx, cancel := context.WithCancel(context.Background())
	d := demo.New(script, 80, func(s string) { m.SetNote("demo", s) })
	m.Start(ctx, d.Kube, d.Dynamic)
	demoDone := make(chan error, 1)
	go func() { demoDone <- d.Run(ctx) }()
	go func() { _ = d.RunUsage(ctx, m, m.UsageInterval()) }()
	<-m.Synced()

	type shot struct {
		q cluster.Query
		s cluster.Snapshot
	}
	var shots []shot
	var up, down bool
	prev := -1
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); time.Sleep(15 * time.Millisecond) {
		s := m.SnapshotFor(cluster.Query{})
		up = up || prev >= 0 && len(s.Nodes) > prev
		down = down || up && len(s.Nodes) < prev
		prev = len(s.Nodes)
		shots = append(shots, shot{s.Query, s})
		q := cluster.Query{Pending: true}
		shots = append(shots, shot{q, m.SnapshotFor(q)})
		if len(s.Nodes) > 0 {
			q := cluster.Query{Node: s.Nodes[len(s.Nodes)-1].Name}
			shots = append(shots, shot{q, m.SnapshotFor(q)})
		}
	}
	cancel()
	if err := <-demoDone; err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	used := false
	for _, sh := range shots {
		used = used || sh.s.Usage != nil && sh.s.Usage.Nodes > 0
	}
	if !up || !down || !used {
		t.Fatalf("the demo did not scale up and down and measure its usage in 4 s (up %v, down %v, usage %v)", up, down, used)
	}

	size := file.Len()
	recording, err := cluster.ReadRecording(&file)
	if err != nil {
		t.Fatal(err)
	}
	if !recording.Header.Options.Demo || recording.Truncated {
		t.Fatalf("header %+v, truncated %v", recording.Header, recording.Truncated)
	}
	p, err := cluster.NewPlayer(recording, opts, cluster.PlayerOptions{Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	check := func(i int) {
		t.Helper()
		want := shots[i]
		p.SeekTo(want.s.Taken)
		got := p.SnapshotFor(want.q)
		wj, gj := snapshotJSON(want.s), snapshotJSON(got)
		if !bytes.Equal(wj, gj) {
			t.Fatalf("shot %d (%+v): replayed snapshot differs\nlive   %s\nreplay %s", i, want.q, wj, gj)
		}
		for _, w := range []int{80, 160} {
			if lf, rf := frameOf(t, want.s, w), frameOf(t, got, w); lf != rf {
				t.Fatalf("shot %d at %d columns: replayed screen differs\nlive:\n%s\nreplay:\n%s", i, w, lf, rf)
			}
		}
	}
	for i := range shots {
		check(i)
	}
	// Seeking back rebuilds the model: the same screens again.
	for i := len(shots) - 1; i >= 0; i -= 7 {
		check(i)
	}
	t.Logf("%d shots, %d records, %d bytes compressed", len(shots), recording.Records(), size)
}

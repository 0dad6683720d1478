package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// fakeSource is a Source fed by the test. Its snapshot answers every query
// (tests set Detail and Pending themselves).
type fakeSource struct {
	snap    cluster.Snapshot
	changed chan struct{}
	synced  chan struct{} // nil: never

	mu    sync.Mutex
	query cluster.Query // the last one asked
}

func newFakeSource(s cluster.Snapshot) *fakeSource {
	return &fakeSource{snap: s, changed: make(chan struct{}, 1)}
}

func (f *fakeSource) Changed() <-chan struct{} { return f.changed }
func (f *fakeSource) Synced() <-chan struct{}  { return f.synced }
func (f *fakeSource) SnapshotFor(q cluster.Query) cluster.Snapshot {
	f.mu.Lock()
	f.query = q
	f.mu.Unlock()
	s := f.snap
	s.Query = q
	return s
}

func (f *fakeSource) lastQuery() cluster.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.query
}

// renderCase renders s the way View does, at a fixed time, with the cursor
// on the first node of the page.
func renderCase(s cluster.Snapshot, opts Options, width, height, page int, showAll bool) string {
	m := New(newFakeSource(s), opts)
	m.clock = func() time.Time { return testNow }
	m.help.ShowAll = showAll
	next, _ := m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	next, _ = next.(Model).Update(snapshotMsg{snap: s})
	m = next.(Model)
	per := m.perPage()
	m.list().move(max(page, 0)*per, &m.snap)
	return m.frame()
}

func TestRenderGolden(t *testing.T) {
	syncing := cluster.Snapshot{Taken: testNow, Resources: []string{"cpu"}, Syncing: []cluster.SyncProgress{{Resource: "nodes"}, {Resource: "pods", Objects: 37000}}}
	empty := cluster.Snapshot{Taken: testNow, Synced: true, Resources: []string{"cpu"}, Totals: []cluster.Quantity{{}}}
	disabled := labSnapshot()
	disabled.Cost = cluster.Cost{Disabled: true}
	cny := labSnapshot()
	cny.Cost.Currency = "CNY"
	for i := range cny.Nodes {
		cny.Nodes[i].Price.Currency = "CNY"
		cny.Nodes[i].Price.Hourly = 0.3047
	}
	cny.Cost.Hourly = 0.6094
	stale := labSnapshot()
	stale.Stale = &cluster.Stale{Since: testNow.Add(-102 * time.Second), Reason: "credentials expired or rejected (401): log in again (e.g. aws sso login) or refresh the kubeconfig", Resources: []string{"nodes", "pods"}}
	unpriced := pricesSnapshot()
	unpriced.Nodes = unpriced.Nodes[2:]
	unpriced.Cost = cluster.Cost{Unknown: 1}

	cases := []struct {
		name    string
		snap    cluster.Snapshot
		opts    Options
		height  int
		page    int
		showAll bool
	}{
		{name: "lab", snap: labSnapshot()},
		{name: "resources", snap: resourcesSnapshot()},
		{name: "labels", snap: labelsSnapshot()},
		{name: "prices", snap: pricesSnapshot()},
		{name: "prices_cny", snap: cny},
		{name: "prices_disabled", snap: disabled},
		{name: "prices_none_known", snap: unpriced},
		{name: "states", snap: statesSnapshot()},
		{name: "empty", snap: empty},
		{name: "stale", snap: stale},
		{name: "syncing", snap: syncing},
		{name: "status", snap: statusSnapshot(), opts: Options{Demo: true}},
		{name: "karpenter", snap: karpenterSnapshot()},
		{name: "karpenter_24", snap: karpenterSnapshot(), height: 24},
		{name: "paged", snap: bigSnapshot(40), height: 16, page: 2},
		{name: "full_help", snap: bigSnapshot(40), height: 16, page: 99, showAll: true, opts: Options{Version: "v1.0.0"}},
		// EKS's largest: six-digit node and seven-digit pod counts, a
		// five-digit hourly cost, paged deep into the list.
		{name: "huge", snap: hugeSnapshot(), height: 24, page: 4321},
	}
	for _, tc := range cases {
		for _, width := range []int{60, 80, 120, 200} {
			for _, colour := range []bool{false, true} {
				name := fmt.Sprintf("%s/w%d/plain", tc.name, width)
				if colour {
					name = fmt.Sprintf("%s/w%d/colour", tc.name, width)
				}
				t.Run(name, func(t *testing.T) {
					opts := tc.opts
					opts.NoColor = !colour
					height := tc.height
					if height == 0 {
						height = 40
					}
					out := renderCase(tc.snap, opts, width, height, tc.page, tc.showAll)
					checkFits(t, out, width, height)
					if !colour && strings.Contains(out, "\x1b") {
						t.Errorf("plain output contains escape sequences")
					}
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

// checkFits asserts the frame fits the terminal.
func checkFits(t *testing.T, out string, width, height int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > height {
		t.Errorf("%d lines, terminal has %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide, terminal has %d: %q", i, w, width, l)
		}
	}
}

// TestLabScreen pins the seed lab's screen to the character, at the width
// where the bars have their usual size.
func TestLabScreen(t *testing.T) {
	want := `2 nodes (     1800m/3560m) 50.6% cpu ████████████████████░░░░░░░░░░░░░░░░░░░░ $0.084/hour | $61.481/month
12 pods (0 pending 12 running 12 bound)

> i-0123456789abcdef0 cpu ███████████████████████████████░░░░  90% ◐ (8/17 pods) t3a.medium/$0.0421 On-Demand/Auto - Ready
  i-0123456789abcdef2 cpu ████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  11% ○ (1/17 pods) t3a.medium/$0.0421 On-Demand/Auto - Ready
•
↑/↓ select • enter open • p pending (0) • n nodepools • a activity • / filter • ? help • q quit`
	if got := renderCase(labSnapshot(), Options{NoColor: true}, 122, 50, 0, false); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// At 80 columns the lab's node line keeps its price and readiness, and the
// summary its hourly cost.
func TestLabScreenAt80(t *testing.T) {
	got := renderCase(labSnapshot(), Options{NoColor: true}, 80, 24, 0, false)
	lines := strings.Split(got, "\n")
	if !strings.Contains(lines[0], "$0.084/hour") {
		t.Errorf("summary at 80 columns: %q", lines[0])
	}
	for _, l := range lines[3:5] {
		for _, want := range []string{"%", "(8/17)", "t3a.medium/$0.0421", "OD/Auto", " - ", "Ready"} {
			if !strings.Contains(l, want) && !(want == "(8/17)" && strings.Contains(l, "(1/17)")) {
				t.Errorf("node line at 80 columns lacks %q: %q", want, l)
			}
		}
	}
}

func TestRenderAnySize(t *testing.T) {
	snaps := map[string]cluster.Snapshot{
		"lab":         labSnapshot(),
		"resources":   resourcesSnapshot(),
		"labels":      labelsSnapshot(),
		"states":      statesSnapshot(),
		"status":      statusSnapshot(),
		"big":         bigSnapshot(300),
		"zero":        {},
		"noResources": {Synced: true, Nodes: []*cluster.Node{{Name: "bare"}}},
		"shortUsage":  {Synced: true, Resources: []string{"cpu", "memory"}, Nodes: []*cluster.Node{{Name: "short"}}},
	}
	sizes := [][2]int{{0, 0}, {1, 1}, {1, 6}, {6, 1}, {20, 3}, {80, 6}, {200, 50}, {-1, -1}}
	for name, s := range snaps {
		for _, sz := range sizes {
			for _, showAll := range []bool{false, true} {
				for _, page := range []int{-1, 0, 1, 1000} {
					out := renderCase(s, Options{Demo: true, Version: "v1"}, sz[0], sz[1], page, showAll)
					w, h := sz[0], sz[1]
					if w <= 0 || h <= 0 {
						w, h = fallbackWidth, fallbackHeight
					}
					t.Run(fmt.Sprintf("%s/%dx%d/%v/%d", name, sz[0], sz[1], showAll, page), func(t *testing.T) {
						checkFits(t, out, w, h)
					})
				}
			}
		}
	}
}

// TestRenderPagingCountsLines: a node with two resources takes two lines and
// a page never splits a node.
func TestRenderPagingCountsLines(t *testing.T) {
	s := bigSnapshot(10) // cpu + memory
	// 2 summary + pod line + blank = 4; dots = 1; footer 1: 11 rows left: 5 nodes.
	l := newLayout(&s, len(s.Nodes), 200, 16, false, false)
	if l.perPage != 5 || l.pages != 2 {
		t.Fatalf("perPage=%d pages=%d, want 5 and 2", l.perPage, l.pages)
	}
	out := renderCase(s, Options{NoColor: true}, 200, 17, 1, false)
	if !strings.Contains(out, "ip-10-0-0-5.ec2.internal cpu") || strings.Contains(out, "ip-10-0-0-4.") {
		t.Errorf("page 1 should start at node 5:\n%s", out)
	}
	if n := strings.Count(out, "ec2.internal"); n != 10 {
		t.Errorf("%d node lines on page 1, want 10", n)
	}
}

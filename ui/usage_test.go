package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// sample is what a fixture node uses: cpu and memory in milli-units, and
// whether the sample is stale.
type sample struct {
	cpu, mem int64
	stale    bool
}

// withUsage gives the nodes of s the samples (by name; nodes without one
// have none) and s the cluster's usage, summed and priced as the model does
// (cluster.NodeShares over cpu and memory, of the resources shown).
func withUsage(s cluster.Snapshot, samples map[string]sample) cluster.Snapshot {
	u := &cluster.ClusterUsage{Interval: 15 * time.Second, Polled: testNow.Add(-3 * time.Second)}
	u.Used = make([]int64, len(s.Resources))
	u.Requested = make([]int64, len(s.Resources))
	u.Allocatable = make([]int64, len(s.Resources))
	s.Nodes = append([]*cluster.Node(nil), s.Nodes...)
	for i := range s.Nodes {
		cp := *s.Nodes[i] // the caller's rows stay as they were
		n := &cp
		s.Nodes[i] = n
		sm, ok := samples[n.Name]
		if !ok {
			continue
		}
		n.Used = make([]int64, len(s.Resources))
		n.UsedAt, n.UsageStale = testNow.Add(-10*time.Second), sm.stale
		if sm.stale {
			n.UsedAt = testNow.Add(-4 * time.Minute)
		}
		var req, used, alloc []int64
		for r, res := range s.Resources {
			q := quantityAt(n.Usage, r)
			switch res {
			case "cpu":
				n.Used[r] = sm.cpu
			case "memory":
				n.Used[r] = sm.mem
			default:
				n.Used[r] = cluster.NotMeasured
			}
			if measuredResource(res) {
				req, used, alloc = append(req, q.Used), append(used, n.Used[r]), append(alloc, q.Allocatable)
			}
		}
		u.Nodes++
		if sm.stale {
			u.Stale++
		}
		for r := range s.Resources {
			q := quantityAt(n.Usage, r)
			if n.Used[r] == cluster.NotMeasured || u.Used[r] == cluster.NotMeasured {
				u.Used[r] = cluster.NotMeasured
			} else {
				u.Used[r] += n.Used[r]
			}
			u.Requested[r] += q.Used
			u.Allocatable[r] += q.Allocatable
		}
		shares, ok := cluster.NodeShares(req, used, alloc)
		if !ok || !n.Price.Known() {
			u.Unpriced++
			continue
		}
		n.IdleHourly, n.UnusedHourly = shares.Cost(n.Price.Hourly)
		u.IdleHourly += n.IdleHourly
		u.UnusedHourly += n.UnusedHourly
		u.Currency = n.Price.Currency
	}
	s.Usage = u
	return s
}

// usageLab is the seed lab measured: the busy node uses 8% of its cpu
// (90% requested), the other more than its pods request.
func usageLab() cluster.Snapshot {
	return withUsage(labSnapshot(), map[string]sample{
		"i-0123456789abcdef0": {cpu: 145},
		"i-0123456789abcdef2": {cpu: 310},
	})
}

// usageStale: the second node's sample is stale, and a launching node has
// none yet.
func usageStale() cluster.Snapshot {
	s := labSnapshot()
	launching := autoNode("general-purpose-x7k2p", 0, 0)
	launching.Launching, launching.Ready, launching.MaxPods = true, false, 0
	s.Nodes = append(s.Nodes, launching)
	s.Totals[0].Allocatable += 1780
	s.Cost.Hourly += launching.Price.Hourly
	return withUsage(s, map[string]sample{
		"i-0123456789abcdef0": {cpu: 145},
		"i-0123456789abcdef2": {cpu: 1320, stale: true},
	})
}

// usageResources: cpu and memory measured, pods and gpus not.
func usageResources() cluster.Snapshot {
	return withUsage(resourcesSnapshot(), map[string]sample{
		"ip-192-168-10-1.us-west-2.compute.internal": {cpu: 2210, mem: 9 * gi},
		"ip-192-168-10-2.us-west-2.compute.internal": {cpu: 2600, mem: 31 * gi / 10},
	})
}

// usageLabels shows the used labels as columns.
func usageLabels() cluster.Snapshot {
	s := labelsSnapshot()
	s.ExtraLabels = []string{options.LabelCPUUsed, "team", options.LabelMemoryUsed}
	samples := map[string]sample{}
	for i := range s.Nodes {
		n := s.Nodes[i]
		if i == 3 {
			continue // no sample
		}
		samples[n.Name] = sample{cpu: int64(120 * (i + 1)), stale: i == 2}
	}
	s = withUsage(s, samples)
	for i := range s.Nodes {
		n := s.Nodes[i]
		n.LabelUsage = make([]cluster.Quantity, len(s.ExtraLabels))
		if n.Used != nil {
			n.LabelUsage[0] = cluster.Quantity{Used: n.Used[0], Allocatable: n.Usage[0].Allocatable}
			n.LabelUsage[2] = cluster.Quantity{Used: int64(i+2) * gi / 2, Allocatable: 7 * gi}
		}
	}
	return s
}

func TestUsageGolden(t *testing.T) {
	cases := []struct {
		name    string
		snap    cluster.Snapshot
		showAll bool
	}{
		{name: "lab", snap: usageLab()},
		{name: "stale", snap: usageStale()},
		{name: "resources", snap: usageResources()},
		{name: "labels", snap: usageLabels()},
		{name: "help", snap: usageLab(), showAll: true},
	}
	for _, tc := range cases {
		for _, width := range []int{60, 80, 120, 200} {
			for _, colour := range []bool{false, true} {
				mode := "plain"
				if colour {
					mode = "colour"
				}
				t.Run(fmt.Sprintf("%s/w%d/%s", tc.name, width, mode), func(t *testing.T) {
					out := renderCase(tc.snap, Options{NoColor: !colour}, width, 30, 0, tc.showAll)
					checkFits(t, out, width, 30)
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

// The lab's busy node at 120 columns: the bar is requested (█), the marker
// sits where it uses (┃, 8% of 1780m in the third cell of 30), and both
// percentages are on the line; the summary says the same for the cluster.
func TestUsageBarReads(t *testing.T) {
	out := renderCase(usageLab(), Options{NoColor: true}, 120, 30, 0, false)
	lines := strings.Split(out, "\n")
	busy := lines[3]
	bar := []rune(strings.Fields(busy[strings.Index(busy, "cpu ")+4:])[0])
	at := int(145.0 / 1780 * float64(len(bar)))
	if at == 0 || string(bar[at]) != markUsed || strings.Count(string(bar), markUsed) != 1 || bar[at-1] != '█' || bar[at+1] != '█' {
		t.Errorf("the busy node's bar should carry the marker in cell %d of %d, inside the fill: %q", at, len(bar), busy)
	}
	if !strings.Contains(busy, " 90% ◐ ┃  8% used ") {
		t.Errorf("the busy node's line should read 90%% requested and 8%% used: %q", busy)
	}
	// The other node uses more than its pods request: the marker is past
	// the fill.
	other := lines[4]
	fill := strings.Count(other, "█")
	at = strings.Index(other, markUsed)
	if at < 0 || strings.LastIndex(other[:at], "█") < 0 || !strings.Contains(other[:at], "░") {
		t.Errorf("the marker should be past the fill (%d cells): %q", fill, other)
	}
	if !strings.Contains(lines[0], "┃ 12.8% used") || !strings.Contains(lines[0], "50.6%") {
		t.Errorf("the summary should read the cluster's used percentage: %q", lines[0])
	}
}

// Without usage the lines are the same as before usage existed.
func TestNoUsageNoMarks(t *testing.T) {
	for _, s := range []cluster.Snapshot{labSnapshot(), resourcesSnapshot(), bigSnapshot(20)} {
		for _, w := range []int{60, 80, 120, 200} {
			out := renderCase(s, Options{NoColor: true}, w, 30, 0, true)
			if strings.ContainsAny(out, markUsed+markStale) || strings.Contains(out, "used") || strings.Contains(out, "idle") {
				t.Errorf("usage off, width %d: marks on screen:\n%s", w, out)
			}
		}
	}
}

// Narrowing drops the word first, then the percentage; the marker stays.
func TestUsageFitsNarrow(t *testing.T) {
	s := usageLab()
	wide := renderCase(s, Options{NoColor: true}, 120, 30, 0, false)
	if !strings.Contains(wide, "% used (8/17 pods)") {
		t.Errorf("at 120 columns the used cell is whole:\n%s", wide)
	}
	narrow := renderCase(s, Options{NoColor: true}, 60, 30, 0, false)
	rows := strings.Split(narrow, "\n")[3:5]
	for _, r := range rows {
		if !strings.Contains(r, markUsed) {
			t.Errorf("at 60 columns the marker stays: %q", r)
		}
		if !strings.Contains(r, "$0.0421") {
			t.Errorf("at 60 columns the price stays: %q", r)
		}
	}
	sliver := renderCase(s, Options{NoColor: true}, 40, 30, 0, false)
	checkFits(t, sliver, 40, 30)
}

// Update: a snapshot with usage after one without brings the marks; "?"
// shows the legend only with usage.
func TestUpdateUsage(t *testing.T) {
	m := sized(t, labSnapshot())
	if strings.Contains(m.frame(), markUsed) {
		t.Fatal("marks without usage")
	}
	m = run(t, m, snapshotMsg{snap: usageLab()})
	if out := m.frame(); !strings.Contains(out, markUsed+"  8% used") || !strings.Contains(out, "idle $0.039/hour") {
		t.Errorf("no usage after a snapshot with it:\n%s", out)
	}
	m = run(t, m, typed('?'))
	if out := m.frame(); !strings.Contains(out, "stale sample") {
		t.Errorf("the full help has no legend:\n%s", out)
	}
	m = run(t, m, snapshotMsg{snap: labSnapshot()})
	if out := m.frame(); strings.Contains(out, "stale sample") || strings.Contains(out, markUsed) {
		t.Errorf("usage gone, its marks stay:\n%s", out)
	}
}

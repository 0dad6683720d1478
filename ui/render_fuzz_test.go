package ui

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// strPicker hands out the fuzzer's strings (and pieces and mixes of them)
// and numbers, driven by its bytes.
type strPicker struct {
	data []byte
	strs []string
	nums []int64
}

func (p *strPicker) n(k int) int {
	if len(p.data) == 0 || k <= 1 {
		return 0
	}
	b := p.data[0]
	p.data = p.data[1:]
	return int(b) % k
}

func (p *strPicker) str() string {
	s := p.strs[p.n(len(p.strs))]
	switch p.n(4) {
	case 1:
		return s + p.strs[p.n(len(p.strs))]
	case 2:
		return "ip-10-0-0-1" + s
	}
	return s
}

func (p *strPicker) num() int64 { return p.nums[p.n(len(p.nums))] }

// fuzzSnapshot builds a snapshot whose every string field comes from the
// fuzzer: node names, labels and their values, instance types, zones,
// NodeClaims and NodePools, price reasons, taints, pods, owners, phases,
// scheduler messages, notes, events and the stale reason; quantities over the whole int64
// range.
func fuzzSnapshot(p *strPicker) cluster.Snapshot {
	s := cluster.Snapshot{
		Synced:      true,
		Resources:   []string{"cpu", "memory"},
		ExtraLabels: []string{p.str(), "eks-node-viewer/node-cpu-usage", cluster.LabelNodeAge},
		Cost:        cluster.Cost{Currency: "USD"},
	}
	quantity := func() cluster.Quantity { return cluster.Quantity{Used: p.num(), Allocatable: p.num()} }
	for i := range 1 + p.n(3) {
		n := node(p.str(), func(n *cluster.Node) {
			n.InstanceType, n.Zone = p.str(), p.str()
			n.NodeClaim, n.NodePool = p.str(), p.str()
			n.Capacity = pricing.Capacity(p.n(5))
			n.Launching, n.Cordoned, n.Deleting, n.Ready = p.n(4) == 0, p.n(3) == 0, p.n(3) == 0, p.n(2) == 0
			n.Price = pricing.Price{Hourly: float64(p.n(1000)) / 1000, Currency: "USD", Source: pricing.Source(p.n(4)), Reason: p.str()}
			n.Usage = []cluster.Quantity{quantity(), quantity()}
			n.LabelUsage = []cluster.Quantity{{}, quantity(), {}}
			n.Labels = map[string]string{s.ExtraLabels[0]: p.str(), p.str(): p.str()}
			n.MaxPods = p.num()
			if p.n(2) == 0 {
				n.Lifecycle = fuzzLifecycle(p)
			}
			n.Disruption = cluster.Disruption{
				Reason: p.str(), Tainted: p.n(2) == 0, DoNotDisrupt: p.n(2) == 0, BlockingPods: []string{p.str()},
				Consolidatable: testNow.Add(-time.Minute), Drifted: p.str(),
				Blocked: &cluster.Event{Time: testNow, Reason: p.str(), Object: p.str(), Message: p.str()},
			}
			n.Nominated = int(p.num() % 1000)
		})
		if i == 0 {
			n.Name = p.strs[0] // the first string as a whole, at least once
		}
		s.Nodes = append(s.Nodes, n)
	}
	s = totals(s)
	s.Totals = []cluster.Quantity{quantity(), quantity()}
	for range p.n(3) {
		s.Notes = append(s.Notes, p.str())
	}
	for range p.n(4) {
		s.Events = append(s.Events, cluster.Event{Time: testNow.Add(-time.Minute), Reason: p.str(), Object: p.str(), Message: p.str()})
	}
	pod := func(node string) cluster.Pod {
		return cluster.Pod{
			Namespace: p.str(), Name: p.str(), Node: node, Phase: p.str(),
			Created: testNow.Add(-time.Hour), Terminating: p.n(4) == 0,
			OwnerKind: p.str(), OwnerName: p.str(),
			Requests:         []int64{p.num(), p.num()},
			FailedScheduling: p.str(), FailedSchedulingAt: testNow,
			DoNotDisrupt: p.str(),
			Waiting:      cluster.Waiting{Scheduler: p.str(), Nominated: p.str(), Karpenter: p.str()},
		}
	}
	d := &cluster.NodeDetail{Node: *s.Nodes[0], ProviderID: p.str()}
	for range p.n(3) {
		d.Taints = append(d.Taints, cluster.Taint{Key: p.str(), Value: p.str(), Effect: p.str()})
	}
	for range 1 + p.n(3) {
		d.Pods = append(d.Pods, pod(d.Node.Name))
	}
	s.Detail = d
	for range 1 + p.n(3) {
		node := ""
		if p.n(3) == 0 {
			node = p.str()
		}
		s.Pending = append(s.Pending, pod(node))
	}
	s.Pods = cluster.PodCounts{Total: len(s.Pending), Pending: len(s.Pending), Unscheduled: len(s.Pending)}
	if p.n(3) == 0 {
		s.Stale = &cluster.Stale{Since: testNow.Add(-time.Minute), Reason: p.str(), Resources: []string{"pods"}}
	}
	fuzzKarpenter(p, &s)
	if p.n(2) == 0 {
		fuzzUsage(p, &s)
	}
	return s
}

// fuzzUsage measures the snapshot with the fuzzer's numbers: nodes, the
// open node's pods, the NodePools, the cluster (stale or not, saturated,
// negative, NotMeasured), and a used label.
func fuzzUsage(p *strPicker, s *cluster.Snapshot) {
	used := func() []int64 { return []int64{p.num(), []int64{p.num(), cluster.NotMeasured}[p.n(2)]} }
	s.ExtraLabels = append(s.ExtraLabels, "eks-node-viewer/node-cpu-used")
	s.Usage = &cluster.ClusterUsage{Interval: 15 * time.Second, Polled: testNow}
	s.Usage.UsageTotals = cluster.UsageTotals{
		Nodes: int(p.num() % 100), Stale: p.n(3), Used: used(), Requested: used(), Allocatable: used(),
		IdleHourly: float64(p.num()) / 1e6, UnusedHourly: float64(p.num()) / 1e9, Currency: []string{"USD", "CNY", ""}[p.n(3)], Unpriced: p.n(3),
	}
	for i := range s.Nodes {
		n := s.Nodes[i]
		n.LabelUsage = append(n.LabelUsage, cluster.Quantity{Used: p.num(), Allocatable: p.num()})
		if p.n(3) > 0 {
			n.Used, n.UsedAt, n.UsageStale = used(), testNow.Add(-time.Duration(p.n(300))*time.Second), p.n(2) == 0
			n.IdleHourly, n.UnusedHourly = float64(p.num())/1e6, float64(p.num())/1e9
		}
	}
	s.Detail.Node = *s.Nodes[0]
	for i := range s.Detail.Pods {
		if p.n(3) > 0 {
			s.Detail.Pods[i].Used, s.Detail.Pods[i].UsageStale = used(), p.n(2) == 0
		}
	}
	for i := range s.NodePools {
		s.NodePools[i].Measured = s.Usage.UsageTotals
	}
}

func fuzzLifecycle(p *strPicker) *cluster.Lifecycle {
	l := &cluster.Lifecycle{Created: testNow.Add(-time.Minute)}
	for _, typ := range []string{"Launched", "Registered", "Initialized", "Ready"} {
		l.Steps = append(l.Steps, cluster.Step{Type: typ, Status: []string{"True", "False", "Unknown", ""}[p.n(4)], At: testNow, Reason: p.str(), Message: p.str()})
	}
	if p.n(2) == 0 {
		l.Failed = &cluster.Step{Type: p.str(), Status: "False", Reason: p.str(), Message: p.str()}
	}
	if p.n(2) == 0 {
		l.Problem = &cluster.Event{Time: testNow, Reason: p.str(), Object: p.str(), Message: p.str()}
	}
	return l
}

// fuzzKarpenter fills the NodePools, the activity, the ledger and the
// history with the fuzzer's strings and numbers.
func fuzzKarpenter(p *strPicker, s *cluster.Snapshot) {
	for range 1 + p.n(3) {
		s.NodePools = append(s.NodePools, cluster.NodePool{
			Name: p.str(), Kind: []string{"nodepool", "nodegroup", "", p.str()}[p.n(4)], Known: p.n(2) == 0,
			Nodes: int(p.num() % 1000), Claims: p.n(3), Deleting: p.n(3),
			Usage:               []cluster.Quantity{{Used: p.num(), Allocatable: p.num()}, {Used: p.num(), Allocatable: p.num()}},
			Cost:                cluster.Cost{Hourly: float64(p.n(1000)) / 7, Currency: "USD"},
			Limits:              []cluster.Limit{{Resource: p.str(), Limit: p.num(), Used: p.num()}, {Resource: "memory", Limit: p.num(), Used: -1}},
			ConsolidationPolicy: p.str(), ConsolidateAfter: p.str(),
			Budgets: []cluster.Budget{{Nodes: p.str(), Reasons: []string{p.str()}, Schedule: p.str(), Duration: p.str()}},
			Ready:   p.str(), ReadyReason: p.str(),
			Events: []cluster.Event{{Time: testNow, Reason: p.str(), Object: p.str(), Message: p.str()}},
		})
	}
	kinds := []cluster.ActivityKind{cluster.ActLaunch, cluster.ActReady, cluster.ActLaunchFailed, cluster.ActDisrupting,
		cluster.ActRemoved, cluster.ActBlocked, cluster.ActUnschedulable, cluster.ActEvent, cluster.ActivityKind(p.str())}
	for range 1 + p.n(6) {
		s.Activity = append(s.Activity, cluster.Activity{
			Time: testNow.Add(-time.Duration(p.n(100)) * time.Minute), Kind: kinds[p.n(len(kinds))],
			Object: p.str(), Node: p.str(), NodePool: p.str(), InstanceType: p.str(), Capacity: pricing.Capacity(p.n(5)), Zone: p.str(),
			Pods: int(p.num() % 100000), Reason: p.str(), Message: p.str(),
			Steps:  []time.Duration{time.Duration(p.num()), time.Duration(p.num())},
			Price:  pricing.Price{Hourly: float64(p.n(100)) / 100, Currency: "USD", Source: pricing.Live},
			Saving: &cluster.Saving{Price: float64(p.num()) / 1e6, Replacement: float64(p.num()) / 1e7},
			Count:  int(p.num() % 1000),
		})
	}
	if p.n(2) == 0 {
		s.Savings = cluster.Savings{Since: testNow.Add(-time.Hour), Hourly: float64(p.num()) / 1e9, Currency: "USD", SoFar: float64(p.num()) / 1e9,
			Entries: []cluster.Saving{{Node: p.str(), Reason: p.str()}}}
	}
	for i := range p.n(80) {
		s.History = append(s.History, cluster.Sample{Time: testNow.Add(time.Duration(i-80) * time.Minute), Nodes: int(p.num() % 100000), Hourly: float64(p.num()) / 1e6})
	}
}

// FuzzRenderViews renders fuzzed snapshots through the root model (the node
// list, a node view, the pending view, the NodePools, a pool's nodes and
// the activity) at a few widths, in colour, and
// checks that the frame holds no escape sequence but SGR styling, no
// control character but newlines, nothing invisible, only UTF-8, and that
// it fits the terminal.
func FuzzRenderViews(f *testing.F) {
	seeds := [][4]string{
		{"ip-10-0-0-1.ec2.internal", "m5.large", "us-east-1a", "default"},
		{"\x1b]0;pwned\a", "\x1b[2J\x1b[H", "\x1b]52;c;cHduZWQ=\a", "\u009b31m"},
		{"abc\u202edcba", "\u2066x\u2069", "\x1bPq#0\x1b\\", "\x1b_apc\x1b\\"},
		{"0.25vCPU-0.5GB\x1b]0;t\a", "a\nb\tc\rd", "\x1b", "\xff\xfe"},
		{"日本語のノード", "👍🏽 ok", "e\u0301", "\u200b\ufeff\u00ad"},
		{"0/3 nodes are available: 3 Insufficient cpu.", "\x1b[?1049l\x1b[?25l", "\u009d0;x\u009c", "\x1bc"},
	}
	for i, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], int64(1000*(i+1)), int64(math.MaxInt64), []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, byte(i * 37)})
	}
	f.Add("10P", "1Ei", "-1", "", int64(math.MinInt64), int64(-1), []byte{255, 254, 253, 1, 1, 1})
	f.Fuzz(func(t *testing.T, s1, s2, s3, s4 string, n1, n2 int64, data []byte) {
		p := &strPicker{data: data, strs: []string{s1, s2, s3, s4}, nums: []int64{n1, n2, 0, 1000, math.MaxInt64}}
		snap := fuzzSnapshot(p)
		for _, width := range []int{40, 80, 200} {
			const height = 24
			m := New(newFakeSource(snap), Options{})
			m.clock = func() time.Time { return testNow }
			m = fuzzUpdate(m, tea.WindowSizeMsg{Width: width, Height: height})
			m = fuzzUpdate(m, snapshotMsg{snap: snap})
			checkFrame(t, "list", m.frame(), width, height)

			m = fuzzUpdate(m, openNodeMsg{name: snap.Detail.Node.Name})
			q := snap
			q.Query = cluster.Query{Node: snap.Detail.Node.Name}
			m = fuzzUpdate(m, snapshotMsg{snap: q})
			checkFrame(t, "node view", m.frame(), width, height)

			m = fuzzUpdate(m, backMsg{})
			m = fuzzUpdate(m, openPendingMsg{})
			q.Query = cluster.Query{Pending: true}
			m = fuzzUpdate(m, snapshotMsg{snap: q})
			checkFrame(t, "pending view", m.frame(), width, height)

			m = fuzzUpdate(m, openPoolsMsg{})
			q.Query = cluster.Query{NodePools: true}
			m = fuzzUpdate(m, snapshotMsg{snap: q})
			checkFrame(t, "nodepools view", m.frame(), width, height)

			p := snap.NodePools[0]
			m = fuzzUpdate(m, openPoolNodesMsg{poolFilter{kind: p.Kind, name: p.Name}})
			q.Query = cluster.Query{}
			m = fuzzUpdate(m, snapshotMsg{snap: q})
			checkFrame(t, "a pool's nodes", m.frame(), width, height)

			m = fuzzUpdate(m, openActivityMsg{})
			q.Query = cluster.Query{Activity: true}
			m = fuzzUpdate(m, snapshotMsg{snap: q})
			checkFrame(t, "activity view", m.frame(), width, height)
		}
	})
}

func fuzzUpdate(m Model, msg tea.Msg) Model {
	next, _ := m.Update(msg)
	return next.(Model)
}

// checkFrame asserts the frame is safe to write to a terminal and fits it.
func checkFrame(t *testing.T, what, out string, width, height int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s: not UTF-8: %q", what, out)
	}
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == 0x1b:
			end := sgrEnd(out, i)
			if end < 0 {
				t.Fatalf("%s: escape sequence other than SGR at %d: %q\nframe: %q", what, i, out[i:min(len(out), i+16)], out)
			}
			i = end
			continue
		case r == '\n':
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			t.Fatalf("%s: control character %U at %d\nframe: %q", what, r, i, out)
		case unicode.Is(unicode.Cf, r):
			t.Fatalf("%s: invisible format character %U at %d\nframe: %q", what, r, i, out)
		}
		i += size
	}
	checkFits(t, out, width, height)
}

// sgrEnd is the end of the SGR sequence (ESC [ digits ; : m) at i, or -1.
func sgrEnd(s string, i int) int {
	if !strings.HasPrefix(s[i:], "\x1b[") {
		return -1
	}
	for j := i + 2; j < len(s); j++ {
		switch c := s[j]; {
		case c == 'm':
			return j + 1
		case (c < '0' || c > '9') && c != ';' && c != ':':
			return -1
		}
	}
	return -1
}

// A 10P cpu request and a 1Ei memory request saturate the model's
// milli-units: the screen shows them as full, never negative or wrapped.
func TestSaturatedUsageIsSane(t *testing.T) {
	s := cluster.Snapshot{Synced: true, Resources: []string{"cpu", "memory"}, ExtraLabels: []string{"eks-node-viewer/node-cpu-usage"}, Cost: cluster.Cost{Currency: "USD"}}
	s.Nodes = []*cluster.Node{node("ip-10-0-0-1", func(n *cluster.Node) {
		n.Usage = []cluster.Quantity{{Used: math.MaxInt64, Allocatable: 1930}, {Used: math.MaxInt64, Allocatable: 8 << 40}}
		n.LabelUsage = []cluster.Quantity{{Used: math.MaxInt64, Allocatable: 1}}
	})}
	s = totals(s)
	s.Totals = []cluster.Quantity{{Used: math.MaxInt64, Allocatable: 1930}, {Used: math.MaxInt64, Allocatable: 1}}
	s.Detail = &cluster.NodeDetail{Node: *s.Nodes[0], Pods: []cluster.Pod{{Namespace: "ns", Name: "huge", Phase: "Running", Requests: []int64{math.MaxInt64, math.MaxInt64}}}}
	m := sized(t, s)
	out := m.frame()
	negative := regexp.MustCompile(`-[0-9.,]+%`)
	if negative.MatchString(out) || !strings.Contains(out, "999% ●") || !strings.Contains(out, "999.0% cpu") {
		t.Errorf("list:\n%s", out)
	}
	m = fuzzUpdate(m, openNodeMsg{name: "ip-10-0-0-1"})
	s.Query = cluster.Query{Node: "ip-10-0-0-1"}
	m = fuzzUpdate(m, snapshotMsg{snap: s})
	out = m.frame()
	if negative.MatchString(out) || !strings.Contains(out, "9,223,372,036,854,776/1.93 cores 999% ●") {
		t.Errorf("node view:\n%s", out)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 1e300, float64(math.MaxInt64) / 1930} {
		if p := int(shownFraction(f)*100 + 0.5); p < 0 || p > 999 {
			t.Errorf("shownFraction(%v) = %d%%", f, p)
		}
	}
}

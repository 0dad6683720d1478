package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The Karpenter views: the pending pods with Karpenter's answers, the
// NodePools, the activity; and the root's navigation between them.

func karpenterPendingSnap() cluster.Snapshot {
	s := karpenterAll()
	s.Query = cluster.Query{Pending: true}
	return s
}

func poolsSnap(pools []cluster.NodePool) cluster.Snapshot {
	s := karpenterAll()
	s.Query, s.NodePools = cluster.Query{NodePools: true}, pools
	return s
}

func activitySnap(acts []cluster.Activity) cluster.Snapshot {
	s := karpenterAll()
	s.Query, s.Activity = cluster.Query{Activity: true}, acts
	return s
}

// longActivity is a session of n launches and removals, a minute apart.
func longActivity(n int) []cluster.Activity {
	acts := make([]cluster.Activity, n)
	for i := range acts {
		a := cluster.Activity{Time: testNow.Add(-time.Duration(n-i) * time.Minute), Count: 1, Object: fmt.Sprintf("nodeclaim/default-%03d", i)}
		switch i % 3 {
		case 0:
			a.Kind, a.InstanceType, a.Capacity, a.Zone, a.Pods = cluster.ActLaunch, "m5.large", pricing.Spot, "us-west-2a", i
		case 1:
			a.Object = fmt.Sprintf("nodeclaim/default-%03d", i-1)
			a.Kind, a.Steps = cluster.ActReady, []time.Duration{time.Second, 20 * time.Second, 31 * time.Second, 31 * time.Second}
		default:
			a.Kind, a.Object, a.Reason = cluster.ActRemoved, fmt.Sprintf("node/ip-10-0-0-%d", i), "Empty"
			a.Price, a.Saving = pricing.Price{Hourly: 0.0336, Currency: "USD", Source: pricing.Live}, &cluster.Saving{Price: 0.0336}
		}
		acts[i] = a
	}
	return acts
}

func pendingV() view  { return newPendingView() }
func poolsV() view    { return newPoolsView() }
func activityV() view { return newActivityView() }

// opened is a new view of create's, sized, fed snap, after keys.
func opened(create func() view, snap cluster.Snapshot, keys ...tea.Key) func(c *common) view {
	return func(c *common) view {
		v := create()
		c.snap = &snap
		v, _ = v.update(tea.WindowSizeMsg{Width: c.width, Height: c.height}, c)
		v = viewFeed(v, c, snap)
		for _, k := range keys {
			v, _ = viewPress(v, c, k)
		}
		return v
	}
}

func TestKarpenterViewsGolden(t *testing.T) {
	viewGolden(t, "pending", opened(pendingV, karpenterPendingSnap(), viewKeys.down))
	viewGolden(t, "pools", opened(poolsV, poolsSnap(karpenterPools())))
	unread := karpenterPools()
	for i := range unread {
		if unread[i].Kind == kindNodePool {
			unread[i] = cluster.NodePool{Name: unread[i].Name, Kind: kindNodePool, Nodes: unread[i].Nodes, Usage: unread[i].Usage, Cost: unread[i].Cost}
		}
	}
	viewGolden(t, "pools_unread", opened(poolsV, poolsSnap(unread)))
	viewGolden(t, "pools_empty", opened(poolsV, poolsSnap(nil)))
	viewGolden(t, "activity", opened(activityV, activitySnap(karpenterActivity())))
	viewGolden(t, "activity_scrolled", opened(activityV, activitySnap(longActivity(60)), viewKeys.pgDown, viewKeys.up, viewKeys.up))
	viewGolden(t, "activity_empty", opened(activityV, activitySnap(nil)))
}

func TestKarpenterViewsFitAnySize(t *testing.T) {
	for _, v := range []struct {
		create func() view
		snap   cluster.Snapshot
	}{
		{func() view { return newPendingView() }, karpenterPendingSnap()},
		{func() view { return newPoolsView() }, poolsSnap(karpenterPools())},
		{func() view { return newActivityView() }, activitySnap(longActivity(40))},
	} {
		for width := 1; width <= 130; width += 3 {
			for _, height := range []int{1, 2, 3, 4, 5, 8, 24} {
				c := viewCommon(nil, true, width, height)
				vw := opened(v.create, v.snap, viewKeys.end)(c)
				checkFits(t, vw.render(c, width, height), width, height)
			}
		}
	}
}

func TestPendingViewExplains(t *testing.T) {
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := opened(pendingV, karpenterPendingSnap())(c)
	out := v.render(c, 200, viewBodyHeight)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[3], "> batch/report-7f9c4") {
		t.Errorf("the longest waiting first, selected: %q", lines[3])
	}
	for _, want := range []string{
		"SCHEDULER", "KARPENTER", `NodePool "system" limits exhausted (cpu 4/4)`, "Insufficient cpu, untolerated taint",
		"nominated to nodeclaim/general-purpose-x7k2p", "nominated to node/i-0fedcba9876543210",
		// Without Waiting.Scheduler, the scheduler's own message.
		"0/3 nodes: 3 node(s) didn't match Pod's node affinity/selector.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestPendingViewOpensTheNominatedNode(t *testing.T) {
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := opened(pendingV, karpenterPendingSnap())(c)
	km := v.keys().(PendingKeyMap)
	if km.Open.Enabled() {
		t.Error("enter offered on a pod nominated nowhere")
	}
	if _, cmd := viewPress(v, c, tea.Key{Code: tea.KeyEnter}); cmd != nil {
		t.Error("enter did something on a pod nominated nowhere")
	}
	for _, tc := range []struct {
		downs int
		want  string
	}{{1, "i-0fedcba9876543210"}, {2, "general-purpose-x7k2p"}} {
		v := opened(pendingV, karpenterPendingSnap())(c)
		for range tc.downs {
			v, _ = viewPress(v, c, viewKeys.down)
		}
		if !v.keys().(PendingKeyMap).Open.Enabled() {
			t.Errorf("%d down: enter not offered", tc.downs)
		}
		_, cmd := viewPress(v, c, tea.Key{Code: tea.KeyEnter})
		if cmd == nil {
			t.Fatalf("%d down: enter does nothing", tc.downs)
		}
		if msg, ok := cmd().(openNodeMsg); !ok || msg.name != tc.want {
			t.Errorf("%d down: %#v, want to open %s", tc.downs, cmd(), tc.want)
		}
	}
	// Nominated to a NodeClaim that is not listed: nothing to open.
	snap := karpenterPendingSnap()
	snap.Nodes = snap.Nodes[:2]
	v = opened(pendingV, snap, viewKeys.down, viewKeys.down)(c)
	if v.keys().(PendingKeyMap).Open.Enabled() {
		t.Error("enter offered for a NodeClaim not in the list")
	}
}

func TestPoolsView(t *testing.T) {
	c := viewCommon(nil, false, 300, viewBodyHeight)
	v := opened(poolsV, poolsSnap(karpenterPools()))(c)
	out := v.render(c, 300, viewBodyHeight)
	for _, want := range []string{
		"3 NodePools · 1 other group",
		"NODEPOOL", "NODES", "CPU", "$/HOUR", "LIMITS", "CONSOLIDATION", "BUDGETS", "LATEST EVENT",
		"> general-purpose", "3 +2 -1", "1800m/5340m 34%", "$0.126", "cpu 14/20 ███████░░░  memory 28Gi/100Gi ███░░░░░░░",
		"WhenEmptyOrUnderutilized 0s", "10%", "90s NoCompatibleInstanceTypes: NodePool requirements filtered out all compatible available instance types",
		"gpu (not ready)", "nvidia.com/gpu ?/8", "WhenEmpty Never", "not ready: NodeClassNotReady",
		"cpu 4/4 ██████████  nodes 1/3 ███░░░░░░░", "0 for Drifted,Underutilized at 0 9 * * 1-5 for 8h; 1", "4m DisruptionBlocked: No allowed disruptions",
		"(nodegroup) ng-1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if q := v.query(); q != (cluster.Query{NodePools: true}) {
		t.Errorf("query %+v", q)
	}
	// enter lists the selected group's nodes.
	for downs, want := range []poolFilter{{kindNodePool, "general-purpose"}, {kindNodePool, "gpu"}, {kindNodePool, "system"}, {kindNodeGroup, "ng-1"}} {
		v := opened(poolsV, poolsSnap(karpenterPools()))(c)
		for range downs {
			v, _ = viewPress(v, c, viewKeys.down)
		}
		_, cmd := viewPress(v, c, tea.Key{Code: tea.KeyEnter})
		if msg, ok := cmd().(openPoolNodesMsg); !ok || msg.pool != want {
			t.Errorf("%d down: %#v, want %v", downs, cmd(), want)
		}
	}
	requireBack(t, v, c)
	// No groups: a message, nothing to open.
	v = opened(poolsV, poolsSnap(nil))(c)
	if out := v.render(c, 300, viewBodyHeight); !strings.HasPrefix(out, "no NodePools or node groups") {
		t.Errorf("empty: %q", out)
	}
	if _, cmd := viewPress(v, c, tea.Key{Code: tea.KeyEnter}); cmd != nil || v.keys().(PoolsKeyMap).Open.Enabled() {
		t.Error("enter with no groups")
	}
}

func TestPoolFilter(t *testing.T) {
	nodes := karpenterNodes()
	for _, tc := range []struct {
		pool poolFilter
		want int
	}{{poolFilter{kindNodePool, "general-purpose"}, 5}, {poolFilter{kindNodePool, "system"}, 1}, {poolFilter{kindNodeGroup, "ng-1"}, 1}, {poolFilter{}, 0}} {
		n := 0
		for i := range nodes {
			if tc.pool.has(nodes[i]) {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%v has %d nodes, want %d", tc.pool, n, tc.want)
		}
	}
	bare := node("bare", nil)
	if !(poolFilter{}).has(bare) {
		t.Error("a node in no group is not in the group of none")
	}
}

func TestActivityView(t *testing.T) {
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := opened(activityV, activitySnap(karpenterActivity()))(c)
	out := v.render(c, 200, viewBodyHeight)
	for _, want := range []string{
		"activity since 11:10 · saved $0.0421/hour · $0.021 so far",
		"11:12:00 + nodeclaim general-purpose-abcde t3a.medium on-demand us-east-1a for 8 pending pods",
		"11:12:04   launched 1.2s · registered 2.9s · initialized 4.1s · Ready (node i-0123456789abcdef0)",
		"11:29:00 ~ node i-0123456789abcdef9 (Empty): disrupting",
		"11:30:00 - node i-0123456789abcdef9 (Empty): consolidated, saves $0.0421/hour",
		`11:48:00 ⊘ node i-0123456789abcdef0: Unconsolidatable "Can't replace with a cheaper node" (x3)`,
		`11:55:00 ! 2 pods unschedulable (nodepool system): NodePool "system" limits exhausted (cpu 4/4)`,
		"11:58:30 ! nodeclaim general-purpose-zz9xw InsufficientCapacityError: creating instance, insufficient capacity",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// The newest line is at the bottom; with pricing off there are no savings.
	lines := strings.Split(out, "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "general-purpose-x7k2p") {
		t.Errorf("last line %q", last)
	}
	snap := activitySnap(karpenterActivity())
	snap.Cost.Disabled = true
	v = opened(activityV, snap)(c)
	if out := v.render(c, 200, viewBodyHeight); strings.Contains(out, "saved") || strings.Contains(out, "saves") {
		t.Errorf("savings with pricing disabled:\n%s", out)
	}
	requireBack(t, v, c)
}

// The activity opens at its newest line and follows new ones; scrolled up
// it stays where it was, and at the bottom again it follows again.
func TestActivityViewFollows(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	v := opened(activityV, activitySnap(longActivity(60)))(c).(*activityView)
	rows := v.pageRows(c)
	if v.offset != 60-rows || !v.follow {
		t.Fatalf("opened at offset %d (follow %v), want %d", v.offset, v.follow, 60-rows)
	}
	v = viewFeed(v, c, activitySnap(longActivity(70))).(*activityView)
	if v.offset != 70-rows {
		t.Errorf("new lines: offset %d, want %d", v.offset, 70-rows)
	}
	next, _ := viewPress(v, c, viewKeys.up)
	v = next.(*activityView)
	if v.follow || v.offset != 70-rows-1 {
		t.Errorf("up: offset %d follow %v", v.offset, v.follow)
	}
	v = viewFeed(v, c, activitySnap(longActivity(75))).(*activityView)
	if v.offset != 70-rows-1 {
		t.Errorf("scrolled up, new lines moved it to %d", v.offset)
	}
	next, _ = viewPress(v, c, viewKeys.end)
	v = next.(*activityView)
	v = viewFeed(v, c, activitySnap(longActivity(80))).(*activityView)
	if !v.follow || v.offset != 80-rows {
		t.Errorf("end then new lines: offset %d follow %v", v.offset, v.follow)
	}
	if out := v.render(c, 120, viewBodyHeight); !strings.Contains(out, fmt.Sprintf("%d-80 of 80 lines", 80-rows+1)) {
		t.Errorf("no position:\n%s", out)
	}
}

// The activity's words, one kind at a time.
func TestActivityWords(t *testing.T) {
	launch := cluster.Activity{Kind: cluster.ActLaunch, Object: "nodeclaim/default-2z8fk", InstanceType: "t3a.medium", Capacity: pricing.OnDemand, Zone: "us-east-1a", Pods: 1, Count: 1}
	ready := cluster.Activity{Kind: cluster.ActReady, Object: "nodeclaim/default-2z8fk", Steps: []time.Duration{1200 * time.Millisecond, -1, 4100 * time.Millisecond, 4200 * time.Millisecond}, Count: 1}
	for _, tc := range []struct {
		a, prev *cluster.Activity
		want    string
	}{
		{&launch, nil, "nodeclaim default-2z8fk t3a.medium on-demand us-east-1a for 1 pending pod"},
		{&ready, &launch, "launched 1.2s · initialized 4.1s · Ready"},
		{&ready, nil, "nodeclaim default-2z8fk launched 1.2s · initialized 4.1s · Ready"},
		{&cluster.Activity{Kind: cluster.ActReady, Object: "nodeclaim/x", Node: "i-0abc", Steps: []time.Duration{65 * time.Second}}, nil, "nodeclaim x launched 65s (node i-0abc)"},
		// As the API stamps them (seen on the e2e cluster): whole seconds,
		// Launched in the NodeClaim's creation second.
		{&cluster.Activity{Kind: cluster.ActReady, Object: "nodeclaim/x", Steps: []time.Duration{0, time.Second, 2 * time.Second, 2 * time.Second}}, nil, "nodeclaim x launched 0s · registered 1s · initialized 2s · Ready"},
		{&cluster.Activity{Kind: cluster.ActRemoved, Object: "node/i-0abc", Node: "i-0abc"}, nil, "node i-0abc: removed"},
		{&cluster.Activity{Kind: cluster.ActRemoved, Node: "i-0abc", Reason: "Drifted", Saving: &cluster.Saving{Price: 0.04, Replacement: 0.05}, Price: pricing.Price{Currency: "USD"}}, nil, "node i-0abc (Drifted): replaced, saves -$0.0100/hour"},
		{&cluster.Activity{Kind: cluster.ActUnschedulable, Message: "no compatible\ninstance types", Count: 4}, nil, "pods unschedulable: no compatible instance types (x4)"},
		// Seen on the e2e cluster: four pods' events folded said "4 pods ... (x4)".
		{&cluster.Activity{Kind: cluster.ActUnschedulable, NodePool: "default", Message: `NodePool "default" limits exhausted`, Pods: 4, Count: 4}, nil, `4 pods unschedulable: NodePool "default" limits exhausted`},
		{&cluster.Activity{Kind: cluster.ActBlocked, Object: "nodepool/default", Reason: "DisruptionBlocked", Message: `Pod "a/b" has "karpenter.sh/do-not-disrupt"`}, nil, `nodepool default: DisruptionBlocked: Pod "a/b" has "karpenter.sh/do-not-disrupt"`},
		{&cluster.Activity{Kind: cluster.ActEvent, Object: "node/\x1b[2Jx", Reason: "Evil\x1b]0;t\a", Message: "m\r\n"}, nil, "node ?x Evil?: m"},
		// Seen on the e2e cluster as "· Evicted: Evicted pod: Underutilized".
		{&cluster.Activity{Kind: cluster.ActEvent, Reason: "Evicted", Message: "Underutilized", Pods: 1, Count: 1}, nil, "1 pod evicted (Underutilized)"},
		{&cluster.Activity{Kind: cluster.ActEvent, Reason: "Evicted", Message: "Underutilized", Pods: 8, Count: 8}, nil, "8 pods evicted (Underutilized)"},
		{&cluster.Activity{Kind: cluster.ActEvent, Object: "node/i-0abc", Node: "i-0abc", Reason: "FailedDraining", Message: "1 pods are waiting to be evicted"}, nil, "node i-0abc FailedDraining: 1 pods are waiting to be evicted"},
	} {
		if got := activityWords(tc.a, tc.prev, true); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		width  int
		want   string
	}{
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 8, "▁▂▃▄▅▆▇█"},
		{[]float64{2, 2, 2}, 5, "▁▁▁"},
		{[]float64{1, 9, 1, 1, 1, 1}, 3, "█▁▁"}, // the spike is kept
		{[]float64{3}, 0, ""},
	} {
		if got := sparkline(tc.values, tc.width); got != tc.want {
			t.Errorf("sparkline(%v, %d) = %q, want %q", tc.values, tc.width, got, tc.want)
		}
	}
	s := karpenterSnapshot()
	if h := historyText(s.History[:1], 10, true); h != "" {
		t.Errorf("one sample: %q", h)
	}
	if h := historyText(s.History, 12, false); strings.Contains(h, "$") || !strings.HasPrefix(h, "nodes ") || !strings.HasSuffix(h, " (59m)") {
		t.Errorf("without prices: %q", h)
	}
}

// The summary's second line gives way: the sparklines first, then the
// words, never the pod counts.
func TestPodSummaryFits(t *testing.T) {
	s := karpenterSnapshot()
	s.Pods.Elsewhere = 3
	st := newStyles([3]string{}, false)
	wants := map[int]string{
		200: "30 pods (10 pending 20 running 20 bound) + 3 on other nodes · saved $0.0421/hour · $0.021 so far  nodes ",
		100: "30 pods (10 pending 20 running 20 bound) + 3 on other nodes · saved $0.0421/hour · $0.021 so far",
		80:  "30 pods (10 pending 20 running 20 bound) + 3 elsewhere · saved $0.0421/hour",
		74:  "30 pods (10 pending 20 running 20 bound) + 3 elsewhere · saved $0.0421/h",
		60:  "30 pods (10 pending 20 running 20 bound) + 3 elsewhere",
	}
	for width, want := range wants {
		got := podSummary(&s, width, st)
		if !strings.HasPrefix(got, want) || dispWidth(got) > width {
			t.Errorf("at %d: %q, want %q", width, got, want)
		}
		if width < 200 && strings.Contains(got, "nodes ▁") {
			t.Errorf("at %d the sparklines stay: %q", width, got)
		}
	}
	s.Savings = cluster.Savings{}
	if got := podSummary(&s, 200, st); strings.Contains(got, "saved") {
		t.Errorf("no savings entries: %q", got)
	}
	s.History = nil
	if got := podSummary(&s, 200, st); got != podLine(s.Pods, podFull) {
		t.Errorf("no history: %q", got)
	}
}

// karpenterModel is the root model on the whole story at 200x30.
func karpenterModel(t *testing.T) (Model, *fakeSource) {
	t.Helper()
	s := karpenterAll()
	s.Detail = &cluster.NodeDetail{Node: *s.Nodes[3]} // the node view's, whichever it asks for
	src := newFakeSource(s)
	m := New(src, Options{NoColor: true})
	m.clock = func() time.Time { return testNow }
	m = run(t, m, tea.WindowSizeMsg{Width: 200, Height: 30})
	m = run(t, m, snapshotMsg{snap: s})
	return m, src
}

func stackOf(m Model) string {
	names := make([]string, len(m.stack))
	for i, v := range m.stack {
		names[i] = strings.TrimPrefix(fmt.Sprintf("%T", v), "*ui.")
	}
	return strings.Join(names, ",")
}

func requireStack(t *testing.T, m Model, want string) {
	t.Helper()
	if got := stackOf(m); got != want {
		t.Fatalf("views %s, want %s", got, want)
	}
}

// From the NodePools to a pool's nodes, to a node and back, one esc at a
// time.
func TestNavigatePoolsToNodes(t *testing.T) {
	m, src := karpenterModel(t)
	m = run(t, m, typed('n'))
	requireStack(t, m, "listView,poolsView")
	if q := src.lastQuery(); !q.NodePools {
		t.Errorf("n did not ask for the NodePools: %+v", q)
	}
	if out := m.frame(); !strings.Contains(out, "> general-purpose") {
		t.Fatalf("pools view:\n%s", out)
	}
	m = run(t, m, press(tea.KeyEnter, "", 0))
	requireStack(t, m, "listView,poolsView,listView")
	out := m.frame()
	if !strings.Contains(out, "nodepool general-purpose: 5 of 7 nodes (esc back)") || strings.Contains(out, "ip-10-0-1-5") || strings.Contains(out, "i-0aaaabbbbccccdddd") {
		t.Errorf("the pool's list shows other nodes or no filter line:\n%s", out)
	}
	if !strings.Contains(out, "esc back") {
		t.Errorf("the pool's list does not offer esc back:\n%s", out)
	}
	// A text filter narrows the pool's list; esc clears it first.
	m = run(t, m, typed('/'))
	for _, r := range "x7k2p" {
		m = run(t, m, typed(r))
	}
	m = run(t, m, press(tea.KeyEnter, "", 0))
	if out := m.frame(); !strings.Contains(out, `nodepool general-purpose, filter "x7k2p": 1 of 7 nodes (esc clears)`) {
		t.Errorf("pool and text filter:\n%s", out)
	}
	m = run(t, m, press(tea.KeyEnter, "", 0))
	requireStack(t, m, "listView,poolsView,listView,nodeView")
	if q := m.top().query(); q.Node != "general-purpose-x7k2p" {
		t.Errorf("enter opened %+v", q)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView,poolsView,listView")
	m = run(t, m, press(tea.KeyEscape, "", 0)) // clears the text
	requireStack(t, m, "listView,poolsView,listView")
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView,poolsView")
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyEnter, "", 0))
	if out := m.frame(); !strings.Contains(out, "nodegroup ng-1: 1 of 7 nodes") || !strings.Contains(out, "ip-10-0-1-5") {
		t.Errorf("the node group's list:\n%s", out)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView")
	if l := m.list(); len(l.rows) != 7 || l.pool != nil {
		t.Errorf("the main list was filtered: %d rows", len(l.rows))
	}
}

// From a pending pod to the node it is nominated to, and back.
func TestNavigatePendingToNode(t *testing.T) {
	m, _ := karpenterModel(t)
	m = run(t, m, typed('p'))
	requireStack(t, m, "listView,pendingView")
	m = run(t, m, press(tea.KeyEnter, "", 0)) // the batch pod: nominated nowhere
	requireStack(t, m, "listView,pendingView")
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyEnter, "", 0))
	requireStack(t, m, "listView,pendingView,nodeView")
	if out := m.frame(); !strings.Contains(out, "general-purpose-x7k2p") || !strings.Contains(out, "8 pending pods wait for it") {
		t.Errorf("node view of the nominated NodeClaim:\n%s", out)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView,pendingView")
	if v := m.top().(*pendingView); v.at != 2 {
		t.Errorf("back on the pending pods the cursor is at %d, want 2", v.at)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView")
}

// p, n and a open their view from every view; pressed where the view is
// open below, they go back to it; pressed in it, nothing.
func TestNavKeysEverywhere(t *testing.T) {
	m, _ := karpenterModel(t)
	m = run(t, m, typed('a'))
	requireStack(t, m, "listView,activityView")
	if out := m.frame(); !strings.Contains(out, "activity since 11:10") || !strings.Contains(out, "11:59:55 + nodeclaim general-purpose-x7k2p") {
		t.Errorf("activity view:\n%s", out)
	}
	m = run(t, m, typed('a'))
	requireStack(t, m, "listView,activityView")
	m = run(t, m, typed('p'))
	m = run(t, m, typed('n'))
	requireStack(t, m, "listView,activityView,pendingView,poolsView")
	m = run(t, m, typed('a'))
	requireStack(t, m, "listView,activityView")
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView")
	m = run(t, m, press(tea.KeyEnter, "", 0))
	m = run(t, m, typed('n'))
	requireStack(t, m, "listView,nodeView,poolsView")
	m = run(t, m, press(tea.KeyEscape, "", 0))
	requireStack(t, m, "listView,nodeView")
	// While the filter is typed, the keys are text.
	m = run(t, m, press(tea.KeyEscape, "", 0))
	m = run(t, m, typed('/'))
	m = run(t, m, typed('n'))
	m = run(t, m, typed('a'))
	requireStack(t, m, "listView")
	if got := m.list().input.Value(); got != "na" {
		t.Errorf("filter text %q", got)
	}
}

// Every view's full help lists the views it can reach, not itself.
func TestFullHelpListsTheViews(t *testing.T) {
	m, _ := karpenterModel(t)
	m = run(t, m, typed('?'))
	for _, tc := range []struct {
		open tea.Msg
		not  string
	}{
		{nil, ""},
		{press(tea.KeyEnter, "", 0), ""},
		{typed('p'), "p pending"},
		{typed('n'), "n nodepools"},
		{typed('a'), "a activity"},
	} {
		m = run(t, m, press(tea.KeyEscape, "", 0))
		if tc.open != nil {
			m = run(t, m, tc.open)
		}
		help := strings.Join(m.footer(200), "\n")
		for _, want := range []string{"p pending", "n nodepools", "a activity", "esc", "q quit"} {
			if want == "esc" && tc.open == nil {
				continue // the bare list has nothing to clear or leave
			}
			if want != tc.not && !strings.Contains(help, want) {
				t.Errorf("%s: the full help lacks %q:\n%s", stackOf(m), want, help)
			}
		}
		if tc.not != "" && strings.Contains(help, tc.not) {
			t.Errorf("%s offers itself (%q):\n%s", stackOf(m), tc.not, help)
		}
	}
}

// The list's footer keeps ? and q at every width it can, giving up the
// arrows, the long words, then other entries.
func TestListFooterKeepsHelpAndQuit(t *testing.T) {
	m, _ := karpenterModel(t)
	for width, want := range map[int]string{
		200: "↑/↓ select • enter open • p pending (11) • n nodepools • a activity • / filter • ? help • q quit",
		90:  "enter open • p pending (11) • n nodepools • a activity • / filter • ? help • q quit",
		80:  "enter open • p pending (11) • n pools • a activity • / filter • ? help • q quit",
		60:  "p pending (11) • n pools • a activity • ? help • q quit",
	} {
		m = run(t, m, tea.WindowSizeMsg{Width: width, Height: 30})
		if got := m.footer(width)[0]; got != want {
			t.Errorf("at %d: %q, want %q", width, got, want)
		}
	}
}

// A NodeClaim that reports no conditions says nothing about how far it
// got: the node's own readiness shows (the demo's NodeClaims, Karpenter
// versions that lag).
func TestReadyTextWithoutConditions(t *testing.T) {
	silent := &cluster.Lifecycle{Created: testNow.Add(-time.Hour)}
	for _, typ := range []string{"Launched", "Registered", "Initialized", "Ready"} {
		silent.Steps = append(silent.Steps, cluster.Step{Type: typ})
	}
	ready := node("i-0abc", func(n *cluster.Node) { n.Lifecycle = silent })
	launching := node("default-x7k2p", func(n *cluster.Node) {
		n.Lifecycle, n.Launching, n.Ready, n.Created = silent, true, false, testNow.Add(-7*time.Second)
	})
	initializing := node("i-0def", func(n *cluster.Node) { n.Lifecycle = lifecycle(testNow.Add(-8*time.Second), 2, "NodeNotReady") })
	for _, tc := range []struct {
		n    *cluster.Node
		want string
	}{{ready, "Ready"}, {launching, "Launching/7s"}, {initializing, "Initializing/8s"}} {
		if got := readyText(tc.n, testNow, false); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.n.Name, got, tc.want)
		}
	}
	c := viewCommon(nil, false, 200, viewBodyHeight)
	snap := detailSnapshot("i-0abc", []string{"cpu"}, &cluster.NodeDetail{Node: *ready})
	if out := viewFeed(newNodeView("i-0abc"), c, snap).render(c, 200, viewBodyHeight); strings.Contains(out, "launching") || !strings.Contains(out, "Ready") {
		t.Errorf("node view of a silent NodeClaim:\n%s", out)
	}
}

func TestStatusCell(t *testing.T) {
	for _, tc := range []struct {
		mutate        func(*cluster.Node)
		full, compact string
	}{
		{nil, "-", "-"},
		{func(n *cluster.Node) { n.Disruption.Reason = "Underutilized" }, "Disrupting: Underutilized", "Disrupting"},
		{func(n *cluster.Node) { n.Disruption.Reason, n.Deleting = "Empty", true }, "Deleting: Empty", "Deleting"},
		{func(n *cluster.Node) { n.Disruption.Tainted = true }, "Disrupting", "Disrupting"},
		{func(n *cluster.Node) { n.Disruption.BlockingPods = []string{"a/b"} }, "⊘ protected", "⊘ protected"},
		{func(n *cluster.Node) { n.Disruption.DoNotDisrupt, n.Cordoned = true, true }, "Cordoned ⊘ protected", "Cordoned ⊘ protected"},
		{func(n *cluster.Node) { n.Deleting = true }, "Deleting", "Deleting"},
		{func(n *cluster.Node) { n.Disruption.Reason = "Drift\x1b[2Jed" }, "Disrupting: Drift?ed", "Disrupting"},
	} {
		n := node("n", tc.mutate)
		if got := statusCell(n, false); got != tc.full {
			t.Errorf("%+v: %q, want %q", n.Disruption, got, tc.full)
		}
		if got := statusCell(n, true); got != tc.compact {
			t.Errorf("%+v compact: %q, want %q", n.Disruption, got, tc.compact)
		}
	}
}

package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The views' tests build their own fixtures (the node list's may change
// under them): a fixed time and the seed lab's node.

var viewNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	viewLabNode    = "i-0123456789abcdef0"
	viewGiB        = int64(1) << 30 * 1000 // one GiB in milli-units
	viewMiB        = int64(1) << 20 * 1000
	viewTermHeight = 24                 // the terminal's height in the golden tests
	viewBodyHeight = viewTermHeight - 1 // above the one-line footer
	labApp         = "fastapi-deployment-6b5f9d7c4"
	ownerKnd       = "ReplicaSet"
)

var viewWidths = []int{60, 80, 120, 200}

// labDetail is the lab's busy node: seven fastapi replicas at 200m and the
// aws-node DaemonSet pod at 25m on a t3a.medium (1780m allocatable).
func labDetail() *cluster.NodeDetail {
	n := cluster.Node{
		Name:         viewLabNode,
		Created:      viewNow.Add(-3*time.Hour - 10*time.Minute),
		InstanceType: "t3a.medium",
		Capacity:     pricing.OnDemand,
		AutoMode:     true,
		Zone:         "us-east-1a",
		Price:        pricing.Price{Hourly: 0.04211, Currency: "USD", Source: pricing.Live},
		NodeClaim:    "general-purpose-abcde",
		NodePool:     "general-purpose",
		Ready:        true,
		ReadySince:   viewNow.Add(-3*time.Hour - 9*time.Minute),
		Pods:         8,
		MaxPods:      17,
		Usage:        []cluster.Quantity{{Used: 7*200 + 25, Allocatable: 1780}},
	}
	d := &cluster.NodeDetail{Node: n, ProviderID: "aws:///us-east-1a/" + viewLabNode}
	for i, sfx := range []string{"2bq5x", "9wxkd", "p9r4m", "hz7tl", "c6vnq", "m2k8s", "t4jfw"} {
		d.Pods = append(d.Pods, cluster.Pod{
			Namespace: "my-cool-app", Name: labApp + "-" + sfx, Node: viewLabNode, Phase: "Running",
			Created:   viewNow.Add(-time.Duration(3+i*17) * time.Minute),
			OwnerKind: "ReplicaSet", OwnerName: labApp, Requests: []int64{200},
		})
	}
	d.Pods = append(d.Pods, cluster.Pod{
		Namespace: "kube-system", Name: "aws-node-7x2kq", Node: viewLabNode, Phase: "Running",
		Created: n.Created, OwnerKind: "DaemonSet", OwnerName: "aws-node", Requests: []int64{25},
	})
	return d
}

// detailSnapshot is a snapshot that answers the node view's query for d's
// node (nil d: the node is gone).
func detailSnapshot(name string, resources []string, d *cluster.NodeDetail) cluster.Snapshot {
	s := cluster.Snapshot{
		Query: cluster.Query{Node: name}, Taken: viewNow, Synced: true, Resources: resources,
		Cost: cluster.Cost{Currency: "USD"}, Detail: d,
	}
	if d != nil {
		s.Nodes = []*cluster.Node{&d.Node}
		s.Cost.Hourly = d.Node.Price.Hourly
	}
	return s
}

func labDetailSnap() cluster.Snapshot {
	return detailSnapshot(viewLabNode, []string{"cpu"}, labDetail())
}

// bigDetail is a node with n pods of cpu and memory, several owners (some
// DaemonSets, a bare pod, a terminating one), long names, taints, cordoned.
func bigDetail(n int) *cluster.NodeDetail {
	kinds := []string{"ReplicaSet", "StatefulSet", "DaemonSet", "Job", ""}
	apps := []string{"checkout-api", "payments-ledger-reconciler", "search-indexer", "log-shipper", "nightly-report"}
	d := &cluster.NodeDetail{
		Node: cluster.Node{
			Name: "ip-10-0-117-42.us-west-2.compute.internal", Created: viewNow.Add(-49 * time.Hour),
			InstanceType: "m5.8xlarge", Capacity: pricing.Spot, Zone: "us-west-2b",
			Price:     pricing.Price{Hourly: 0.6012, Currency: "USD", Source: pricing.Estimate, Reason: "us-west-2 spot average"},
			NodeClaim: "batch-q7w2z", NodePool: "batch", Ready: true, Cordoned: true,
			MaxPods: 234, Pods: n,
		},
		Taints: []cluster.Taint{{Key: "dedicated", Value: "batch", Effect: "NoSchedule"}, {Key: "karpenter.sh/disrupted", Effect: "NoSchedule"}},
	}
	var cpu, mem int64
	for i := range n {
		k := i % len(kinds)
		p := cluster.Pod{
			Namespace: []string{"shop", "finance", "search", "kube-system", "reports"}[k],
			Name:      fmt.Sprintf("%s-%07x-%05d", apps[k], 0x5f3a9c1+i*7919, i),
			Phase:     "Running", Created: viewNow.Add(-time.Duration(i*23) * time.Minute),
			OwnerKind: kinds[k], OwnerName: apps[k],
			Requests: []int64{int64(25 + (i*37)%20*25), int64(64+(i*53)%32*64) * viewMiB},
		}
		if kinds[k] == "" {
			p.OwnerName = ""
		}
		if i == 7 {
			p.Terminating = true
		}
		cpu += p.Requests[0]
		mem += p.Requests[1]
		d.Pods = append(d.Pods, p)
	}
	d.Node.Usage = []cluster.Quantity{{Used: cpu, Allocatable: 31_750}, {Used: mem, Allocatable: 121 * viewGiB}}
	return d
}

// statesDetail is a node in trouble: NotReady for 3 minutes, cordoned and
// deleting, no price, no NodeClaim, a taint.
func statesDetail() *cluster.NodeDetail {
	d := labDetail()
	n := &d.Node
	n.Name = "ip-192-168-3-7.ec2.internal"
	n.AutoMode, n.Capacity, n.InstanceType = false, pricing.Spot, "m5.large"
	n.Price = pricing.Price{Source: pricing.Unknown, Reason: "no spot price for m5.large in us-east-1z"}
	n.Ready, n.ReadySince = false, viewNow.Add(-3*time.Minute)
	n.Cordoned, n.Deleting = true, true
	n.NodeClaim, n.NodePool = "", ""
	d.Taints = []cluster.Taint{{Key: "node.kubernetes.io/unreachable", Effect: "NoExecute"}}
	d.Pods = d.Pods[5:]
	d.Pods[0].Terminating = true
	d.Pods[1].Phase = "Unknown"
	n.Pods = len(d.Pods)
	n.Usage = []cluster.Quantity{{Used: 200 + 200 + 25, Allocatable: 1780}}
	return d
}

// launchingDetail is a NodeClaim without a Node, created ago.
func launchingDetail(ago time.Duration) *cluster.NodeDetail {
	return &cluster.NodeDetail{Node: cluster.Node{
		Name: "general-purpose-x7k2p", Created: viewNow.Add(-ago), Launching: true,
		InstanceType: "t3a.medium", Capacity: pricing.OnDemand, AutoMode: true, Zone: "us-east-1a",
		Price:     pricing.Price{Hourly: 0.04211, Currency: "USD", Source: pricing.Live},
		NodeClaim: "general-purpose-x7k2p", NodePool: "general-purpose", MaxPods: 17,
		Usage: []cluster.Quantity{{Allocatable: 1780}},
	}}
}

func viewCommon(snap *cluster.Snapshot, colour bool, width, height int) *common {
	return &common{snap: snap, now: viewNow, styles: newStyles([3]string{}, colour), opts: Options{NoColor: !colour}, width: width, height: height}
}

// feed delivers snap to v the way the root does: stored in c, then a
// snapshotMsg.
func viewFeed(v view, c *common, snap cluster.Snapshot) view {
	c.snap = &snap
	v, _ = v.update(snapshotMsg{}, c)
	return v
}

func viewPress(v view, c *common, k tea.Key) (view, tea.Cmd) {
	return v.update(tea.KeyPressMsg(k), c)
}

var viewKeys = struct{ down, up, pgDown, home, end, esc, backspace, sort, other tea.Key }{
	down:      tea.Key{Code: tea.KeyDown},
	up:        tea.Key{Code: tea.KeyUp},
	pgDown:    tea.Key{Code: tea.KeyPgDown},
	home:      tea.Key{Code: tea.KeyHome},
	end:       tea.Key{Code: tea.KeyEnd},
	esc:       tea.Key{Code: tea.KeyEscape},
	backspace: tea.Key{Code: tea.KeyBackspace},
	sort:      tea.Key{Code: 's', Text: "s"},
	other:     tea.Key{Code: 'x', Text: "x"},
}

// viewScreen is what the root shows: the view's body in c.width x c.height
// (what the root leaves above the footer) over the help footer.
func viewScreen(v view, c *common) string {
	h := help.New()
	h.Styles = c.styles.help
	h.SetWidth(c.width)
	return v.render(c, c.width, c.height) + "\n" + h.View(v.keys())
}

// viewGolden renders the view after setup at every width, plain and in
// colour, as golden files <test>/<name>/w<width>/<plain|colour>.golden.
func viewGolden(t *testing.T, name string, setup func(c *common) view) {
	for _, width := range viewWidths {
		for _, colour := range []bool{false, true} {
			mode := "plain"
			if colour {
				mode = "colour"
			}
			t.Run(fmt.Sprintf("%s/w%d/%s", name, width, mode), func(t *testing.T) {
				c := viewCommon(nil, colour, width, viewBodyHeight)
				out := viewScreen(setup(c), c)
				checkFits(t, out, width, viewTermHeight)
				if !colour && strings.Contains(out, "\x1b") {
					t.Errorf("plain output has escape sequences")
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}

func openedNode(name string, snap cluster.Snapshot, keys ...tea.Key) func(c *common) view {
	return func(c *common) view {
		v := viewFeed(newNodeView(name), c, snap)
		for _, k := range keys {
			v, _ = viewPress(v, c, k)
		}
		return v
	}
}

func TestNodeViewGolden(t *testing.T) {
	big := detailSnapshot("ip-10-0-117-42.us-west-2.compute.internal", []string{"cpu", "memory"}, bigDetail(110))
	states := detailSnapshot("ip-192-168-3-7.ec2.internal", []string{"cpu"}, statesDetail())
	launching := detailSnapshot("general-purpose-x7k2p", []string{"cpu"}, launchingDetail(5*time.Second))
	viewGolden(t, "lab", openedNode(viewLabNode, labDetailSnap()))
	viewGolden(t, "big", openedNode(big.Query.Node, big, viewKeys.pgDown))
	viewGolden(t, "big_by_name", openedNode(big.Query.Node, big, viewKeys.sort, viewKeys.sort))
	viewGolden(t, "states", openedNode(states.Query.Node, states))
	viewGolden(t, "launching", openedNode(launching.Query.Node, launching))
	viewGolden(t, "gone", openedNode("i-0abc", detailSnapshot("i-0abc", []string{"cpu"}, nil)))
}

func TestNodeViewFitsAnySize(t *testing.T) {
	snaps := []cluster.Snapshot{
		labDetailSnap(),
		detailSnapshot("ip-10-0-117-42.us-west-2.compute.internal", []string{"cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"}, bigDetail(40)),
		detailSnapshot("ip-192-168-3-7.ec2.internal", []string{"cpu"}, statesDetail()),
		detailSnapshot("gone", nil, nil),
	}
	for _, snap := range snaps {
		for width := 1; width <= 130; width++ {
			for _, height := range []int{1, 2, 3, 5, 8, 24} {
				c := viewCommon(nil, true, width, height)
				v := viewFeed(newNodeView(snap.Query.Node), c, snap)
				v, _ = viewPress(v, c, viewKeys.end)
				out := v.render(c, width, height)
				checkFits(t, out, width, height)
			}
		}
	}
}

func TestNodeViewLab(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, labDetailSnap())
	out := v.render(c, 120, viewBodyHeight)
	for _, want := range []string{
		viewLabNode, "t3a.medium", "us-east-1a", "On-Demand/Auto", "$0.0421/hour (live)", "age 3h10m", "Ready",
		"nodepool general-purpose · nodeclaim general-purpose-abcde", "taints: none", "cpu 1425m/1780m  80% ◐ ████████░░", "pods 8/17",
		"kube-system/aws-node-7x2kq (ds)", "DaemonSet/aws-node", "ReplicaSet/" + labApp,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// By cpu request, largest first, ties by name: the DaemonSet pod last.
	lines := strings.Split(out, "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "kube-system/aws-node-7x2kq") {
		t.Errorf("last row %q, want aws-node", last)
	}
	if !strings.Contains(out, "CPU↓") {
		t.Errorf("the header does not show the sort column:\n%s", out)
	}
	km := v.keys().(NodeKeyMap)
	for name, b := range map[string]bool{"up": km.Up.Enabled(), "down": km.Down.Enabled(), "pgdown": km.PageDown.Enabled(), "end": km.End.Enabled()} {
		if b {
			t.Errorf("%s enabled on a list that fits", name)
		}
	}
	if !km.Sort.Enabled() || !km.Back.Enabled() {
		t.Errorf("sort or back disabled")
	}
}

func TestNodeViewPrices(t *testing.T) {
	for _, tc := range []struct {
		price pricing.Price
		want  string
	}{
		{pricing.Price{Hourly: 0.0421, Currency: "USD", Source: pricing.Live}, "$0.0421/hour (live)"},
		{pricing.Price{Hourly: 0.3047, Currency: "CNY", Source: pricing.Static}, "¥0.3047/hour (static)"},
		{pricing.Price{Hourly: 0.0471, Currency: "USD", Source: pricing.Estimate, Reason: "Auto Mode fee estimated at 12% of on-demand"}, "~$0.0471/hour (estimate: Auto Mode fee estimated at 12% of on-demand)"},
		{pricing.Price{Hourly: 1, Currency: "USD", Source: pricing.Override}, "$1.0000/hour (override)"},
		{pricing.Price{Source: pricing.Unknown, Reason: "reserved capacity: no published price"}, "price ? (reserved capacity: no published price)"},
	} {
		d := labDetail()
		d.Node.Price = tc.price
		c := viewCommon(nil, false, 200, viewBodyHeight)
		v := viewFeed(newNodeView(viewLabNode), c, detailSnapshot(viewLabNode, []string{"cpu"}, d))
		if out := v.render(c, 200, 20); !strings.Contains(out, tc.want) {
			t.Errorf("no %q in\n%s", tc.want, out)
		}
	}
	snap := labDetailSnap()
	snap.Cost = cluster.Cost{Disabled: true}
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, snap)
	if out := v.render(c, 200, 20); strings.Contains(out, "$") || strings.Contains(out, "/hour") {
		t.Errorf("a price with pricing disabled:\n%s", out)
	}
}

func TestNodeViewReadiness(t *testing.T) {
	for _, tc := range []struct {
		detail *cluster.NodeDetail
		want   string
	}{
		{launchingDetail(5 * time.Second), "Launching/5s"},
		{launchingDetail(20 * time.Minute), "NoNode/20m"},
		{statesDetail(), "NotReady/3m"},
		{statesDetail(), "Cordoned Deleting"},
		{labDetail(), "Ready"},
	} {
		c := viewCommon(nil, false, 200, viewBodyHeight)
		v := viewFeed(newNodeView(tc.detail.Node.Name), c, detailSnapshot(tc.detail.Node.Name, []string{"cpu"}, tc.detail))
		if out := v.render(c, 200, 20); !strings.Contains(out, tc.want) {
			t.Errorf("no %q in\n%s", tc.want, out)
		}
	}
}

func TestNodeViewSortCycles(t *testing.T) {
	c := viewCommon(nil, false, 200, viewBodyHeight)
	snap := detailSnapshot("n", []string{"cpu", "memory"}, bigDetail(12))
	v := viewFeed(newNodeView("n"), c, snap).(*nodeView)
	v.offset = 3 // a sort starts at the top
	type order struct {
		name, title string
		less        func(a, b cluster.Pod) bool
	}
	key := func(p cluster.Pod) string { return p.Namespace + "/" + p.Name }
	for _, o := range []order{
		{"cpu", "CPU↓", func(a, b cluster.Pod) bool { return a.Requests[0] > b.Requests[0] }},
		{"memory", "MEMORY↓", func(a, b cluster.Pod) bool { return a.Requests[1] > b.Requests[1] }},
		{"name", "POD↑", func(a, b cluster.Pod) bool { return key(a) < key(b) }},
		{"age", "AGE↑", func(a, b cluster.Pod) bool { return a.Created.After(b.Created) }},
		{"owner", "OWNER↑", func(a, b cluster.Pod) bool { return a.OwnerKind+a.OwnerName < b.OwnerKind+b.OwnerName }},
		{"cpu", "CPU↓", func(a, b cluster.Pod) bool { return a.Requests[0] > b.Requests[0] }},
	} {
		if got := v.keys().(NodeKeyMap).Sort.Help().Desc; got != "sort ("+o.name+")" {
			t.Errorf("sort help %q, want sort (%s)", got, o.name)
		}
		if !strings.Contains(v.render(c, 200, 23), o.title) {
			t.Errorf("%s: no %q in the header", o.name, o.title)
		}
		for i := 1; i < len(v.pods); i++ {
			a, b := v.pods[i-1], v.pods[i]
			if o.less(b, a) || (!o.less(a, b) && key(a) > key(b)) {
				t.Errorf("%s: %s before %s", o.name, key(a), key(b))
			}
		}
		next, _ := viewPress(v, c, viewKeys.sort)
		v = next.(*nodeView)
		if v.offset != 0 {
			t.Errorf("%s: offset %d after a sort", o.name, v.offset)
		}
		v.offset = 3
	}
}

func TestNodeViewScrollClamps(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	name := "ip-10-0-117-42.us-west-2.compute.internal"
	snap := detailSnapshot(name, []string{"cpu", "memory"}, bigDetail(110))
	v := viewFeed(newNodeView(name), c, snap).(*nodeView)
	rows := v.pageRows(c)
	if rows < 5 || rows >= 110 {
		t.Fatalf("%d rows on a 24-line viewScreen", rows)
	}
	km := v.keys().(NodeKeyMap)
	if km.Up.Enabled() || km.Home.Enabled() || km.PageUp.Enabled() || !km.Down.Enabled() || !km.PageDown.Enabled() {
		t.Errorf("at the top: up %v home %v pgup %v down %v pgdown %v", km.Up.Enabled(), km.Home.Enabled(), km.PageUp.Enabled(), km.Down.Enabled(), km.PageDown.Enabled())
	}
	steps := []struct {
		key  tea.Key
		want int
	}{
		{viewKeys.up, 0}, {viewKeys.down, 1}, {viewKeys.pgDown, 1 + rows}, {viewKeys.end, 110 - rows}, {viewKeys.down, 110 - rows},
		{viewKeys.pgDown, 110 - rows}, {viewKeys.home, 0}, {viewKeys.other, 0}, {viewKeys.end, 110 - rows},
	}
	for i, s := range steps {
		next, cmd := viewPress(v, c, s.key)
		v = next.(*nodeView)
		if cmd != nil {
			t.Errorf("step %d: a command", i)
		}
		if v.offset != s.want {
			t.Errorf("step %d (%s): offset %d, want %d", i, tea.KeyPressMsg(s.key), v.offset, s.want)
		}
	}
	for _, wheel := range []struct {
		button tea.MouseButton
		want   int
	}{{tea.MouseWheelUp, 110 - rows - 1}, {tea.MouseWheelDown, 110 - rows}, {tea.MouseWheelDown, 110 - rows}} {
		next, _ := v.update(tea.MouseWheelMsg{Button: wheel.button}, c)
		if v = next.(*nodeView); v.offset != wheel.want {
			t.Errorf("wheel %v: offset %d, want %d", wheel.button, v.offset, wheel.want)
		}
	}
	km = v.keys().(NodeKeyMap)
	if km.Down.Enabled() || km.End.Enabled() || !km.Up.Enabled() {
		t.Errorf("at the bottom: down %v end %v up %v", km.Down.Enabled(), km.End.Enabled(), km.Up.Enabled())
	}
	out := v.render(c, 120, viewBodyHeight)
	if !strings.Contains(out, fmt.Sprintf("%d-110 of 110 pods", 110-rows+1)) {
		t.Errorf("no position line at the bottom:\n%s", out)
	}

	// The next snapshot keeps the offset where it fits...
	v.offset = 20
	v = viewFeed(v, c, snap).(*nodeView)
	if v.offset != 20 {
		t.Errorf("offset %d after a snapshot, want 20", v.offset)
	}
	// ...and clamps it when the node has fewer pods.
	v = viewFeed(v, c, detailSnapshot(name, []string{"cpu", "memory"}, bigDetail(30))).(*nodeView)
	if want := 30 - v.pageRows(c); v.offset != want {
		t.Errorf("offset %d after the pods went, want %d", v.offset, want)
	}
	v = viewFeed(v, c, detailSnapshot(name, []string{"cpu", "memory"}, bigDetail(3))).(*nodeView)
	if v.offset != 0 {
		t.Errorf("offset %d with 3 pods", v.offset)
	}
}

func TestNodeViewSortStableAcrossSnapshots(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, labDetailSnap())
	v, _ = viewPress(v, c, viewKeys.sort) // name
	before := v.render(c, 120, viewBodyHeight)
	v = viewFeed(v, c, labDetailSnap())
	if got := v.render(c, 120, viewBodyHeight); got != before {
		t.Errorf("the same snapshot again changed the viewScreen:\n%s\nwas\n%s", got, before)
	}
	if name := v.(*nodeView).sortName(); name != "name" {
		t.Errorf("sort %q after a snapshot, want name", name)
	}
}

func TestNodeViewIgnoresOtherQueries(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	list := cluster.Snapshot{Resources: []string{"cpu"}, Nodes: []*cluster.Node{&labDetail().Node}}
	v := viewFeed(newNodeView(viewLabNode), c, list) // in flight when the view opened
	if out := v.render(c, 120, 23); !strings.Contains(out, "loading node "+viewLabNode) {
		t.Errorf("before its snapshot:\n%s", out)
	}
	if q := v.query(); q != (cluster.Query{Node: viewLabNode}) {
		t.Errorf("query %+v", q)
	}
	v = viewFeed(v, c, labDetailSnap())
	want := v.render(c, 120, 23)
	other := detailSnapshot("i-0other", []string{"cpu"}, nil)
	for _, s := range []cluster.Snapshot{list, other, {Query: cluster.Query{Pending: true}}} {
		v = viewFeed(v, c, s)
		if got := v.render(c, 120, 23); got != want {
			t.Errorf("a snapshot for %+v changed the view:\n%s", s.Query, got)
		}
	}
}

func TestNodeViewGone(t *testing.T) {
	c := viewCommon(nil, false, 80, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, labDetailSnap())
	v, _ = viewPress(v, c, viewKeys.sort)
	v = viewFeed(v, c, detailSnapshot(viewLabNode, []string{"cpu"}, nil))
	out := v.render(c, 80, 23)
	if !strings.Contains(out, "is gone (deleted or no longer matches the selector)") {
		t.Errorf("gone node:\n%s", out)
	}
	km := v.keys().(NodeKeyMap)
	if km.Down.Enabled() || km.Sort.Enabled() || !km.Back.Enabled() {
		t.Errorf("gone: down %v sort %v back %v", km.Down.Enabled(), km.Sort.Enabled(), km.Back.Enabled())
	}
	for _, k := range []tea.Key{viewKeys.down, viewKeys.end, viewKeys.sort, viewKeys.pgDown} {
		if v, _ = viewPress(v, c, k); v.render(c, 80, 23) != out {
			t.Errorf("%s changed the gone viewScreen", tea.KeyPressMsg(k))
		}
	}
	// It may come back (the same name again).
	v = viewFeed(v, c, labDetailSnap())
	if out := v.render(c, 80, 23); !strings.Contains(out, "aws-node") {
		t.Errorf("back again:\n%s", out)
	}
}

func TestNodeViewBack(t *testing.T) {
	c := viewCommon(nil, false, 80, viewBodyHeight)
	for _, snap := range []cluster.Snapshot{{}, labDetailSnap(), detailSnapshot(viewLabNode, nil, nil)} {
		requireBack(t, viewFeed(newNodeView(viewLabNode), c, snap), c)
	}
}

// requireBack fails unless esc and backspace both go back from v.
func requireBack(t *testing.T, v view, c *common) {
	t.Helper()
	for _, k := range []tea.Key{viewKeys.esc, viewKeys.backspace} {
		_, cmd := viewPress(v, c, k)
		if cmd == nil {
			t.Fatalf("%s: no command", tea.KeyPressMsg(k))
		}
		if _, ok := cmd().(backMsg); !ok {
			t.Errorf("%s: %T, want backMsg", tea.KeyPressMsg(k), cmd())
		}
	}
}

func TestNodeViewNarrowDropsColumns(t *testing.T) {
	c := viewCommon(nil, false, 60, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, labDetailSnap())
	out := v.render(c, 60, 23)
	if strings.Contains(out, "OWNER") || !strings.Contains(out, "PHASE") || !strings.Contains(out, "(ds)") {
		t.Errorf("at 60 columns the owner goes first, the DaemonSet mark stays:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "my-cool-app/") && !strings.Contains(l, "…") {
			t.Errorf("the long name is not shortened: %q", l)
		}
	}
}

func TestNodeViewSanitizes(t *testing.T) {
	d := labDetail()
	d.Node.NodePool = "evil\x1b[2Jpool"
	d.Pods[0].Name = "pod\nwith\x1b]0;title\x07newline"
	d.Pods[0].OwnerName = "own\x1b[31mer"
	d.Taints = []cluster.Taint{{Key: "k\x1b[1m", Value: "v\r", Effect: "NoSchedule"}}
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := viewFeed(newNodeView(viewLabNode), c, detailSnapshot(viewLabNode, []string{"cpu"}, d))
	if out := v.render(c, 200, 23); strings.ContainsAny(out, "\x1b\r\x07") {
		t.Errorf("control characters reach the viewScreen: %q", out)
	}
}

func TestFormatRequest(t *testing.T) {
	for _, tc := range []struct {
		res  string
		v    int64
		want string
	}{
		{"cpu", 200, "200m"}, {"cpu", 25, "25m"}, {"cpu", 9999, "9999m"}, {"cpu", 12_500, "12.5"}, {"cpu", 0, "-"},
		{"memory", 3 * viewGiB / 2, "1.5Gi"}, {"memory", 128 * viewMiB, "128Mi"}, {"memory", 512_000, "512B"},
		{"memory", 1000 * viewMiB, "1000Mi"}, {"ephemeral-storage", 10 * viewGiB, "10Gi"},
		{"pods", 3000, "3"}, {"nvidia.com/gpu", 1000, "1"}, {"example.com/foo", 1500, "1.5"},
	} {
		if got := formatRequest(tc.res, tc.v); got != tc.want {
			t.Errorf("formatRequest(%s, %d) = %q, want %q", tc.res, tc.v, got, tc.want)
		}
	}
}

func TestTableLayout(t *testing.T) {
	tb := &table{
		cols: []column{
			{title: "NAME", fit: fitMiddle, min: 12},
			{title: "N", right: true, drop: 1},
			{title: "OWNER", fit: fitMiddle, drop: 2},
			{title: "MSG", fit: fitEnd, min: 10},
		},
		rows: [][]cell{
			{plainCell("a-very-long-name-0123456789"), plainCell("12345"), plainCell("ReplicaSet/x"), plainCell("a long message here")},
			{{text: "short", width: 5, tail: " (ds)"}, plainCell("7"), plainCell("-"), plainCell("-")},
		},
	}
	lk := newLook(newStyles([3]string{}, false))
	for width := 1; width <= 80; width++ {
		lines := tb.render(nil, width, lk)
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("width %d: %q is %d wide", width, l, w)
			}
			if strings.HasSuffix(l, " ") {
				t.Errorf("width %d: trailing blanks in %q", width, l)
			}
		}
		// A number is whole or absent.
		if strings.Contains(lines[1], "1234") && !strings.Contains(lines[1], "12345") {
			t.Errorf("width %d: a cut number in %q", width, lines[1])
		}
	}
	got := strings.Join(tb.render(nil, 40, lk), "\n")
	// The owner goes, then the name and the message share the shortening.
	want := "NAME                  N  MSG\n" +
		"a-very-l…3456789  12345  a long message…\n" +
		"short (ds)            7  -"
	if got != want {
		t.Errorf("at 40:\n%s\nwant\n%s", got, want)
	}

	// An early column goes before any text is shortened.
	tb.cols[2].early = true
	got = strings.Join(tb.render(nil, 60, lk), "\n")
	want = "NAME                             N  MSG\n" +
		"a-very-long-name-0123456789  12345  a long message here\n" +
		"short (ds)                       7  -"
	if got != want {
		t.Errorf("at 60 with the owner early:\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkNodeView is one frame of a node with 110 pods (cpu and memory)
// at 200x50, in colour, after the snapshot was taken in.
func BenchmarkNodeView(b *testing.B) {
	name := "ip-10-0-117-42.us-west-2.compute.internal"
	c := viewCommon(nil, true, 200, 50)
	v := viewFeed(newNodeView(name), c, detailSnapshot(name, []string{"cpu", "memory"}, bigDetail(110)))
	b.ReportAllocs()
	for b.Loop() {
		_ = v.render(c, 200, 49)
	}
}

// BenchmarkNodeViewSnapshot is taking in a snapshot of that node (the sort).
func BenchmarkNodeViewSnapshot(b *testing.B) {
	name := "ip-10-0-117-42.us-west-2.compute.internal"
	c := viewCommon(nil, true, 200, 50)
	snap := detailSnapshot(name, []string{"cpu", "memory"}, bigDetail(110))
	v := viewFeed(newNodeView(name), c, snap)
	b.ReportAllocs()
	for b.Loop() {
		v, _ = v.update(snapshotMsg{}, c)
	}
}

// karpenterDetail is node i of karpenterNodes with the lab's pods: the
// first pod's do-not-disrupt keeps the node, the second's 30m has elapsed.
func karpenterDetail(i int) cluster.Snapshot {
	n := karpenterNodes()[i]
	d := &cluster.NodeDetail{Node: *n}
	if !n.Launching {
		lab := labDetail()
		keep := i == 0
		d.Pods = lab.Pods[:min(len(lab.Pods), max(n.Pods, 1))]
		for j := range d.Pods {
			d.Pods[j].Node = n.Name
		}
		if keep {
			d.Pods[0].DoNotDisrupt = "true"
			d.Pods[1].DoNotDisrupt = "30m"
		}
		d.Node.Pods = len(d.Pods)
	}
	if n.Disruption.Tainted {
		d.Taints = []cluster.Taint{{Key: "karpenter.sh/disrupted", Effect: "NoSchedule"}}
	}
	return detailSnapshot(n.Name, []string{"cpu"}, d)
}

func TestNodeViewKarpenterGolden(t *testing.T) {
	for i, name := range []string{"kept", "disrupting", "initializing", "registering", "failed", "pinned"} {
		snap := karpenterDetail(i)
		viewGolden(t, name, openedNode(snap.Query.Node, snap))
	}
}

func TestNodeViewExplainsKarpenter(t *testing.T) {
	for i, wants := range [][]string{
		{"nodeclaim general-purpose-abcde: launched 1.2s · registered 2.9s · initialized 4.1s",
			"⊘ do-not-disrupt: pod my-cool-app/fastapi-deployment-6b5f9d7c4-2bq5x", "consolidatable since 11:20 (40m)",
			`last: DisruptionBlocked: Pod "my-cool-app/fastapi-deployment-6b5f9d7c4-2bq5x" has "karpenter.sh/do-not-disrupt" annotation 4m ago`,
			"fastapi-deployment-6b5f9d7c4-2bq5x ⊘ do-not-disrupt", "fastapi-deployment-6b5f9d7c4-9wxkd do-not-disrupt 30m (inactive)"},
		{"disrupting: Underutilized", "do-not-disrupt: no", "taints: karpenter.sh/disrupted:NoSchedule"},
		{"Initializing/8s", "launched 1.2s · registered 2.9s · initializing 8s (StartupTaintsExist)"},
		{"Registering/5s", "nodeclaim general-purpose-x7k2p: launched 1.2s · registering 5s (NodeNotFound)", "8 pending pods wait for it"},
		{"LaunchFailed: InsufficientCapacityError", `launch failed: LaunchFailed "creating instance, insufficient capacity`,
			`warning: InsufficientCapacityError "NodeClaim general-purpose-zz9xw event: creating instance, insufficient capacity" 90s ago`},
		{"⊘ do-not-disrupt on the node", "drifted: NodePoolDrifted", "Cordoned"},
	} {
		snap := karpenterDetail(i)
		c := viewCommon(nil, false, 400, viewBodyHeight)
		v := viewFeed(newNodeView(snap.Query.Node), c, snap)
		out := v.render(c, 400, viewBodyHeight)
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("node %d: no %q in\n%s", i, want, out)
			}
		}
	}
	// A node outside Karpenter says nothing about disruption.
	c := viewCommon(nil, false, 200, viewBodyHeight)
	snap := detailSnapshot("ip-192-168-3-7.ec2.internal", []string{"cpu"}, statesDetail())
	if out := viewFeed(newNodeView(snap.Query.Node), c, snap).render(c, 200, viewBodyHeight); strings.Contains(out, "disrupt") {
		t.Errorf("a node without NodePool or NodeClaim:\n%s", out)
	}
}

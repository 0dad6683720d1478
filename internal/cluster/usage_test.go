package cluster

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

const gi = 1 << 30 * 1000 // 1 GiB in milli-units

// usageModel is a model with usage on (15 s), showing cpu, memory and pods,
// with both used labels as columns, on a clock the test moves.
func usageModel(t *testing.T, sort options.SortSpec) (*Cluster, *time.Time) {
	t.Helper()
	now := t0
	c := New(Options{
		Resources:     []string{"cpu", "memory", "pods"},
		ExtraLabels:   []string{options.LabelCPUUsed, "zone", options.LabelMemoryUsed},
		Sort:          sort,
		Pricing:       fixedPrices{},
		Now:           func() time.Time { return now },
		UsageInterval: 15 * time.Second,
	})
	return c, &now
}

// typedNode is node() with an instance type (so fixedPrices prices it)
// and 4 GiB of memory.
func typedNode(name, cpu string, lbls ...string) *corev1.Node {
	n := node(name, cpu, t0, append([]string{pricing.LabelInstanceType, "m5.large"}, lbls...)...)
	n.Status.Allocatable = rl("cpu", cpu, "memory", "4Gi", "pods", "17")
	return n
}

func memPod(ns, name, nodeName, cpu, mem string) *corev1.Pod {
	p := pod(ns, name, nodeName, cpu, corev1.PodRunning)
	p.Spec.Containers[0].Resources.Requests = rl("cpu", cpu, "memory", mem)
	return p
}

func rowOf(s Snapshot, name string) *Node {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return s.Nodes[i]
		}
	}
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestNodeUsageInTheSnapshot(t *testing.T) {
	c, now := usageModel(t, options.SortSpec{Key: "creation", Descending: true})
	c.testNode(typedNode("a", "2"))
	c.testNode(typedNode("b", "4"))
	c.testPod(memPod("web", "p1", "a", "1500m", "1Gi"), 1)
	c.testPod(memPod("web", "p2", "b", "500m", "3Gi"), 1)

	s := c.Snapshot()
	if s.Usage == nil || s.Usage.Nodes != 0 || !s.Usage.Polled.IsZero() || s.Usage.Interval != 15*time.Second {
		t.Fatalf("before any poll: %+v", s.Usage)
	}
	if n := rowOf(s, "a"); n.Used != nil || n.LabelUsage[0] != (Quantity{}) {
		t.Fatalf("a without a sample: used %v labels %v", n.Used, n.LabelUsage)
	}

	at := t0.Add(-10 * time.Second)
	*now = t0.Add(time.Second)
	c.SetNodeUsage([]NodeUsage{
		{Name: "a", At: at, Window: 15 * time.Second, CPU: 200, Memory: 2 * gi},
		{Name: "ghost", At: at, CPU: 5, Memory: 5}, // not a node of the model
	})
	select {
	case <-c.Changed():
	default:
		t.Fatal("SetNodeUsage did not notify")
	}
	s = c.Snapshot()
	a, b := rowOf(s, "a"), rowOf(s, "b")
	if !reflect.DeepEqual(a.Used, []int64{200, 2 * gi, NotMeasured}) || !a.UsedAt.Equal(at) || a.UsageStale {
		t.Fatalf("a: used %v at %v stale %v", a.Used, a.UsedAt, a.UsageStale)
	}
	if a.LabelUsage[0] != (Quantity{Used: 200, Allocatable: 2000}) || a.LabelUsage[1] != (Quantity{}) ||
		a.LabelUsage[2] != (Quantity{Used: 2 * gi, Allocatable: 4 * gi}) {
		t.Fatalf("a used labels %v", a.LabelUsage)
	}
	if b.Used != nil {
		t.Fatalf("b has no sample: %v", b.Used)
	}
	// a: requested cpu 1500/2000 = 0.75, memory 1/4; used cpu 0.1,
	// memory 0.5 -> u 0.5, h 0.75: idle 0.25, unused 0.25 of $0.0421.
	if !near(a.IdleHourly, 0.25*0.0421) || !near(a.UnusedHourly, 0.25*0.0421) {
		t.Fatalf("a idle %v unused %v", a.IdleHourly, a.UnusedHourly)
	}
	u := s.Usage
	if u.Nodes != 1 || u.Stale != 0 || !u.Polled.Equal(*now) || u.Unpriced != 0 || u.Currency != "USD" {
		t.Fatalf("usage %+v", u)
	}
	if !reflect.DeepEqual(u.Used, []int64{200, 2 * gi, NotMeasured}) ||
		!reflect.DeepEqual(u.Requested, []int64{1500, gi, 1000}) ||
		!reflect.DeepEqual(u.Allocatable, []int64{2000, 4 * gi, 17000}) {
		t.Fatalf("totals used %v requested %v allocatable %v", u.Used, u.Requested, u.Allocatable)
	}
	if !near(u.IdleHourly, a.IdleHourly) || !near(u.UnusedHourly, a.UnusedHourly) {
		t.Fatalf("cluster idle %v unused %v", u.IdleHourly, u.UnusedHourly)
	}

	// The same sample again changes nothing: no notification.
	c.SetNodeUsage([]NodeUsage{{Name: "a", At: at, Window: 15 * time.Second, CPU: 200, Memory: 2 * gi}})
	select {
	case <-c.Changed():
		t.Fatal("an unchanged sample notified")
	default:
	}

	// b's sample arrives; the two are summed.
	c.SetNodeUsage([]NodeUsage{{Name: "b", At: at, Window: 15 * time.Second, CPU: 1000, Memory: gi}})
	s = c.Snapshot()
	if u := s.Usage; u.Nodes != 2 || !reflect.DeepEqual(u.Used, []int64{1200, 3 * gi, NotMeasured}) ||
		!reflect.DeepEqual(u.Allocatable, []int64{6000, 8 * gi, 34000}) {
		t.Fatalf("two nodes: %+v", u)
	}
	// b: requested cpu 1/8, memory 3/4; used 1/4, 1/4: u 0.25, h 0.75.
	if b := rowOf(s, "b"); !near(b.IdleHourly, 0.25*0.0421) || !near(b.UnusedHourly, 0.5*0.0421) {
		t.Fatalf("b idle %v unused %v", b.IdleHourly, b.UnusedHourly)
	}
}

func TestUsageSamplesTurnStale(t *testing.T) {
	c, now := usageModel(t, options.SortSpec{Key: "creation"})
	c.testNode(typedNode("a", "2"))
	c.testNode(typedNode("b", "2"))
	c.SetNodeUsage([]NodeUsage{
		{Name: "a", At: t0, Window: 15 * time.Second, CPU: 100},
		// A one-minute resolution: stale after three minutes, not 45 s.
		{Name: "b", At: t0, Window: time.Minute, CPU: 100},
	})
	stale := func(at time.Duration) (bool, bool, int) {
		*now = t0.Add(at)
		s := c.Snapshot()
		return rowOf(s, "a").UsageStale, rowOf(s, "b").UsageStale, s.Usage.Stale
	}
	for _, tt := range []struct {
		at     time.Duration
		a, b   bool
		counts int
	}{
		{10 * time.Second, false, false, 0},
		{45 * time.Second, false, false, 0}, // exactly 3 intervals: not older
		{46 * time.Second, true, false, 1},
		{3 * time.Minute, true, false, 1},
		{3*time.Minute + time.Second, true, true, 2},
	} {
		if a, b, n := stale(tt.at); a != tt.a || b != tt.b || n != tt.counts {
			t.Errorf("at +%s: stale a=%v b=%v count %d, want %v %v %d", tt.at, a, b, n, tt.a, tt.b, tt.counts)
		}
	}
	// A newer sample is fresh again; the stale one stays summed.
	c.SetNodeUsage([]NodeUsage{{Name: "a", At: *now, Window: 15 * time.Second, CPU: 300}})
	s := c.Snapshot()
	if a := rowOf(s, "a"); a.UsageStale || a.Used[0] != 300 {
		t.Fatalf("a after a new sample: %v stale %v", a.Used, a.UsageStale)
	}
	if s.Usage.Nodes != 2 || s.Usage.Stale != 1 || s.Usage.Used[0] != 400 {
		t.Fatalf("usage %+v", s.Usage)
	}
	// Pod changes rebuild a's row: it stays fresh; b stays stale.
	c.testPod(memPod("ns", "p", "b", "100m", "1Mi"), 1)
	if s := c.Snapshot(); rowOf(s, "a").UsageStale || !rowOf(s, "b").UsageStale {
		t.Fatalf("after a pod change: %s", describe(s))
	}
}

func TestSortByUsedLabels(t *testing.T) {
	for _, tt := range []struct {
		spec options.SortSpec
		want string
	}{
		{options.SortSpec{Key: options.LabelCPUUsed, Descending: true}, "c,a,b,d"},
		{options.SortSpec{Key: options.LabelCPUUsed}, "b,a,c,d"},
		{options.SortSpec{Key: options.LabelMemoryUsed, Descending: true}, "b,c,a,d"},
	} {
		t.Run(tt.spec.String(), func(t *testing.T) {
			c, _ := usageModel(t, tt.spec)
			for _, n := range []string{"a", "b", "c", "d"} {
				c.testNode(typedNode(n, "2"))
			}
			c.SetNodeUsage([]NodeUsage{
				{Name: "a", At: t0, CPU: 1000, Memory: gi},
				{Name: "b", At: t0, CPU: 500, Memory: 3 * gi},
				{Name: "c", At: t0, CPU: 1500, Memory: 2 * gi},
				// d has no sample: last either way.
			})
			if got := names(c.Snapshot()); got != tt.want {
				t.Fatalf("order %s, want %s", got, tt.want)
			}
			// A new sample moves a row.
			c.SetNodeUsage([]NodeUsage{{Name: "a", At: t0.Add(15 * time.Second), CPU: 1900, Memory: 3900 * gi / 1000}})
			first := names(c.Snapshot())[:1]
			if tt.spec.Descending && first != "a" {
				t.Fatalf("a uses most now, order %s", names(c.Snapshot()))
			}
		})
	}
}

func TestPodUsageForTheOpenNodeOnly(t *testing.T) {
	c, _ := usageModel(t, options.SortSpec{Key: "creation"})
	c.testNode(typedNode("a", "2"))
	c.testNode(typedNode("b", "2"))
	c.testPod(memPod("web", "w1", "a", "100m", "64Mi"), 1)
	c.testPod(memPod("web", "w2", "a", "100m", "64Mi"), 1)
	c.testPod(memPod("web", "w3", "b", "100m", "64Mi"), 1)
	c.testPod(memPod("kube-system", "ds-a", "a", "10m", "16Mi"), 1)
	c.testPod(memPod("kube-system", "ds-b", "b", "10m", "16Mi"), 1)
	c.testPod(memPod("kube-system", "pending", "", "10m", "16Mi"), 1)

	if tg := c.UsageTarget(); tg.Node != "" || tg.Namespaces != nil {
		t.Fatalf("no node open: %+v", tg)
	}
	select {
	case <-c.OpenNodeChanged():
		t.Fatal("open node changed before any view asked")
	default:
	}
	samples := []PodUsage{
		{Namespace: "web", Name: "w1", At: t0, Window: 15 * time.Second, CPU: 250, Memory: 100 * gi / 1000},
		{Namespace: "web", Name: "w3", At: t0, CPU: 999}, // on b
		{Namespace: "kube-system", Name: "ds-a", At: t0, CPU: 5, Memory: 1},
	}
	c.SetPodUsage("a", samples) // a is not open: ignored
	s := c.SnapshotFor(Query{Node: "a"})
	for _, p := range s.Detail.Pods {
		if p.Used != nil {
			t.Fatalf("pod usage before a was open: %+v", p)
		}
	}
	select {
	case <-c.OpenNodeChanged():
	default:
		t.Fatal("opening a did not signal")
	}
	want := UsageTarget{Node: "a", Namespaces: []NamespacePods{
		{Namespace: "kube-system", Pods: []string{"ds-a"}, Total: 3},
		{Namespace: "web", Pods: []string{"w1", "w2"}, Total: 3},
	}}
	if tg := c.UsageTarget(); !reflect.DeepEqual(tg, want) {
		t.Fatalf("target %+v\nwant %+v", tg, want)
	}

	c.SetPodUsage("a", samples)
	s = c.SnapshotFor(Query{Node: "a"})
	got := map[string]Pod{}
	for _, p := range s.Detail.Pods {
		got[p.Namespace+"/"+p.Name] = p
	}
	if p := got["web/w1"]; !reflect.DeepEqual(p.Used, []int64{250, 100 * gi / 1000, NotMeasured}) || !p.UsedAt.Equal(t0) || p.UsageStale {
		t.Fatalf("w1 %+v", p)
	}
	if p := got["web/w2"]; p.Used != nil {
		t.Fatalf("w2 has no sample: %+v", p)
	}
	if p := got["kube-system/ds-a"]; p.Used[0] != 5 {
		t.Fatalf("ds-a %+v", p)
	}
	// The list view: the node closes, its pods' samples go.
	c.Snapshot()
	if tg := c.UsageTarget(); tg.Node != "" {
		t.Fatalf("closed: %+v", tg)
	}
	s = c.SnapshotFor(Query{Node: "a"})
	if p := s.Detail.Pods[0]; p.Used != nil {
		t.Fatalf("samples kept after the node closed: %+v", p)
	}
	// Pods of b, polled for a, never show.
	c.SetPodUsage("a", samples)
	s = c.SnapshotFor(Query{Node: "b"})
	for _, p := range s.Detail.Pods {
		if p.Used != nil {
			t.Fatalf("b's pod with a's poll: %+v", p)
		}
	}
	// The namespace counts follow deletions.
	c.testPod(memPod("kube-system", "pending", "", "10m", "16Mi"), -1)
	if tg := c.UsageTarget(); !reflect.DeepEqual(tg.Namespaces[0], NamespacePods{Namespace: "kube-system", Pods: []string{"ds-b"}, Total: 2}) {
		t.Fatalf("target %+v", tg)
	}
}

func TestUsageOff(t *testing.T) {
	c := New(Options{Resources: []string{"cpu"}, ExtraLabels: []string{options.LabelCPUUsed}, Sort: options.SortSpec{Key: options.LabelCPUUsed}, Pricing: fixedPrices{}})
	c.testNode(typedNode("a", "2"))
	c.testPod(memPod("ns", "p", "a", "100m", "1Mi"), 1)
	c.SetNodeUsage([]NodeUsage{{Name: "a", At: t0, CPU: 100}})
	c.SetPodUsage("a", []PodUsage{{Namespace: "ns", Name: "p", At: t0, CPU: 100}})
	s := c.SnapshotFor(Query{Node: "a"})
	if s.Usage != nil || s.Nodes[0].Used != nil || s.Nodes[0].LabelUsage[0] != (Quantity{}) || s.Detail.Pods[0].Used != nil {
		t.Fatalf("usage off: %+v %s", s.Usage, describe(s))
	}
	if c.UsageTarget().Node != "" || c.UsageInterval() != 0 {
		t.Fatal("usage off has a target")
	}
	// Memory is not tracked for usage when usage is off.
	if _, ok := c.res.index["memory"]; ok {
		t.Fatal("memory tracked with usage off")
	}
}

func TestUsageCostsAndNodePoolTotals(t *testing.T) {
	c, _ := usageModel(t, options.SortSpec{Key: "creation"})
	c.testNode(typedNode("a", "2", "karpenter.sh/nodepool", "x"))
	c.testNode(typedNode("b", "2", "karpenter.sh/nodepool", "x"))
	c.testNode(node("untyped", "2", t0)) // no price
	c.SetNodeUsage([]NodeUsage{
		{Name: "a", At: t0, CPU: 1000},
		{Name: "b", At: t0, CPU: 500, Memory: 2 * gi},
		{Name: "untyped", At: t0, CPU: 2000},
	})
	s := c.Snapshot()
	if u := s.Usage; u.Nodes != 3 || u.Unpriced != 1 {
		t.Fatalf("usage %+v", u)
	}
	// a: nothing requested, used cpu 0.5: unused 0, idle 0.5.
	// b: used memory 0.5: idle 0.5. untyped: no price.
	if !near(s.Usage.IdleHourly, 2*0.5*0.0421) || s.Usage.UnusedHourly != 0 {
		t.Fatalf("idle %v unused %v", s.Usage.IdleHourly, s.Usage.UnusedHourly)
	}
	if n := rowOf(s, "untyped"); n.IdleHourly != 0 || n.Used == nil {
		t.Fatalf("untyped %+v", n)
	}
	var pool NodePool
	for i := range s.Nodes {
		if s.Nodes[i].NodePool == "x" {
			pool.Measured.Add(s.Nodes[i])
		}
	}
	if m := pool.Measured; m.Nodes != 2 || !near(m.IdleHourly, 0.0421) || m.Used[0] != 1500 || m.Allocatable[0] != 4000 {
		t.Fatalf("pool %+v", m)
	}
}

// TestIncrementalUsageMatchesAFullRebuild: with samples arriving between
// node and pod changes and the clock moving (stale marks), the cached rows
// equal rows built afresh.
func TestIncrementalUsageMatchesAFullRebuild(t *testing.T) {
	for _, spec := range []options.SortSpec{
		{Key: options.LabelCPUUsed, Descending: true},
		{Key: options.LabelMemoryUsed},
		{Key: "creation", Descending: true},
	} {
		t.Run(spec.String(), func(t *testing.T) {
			c, now := usageModel(t, spec)
			rng := rand.New(rand.NewSource(2))
			pods := map[int]*corev1.Pod{}
			for step := range 600 {
				*now = now.Add(time.Duration(rng.Intn(20)) * time.Second)
				switch op := rng.Intn(10); {
				case op < 2:
					c.testNode(typedNode(fmt.Sprintf("node-%d", rng.Intn(20)), fmt.Sprint(1+rng.Intn(4))))
				case op < 3:
					c.testDeleteNode(fmt.Sprintf("node-%d", rng.Intn(20)))
				case op < 6:
					var poll []NodeUsage
					for i := range 20 {
						if rng.Intn(3) > 0 {
							poll = append(poll, NodeUsage{Name: fmt.Sprintf("node-%d", i), At: now.Add(-time.Duration(rng.Intn(60)) * time.Second),
								Window: 15 * time.Second, CPU: int64(rng.Intn(4000)), Memory: int64(rng.Intn(4)) * gi})
						}
					}
					c.SetNodeUsage(poll)
				default:
					k := rng.Intn(100)
					if pods[k] == nil {
						pods[k] = memPod("ns", fmt.Sprintf("p%d", k), fmt.Sprintf("node-%d", rng.Intn(20)), fmt.Sprintf("%dm", 100*(1+rng.Intn(10))), "256Mi")
						c.testPod(pods[k], 1)
					} else {
						c.testPod(pods[k], -1)
						delete(pods, k)
					}
				}
				if step%5 != 0 {
					continue
				}
				got := c.Snapshot().Nodes
				want := fullRows(c)
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: incremental rows differ from a full rebuild:\n got %s\nwant %s\n%s",
						step, names(Snapshot{Nodes: got}), names(Snapshot{Nodes: want}), rowDiff(got, want))
				}
			}
		})
	}
}

func TestNodeShares(t *testing.T) {
	tests := []struct {
		name                 string
		req, used, alloc     []int64
		want                 Shares
		ok                   bool
		idleCost, unusedCost float64
		hourly               float64
	}{
		{"the example: cpu requested, memory used", []int64{900, 300}, []int64{80, 200}, []int64{1000, 1000},
			Shares{Used: 0.2, Unused: 0.7, Idle: 0.1}, true, 0.1, 0.7, 1},
		{"empty node", []int64{0, 0}, []int64{0, 0}, []int64{4000, 8000}, Shares{Idle: 1}, true, 0.5, 0, 0.5},
		{"all used, nothing requested", []int64{0, 0}, []int64{4000, 100}, []int64{4000, 8000}, Shares{Used: 1}, true, 0, 0, 2},
		{"use beyond requests", []int64{1000, 0}, []int64{3000, 0}, []int64{4000, 8000}, Shares{Used: 0.75, Idle: 0.25}, true, 0.25, 0, 1},
		{"over-committed is full", []int64{5000, 0}, []int64{6000, 0}, []int64{4000, 8000}, Shares{Used: 1}, true, 0, 0, 1},
		{"requested, nothing used", []int64{2000, 2000}, []int64{0, 0}, []int64{4000, 8000}, Shares{Unused: 0.5, Idle: 0.5}, true, 0.05, 0.05, 0.1},
		{"memory dominates", []int64{1000, 6000}, []int64{500, 2000}, []int64{4000, 8000}, Shares{Used: 0.25, Unused: 0.5, Idle: 0.25}, true, 0.25, 0.5, 1},
		{"no memory allocatable: cpu alone", []int64{1000, 5}, []int64{2000, 5}, []int64{4000, 0}, Shares{Used: 0.5, Idle: 0.5}, true, 0.5, 0, 1},
		{"nothing allocatable", []int64{1, 1}, []int64{1, 1}, []int64{0, 0}, Shares{}, false, 0, 0, 1},
		{"negative values count as 0", []int64{-5, 0}, []int64{-5, 0}, []int64{4000, 8000}, Shares{Idle: 1}, true, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := NodeShares(tt.req, tt.used, tt.alloc)
			if ok != tt.ok || !near(s.Used, tt.want.Used) || !near(s.Unused, tt.want.Unused) || !near(s.Idle, tt.want.Idle) {
				t.Fatalf("shares %+v %v, want %+v %v", s, ok, tt.want, tt.ok)
			}
			if ok && !near(s.Used+s.Unused+s.Idle, 1) {
				t.Fatalf("shares do not add up to 1: %+v", s)
			}
			idle, unused := s.Cost(tt.hourly)
			if !near(idle, tt.idleCost) || !near(unused, tt.unusedCost) {
				t.Fatalf("cost of $%v: idle %v unused %v, want %v %v", tt.hourly, idle, unused, tt.idleCost, tt.unusedCost)
			}
		})
	}
}

// rowDiff names the fields that differ between rows of the same names.
func rowDiff(got, want []*Node) string {
	var out []string
	for i := range min(len(got), len(want)) {
		g, w := reflect.ValueOf(*got[i]), reflect.ValueOf(*want[i])
		for f := range g.NumField() {
			if gs, ws := fmt.Sprintf("%+v", g.Field(f)), fmt.Sprintf("%+v", w.Field(f)); gs != ws {
				out = append(out, fmt.Sprintf("%s.%s: got %s, want %s", got[i].Name, g.Type().Field(f).Name, gs, ws))
			}
		}
	}
	return strings.Join(out, "\n")
}

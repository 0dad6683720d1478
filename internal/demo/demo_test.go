package demo

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

func TestEmbeddedScriptIsTheTestdataOne(t *testing.T) {
	want, err := os.ReadFile("../../testdata/demo/lab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, LabScript) {
		t.Fatal("internal/demo/lab.yaml differs from testdata/demo/lab.yaml: run go generate ./internal/demo")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ script, want string }{
		{"loop: [{wait: 1s}]", "step 1: want exactly one of add, update, patch, delete"},
		{"loop: [{add: {kind: Secret}}]", `step 1: unknown kind "Secret"`},
		{"loop: [{wait: soon, delete: {kind: Pod, name: x}}]", "time: invalid duration"},
		{"setup: [{say: hi}]", "no loop steps"},
		{"loop: [{delete: {kind: Pod, name: x}, bogus: 1}]", `unknown field "bogus"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.script))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.script, err, tt.want)
		}
	}
}

// TestLabReplaysThroughTheModel plays the embedded lab fast through real
// informers and the model, and watches for the lab's screens.
func TestLabReplaysThroughTheModel(t *testing.T) {
	script, err := Parse(LabScript)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var said []string
	saidc := make(chan string, 16)
	d := New(script, 20, func(s string) { saidc <- s })
	m := cluster.New(cluster.Options{
		Selector: labels.SelectorFromSet(labels.Set{"workload-type": "developers-workshop"}),
		Pricing:  Prices(),
	})
	m.Start(ctx, d.Kube, d.Dynamic)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()

	waitFor := func(what string, cond func(cluster.Snapshot) bool) cluster.Snapshot {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			if s := m.SnapshotFor(cluster.Query{Pending: true, NodePools: true, Activity: true}); s.Synced && cond(s) {
				return s
			}
			select {
			case err := <-errc:
				t.Fatalf("demo stopped: %v", err)
			case s := <-saidc:
				said = append(said, s)
			case <-deadline:
				s := m.SnapshotFor(cluster.Query{Activity: true})
				t.Fatalf("timed out waiting for %s; savings %+v, activity:\n%+v", what, s.Savings, s.Activity)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}

	s := waitFor("the first screen", func(s cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	if s.Pods.Elsewhere != 3 || s.Nodes[0].Name != "i-0123456789abcdef0" || s.Nodes[0].InstanceType != "t3a.medium" || !s.Nodes[0].AutoMode {
		t.Errorf("first screen: %+v", s)
	}
	if p := s.Nodes[0].Price; p.Hourly != 0.0376+0.00451 || p.Source != pricing.Live {
		t.Errorf("lab price %+v, want the live $0.0376 + $0.00451", p)
	}
	pool := func(s cluster.Snapshot, name string) *cluster.NodePool {
		for i := range s.NodePools {
			if s.NodePools[i].Name == name {
				return &s.NodePools[i]
			}
		}
		return nil
	}
	pending := func(s cluster.Snapshot, name string) *cluster.Pod {
		for i := range s.Pending {
			if s.Pending[i].Name == name {
				return &s.Pending[i]
			}
		}
		return nil
	}
	line := func(s cluster.Snapshot, kind cluster.ActivityKind) *cluster.Activity {
		for i := len(s.Activity) - 1; i >= 0; i-- {
			if s.Activity[i].Kind == kind {
				return &s.Activity[i]
			}
		}
		return nil
	}
	second := func(s cluster.Snapshot) *cluster.Node {
		for i := range s.Nodes {
			if s.Nodes[i].Name != "i-0123456789abcdef0" {
				return s.Nodes[i]
			}
		}
		return nil
	}
	if np := pool(s, "general-purpose"); np == nil || !np.Known || fmt.Sprint(np.Limits) != "[{cpu 6000 4000}]" || np.ConsolidationPolicy != "WhenEmptyOrUnderutilized" {
		t.Errorf("the lab's NodePool: %+v", np)
	}
	waitFor("a launching NodeClaim with the pending pod nominated to it", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && second(s).Launching && second(s).Nominated == 1 && second(s).Lifecycle != nil
	})
	waitFor("the NodeClaim launched, not yet registered", func(s cluster.Snapshot) bool {
		n := second(s)
		return len(s.Nodes) == 2 && n.Launching && n.Lifecycle.Steps[0].Status == "True" && n.Lifecycle.Steps[1].Status == "Unknown"
	})
	s = waitFor("the lab's two-node screen", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && !second(s).Launching && s.Pods.Running == 9
	})
	if s.Totals[0] != (cluster.Quantity{Used: 1800, Allocatable: 3560}) || s.Nodes[0].Pods+s.Nodes[1].Pods != 9 || second(s).Pods != 1 {
		t.Errorf("two-node screen: totals %+v, pods %d+%d", s.Totals, s.Nodes[0].Pods, s.Nodes[1].Pods)
	}
	s = waitFor("the NodeClaim Ready, told in the activity", func(s cluster.Snapshot) bool { return line(s, cluster.ActReady) != nil })
	if l, launch := line(s, cluster.ActReady), line(s, cluster.ActLaunch); len(l.Steps) != 4 || l.Node != "i-0123456789abcdef2" ||
		launch == nil || launch.Pods != 1 || launch.InstanceType != "t3a.medium" || launch.Object != "nodeclaim/general-purpose-x7k2p" {
		t.Errorf("activity: ready %+v, launch %+v", l, launch)
	}
	s = waitFor("the report waiting for the NodePool's limit", func(s cluster.Snapshot) bool {
		p := pending(s, "report-7f9c4")
		return p != nil && p.Waiting.Karpenter != "" && p.Waiting.Scheduler != ""
	})
	if w := pending(s, "report-7f9c4").Waiting; w.Karpenter != `NodePool "general-purpose" limits exhausted` || w.Scheduler != "Insufficient cpu, node affinity" {
		t.Errorf("the report waits: %+v", w)
	}
	if np := pool(s, "general-purpose"); np == nil || fmt.Sprint(np.Limits) != "[{cpu 6000 6000}]" || np.Nodes != 2 {
		t.Errorf("the NodePool at its limit: %+v", np)
	}
	s = waitFor("the empty node deleting", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && second(s).Deleting && second(s).Cordoned && second(s).Disruption.Reason != ""
	})
	if d := second(s).Disruption; d.Reason != "Empty" || !d.Tainted || d.Consolidatable.IsZero() {
		t.Errorf("the empty node: %+v", d)
	}
	lab := 0.0376 + 0.00451
	s = waitFor("back to one node", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 1 && s.Pods.Total == 1 && len(s.Savings.Entries) > 0
	})
	// (The test reads more slowly than the demo plays: by now it may have
	// looped; each pass adds two entries.)
	sv := s.Savings
	if last := sv.Entries[len(sv.Entries)-1]; last.Reason != "Empty" || last.Price != lab || last.Replacement != 0 ||
		math.Abs(sv.Hourly-lab*float64(len(sv.Entries))) > 1e-9 || sv.Currency != "USD" || sv.SoFar < 0 {
		t.Errorf("the ledger after the empty node: %+v", sv)
	}
	if l := line(s, cluster.ActRemoved); l == nil || l.Reason != "Empty" || l.Saving == nil || l.Price.Hourly != lab {
		t.Errorf("removed line %+v", l)
	}
	waitFor("section 4: two nodes", func(s cluster.Snapshot) bool { return len(s.Nodes) == 2 && s.Pods.Running == 9 })
	s = waitFor("the underutilised node kept by a do-not-disrupt pod", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && second(s).Disruption.Blocked != nil && second(s).Disruption.Protected()
	})
	if d := second(s).Disruption; fmt.Sprint(d.BlockingPods) != "[my-cool-app/fastapi-deployment-6b5f9d7c4-p9]" ||
		d.Blocked.Message != `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=my-cool-app/fastapi-deployment-6b5f9d7c4-p9)` || d.Reason != "" {
		t.Errorf("kept: %+v", d)
	}
	s = waitFor("consolidated to one node with 8 pods", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 1 && s.Nodes[0].Pods == 8 && s.Pods.Total == 8
	})
	if s.Totals[0].Used != 1600 {
		t.Errorf("after consolidation: %+v", s.Totals)
	}
	if sv := s.Savings; len(sv.Entries) < 2 || sv.Entries[len(sv.Entries)-1].Reason != "Underutilized" ||
		sv.Entries[len(sv.Entries)-1].Node != "i-0123456789abcdef3" || math.Abs(sv.Hourly-lab*float64(len(sv.Entries))) > 1e-9 {
		t.Errorf("the ledger after consolidation: %+v", sv)
	}
	waitFor("the loop's start again", func(s cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	if len(said) == 0 || !strings.Contains(said[0], "--replicas 9") {
		t.Errorf("narration: %q", said)
	}
}

// "$now" takes an offset; "$time:NAME" is the time NAME was first written in
// the pass, so a later step can write an earlier step's time again.
func TestTimeSubstitutions(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	marks := map[string]string{}
	sub := substituter{i: 3, now: at, marks: marks}
	for in, want := range map[string]string{
		"$now":                   "2026-11-01T12:00:00Z",
		"$now-2h13m":             "2026-11-01T09:47:00Z",
		"$now+1.5s":              "2026-11-01T12:00:01Z",
		"x-$now":                 "x-2026-11-01T12:00:00Z",
		"$now-soon":              "2026-11-01T12:00:00Z-soon",
		"$now-5x":                "$now-5x", // not a duration: left as written
		"p$i.$time:launched-p$i": "p3.2026-11-01T12:00:00Z",
		"$time:":                 "$time:",
	} {
		if got := sub.str(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	later := substituter{i: 3, now: at.Add(time.Minute), marks: marks}
	if got := later.str("$time:launched-p3 $time:ready"); got != "2026-11-01T12:00:00Z 2026-11-01T12:01:00Z" {
		t.Errorf("a later step: %q", got)
	}
}

// TestLabUsage plays the lab with its usage sampled into the model through
// the poller's setters: each node uses what its running pods' kwok
// annotations say, the open node's pods get their samples (the first
// replica above its 200m request), and samples keep coming.
func TestLabUsage(t *testing.T) {
	script, err := Parse(LabScript)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := New(script, 20, nil)
	m := cluster.New(cluster.Options{
		Selector:      labels.SelectorFromSet(labels.Set{"workload-type": "developers-workshop"}),
		Resources:     []string{"cpu", "memory"},
		Pricing:       Prices(),
		UsageInterval: 15 * time.Second,
	})
	if err := d.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	m.Start(ctx, d.Kube, d.Dynamic)
	<-m.Synced()
	errc := make(chan error, 2)
	go func() { errc <- d.Run(ctx) }()
	go func() { errc <- d.RunUsage(ctx, m, 15*time.Second) }()
	const lab = "i-0123456789abcdef0"
	const first = "fastapi-deployment-6b5f9d7c4-p1"
	waitFor := func(what string, q cluster.Query, cond func(cluster.Snapshot) bool) cluster.Snapshot {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			if s := m.SnapshotFor(q); cond(s) {
				return s
			}
			select {
			case err := <-errc:
				t.Fatalf("demo stopped: %v", err)
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	// The first screen: the lab node runs the first replica alone, 260m and
	// 180Mi by its annotations.
	s := waitFor("the first sample", cluster.Query{}, func(s cluster.Snapshot) bool {
		return s.Usage != nil && s.Usage.Nodes == 1 && len(s.Nodes) == 1 && s.Nodes[0].Pods == 1
	})
	n := s.Nodes[0]
	if n.Name != lab || n.Used[0] != 260 || n.Used[1] != 180<<20*1000 || n.UsedAt.IsZero() || n.UsageStale {
		t.Errorf("the lab node's sample: used %v at %v (stale %v)", n.Used, n.UsedAt, n.UsageStale)
	}
	if n.Used[0] <= n.Usage[0].Used {
		t.Errorf("the lone replica should use more than it requests: %dm of %dm", n.Used[0], n.Usage[0].Used)
	}
	if p := s.Nodes[0].Price; s.Cost.Hourly != p.Hourly || s.Usage.Currency != "USD" || s.Usage.IdleHourly <= 0 {
		t.Errorf("prices with usage: cost %v, usage %+v", s.Cost, s.Usage.UsageTotals)
	}
	// Opened, the node's pods get theirs: the first replica above its
	// request.
	s = waitFor("the open node's pod samples", cluster.Query{Node: lab}, func(s cluster.Snapshot) bool {
		return s.Detail != nil && len(s.Detail.Pods) > 0 && s.Detail.Pods[0].Used != nil
	})
	for _, p := range s.Detail.Pods {
		if p.Name == first && (p.Used[0] != 260 || p.Requests[0] != 200) {
			t.Errorf("the first replica: uses %v, requests %v", p.Used, p.Requests)
		}
	}
	// Scaled to 9: the lab node's eight pods, 260m + 7 x 35m.
	s = waitFor("eight pods measured", cluster.Query{}, func(s cluster.Snapshot) bool {
		for _, n := range s.Nodes {
			if n.Name == lab && n.Pods == 8 && n.Used != nil && n.Used[0] == 260+7*35 {
				return true
			}
		}
		return false
	})
	at := s.Nodes[0].UsedAt
	waitFor("a later sample", cluster.Query{}, func(s cluster.Snapshot) bool {
		return len(s.Nodes) > 0 && s.Nodes[0].UsedAt.After(at)
	})
}

func TestRunUsageNeedsAnInterval(t *testing.T) {
	script, err := Parse(LabScript)
	if err != nil {
		t.Fatal(err)
	}
	m := cluster.New(cluster.Options{UsageInterval: 15 * time.Second})
	if err := New(script, 1, nil).RunUsage(context.Background(), m, 0); err == nil {
		t.Error("an interval of 0 should be an error")
	}
}

// Each running container uses its pod's annotations, kwok's defaults (1m,
// 1Mi) without them or for one that is not a quantity; pods not running or
// without a node use nothing; a node uses what its pods do, an empty one 0.
func TestDemoPodUsage(t *testing.T) {
	script, err := Parse([]byte(`
setup:
  - add: {apiVersion: v1, kind: Node, metadata: {name: n1}}
  - add: {apiVersion: v1, kind: Node, metadata: {name: n2}}
  - add: {apiVersion: v1, kind: Pod, metadata: {name: two, namespace: a, annotations: {kwok.x-k8s.io/usage-cpu: 40m, kwok.x-k8s.io/usage-memory: 10Mi}},
      spec: {nodeName: n1, containers: [{name: x}, {name: "y"}]}, status: {phase: Running}}
  - add: {apiVersion: v1, kind: Pod, metadata: {name: bad, namespace: a, annotations: {kwok.x-k8s.io/usage-cpu: lots}},
      spec: {nodeName: n1, containers: [{name: x}]}, status: {phase: Running}}
  - add: {apiVersion: v1, kind: Pod, metadata: {name: waiting, namespace: a, annotations: {kwok.x-k8s.io/usage-cpu: "1"}},
      spec: {nodeName: n1, containers: [{name: x}]}, status: {phase: Pending}}
  - add: {apiVersion: v1, kind: Pod, metadata: {name: unbound, namespace: a}, spec: {containers: [{name: x}]}, status: {phase: Running}}
loop:
  - say: done
`))
	if err != nil {
		t.Fatal(err)
	}
	d := New(script, 1, nil)
	if err := d.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	pods, err := d.podUsage(at, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, p := range pods {
		if p.node != "n1" || p.At != at || p.Window != 15*time.Second {
			t.Errorf("%s: node %q at %v window %v", p.Name, p.node, p.At, p.Window)
		}
		got[p.Name] = [2]int64{p.CPU, p.Memory}
	}
	const mi = 1 << 20 * 1000
	want := map[string][2]int64{"two": {80, 20 * mi}, "bad": {1, 1 * mi}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pod samples %v, want %v", got, want)
	}
	nodes, err := d.nodeNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodeUsage(nodes, pods, at, 15*time.Second) {
		w := map[string][2]int64{"n1": {81, 21 * mi}, "n2": {0, 0}}[n.Name]
		if n.CPU != w[0] || n.Memory != w[1] || n.At != at {
			t.Errorf("%s: %dm %d at %v, want %v", n.Name, n.CPU, n.Memory, n.At, w)
		}
	}
}

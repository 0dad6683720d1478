package cluster

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clienttesting "k8s.io/client-go/testing"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// clock is a settable clock the informers' goroutines may read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// startKarpenter starts the model on a clock at t0+1h (the viewer's start).
func startKarpenter(t *testing.T, opts Options, objs []runtime.Object, dyn ...runtime.Object) (*env, *clock) {
	t.Helper()
	clk := &clock{now: t0.Add(time.Hour)}
	opts.Now = clk.Now
	return start(t, opts, objs, dyn...), clk
}

// waitQ polls snapshots for q until cond holds.
func (e *env) waitQ(q Query, what string, cond func(Snapshot) bool) Snapshot {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var s Snapshot
	for time.Now().Before(deadline) {
		if s = e.c.SnapshotFor(q); cond(s) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("timed out waiting for %s; last snapshot:\n%s\nactivity:\n%s", what, describe(s), activityText(s.Activity))
	return s
}

func activityText(lines []Activity) string {
	var b strings.Builder
	for _, a := range lines {
		fmt.Fprintf(&b, "  %s %s %s node=%s pool=%s type=%s pods=%d reason=%q msg=%q steps=%v x%d\n",
			a.Time.Format("15:04:05"), a.Kind, a.Object, a.Node, a.NodePool, a.InstanceType, a.Pods, a.Reason, a.Message, a.Steps, a.Count)
	}
	return b.String()
}

func findLine(lines []Activity, kind ActivityKind, object string) *Activity {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].Kind == kind && (object == "" || lines[i].Object == object) {
			return &lines[i]
		}
	}
	return nil
}

func countLines(lines []Activity, kind ActivityKind) int {
	n := 0
	for _, a := range lines {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

// about names the object of an event.
type about struct{ kind, ns, name string }

func on(kind, ns, name string) about { return about{kind, ns, name} }

// kevent is an event about an object, said by source (Karpenter unless told).
func kevent(name, reason string, o about, msg string, at time.Time, source ...string) *corev1.Event {
	kind, ns, object := o.kind, o.ns, o.name
	src := "karpenter"
	if len(source) > 0 {
		src = source[0]
	}
	evNS := ns
	if evNS == "" {
		evNS = "default"
	}
	typ := "Normal"
	if strings.HasPrefix(reason, "Failed") || strings.HasSuffix(reason, "Error") || reason == "NoCompatibleInstanceTypes" {
		typ = "Warning"
	}
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: evNS, Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: ns, Name: object},
		Reason:         reason, Message: msg, Type: typ,
		Source:         corev1.EventSource{Component: src},
		FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at), Count: 1,
	}
}

// cond is a NodeClaim or NodePool status condition.
func cond(typ, status, reason string, at time.Time) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "lastTransitionTime": at.UTC().Format(time.RFC3339)}
}

// withConditions sets a NodeClaim's conditions.
func withConditions(u *unstructured.Unstructured, conds ...map[string]any) *unstructured.Unstructured {
	list := make([]any, len(conds))
	for i, c := range conds {
		list[i] = c
	}
	_ = unstructured.SetNestedSlice(u.Object, list, "status", "conditions")
	return u
}

var labNodeLabels = map[string]string{
	"node.kubernetes.io/instance-type": "t3a.medium", "karpenter.sh/capacity-type": "on-demand",
	"topology.kubernetes.io/zone": "us-east-1a", "karpenter.sh/nodepool": "default",
}

func (e *env) createEvent(ev *corev1.Event) {
	e.t.Helper()
	if _, err := e.kube.CoreV1().Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) updateClaim(u *unstructured.Unstructured) {
	e.t.Helper()
	if _, err := e.dyn.Resource(NodeClaimResource).Update(ctx, u, metav1.UpdateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

// TestLaunchLifecycleNominationsAndActivity follows a NodeClaim Karpenter
// launches for two pending pods, step by step, through real informers.
func TestLaunchLifecycleNominationsAndActivity(t *testing.T) {
	e, clk := startKarpenter(t, Options{}, []runtime.Object{
		node("i-old", "2", t0, "karpenter.sh/nodepool", "default"),
		pod("app", "p1", "", "200m", corev1.PodPending),
		pod("app", "p2", "", "200m", corev1.PodPending),
		pod("app", "p3", "", "200m", corev1.PodPending),
	})
	now := clk.Now()
	created := now.Add(time.Second)
	claim := nodeClaim("default-2z8fk", "", "", created, map[string]string{"karpenter.sh/nodepool": "default"})
	if _, err := e.dyn.Resource(NodeClaimResource).Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for i, p := range []string{"p1", "p2"} {
		e.createEvent(kevent(fmt.Sprintf("nom-%d", i), "Nominated", on("Pod", "app", p), "Pod should schedule on: nodeclaim/default-2z8fk", created.Add(time.Second)))
	}
	s := e.waitQ(Query{Pending: true}, "two pods nominated", func(s Snapshot) bool {
		n := e.node("default-2z8fk")(s)
		return n != nil && n.Nominated == 2
	})
	row := e.node("default-2z8fk")(s)
	if !row.Launching || row.Lifecycle == nil || len(row.Lifecycle.Steps) != 4 || row.Lifecycle.Steps[0].Type != "Launched" || row.Lifecycle.Steps[0].Status != "" {
		t.Fatalf("launching row: %+v lifecycle %+v", row, row.Lifecycle)
	}
	for _, p := range s.Pending {
		want := map[string]string{"p1": "nodeclaim/default-2z8fk", "p2": "nodeclaim/default-2z8fk", "p3": ""}[p.Name]
		if p.Waiting.Nominated != want || p.Waiting.Karpenter != "" {
			t.Errorf("%s waiting %+v", p.Name, p.Waiting)
		}
	}
	launch := findLine(s.Activity, ActLaunch, "nodeclaim/default-2z8fk")
	if launch == nil || launch.Pods != 2 || launch.NodePool != "default" || !launch.Time.Equal(created) {
		t.Fatalf("launch line: %s", activityText(s.Activity))
	}

	// Launched: the type is known; then registered with a node name.
	claim = nodeClaim("default-2z8fk", "", "aws:///us-east-1a/i-new", created, labNodeLabels)
	withConditions(claim, cond("Launched", "True", "Launched", created.Add(time.Second)),
		cond("Registered", "Unknown", "NodeNotFound", created), cond("Ready", "Unknown", "ReconcilingDependents", created))
	e.updateClaim(claim)
	s = e.waitQ(Query{}, "launched", func(s Snapshot) bool {
		l := findLine(s.Activity, ActLaunch, "nodeclaim/default-2z8fk")
		return l != nil && l.InstanceType == "t3a.medium"
	})
	launch = findLine(s.Activity, ActLaunch, "nodeclaim/default-2z8fk")
	if launch.Zone != "us-east-1a" || launch.Price.Hourly != 0.0421 || launch.Pods != 2 {
		t.Errorf("launch line completed: %+v", launch)
	}
	row = e.node("default-2z8fk")(s)
	if row.Lifecycle.Steps[0].Status != "True" || row.Lifecycle.Failed != nil || row.Lifecycle.Steps[1].Reason != "NodeNotFound" {
		t.Errorf("lifecycle after launch: %+v", row.Lifecycle)
	}

	// The node joins, the pods bind: nominations of bound pods no longer count.
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("i-new", "1930m", created.Add(2*time.Second), "karpenter.sh/nodepool", "default"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	claim = nodeClaim("default-2z8fk", "i-new", "aws:///us-east-1a/i-new", created, labNodeLabels)
	// (The API stamps conditions to the second.)
	withConditions(claim, cond("Launched", "True", "Launched", created.Add(time.Second)),
		cond("Registered", "True", "Registered", created.Add(3*time.Second)),
		cond("Initialized", "True", "Initialized", created.Add(4*time.Second)),
		cond("Ready", "True", "Ready", created.Add(5*time.Second)))
	e.updateClaim(claim)
	if _, err := e.kube.CoreV1().Pods("app").Update(ctx, pod("app", "p1", "i-new", "200m", corev1.PodRunning), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitQ(Query{Activity: true}, "ready", func(s Snapshot) bool {
		n := e.node("i-new")(s)
		return n != nil && !n.Launching && n.Nominated == 1 && findLine(s.Activity, ActReady, "") != nil
	})
	ready := findLine(s.Activity, ActReady, "nodeclaim/default-2z8fk")
	want := []time.Duration{time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second}
	if fmt.Sprint(ready.Steps) != fmt.Sprint(want) || ready.Node != "i-new" {
		t.Errorf("ready line %+v, want steps %v", ready, want)
	}
	if n := e.node("i-new")(s); n.NodeClaim != "default-2z8fk" || n.Lifecycle == nil || n.Lifecycle.Steps[3].Status != "True" {
		t.Errorf("joined row: %+v", n)
	}
	if countLines(s.Activity, ActLaunch) != 1 || countLines(s.Activity, ActReady) != 1 {
		t.Errorf("one launch, one ready:\n%s", activityText(s.Activity))
	}
	// p2 is deleted while nominated: it waits for nothing any more.
	if err := e.kube.CoreV1().Pods("app").Delete(ctx, "p2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitQ(Query{}, "no nominations", func(s Snapshot) bool { n := e.node("i-new")(s); return n != nil && n.Nominated == 0 })
}

// labelList is a label map as node's key, value, ... arguments.
func labelList(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// podAt is a pod created at created.
func podAt(name, nodeName string, phase corev1.PodPhase, created time.Time) *corev1.Pod {
	p := pod("app", name, nodeName, "200m", phase)
	p.CreationTimestamp = metav1.NewTime(created)
	return p
}

// TestLaunchCountsThePodsItWasFor: Karpenter rate-limits its Nominated
// events (10 at once), so a launch line says the larger of the pods
// nominated to the NodeClaim and the pods that were waiting when it was
// created and were bound to its node, each once, whichever informer is
// first; not pods made after it (a DaemonSet's, a later scale-up's).
func TestLaunchCountsThePodsItWasFor(t *testing.T) {
	e, clk := startKarpenter(t, Options{}, []runtime.Object{
		node("i-old", "2", t0, "karpenter.sh/nodepool", "default"),
	})
	created := clk.Now().Add(time.Second)
	for _, name := range []string{"p1", "p2", "p3", "p4"} {
		if _, err := e.kube.CoreV1().Pods("app").Create(ctx, podAt(name, "", corev1.PodPending, created.Add(-time.Second)), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	bind := func(name, node string, at time.Time) {
		t.Helper()
		if _, err := e.kube.CoreV1().Pods("app").Update(ctx, podAt(name, node, corev1.PodRunning, at), metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	launchPods := func(claim string, want int) {
		t.Helper()
		e.waitQ(Query{Activity: true}, fmt.Sprintf("%s for %d pods", claim, want), func(s Snapshot) bool {
			l := findLine(s.Activity, ActLaunch, "nodeclaim/"+claim)
			return l != nil && l.Pods == want
		})
	}
	for _, claim := range []string{"default-a", "default-b"} {
		if _, err := e.dyn.Resource(NodeClaimResource).Create(ctx, withConditions(nodeClaim(claim, "", "", created, labNodeLabels),
			cond("Launched", "Unknown", "AwaitingReconciliation", created), cond("Ready", "Unknown", "ReconcilingDependents", created)), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The Nominated events the rate limit let through; the scheduler will
	// not follow the two for default-b.
	e.createEvent(kevent("nom-1", "Nominated", on("Pod", "app", "p1"), "Pod should schedule on: nodeclaim/default-a", created))
	e.createEvent(kevent("nom-2", "Nominated", on("Pod", "app", "p2"), "Pod should schedule on: nodeclaim/default-b", created))
	e.createEvent(kevent("nom-3", "Nominated", on("Pod", "app", "p3"), "Pod should schedule on: nodeclaim/default-b", created))
	launchPods("default-a", 1)
	launchPods("default-b", 2)

	// default-a names its node first, then p1..p3 bind to it.
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("i-a", "1900m", created.Add(2*time.Second), labelList(labNodeLabels)...), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.updateClaim(nodeClaim("default-a", "i-a", "aws:///us-east-1a/i-a", created, labNodeLabels))
	e.waitQ(Query{}, "default-a joined", func(s Snapshot) bool { n := e.node("i-a")(s); return n != nil && n.NodeClaim == "default-a" })
	for _, p := range []string{"p1", "p2", "p3"} {
		bind(p, "i-a", created.Add(-time.Second))
	}
	launchPods("default-a", 3)

	// default-b's node gets p4 before the NodeClaim names it; a pod made
	// after the launch and a DaemonSet's pod land there too.
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("i-b", "1900m", created.Add(2*time.Second), labelList(labNodeLabels)...), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bind("p4", "i-b", created.Add(-time.Second))
	for _, name := range []string{"later", "aws-node-x"} {
		if _, err := e.kube.CoreV1().Pods("app").Create(ctx, podAt(name, "i-b", corev1.PodRunning, created.Add(5*time.Second)), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.waitQ(Query{}, "i-b's pods", func(s Snapshot) bool { n := e.node("i-b")(s); return n != nil && n.Pods == 3 })
	e.updateClaim(nodeClaim("default-b", "i-b", "aws:///us-east-1a/i-b", created, labNodeLabels))
	// Updates of a counted pod count it once; a fourth pod waiting before
	// default-b and bound to its node makes two bound, as many as were
	// nominated: the larger count, not the union (p2 and p3 are on i-a).
	bind("p2", "i-a", created.Add(-time.Second))
	if _, err := e.kube.CoreV1().Pods("app").Create(ctx, podAt("p5", "", corev1.PodPending, created.Add(-time.Second)), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitQ(Query{Pending: true}, "p5 pending", func(s Snapshot) bool { return len(s.Pending) == 1 })
	bind("p5", "i-b", created.Add(-time.Second))
	s := e.waitQ(Query{Activity: true}, "both launches", func(s Snapshot) bool {
		n := e.node("i-b")(s)
		return n != nil && n.Pods == 4
	})
	a, b := findLine(s.Activity, ActLaunch, "nodeclaim/default-a"), findLine(s.Activity, ActLaunch, "nodeclaim/default-b")
	if a == nil || b == nil || a.Pods != 3 || b.Pods != 2 {
		t.Errorf("launch lines, want default-a for 3, default-b for 2:\n%s", activityText(s.Activity))
	}
	if n := countLines(s.Activity, ActLaunch); n != 2 {
		t.Errorf("%d launch lines:\n%s", n, activityText(s.Activity))
	}
}

// TestLaunchFailureIsNamed: a launch that fails says Karpenter's reason.
func TestLaunchFailureIsNamed(t *testing.T) {
	e, clk := startKarpenter(t, Options{}, nil)
	created := clk.Now().Add(time.Second)
	claim := withConditions(nodeClaim("default-x", "", "", created, labNodeLabels),
		cond("Launched", "Unknown", "AwaitingReconciliation", created))
	if _, err := e.dyn.Resource(NodeClaimResource).Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitQ(Query{}, "launching", func(s Snapshot) bool { return e.node("default-x")(s) != nil })
	e.updateClaim(withConditions(nodeClaim("default-x", "", "", created, labNodeLabels),
		cond("Launched", "Unknown", "LaunchFailed", created.Add(3*time.Second))))
	e.createEvent(kevent("ice", "InsufficientCapacityError", on("NodeClaim", "", "default-x"), "NodeClaim default-x event: creating instance, insufficient capacity", created.Add(3*time.Second)))
	s := e.waitQ(Query{}, "failed", func(s Snapshot) bool {
		n := e.node("default-x")(s)
		return n != nil && n.Lifecycle != nil && n.Lifecycle.Failed != nil && n.Lifecycle.Problem != nil &&
			countLines(s.Activity, ActLaunchFailed) == 2
	})
	n := e.node("default-x")(s)
	if n.Lifecycle.Failed.Type != "Launched" || n.Lifecycle.Failed.Reason != "LaunchFailed" ||
		n.Lifecycle.Problem.Message != "creating instance, insufficient capacity" || n.Lifecycle.Problem.Reason != "InsufficientCapacityError" {
		t.Errorf("lifecycle %+v problem %+v", n.Lifecycle.Failed, n.Lifecycle.Problem)
	}
	// Two lines: the condition's and the event's, in whichever order their
	// informers delivered them.
	named := false
	for _, l := range s.Activity {
		named = named || l.Kind == ActLaunchFailed && l.Object == "nodeclaim/default-x" &&
			l.Reason == "InsufficientCapacityError" && l.Message == "creating instance, insufficient capacity"
	}
	if !named {
		t.Errorf("no launch failed line naming the error:\n%s", activityText(s.Activity))
	}
	// The claim goes without ever getting a node: its launch ended.
	if err := e.dyn.Resource(NodeClaimResource).Delete(ctx, "default-x", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitQ(Query{}, "removed", func(s Snapshot) bool { return findLine(s.Activity, ActRemoved, "nodeclaim/default-x") != nil })
	if l := findLine(s.Activity, ActRemoved, "nodeclaim/default-x"); l.Reason != "LaunchFailed" || l.Saving != nil {
		t.Errorf("removed line %+v", l)
	}
}

// dndPod is a pod on a node with a do-not-disrupt value, started at started.
func dndPod(name, nodeName, value string, started time.Time) *corev1.Pod {
	p := pod("app", name, nodeName, "100m", corev1.PodRunning)
	p.Annotations = map[string]string{"karpenter.sh/do-not-disrupt": value}
	p.Status.StartTime = ptrTo(metav1.NewTime(started))
	return p
}

// TestDisruptionOfANode follows a node Karpenter would consolidate but may
// not, then does: protections, the blocked message, the condition, the
// taint, the removal and the ledger.
func TestDisruptionOfANode(t *testing.T) {
	e, clk := startKarpenter(t, Options{}, nil)
	now := clk.Now()
	n := node("i-a", "2", now.Add(-2*time.Hour), "karpenter.sh/nodepool", "default", "node.kubernetes.io/instance-type", "t3a.medium")
	n.Spec.ProviderID = "aws:///us-east-1a/i-a"
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	claimed := now.Add(-2 * time.Hour)
	claim := func(conds ...map[string]any) *unstructured.Unstructured {
		return withConditions(nodeClaim("default-a", "i-a", "aws:///us-east-1a/i-a", claimed, labNodeLabels), conds...)
	}
	base := []map[string]any{cond("Ready", "True", "Ready", claimed), cond("Consolidatable", "True", "Consolidatable", now.Add(-time.Minute)),
		cond("Drifted", "True", "NodePoolDrifted", now.Add(-30*time.Second))}
	if _, err := e.dyn.Resource(NodeClaimResource).Create(ctx, claim(base...), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*corev1.Pod{
		dndPod("keeper", "i-a", "true", now.Add(-time.Hour)),
		dndPod("batch", "i-a", "30m", now.Add(-10*time.Minute)),
		dndPod("done-soon", "i-a", "5m", now.Add(-10*time.Minute)),
		dndPod("typo", "i-a", "yes", now.Add(-10*time.Minute)),
	} {
		if _, err := e.kube.CoreV1().Pods("app").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.createEvent(kevent("blocked-node", "DisruptionBlocked", on("Node", "", "i-a"), `Cannot disrupt Node: pod "app/keeper" has "karpenter.sh/do-not-disrupt" annotation`, now.Add(time.Second)))
	s := e.waitQ(Query{Node: "i-a", Activity: true}, "protected", func(s Snapshot) bool {
		n := e.node("i-a")(s)
		return n != nil && n.NodeClaim == "default-a" && len(n.Disruption.BlockingPods) == 2 && n.Disruption.Blocked != nil && s.Pods.Total == 4
	})
	d := e.node("i-a")(s).Disruption
	if fmt.Sprint(d.BlockingPods) != "[app/batch app/keeper]" || !d.Protected() || d.DoNotDisrupt || d.Reason != "" || d.Tainted {
		t.Errorf("disruption %+v", d)
	}
	if d.Blocked.Message != `Pod "app/keeper" has "karpenter.sh/do-not-disrupt" annotation` || d.Blocked.Reason != "DisruptionBlocked" {
		t.Errorf("blocked %+v", d.Blocked)
	}
	if !d.Consolidatable.Equal(now.Add(-time.Minute)) || d.Drifted != "NodePoolDrifted" {
		t.Errorf("consolidatable %v drifted %q", d.Consolidatable, d.Drifted)
	}
	for _, p := range s.Detail.Pods {
		want := map[string]string{"keeper": "true", "batch": "30m", "done-soon": "5m", "typo": ""}[p.Name]
		if p.DoNotDisrupt != want {
			t.Errorf("%s: do-not-disrupt %q, want %q", p.Name, p.DoNotDisrupt, want)
		}
	}
	if l := findLine(s.Activity, ActBlocked, "node/i-a"); l == nil || l.Message != d.Blocked.Message || l.NodePool != "default" {
		t.Errorf("blocked line:\n%s", activityText(s.Activity))
	}
	// 25 minutes on, the 30m protection has run out.
	clk.advance(25 * time.Minute)
	if got := e.node("i-a")(e.c.Snapshot()).Disruption.BlockingPods; fmt.Sprint(got) != "[app/keeper]" {
		t.Errorf("after 25m blocking pods %v", got)
	}
	// The node itself protected; the claim's Unconsolidatable is newer.
	n = n.DeepCopy()
	n.Annotations = map[string]string{"karpenter.sh/do-not-disrupt": "true"}
	if _, err := e.kube.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createEvent(kevent("uncons-claim", "Unconsolidatable", on("NodeClaim", "", "default-a"), "Can't replace with a cheaper node", clk.Now()))
	e.createEvent(kevent("uncons-node", "Unconsolidatable", on("Node", "", "i-a"), "Can't replace with a cheaper node", clk.Now()))
	s = e.waitQ(Query{Activity: true}, "node protected", func(s Snapshot) bool {
		d := e.node("i-a")(s).Disruption
		return d.DoNotDisrupt && d.Blocked != nil && d.Blocked.Reason == "Unconsolidatable" && countLines(s.Activity, ActBlocked) >= 2
	})
	time.Sleep(50 * time.Millisecond) // the claim's event too
	s = e.c.SnapshotFor(Query{Activity: true})
	if got := countLines(s.Activity, ActBlocked); got != 2 {
		t.Errorf("the claim's twin of the node's event is not a line: %d blocked lines\n%s", got, activityText(s.Activity))
	}

	// Karpenter commits: DisruptionReason, the taint, the event. One line.
	committed := clk.advance(time.Minute)
	e.updateClaim(claim(append(base, cond("DisruptionReason", "True", "Underutilized", committed))...))
	n = n.DeepCopy()
	n.Annotations = nil
	n.Spec.Taints = []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule}}
	if _, err := e.kube.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createEvent(kevent("term-node", "DisruptionTerminating", on("Node", "", "i-a"), "Disrupting Node: Underutilized", committed))
	e.createEvent(kevent("term-claim", "DisruptionTerminating", on("NodeClaim", "", "default-a"), "Disrupting NodeClaim: Underutilized", committed))
	// A blocked message from before the commitment is about another state.
	s = e.waitQ(Query{Activity: true}, "disrupting", func(s Snapshot) bool {
		d := e.node("i-a")(s).Disruption
		return d.Reason == "Underutilized" && d.Tainted && findLine(s.Activity, ActDisrupting, "") != nil && d.Blocked == nil
	})
	time.Sleep(50 * time.Millisecond) // let the other updates land
	s = e.c.SnapshotFor(Query{Activity: true})
	if got := countLines(s.Activity, ActDisrupting); got != 1 {
		t.Errorf("%d disrupting lines:\n%s", got, activityText(s.Activity))
	}
	if l := findLine(s.Activity, ActDisrupting, ""); l.Node != "i-a" || l.Reason != "Underutilized" || l.Price.Hourly != 0.0421 {
		t.Errorf("disrupting line %+v", l)
	}

	// The drain, as on the e2e cluster: a stuck drain is news, not a
	// refusal to disrupt; the evictions fold into one line with their
	// reason.
	blocked := countLines(s.Activity, ActBlocked)
	e.createEvent(kevent("drain", "FailedDraining", on("Node", "", "i-a"), "Failed to drain node, 1 pods are waiting to be evicted", committed))
	for _, p := range []string{"p1", "p2"} {
		e.createEvent(kevent("evict-"+p, "Evicted", on("Pod", "app", p), "Evicted pod: Underutilized", committed))
	}
	s = e.waitQ(Query{Activity: true}, "the drain", func(s Snapshot) bool {
		l := findLine(s.Activity, ActEvent, "")
		return findLine(s.Activity, ActEvent, "node/i-a") != nil && l != nil && l.Reason == "Evicted" && l.Pods == 2
	})
	if l := findLine(s.Activity, ActEvent, "node/i-a"); l.Reason != "FailedDraining" || l.Message != "1 pods are waiting to be evicted" {
		t.Errorf("drain line %+v", l)
	}
	if l := findLine(s.Activity, ActEvent, ""); l.Message != "Underutilized" || l.Count != 2 {
		t.Errorf("evictions line %+v", l)
	}
	if got := countLines(s.Activity, ActBlocked); got != blocked {
		t.Errorf("a stuck drain is a blocked line:\n%s", activityText(s.Activity))
	}

	// The node goes: removed, with its price, in the ledger.
	removed := clk.advance(time.Minute)
	if err := e.kube.CoreV1().Nodes().Delete(ctx, "i-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitQ(Query{Activity: true}, "removed", func(s Snapshot) bool { return findLine(s.Activity, ActRemoved, "node/i-a") != nil })
	l := findLine(s.Activity, ActRemoved, "node/i-a")
	if l.Reason != "Underutilized" || l.Price.Hourly != 0.0421 || l.Saving == nil || l.Saving.Price != 0.0421 || l.Saving.Replacement != 0 {
		t.Errorf("removed line %+v saving %+v", l, l.Saving)
	}
	if sv := s.Savings; sv.Hourly != 0.0421 || len(sv.Entries) != 1 || sv.Entries[0].Node != "i-a" || !sv.Entries[0].Time.Equal(removed) || sv.SoFar != 0 || sv.Currency != "USD" {
		t.Errorf("savings %+v", sv)
	}
	clk.advance(2 * time.Hour)
	if sv := e.c.Snapshot().Savings; fmt.Sprintf("%.4f", sv.SoFar) != "0.0842" || !sv.Since.Equal(t0.Add(time.Hour)) {
		t.Errorf("two hours later: %+v", sv)
	}
}

// An event is stamped to the second: a DisruptionBlocked said in the same
// second the node was created (created 12:00:00.7, said 12:00:00) is about
// this node; one from the second before is about an earlier one.
func TestBlockedInTheNodesOwnSecond(t *testing.T) {
	e, clk := startKarpenter(t, Options{}, nil)
	created := clk.Now().Truncate(time.Second).Add(700 * time.Millisecond)
	for _, name := range []string{"i-same", "i-older"} {
		if _, err := e.kube.CoreV1().Nodes().Create(ctx, node(name, "2", created, "karpenter.sh/nodepool", "default"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.createEvent(kevent("same", "DisruptionBlocked", on("Node", "", "i-same"), "Cannot disrupt Node: state node is nominated for a pending pod", created.Truncate(time.Second)))
	e.createEvent(kevent("older", "DisruptionBlocked", on("Node", "", "i-older"), "Cannot disrupt Node: state node is nominated for a pending pod", created.Truncate(time.Second).Add(-time.Second)))
	s := e.waitQ(Query{Activity: true}, "the same second's word", func(s Snapshot) bool {
		n := e.node("i-same")(s)
		return n != nil && n.Disruption.Blocked != nil && countLines(s.Activity, ActBlocked) >= 1
	})
	if n := e.node("i-older")(s); n == nil || n.Disruption.Blocked != nil {
		t.Errorf("a word from the second before the node: %+v", n)
	}
}

// TestPendingPodsExplained: what the scheduler and Karpenter said, and old
// events that are no longer news.
func TestPendingPodsExplained(t *testing.T) {
	started := t0.Add(time.Hour)
	e, clk := startKarpenter(t, Options{}, []runtime.Object{
		node("a", "2", t0, "karpenter.sh/nodepool", "default"),
		pod("app", "waits", "", "4", corev1.PodPending),
		pod("app", "ran", "a", "100m", corev1.PodRunning),
		// From before the viewer: one for a pod now running (not news),
		// two for a pod still waiting (the newest is news).
		kevent("old-ran", "FailedScheduling", on("Pod", "app", "ran"), `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`, started.Add(-10*time.Minute)),
		kevent("old-waits-1", "FailedScheduling", on("Pod", "app", "waits"), `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`, started.Add(-9*time.Minute)),
		kevent("old-waits-2", "FailedScheduling", on("Pod", "app", "waits"), `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`, started.Add(-5*time.Minute)),
		kevent("old-sched", "FailedScheduling", on("Pod", "app", "waits"), "0/1 nodes are available: 1 Insufficient cpu.", started.Add(-8*time.Minute), "default-scheduler"),
		kevent("old-nominated", "Nominated", on("Pod", "app", "ran"), "Pod should schedule on: node/a", started.Add(-11*time.Minute)),
	})
	s := e.waitQ(Query{Pending: true, Activity: true}, "explained", func(s Snapshot) bool {
		return len(s.Pending) == 1 && s.Pending[0].Waiting.Karpenter != ""
	})
	w := s.Pending[0].Waiting
	if w.Scheduler != "Insufficient cpu" || !w.Since.Equal(started.Add(-8*time.Minute)) || w.Karpenter != `NodePool "default" limits exhausted` ||
		!w.KarpenterAt.Equal(started.Add(-5*time.Minute)) || w.Nominated != "" {
		t.Errorf("waiting %+v", w)
	}
	if got := countLines(s.Activity, ActUnschedulable); got != 1 {
		t.Fatalf("%d unschedulable lines, want the newest one for the waiting pod:\n%s", got, activityText(s.Activity))
	}
	if l := findLine(s.Activity, ActUnschedulable, ""); l.NodePool != "default" || l.Pods != 1 || !l.Time.Equal(started.Add(-5*time.Minute)) || l.Message != `NodePool "default" limits exhausted` {
		t.Errorf("line %+v", l)
	}
	if n := e.node("a")(s); n.Nominated != 0 {
		t.Errorf("a running pod's nomination counts: %d", n.Nominated)
	}
	// New pods hit the limits: their lines fold, counting pods.
	for i := range 3 {
		name := fmt.Sprintf("new-%d", i)
		if _, err := e.kube.CoreV1().Pods("app").Create(ctx, pod("app", name, "", "4", corev1.PodPending), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		e.waitQ(Query{Pending: true}, name, func(s Snapshot) bool { return len(s.Pending) == i+2 })
		e.createEvent(kevent("fs-"+name, "FailedScheduling", on("Pod", "app", name), `Failed to schedule pod, node limits have been exhausted for nodepool (NodePool=default)`, clk.Now()))
	}
	s = e.waitQ(Query{Activity: true}, "folded", func(s Snapshot) bool {
		l := findLine(s.Activity, ActUnschedulable, "")
		return l != nil && l.Pods == 3
	})
	if l := s.Activity[len(s.Activity)-1]; l.Kind != ActUnschedulable || l.Count != 3 || l.Pods != 3 {
		t.Errorf("folded line %+v", l)
	}
	// Karpenter nominates the waiting pod: that is its latest word.
	e.createEvent(kevent("nom", "Nominated", on("Pod", "app", "waits"), "Pod should schedule on: nodeclaim/default-b9q4z", clk.Now().Add(time.Second)))
	s = e.waitQ(Query{Pending: true}, "nominated", func(s Snapshot) bool {
		for _, p := range s.Pending {
			if p.Name == "waits" && p.Waiting.Nominated != "" {
				return true
			}
		}
		return false
	})
	for _, p := range s.Pending {
		if p.Name == "waits" && (p.Waiting.Karpenter != "" || p.Waiting.Nominated != "nodeclaim/default-b9q4z" || p.Waiting.Scheduler != "Insufficient cpu") {
			t.Errorf("after nomination %+v", p.Waiting)
		}
	}
}

// TestReplacementInTheLedger: a node replaced by a cheaper NodeClaim saves
// the difference; the replacement's launch line says why it launched.
func TestReplacementInTheLedger(t *testing.T) {
	e, clk := startKarpenter(t, Options{Pricing: byType{"m5.large": 0.096, "t3a.medium": 0.0376}}, []runtime.Object{
		node("big", "2", t0, "karpenter.sh/nodepool", "default", "node.kubernetes.io/instance-type", "m5.large"),
	}, withConditions(nodeClaim("default-big", "big", "aws:///us-east-1a/big", t0, map[string]string{"karpenter.sh/nodepool": "default", "node.kubernetes.io/instance-type": "m5.large"}),
		cond("Ready", "True", "Ready", t0)))
	e.waitQ(Query{}, "joined", func(s Snapshot) bool { n := e.node("big")(s); return n != nil && n.NodeClaim == "default-big" })
	now := clk.advance(time.Minute)
	repl := nodeClaim("default-small", "", "", now, map[string]string{"karpenter.sh/nodepool": "default", "node.kubernetes.io/instance-type": "t3a.medium"})
	if _, err := e.dyn.Resource(NodeClaimResource).Create(ctx, repl, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createEvent(kevent("launching", "DisruptionLaunching", on("NodeClaim", "", "default-small"), "Launching NodeClaim: Underutilized", now))
	e.createEvent(kevent("term", "DisruptionTerminating", on("Node", "", "big"), "Disrupting Node: Underutilized", now))
	e.waitQ(Query{}, "replacement told", func(s Snapshot) bool {
		l := findLine(s.Activity, ActLaunch, "nodeclaim/default-small")
		return l != nil && l.Reason == "Underutilized" && findLine(s.Activity, ActDisrupting, "") != nil
	})
	clk.advance(time.Minute)
	if err := e.kube.CoreV1().Nodes().Delete(ctx, "big", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s := e.waitQ(Query{}, "ledger", func(s Snapshot) bool { return len(s.Savings.Entries) == 1 })
	sv := s.Savings.Entries[0]
	if sv.Node != "big" || sv.Reason != "Underutilized" || sv.Price != 0.096 || sv.Replacement != 0.0376 ||
		math.Abs(s.Savings.Hourly-(0.096-0.0376)) > 1e-12 {
		t.Errorf("saving %+v, hourly %v", sv, s.Savings.Hourly)
	}
	if l := findLine(s.Activity, ActRemoved, "node/big"); l == nil || l.Saving == nil || *l.Saving != sv {
		t.Errorf("removed line:\n%s", activityText(s.Activity))
	}
}

// byType prices nodes by instance type (others unknown).
type byType map[string]float64

func (b byType) NodePrice(n pricing.Node) pricing.Price {
	if p, ok := b[n.InstanceType]; ok {
		return pricing.Price{Hourly: p, Currency: "USD", Source: pricing.Static}
	}
	return pricing.Price{Reason: "not in the test's table"}
}
func (byType) Status() string           { return "" }
func (byType) Changed() <-chan struct{} { return nil }

func nodePool(name string, spec, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1", "kind": "NodePool",
		"metadata": map[string]any{"name": name},
		"spec":     spec, "status": status,
	}}
	return u
}

// TestNodePoolsRows groups the shown nodes by NodePool and node group.
func TestNodePoolsRows(t *testing.T) {
	e, clk := startKarpenter(t, Options{Resources: []string{"cpu"}}, []runtime.Object{
		node("k1", "2", t0, "karpenter.sh/nodepool", "default", "node.kubernetes.io/instance-type", "t3a.medium"),
		node("k2", "2", t0, "karpenter.sh/nodepool", "default", "node.kubernetes.io/instance-type", "t3a.medium"),
		node("auto", "2", t0, "karpenter.sh/nodepool", "general-purpose", "eks.amazonaws.com/compute-type", "auto"),
		node("mng", "2", t0, "eks.amazonaws.com/nodegroup", "ng-1", "node.kubernetes.io/instance-type", "m5.large"),
		node("bare", "2", t0),
		pod("app", "p", "k1", "1500m", corev1.PodRunning),
	},
		nodePool("default", map[string]any{
			"limits":     map[string]any{"cpu": "20", "nodes": "5"},
			"disruption": map[string]any{"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "0s", "budgets": []any{map[string]any{"nodes": "10%"}}},
			"weight":     int64(5),
		}, map[string]any{"resources": map[string]any{"cpu": "14"}, "conditions": []any{cond("Ready", "True", "Ready", t0)}}),
		nodePool("empty", map[string]any{"disruption": map[string]any{"consolidationPolicy": "WhenEmpty", "consolidateAfter": "Never"}}, nil),
		nodeClaim("default-new", "", "", t0.Add(2*time.Hour), map[string]string{"karpenter.sh/nodepool": "default", "node.kubernetes.io/instance-type": "t3a.medium"}),
	)
	e.createEvent(kevent("nci", "NoCompatibleInstanceTypes", on("NodePool", "", "default"), "NodePool requirements filtered out all compatible available instance types", clk.Now()))
	e.createEvent(kevent("budget", "DisruptionBlocked", on("NodePool", "", "default"), "No allowed disruptions for disruption reason Underutilized due to blocking budget", clk.Now().Add(time.Second)))
	s := e.waitQ(Query{NodePools: true, Activity: true}, "pools", func(s Snapshot) bool {
		return len(s.NodePools) == 5 && len(s.NodePools[0].Events) == 2 && s.NodePools[0].Claims == 1
	})
	var got []string
	for _, p := range s.NodePools {
		got = append(got, p.Kind+":"+p.Name)
	}
	if strings.Join(got, ",") != "nodepool:default,nodepool:empty,nodepool:general-purpose,nodegroup:ng-1,:" {
		t.Fatalf("rows %v", got)
	}
	d := s.NodePools[0]
	if !d.Known || d.Nodes != 2 || d.Claims != 1 || d.Usage[0] != (Quantity{Used: 1500, Allocatable: 4000 + 1930}) ||
		fmt.Sprintf("%.4f", d.Cost.Hourly) != "0.1263" || d.Cost.Unknown != 0 {
		t.Errorf("default row %+v", d)
	}
	if fmt.Sprint(d.Limits) != "[{cpu 20000 14000} {nodes 5000 -1}]" || d.ConsolidationPolicy != "WhenEmptyOrUnderutilized" ||
		d.ConsolidateAfter != "0s" || len(d.Budgets) != 1 || d.Budgets[0].Nodes != "10%" || d.Weight != 5 || d.Ready != "True" {
		t.Errorf("default spec %+v", d)
	}
	if d.Events[0].Reason != "NoCompatibleInstanceTypes" || d.Events[1].Message != "No allowed disruptions for disruption reason Underutilized due to blocking budget" {
		t.Errorf("events %+v", d.Events)
	}
	if p := s.NodePools[1]; !p.Known || p.Nodes != 0 || p.ConsolidateAfter != "Never" || p.Usage[0] != (Quantity{}) {
		t.Errorf("empty pool %+v", p)
	}
	if p := s.NodePools[2]; p.Known || p.Nodes != 1 {
		t.Errorf("a pool known by its label only %+v", p)
	}
	if p := s.NodePools[3]; p.Nodes != 1 || p.Usage[0].Allocatable != 2000 || p.Cost.Unknown != 0 {
		t.Errorf("node group %+v", p)
	}
	if p := s.NodePools[4]; p.Nodes != 1 || p.Cost.Unknown != 1 {
		t.Errorf("ungrouped %+v", p)
	}
	if findLine(s.Activity, ActUnschedulable, "nodepool/default") == nil || findLine(s.Activity, ActBlocked, "nodepool/default") == nil {
		t.Errorf("pool lines:\n%s", activityText(s.Activity))
	}
	if s2 := e.c.Snapshot(); s2.NodePools != nil {
		t.Error("NodePools without asking")
	}
	// The pool goes: it stays a row for its labelled nodes, without spec.
	if err := e.dyn.Resource(NodePoolResource).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitQ(Query{NodePools: true}, "pool deleted", func(s Snapshot) bool { return len(s.NodePools) == 5 && !s.NodePools[0].Known })
	if s.NodePools[0].Name != "default" || s.NodePools[0].Limits != nil || s.NodePools[0].Events != nil {
		t.Errorf("after delete %+v", s.NodePools[0])
	}
}

func TestNodePoolsForbiddenIsANote(t *testing.T) {
	e := startWith(t, Options{}, func(e *env) {
		e.dyn.PrependReactor("list", "nodepools", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "karpenter.sh", Resource: "nodepools"}, "", fmt.Errorf("user viewer cannot list"))
		})
	}, []runtime.Object{node("n", "1", t0)})
	s := e.waitFor("note", func(s Snapshot) bool { return strings.Contains(strings.Join(s.Notes, "|"), "nodepools:") })
	if !strings.Contains(strings.Join(s.Notes, "|"), "nodepools: forbidden (needs get, list, watch on nodepools)") {
		t.Errorf("notes %v", s.Notes)
	}
	if ps := e.c.SnapshotFor(Query{NodePools: true}).NodePools; len(ps) != 1 || ps[0].Kind != "" || ps[0].Nodes != 1 {
		t.Errorf("rows by label only: %+v", ps)
	}
}

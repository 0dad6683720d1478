package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func node(name string, cpu string, created time.Time, lbls ...string) *corev1.Node {
	l := map[string]string{}
	for i := 0; i+1 < len(lbls); i += 2 {
		l[lbls[i]] = lbls[i+1]
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l, CreationTimestamp: metav1.NewTime(created)},
		Spec:       corev1.NodeSpec{ProviderID: "aws:///us-east-1a/" + name},
		Status: corev1.NodeStatus{
			Allocatable: rl("cpu", cpu, "memory", "3Gi", "pods", "17"),
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(created)}},
		},
	}
}

func pod(ns, name, nodeName, cpu string, phase corev1.PodPhase) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{ctr("app", rl("cpu", cpu))}},
		Status:     corev1.PodStatus{Phase: phase},
	}
}

func nodeClaim(name, nodeName, providerID string, created time.Time, lbls map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1",
		"kind":       "NodeClaim",
		"metadata":   map[string]any{"name": name, "creationTimestamp": created.Format(time.RFC3339)},
		"status":     map[string]any{"allocatable": map[string]any{"cpu": "1930m", "pods": "17"}},
	}}
	if nodeName != "" {
		_ = unstructured.SetNestedField(u.Object, nodeName, "status", "nodeName")
	}
	if providerID != "" {
		_ = unstructured.SetNestedField(u.Object, providerID, "status", "providerID")
	}
	u.SetLabels(lbls)
	return u
}

// fixedPrices prices every typed node at 0.0421 and the rest unknown.
type fixedPrices struct{}

func (fixedPrices) NodePrice(n pricing.Node) pricing.Price {
	if n.InstanceType == "" {
		return pricing.Price{Reason: "no instance type"}
	}
	return pricing.Price{Hourly: 0.0421, Currency: "USD", Source: pricing.Static}
}
func (fixedPrices) Status() string           { return "" }
func (fixedPrices) Changed() <-chan struct{} { return nil }

type env struct {
	t    *testing.T
	kube *fake.Clientset
	dyn  *dynfake.FakeDynamicClient
	c    *Cluster
	now  time.Time
}

func start(t *testing.T, opts Options, objs []runtime.Object, claims ...runtime.Object) *env {
	t.Helper()
	return startWith(t, opts, nil, objs, claims...)
}

// startWith is start with a hook that can install reactors on the fakes
// before the informers start.
func startWith(t *testing.T, opts Options, setup func(*env), objs []runtime.Object, claims ...runtime.Object) *env {
	t.Helper()
	e := &env{t: t, kube: fake.NewClientset(objs...), now: t0.Add(time.Hour)}
	scheme := runtime.NewScheme()
	e.dyn = dynfake.NewSimpleDynamicClientWithCustomListKinds(scheme,
		map[schema.GroupVersionResource]string{NodeClaimResource: "NodeClaimList", NodePoolResource: "NodePoolList"}, claims...)
	e.kube.Discovery().(*fakediscovery.FakeDiscovery).Resources = []*metav1.APIResourceList{{
		GroupVersion: "karpenter.sh/v1",
		APIResources: []metav1.APIResource{{Name: "nodeclaims", Kind: "NodeClaim"}, {Name: "nodepools", Kind: "NodePool"}},
	}}
	if opts.Now == nil {
		opts.Now = func() time.Time { return e.now }
	}
	if opts.Pricing == nil {
		opts.Pricing = fixedPrices{}
	}
	if setup != nil {
		setup(e)
	}
	e.c = New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.c.Start(ctx, e.kube, e.dyn)
	e.waitFor("synced", func(s Snapshot) bool { return s.Synced })
	return e
}

// waitFor polls snapshots until cond holds (informers deliver asynchronously).
func (e *env) waitFor(what string, cond func(Snapshot) bool) Snapshot {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var s Snapshot
	for time.Now().Before(deadline) {
		if s = e.c.Snapshot(); cond(s) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("timed out waiting for %s; last snapshot:\n%s", what, describe(s))
	return s
}

func describe(s Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "synced=%v waiting=%v totals=%v pods=%+v cost=%+v notes=%v\n", s.Synced, s.Syncing, s.Totals, s.Pods, s.Cost, s.Notes)
	for _, n := range s.Nodes {
		fmt.Fprintf(&b, "  %s launching=%v pods=%d usage=%v cordoned=%v deleting=%v ready=%v labels=%v\n", n.Name, n.Launching, n.Pods, n.Usage, n.Cordoned, n.Deleting, n.Ready, n.Labels)
	}
	return b.String()
}

func names(s Snapshot) string {
	var out []string
	for _, n := range s.Nodes {
		out = append(out, n.Name)
	}
	return strings.Join(out, ",")
}

func (e *env) node(name string) func(Snapshot) *Node {
	return func(s Snapshot) *Node {
		for i := range s.Nodes {
			if s.Nodes[i].Name == name {
				return s.Nodes[i]
			}
		}
		return nil
	}
}

var ctx = context.Background()

func TestLabNodesPodsAndTotals(t *testing.T) {
	sel := labels.SelectorFromSet(labels.Set{"workload-type": "developers-workshop"})
	e := start(t, Options{Selector: sel}, []runtime.Object{
		node("i-0a", "1780m", t0, "workload-type", "developers-workshop", "node.kubernetes.io/instance-type", "t3a.medium"),
		node("i-db", "1780m", t0, "workload-type", "database"),
		pod("app", "fastapi-1", "i-0a", "200m", corev1.PodRunning),
		pod("db", "postgres", "i-db", "500m", corev1.PodRunning),
		pod("app", "fastapi-2", "", "200m", corev1.PodPending),
		pod("app", "done", "i-0a", "1", corev1.PodSucceeded),
	})
	s := e.waitFor("lab state", func(s Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 2 })
	if got := names(s); got != "i-0a" {
		t.Fatalf("nodes = %s", got)
	}
	n := s.Nodes[0]
	if n.Pods != 1 || n.Usage[0] != (Quantity{Used: 200, Allocatable: 1780}) || n.MaxPods != 17 {
		t.Errorf("node row: %+v", n)
	}
	if s.Totals[0] != (Quantity{Used: 200, Allocatable: 1780}) {
		t.Errorf("totals = %+v", s.Totals)
	}
	want := PodCounts{Total: 2, Pending: 1, Running: 1, Bound: 1, Unscheduled: 1, Elsewhere: 1}
	if s.Pods != want {
		t.Errorf("pods = %+v, want %+v", s.Pods, want)
	}
	if s.Cost.Hourly != 0.0421 || s.Cost.Unknown != 0 {
		t.Errorf("cost = %+v", s.Cost)
	}

	// The pending pod gets bound and runs; a terminal pod that finishes leaves.
	p := pod("app", "fastapi-2", "i-0a", "200m", corev1.PodRunning)
	if _, err := e.kube.CoreV1().Pods("app").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("bound", func(s Snapshot) bool { return s.Pods.Bound == 2 })
	if s.Nodes[0].Usage[0].Used != 400 || s.Pods.Pending != 0 || s.Pods.Running != 2 {
		t.Errorf("after bind: %s", describe(s))
	}
	p.Status.Phase = corev1.PodFailed
	if _, err := e.kube.CoreV1().Pods("app").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("failed pod released", func(s Snapshot) bool { return s.Pods.Bound == 1 })
	if s.Nodes[0].Usage[0].Used != 200 || s.Totals[0].Used != 200 {
		t.Errorf("after fail: %s", describe(s))
	}
}

func TestResizeAppliesTheDelta(t *testing.T) {
	e := start(t, Options{}, []runtime.Object{node("n1", "2", t0), pod("a", "p", "n1", "200m", corev1.PodRunning)})
	e.waitFor("pod", func(s Snapshot) bool { return s.Totals[0].Used == 200 })
	p := pod("a", "p", "n1", "700m", corev1.PodRunning)
	if _, err := e.kube.CoreV1().Pods("a").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := e.waitFor("resized", func(s Snapshot) bool { return s.Totals[0].Used == 700 })
	if s.Nodes[0].Usage[0].Used != 700 || s.Nodes[0].Pods != 1 {
		t.Errorf("resize leaked: %s", describe(s))
	}
	if err := e.kube.CoreV1().Pods("a").Delete(ctx, "p", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("deleted", func(s Snapshot) bool { return s.Totals[0].Used == 0 })
	if s.Nodes[0].Pods != 0 || s.Pods.Total != 0 {
		t.Errorf("after delete: %s", describe(s))
	}
}

func TestPodBeforeItsNodeIsAttached(t *testing.T) {
	e := start(t, Options{}, []runtime.Object{pod("a", "early", "n-late", "300m", corev1.PodRunning)})
	s := e.waitFor("elsewhere", func(s Snapshot) bool { return s.Pods.Elsewhere == 1 })
	if len(s.Nodes) != 0 || s.Pods.Total != 0 {
		t.Errorf("before node: %s", describe(s))
	}
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("n-late", "2", t0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("attached", func(s Snapshot) bool { return len(s.Nodes) == 1 })
	if s.Nodes[0].Pods != 1 || s.Nodes[0].Usage[0].Used != 300 || s.Pods.Elsewhere != 0 || s.Pods.Bound != 1 || s.Totals[0].Used != 300 {
		t.Errorf("after node: %s", describe(s))
	}
	// The node goes: its pod is elsewhere again, totals drop.
	if err := e.kube.CoreV1().Nodes().Delete(ctx, "n-late", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("node gone", func(s Snapshot) bool { return len(s.Nodes) == 0 })
	if s.Pods.Elsewhere != 1 || s.Totals[0] != (Quantity{}) {
		t.Errorf("after node delete: %s", describe(s))
	}
}

func TestTerminatingPodsCountAndNodesShowDeleting(t *testing.T) {
	now := metav1.NewTime(t0)
	p := pod("a", "p", "n1", "100m", corev1.PodRunning)
	p.DeletionTimestamp = &now
	n := node("n1", "2", t0)
	n.DeletionTimestamp = &now
	n.Finalizers = []string{"karpenter.sh/termination"}
	e := start(t, Options{}, []runtime.Object{n, p})
	s := e.waitFor("node", func(s Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	if !s.Nodes[0].Deleting || s.Nodes[0].Usage[0].Used != 100 {
		t.Errorf("%s", describe(s))
	}
}

func TestNodeClaimsLaunchJoinAndStick(t *testing.T) {
	lbl := map[string]string{"node.kubernetes.io/instance-type": "t3a.medium", "karpenter.sh/capacity-type": "on-demand"}
	e := start(t, Options{}, []runtime.Object{node("i-old", "2", t0)},
		nodeClaim("default-abc", "", "", t0.Add(50*time.Minute), lbl),
		nodeClaim("default-stuck", "", "", t0, lbl),
	)
	s := e.waitFor("launching", func(s Snapshot) bool { return len(s.Nodes) == 3 })
	launching := e.node("default-abc")(s)
	if launching == nil || !launching.Launching || launching.InstanceType != "t3a.medium" || launching.Usage[0].Allocatable != 1930 {
		t.Fatalf("launching row: %s", describe(s))
	}
	if st := e.node("default-stuck")(s); st == nil || !st.Launching || !st.Created.Equal(t0) || st.NodeClaim != "default-stuck" {
		t.Errorf("a NodeClaim without a Node for an hour is a launching row with its age: %s", describe(s))
	}
	if s.Totals[0].Allocatable != 2000+1930+1930 {
		t.Errorf("totals include launching capacity: %+v", s.Totals)
	}

	// Karpenter names the node: the row takes the node's name; the Node
	// arrives and the two join.
	nc := nodeClaim("default-abc", "i-new", "", t0.Add(50*time.Minute), lbl)
	if _, err := e.dyn.Resource(NodeClaimResource).Update(ctx, nc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("named", func(s Snapshot) bool { return e.node("i-new")(s) != nil })
	if !e.node("i-new")(s).Launching {
		t.Errorf("still launching until the Node exists: %s", describe(s))
	}
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("i-new", "1930m", t0.Add(51*time.Minute)), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("joined", func(s Snapshot) bool { n := e.node("i-new")(s); return n != nil && !n.Launching })
	if len(s.Nodes) != 3 {
		t.Errorf("joined node shown twice: %s", describe(s))
	}

	// Join by providerID when status.nodeName is not set yet.
	nc = nodeClaim("default-stuck", "", "aws:///us-east-1a/i-old", t0, lbl)
	if _, err := e.dyn.Resource(NodeClaimResource).Update(ctx, nc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("joined by providerID", func(s Snapshot) bool { return len(s.Nodes) == 2 })

	// A NodeClaim being deleted marks its node Deleting (Karpenter drains it).
	nc.SetDeletionTimestamp(&metav1.Time{Time: t0})
	if _, err := e.dyn.Resource(NodeClaimResource).Update(ctx, nc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s = e.waitFor("deleting via claim", func(s Snapshot) bool { n := e.node("i-old")(s); return n != nil && n.Deleting })
}

func TestNodeClaimsAbsentIsANote(t *testing.T) {
	e := &env{t: t, kube: fake.NewClientset(node("n", "1", t0))}
	e.c = New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.c.Start(ctx, e.kube, dynfake.NewSimpleDynamicClient(runtime.NewScheme()))
	s := e.waitFor("synced", func(s Snapshot) bool { return s.Synced && len(s.Nodes) == 1 })
	if !strings.Contains(strings.Join(s.Notes, "|"), "no Karpenter NodeClaims") {
		t.Errorf("notes = %v", s.Notes)
	}
}

func TestCordonAndSelectorChanges(t *testing.T) {
	sel := labels.SelectorFromSet(labels.Set{"pool": "a"})
	e := start(t, Options{Selector: sel}, []runtime.Object{node("n1", "1", t0, "pool", "a"), pod("x", "p", "n1", "100m", corev1.PodRunning)})
	e.waitFor("node", func(s Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Bound == 1 })
	n := node("n1", "1", t0, "pool", "a")
	n.Spec.Taints = []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule}}
	if _, err := e.kube.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("cordoned", func(s Snapshot) bool { return len(s.Nodes) == 1 && s.Nodes[0].Cordoned })
	// Relabelled out of the selector: gone, and its pod counts as elsewhere.
	n = node("n1", "1", t0, "pool", "b")
	if _, err := e.kube.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := e.waitFor("deselected", func(s Snapshot) bool { return len(s.Nodes) == 0 })
	if s.Pods.Elsewhere != 1 || s.Pods.Total != 0 || s.Totals[0] != (Quantity{}) {
		t.Errorf("%s", describe(s))
	}
}

func TestExtraLabelsAndSorting(t *testing.T) {
	e := start(t, Options{
		Resources:   []string{"cpu"},
		ExtraLabels: []string{"zone", "eks-node-viewer/node-memory-usage", LabelNodeAge},
		Sort:        options.SortSpec{Key: "eks-node-viewer/node-cpu-usage", Descending: true},
	}, []runtime.Object{
		node("node-2", "1", t0, "zone", "b"),
		node("node-10", "1", t0.Add(-time.Hour), "zone", "a"),
		node("node-1", "1", t0.Add(time.Minute)),
		pod("x", "p", "node-1", "900m", corev1.PodRunning),
		pod("x", "q", "node-10", "100m", corev1.PodRunning),
	})
	s := e.waitFor("pods", func(s Snapshot) bool { return s.Totals[0].Used == 1000 })
	if got := names(s); got != "node-1,node-10,node-2" {
		t.Errorf("cpu usage dsc order = %s", got)
	}
	n := e.node("node-10")(s)
	if n.Labels["zone"] != "a" || n.LabelUsage[1] != (Quantity{Used: 0, Allocatable: 3 << 30 * 1000}) || n.LabelUsage[0] != (Quantity{}) {
		t.Errorf("labels = %q, label usage = %v", n.Labels, n.LabelUsage)
	}

	for _, tt := range []struct {
		spec options.SortSpec
		want string
	}{
		{options.SortSpec{Key: "creation", Descending: true}, "node-10,node-2,node-1"},
		{options.SortSpec{Key: "creation"}, "node-1,node-2,node-10"},
		{options.SortSpec{Key: "zone"}, "node-10,node-2,node-1"},
		{options.SortSpec{Key: "zone", Descending: true}, "node-2,node-10,node-1"},
	} {
		rows := append([]*Node(nil), s.Nodes...)
		sortRows(rows, newSortBy(tt.spec))
		if got := names(Snapshot{Nodes: rows}); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.spec, got, tt.want)
		}
	}
}

func TestEventsKeepTheRecentAutoscalerOnes(t *testing.T) {
	ev := func(name, reason, comp string, at time.Time) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "default", Name: name},
			InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: "i-0a"},
			Reason:         reason, Message: "Disrupting Node:\n Empty",
			Source:        corev1.EventSource{Component: comp},
			LastTimestamp: metav1.NewTime(at),
		}
	}
	e := start(t, Options{}, []runtime.Object{
		ev("e1", "DisruptionTerminating", "karpenter", t0.Add(2*time.Minute)),
		ev("e2", "Pulled", "kubelet", t0.Add(3*time.Minute)),
		ev("e3", "Nominated", "karpenter", t0.Add(time.Minute)),
	})
	s := e.waitFor("events", func(s Snapshot) bool { return len(s.Events) == 2 })
	if s.Events[0].Reason != "Nominated" || s.Events[1].Reason != "DisruptionTerminating" || s.Events[1].Object != "node/i-0a" || s.Events[1].Message != "Disrupting Node: Empty" {
		t.Errorf("events = %+v", s.Events)
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"ip-10-0-2", "ip-10-0-10", -1},
		{"a", "a", 0},
		{"node-010", "node-9", 1},
		{"b", "a10", 1},
		{"x1", "x1a", -1},
	} {
		if got := naturalCompare(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalCompare(%q,%q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestForbiddenResourcesAreNotes(t *testing.T) {
	kube := fake.NewClientset(node("n", "1", t0))
	forbid := func(resource string) {
		kube.PrependReactor("list", resource, func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(corev1.Resource(resource), "", fmt.Errorf("user viewer cannot list"))
		})
	}
	forbid("pods")
	forbid("events")
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx, kube, nil)
	e := &env{t: t, c: c}
	s := e.waitFor("synced", func(s Snapshot) bool { return s.Synced })
	notes := strings.Join(s.Notes, "|")
	for _, want := range []string{"pods: forbidden (needs get, list, watch on pods)", "events: forbidden", "no NodeClaims"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
}

// Without WatchList streaming, the initial lists must come in pages: the
// reflector's resourceVersion "0" would make the apiserver's cache ignore
// the page size and answer every pod at once.
func TestInitialListsArePaged(t *testing.T) {
	kube := fake.NewClientset(node("n", "1", t0), pod("a", "p", "n", "100m", corev1.PodRunning))
	var mu sync.Mutex
	lists := map[string][]metav1.ListOptions{}
	for _, resource := range []string{"nodes", "pods", "events"} {
		kube.PrependReactor("list", resource, func(a clienttesting.Action) (bool, runtime.Object, error) {
			if l, ok := a.(clienttesting.ListActionImpl); ok && l.ListOptions.Limit != 1 { // 1: the permission probe
				mu.Lock()
				lists[resource] = append(lists[resource], l.ListOptions)
				mu.Unlock()
			}
			return false, nil, nil
		})
	}
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx, kube, nil)
	e := &env{t: t, c: c}
	e.waitFor("synced", func(s Snapshot) bool { return s.Synced })
	mu.Lock()
	defer mu.Unlock()
	for _, resource := range []string{"nodes", "pods", "events"} {
		if len(lists[resource]) == 0 {
			t.Errorf("%s: never listed", resource)
		}
		for _, o := range lists[resource] {
			if o.Limit <= 1 || o.ResourceVersion != "" {
				t.Errorf("%s listed with limit %d, resourceVersion %q; want a page size and the latest version", resource, o.Limit, o.ResourceVersion)
			}
		}
	}
}

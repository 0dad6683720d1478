//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestInformers drives nodes, pods and NodeClaims through a real apiserver
// (create, resize, cordon, bind, phase changes, deletion held by a
// finalizer, delete) and checks after every step that the cluster model
// agrees exactly, to the millicore, with the objects listed from the API.
func TestInformers(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := nodeClaimAPI(t, ctx, c)
	kube, dyn := a.kube, a.dyn

	model := cluster.New(cluster.Options{Resources: []string{"cpu", "memory", "pods"}})
	model.Start(ctx, kube, dyn)

	// Objects that exist before the informers sync and ones created after.
	a.node(readyNode("inf-node-1", "t3a.medium", "1930m", "3388Mi"))
	a.pod(boundPod("team-a", "web-1", "inf-node-1", "200m"))
	a.check(model, "initial list")

	a.node(readyNode("inf-node-2", "m5.large", "1930m", "7200Mi"))
	withInit := boundPod("team-a", "init-heavy", "inf-node-2", "100m")
	withInit.Spec.Containers = append(withInit.Spec.Containers, container("side", "150m", "64Mi"))
	withInit.Spec.InitContainers = []corev1.Container{container("migrate", "500m", "256Mi")}
	a.pod(withInit) // max(init 500m, 100m+150m) = 500m
	always := corev1.ContainerRestartPolicyAlways
	sidecar := boundPod("team-b", "with-sidecar", "inf-node-2", "200m")
	sidecar.Spec.InitContainers = []corev1.Container{container("proxy", "100m", "32Mi")}
	sidecar.Spec.InitContainers[0].RestartPolicy = &always
	a.pod(sidecar) // 200m + sidecar 100m
	pending := boundPod("team-b", "unscheduled", "", "300m")
	a.pod(pending)
	done := boundPod("team-b", "job-done", "inf-node-1", "700m")
	a.pod(done)
	a.setPhase("team-b", "job-done", corev1.PodSucceeded) // terminal: holds nothing
	a.setPhase("team-a", "web-1", corev1.PodRunning)
	a.claim("inf-claim-launching", "", "")
	a.claim("inf-claim-joined", "inf-node-2", "aws:///us-east-1a/i-inf-node-2")
	a.check(model, "created")

	// In-place resize through the resize subresource, then a kubelet that
	// has not yet actuated a shrink (the scheduler keeps the larger value).
	a.resize("team-a", "web-1", "350m")
	a.check(model, "resized up")
	a.containerStatusCPU("team-a", "web-1", "350m")
	a.resize("team-a", "web-1", "100m")
	a.check(model, "resized down, not actuated")
	a.containerStatusCPU("team-a", "web-1", "100m")
	a.check(model, "resize actuated")

	// Cordon, a Karpenter disruption taint, and scheduling via Binding.
	a.patchNode("inf-node-1", `{"spec":{"unschedulable":true}}`)
	a.patchNode("inf-node-2", `{"spec":{"taints":[{"key":"karpenter.sh/disrupted","effect":"NoSchedule"}]}}`)
	a.bind("team-b", "unscheduled", "inf-node-1")
	a.setPhase("team-b", "unscheduled", corev1.PodRunning)
	a.check(model, "cordoned, tainted, bound")

	// A node whose deletion is held by a finalizer lingers as Deleting.
	held := readyNode("inf-node-3", "t3a.large", "1930m", "7200Mi")
	held.Finalizers = []string{"e2e.eks-node-viewer/hold"}
	a.node(held)
	a.check(model, "third node")
	if err := kube.CoreV1().Nodes().Delete(ctx, "inf-node-3", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	a.check(model, "node deleting")
	a.patchNode("inf-node-3", `{"metadata":{"finalizers":null}}`)
	a.check(model, "node gone")

	// Deletions.
	a.deletePod("team-a", "init-heavy")
	if err := dyn.Resource(harness.NodeClaimResource).Delete(ctx, "inf-claim-launching", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	a.patchNode("inf-node-1", `{"spec":{"unschedulable":false}}`)
	a.check(model, "deleted a pod and a NodeClaim, uncordoned")

	s := model.Snapshot()
	if !s.Synced {
		t.Errorf("snapshot not synced: waiting for %v", s.Syncing)
	}
}

// api makes changes through the API and computes what the model must show.
type api struct {
	t    *testing.T
	ctx  context.Context
	kube kubernetes.Interface
	dyn  dynamic.Interface
}

func container(name, cpu, mem string) corev1.Container {
	return corev1.Container{Name: name, Image: name + ":1", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
	}}}
}

func (a *api) node(n *corev1.Node) {
	a.t.Helper()
	if _, err := a.kube.CoreV1().Nodes().Create(a.ctx, n, metav1.CreateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) pod(p *corev1.Pod) {
	a.t.Helper()
	if _, err := a.kube.CoreV1().Namespaces().Get(a.ctx, p.Namespace, metav1.GetOptions{}); err != nil {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: p.Namespace}}
		if _, err := a.kube.CoreV1().Namespaces().Create(a.ctx, ns, metav1.CreateOptions{}); err != nil {
			a.t.Fatal(err)
		}
	}
	if p.Spec.Containers[0].Resources.Requests.Memory().IsZero() {
		p.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("128Mi")
	}
	if _, err := a.kube.CoreV1().Pods(p.Namespace).Create(a.ctx, p, metav1.CreateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) getPod(ns, name string) *corev1.Pod {
	a.t.Helper()
	p, err := a.kube.CoreV1().Pods(ns).Get(a.ctx, name, metav1.GetOptions{})
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

func (a *api) setPhase(ns, name string, phase corev1.PodPhase) {
	a.t.Helper()
	p := a.getPod(ns, name)
	p.Status.Phase = phase
	if _, err := a.kube.CoreV1().Pods(ns).UpdateStatus(a.ctx, p, metav1.UpdateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

// resize sets the first container's CPU request via the resize subresource.
func (a *api) resize(ns, name, cpu string) {
	a.t.Helper()
	p := a.getPod(ns, name)
	p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
	if _, err := a.kube.CoreV1().Pods(ns).UpdateResize(a.ctx, name, p, metav1.UpdateOptions{}); err != nil {
		a.t.Fatalf("resize %s/%s: %v", ns, name, err)
	}
}

// containerStatusCPU plays the kubelet: the first container now runs with
// this CPU request.
func (a *api) containerStatusCPU(ns, name, cpu string) {
	a.t.Helper()
	p := a.getPod(ns, name)
	ctr := p.Spec.Containers[0]
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{
		Name: ctr.Name, Image: ctr.Image, Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		Resources: &corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: ctr.Resources.Requests[corev1.ResourceMemory],
		}},
		AllocatedResources: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: ctr.Resources.Requests[corev1.ResourceMemory],
		},
	}}
	if _, err := a.kube.CoreV1().Pods(ns).UpdateStatus(a.ctx, p, metav1.UpdateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) bind(ns, name, node string) {
	a.t.Helper()
	b := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Target: corev1.ObjectReference{Kind: "Node", Name: node}}
	if err := a.kube.CoreV1().Pods(ns).Bind(a.ctx, b, metav1.CreateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) deletePod(ns, name string) {
	a.t.Helper()
	zero := int64(0)
	if err := a.kube.CoreV1().Pods(ns).Delete(a.ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) patchNode(name, patch string) {
	a.t.Helper()
	if _, err := a.kube.CoreV1().Nodes().Patch(a.ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

// claim creates a NodeClaim; with a node name it is joined to that Node.
func (a *api) claim(name, nodeName, providerID string) {
	a.t.Helper()
	nc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
		"metadata": map[string]any{"name": name, "labels": map[string]any{
			"karpenter.sh/nodepool": "default", "node.kubernetes.io/instance-type": "t3a.medium",
			"karpenter.sh/capacity-type": "on-demand",
		}},
		"spec": map[string]any{
			"nodeClassRef": map[string]any{"group": "karpenter.kwok.sh", "kind": "KWOKNodeClass", "name": "default"},
			"requirements": []any{map[string]any{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": []any{"t3a.medium"}}},
		},
	}}
	res := a.dyn.Resource(harness.NodeClaimResource)
	created, err := res.Create(a.ctx, nc, metav1.CreateOptions{})
	if err != nil {
		a.t.Fatal(err)
	}
	if nodeName == "" {
		return
	}
	created.Object["status"] = map[string]any{"nodeName": nodeName, "providerID": providerID}
	if _, err := res.UpdateStatus(a.ctx, created, metav1.UpdateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

// row is what we compare: the model's view of one node row.
type row struct {
	Launching, Cordoned, Deleting, Ready bool
	Pods                                 int
	CPU, Memory, PodsRes                 cluster.Quantity
}

type view struct {
	Rows                           map[string]row
	Total, Pending, Running, Bound int
	Totals                         []cluster.Quantity
}

// expected computes the view from the objects listed from the API.
func (a *api) expected() (view, error) {
	nodes, err := a.kube.CoreV1().Nodes().List(a.ctx, metav1.ListOptions{})
	if err != nil {
		return view{}, err
	}
	pods, err := a.kube.CoreV1().Pods("").List(a.ctx, metav1.ListOptions{})
	if err != nil {
		return view{}, err
	}
	claims, err := a.dyn.Resource(harness.NodeClaimResource).List(a.ctx, metav1.ListOptions{})
	if err != nil {
		return view{}, err
	}
	v := view{Rows: map[string]row{}, Totals: make([]cluster.Quantity, 3)}
	byProvider := map[string]bool{}
	for _, n := range nodes.Items {
		r := row{Deleting: n.DeletionTimestamp != nil, Cordoned: n.Spec.Unschedulable}
		for _, t := range n.Spec.Taints {
			if (t.Key == "karpenter.sh/disrupted" || t.Key == "karpenter.sh/disruption") && t.Effect == corev1.TaintEffectNoSchedule {
				r.Cordoned = true
			}
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				r.Ready = c.Status == corev1.ConditionTrue
			}
		}
		al := n.Status.Allocatable
		r.CPU.Allocatable, r.Memory.Allocatable, r.PodsRes.Allocatable = al.Cpu().MilliValue(), al.Memory().MilliValue(), al.Pods().MilliValue()
		v.Rows[n.Name] = r
		byProvider[n.Spec.ProviderID] = true
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		v.Total++
		switch p.Status.Phase {
		case corev1.PodPending:
			v.Pending++
		case corev1.PodRunning:
			v.Running++
		}
		r, ok := v.Rows[p.Spec.NodeName]
		if p.Spec.NodeName == "" || !ok {
			continue
		}
		v.Bound++
		req := resourcehelper.PodRequests(&p, resourcehelper.PodResourcesOptions{UseStatusResources: true})
		r.Pods++
		r.CPU.Used += req.Cpu().MilliValue()
		r.Memory.Used += req.Memory().MilliValue()
		r.PodsRes.Used += 1000
		v.Rows[p.Spec.NodeName] = r
	}
	for _, cl := range claims.Items {
		nodeName, _, _ := unstructured.NestedString(cl.Object, "status", "nodeName")
		pid, _, _ := unstructured.NestedString(cl.Object, "status", "providerID")
		if _, ok := v.Rows[nodeName]; ok && nodeName != "" {
			continue
		}
		if pid != "" && byProvider[pid] {
			continue
		}
		name := cl.GetName()
		if nodeName != "" {
			name = nodeName
		}
		v.Rows[name] = row{Launching: true, Deleting: cl.GetDeletionTimestamp() != nil}
	}
	for _, r := range v.Rows {
		for i, q := range []cluster.Quantity{r.CPU, r.Memory, r.PodsRes} {
			v.Totals[i].Used += q.Used
			v.Totals[i].Allocatable += q.Allocatable
		}
	}
	return v, nil
}

// actual reads the same view from a model Snapshot.
func actual(s cluster.Snapshot) view {
	v := view{Rows: map[string]row{}, Total: s.Pods.Total, Pending: s.Pods.Pending, Running: s.Pods.Running, Bound: s.Pods.Bound, Totals: s.Totals}
	for _, n := range s.Nodes {
		r := row{Launching: n.Launching, Cordoned: n.Cordoned, Deleting: n.Deleting, Ready: n.Ready, Pods: n.Pods}
		if len(n.Usage) == 3 {
			r.CPU, r.Memory, r.PodsRes = n.Usage[0], n.Usage[1], n.Usage[2]
		}
		if n.Launching {
			// A launching claim has no node: compare its identity only.
			r = row{Launching: true, Deleting: n.Deleting}
		}
		v.Rows[n.Name] = r
	}
	return v
}

// check waits until the model agrees with the API (informers are eventually
// consistent) and fails with a readable diff otherwise.
func (a *api) check(model *cluster.Cluster, step string) {
	a.t.Helper()
	start := time.Now()
	var want, got view
	for {
		var err error
		want, err = a.expected()
		if err != nil {
			a.t.Fatal(err)
		}
		got = actual(model.Snapshot())
		// Launching rows have no usage; their share of Totals is the claim's
		// (empty) allocatable, so compare totals as computed from rows.
		if d := diffViews(want, got); d == "" {
			a.t.Logf("%s: model agrees with the API (%s, %d rows)", step, time.Since(start).Round(time.Millisecond), len(got.Rows))
			return
		}
		if time.Since(start) > 20*time.Second {
			a.t.Fatalf("%s: the model disagrees with the API:\n%s", step, diffViews(want, got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func diffViews(want, got view) string {
	var b strings.Builder
	names := map[string]bool{}
	for n := range want.Rows {
		names[n] = true
	}
	for n := range got.Rows {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		w, wok := want.Rows[n]
		g, gok := got.Rows[n]
		switch {
		case !gok:
			fmt.Fprintf(&b, "  row %s missing; want %s\n", n, js(w))
		case !wok:
			fmt.Fprintf(&b, "  row %s unexpected: %s\n", n, js(g))
		case w != g:
			fmt.Fprintf(&b, "  row %s:\n    want %s\n    got  %s\n", n, js(w), js(g))
		}
	}
	wp := [4]int{want.Total, want.Pending, want.Running, want.Bound}
	gp := [4]int{got.Total, got.Pending, got.Running, got.Bound}
	if wp != gp {
		fmt.Fprintf(&b, "  pods total/pending/running/bound: want %v, got %v\n", wp, gp)
	}
	if js(want.Totals) != js(got.Totals) {
		fmt.Fprintf(&b, "  totals (cpu, memory, pods): want %s, got %s\n", js(want.Totals), js(got.Totals))
	}
	return b.String()
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

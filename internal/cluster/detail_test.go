package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func podNames(pods []Pod) string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// TestNodeDetailFollowsItsPods drives the informers: the detail of a node
// holds exactly its counted pods through add, move, finish and delete.
func TestNodeDetailFollowsItsPods(t *testing.T) {
	ctx := context.Background()
	rs := pod("app", "web-6b5f9d7c4-abcde", "a", "200m", corev1.PodRunning)
	rs.CreationTimestamp = metav1.NewTime(t0)
	rs.OwnerReferences = []metav1.OwnerReference{
		{Kind: "Service", Name: "not-a-controller"},
		{Kind: "ReplicaSet", Name: "web-6b5f9d7c4", Controller: ptrTo(true)},
	}
	rs.DeletionTimestamp = ptrTo(metav1.NewTime(t0.Add(time.Hour)))
	ds := pod("kube-system", "aws-node-x7k2q", "a", "25m", corev1.PodRunning)
	ds.OwnerReferences = []metav1.OwnerReference{{Kind: "DaemonSet", Name: "aws-node", Controller: ptrTo(true)}}
	n := node("a", "2", t0, "karpenter.sh/nodepool", "general-purpose", "topology.kubernetes.io/zone", "us-east-1a")
	n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	e := start(t, Options{Resources: []string{"cpu", "memory"}}, []runtime.Object{
		n, node("b", "2", t0), rs, ds,
		pod("app", "other", "b", "1", corev1.PodRunning),
		pod("app", "done", "a", "1", corev1.PodSucceeded),
	})
	s := e.waitFor("pods", func(s Snapshot) bool { return s.Pods.Total == 3 })
	if s.Detail != nil || s.Pending != nil {
		t.Fatalf("an empty query carries no detail: %+v %+v", s.Detail, s.Pending)
	}
	s = e.c.SnapshotFor(Query{Node: "a"})
	d := s.Detail
	if d == nil || s.Query.Node != "a" {
		t.Fatalf("no detail for a")
	}
	if got := podNames(d.Pods); got != "app/web-6b5f9d7c4-abcde,kube-system/aws-node-x7k2q" {
		t.Fatalf("pods of a = %s", got)
	}
	if d.Node.Name != "a" || d.Node.NodePool != "general-purpose" || d.Node.Zone != "us-east-1a" || d.Node.Pods != 2 {
		t.Errorf("row = %+v", d.Node)
	}
	if len(d.Taints) != 1 || d.Taints[0] != (Taint{Key: "dedicated", Value: "gpu", Effect: "NoSchedule"}) || d.ProviderID != "aws:///us-east-1a/a" {
		t.Errorf("taints %v, provider %q", d.Taints, d.ProviderID)
	}
	for _, p := range d.Pods {
		switch p.Name {
		case "web-6b5f9d7c4-abcde":
			if p.OwnerKind != "ReplicaSet" || p.OwnerName != "web-6b5f9d7c4" || !p.Created.Equal(t0) || !p.Terminating ||
				p.Phase != "Running" || fmt.Sprint(p.Requests) != "[200 0]" || p.Node != "a" {
				t.Errorf("web pod = %+v", p)
			}
		case "aws-node-x7k2q":
			if p.OwnerKind != "DaemonSet" || p.Terminating || fmt.Sprint(p.Requests) != "[25 0]" {
				t.Errorf("daemonset pod = %+v", p)
			}
		}
	}

	// The pod moves to b (a re-created pod of the same name), then b goes.
	moved := pod("app", "web-6b5f9d7c4-abcde", "b", "200m", corev1.PodRunning)
	if _, err := e.kube.CoreV1().Pods("app").Update(ctx, moved, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("moved", func(s Snapshot) bool { return s.Nodes[0].Pods == 1 && s.Nodes[1].Pods == 2 })
	if got := podNames(e.c.SnapshotFor(Query{Node: "a"}).Detail.Pods); got != "kube-system/aws-node-x7k2q" {
		t.Errorf("after the move, pods of a = %s", got)
	}
	if got := podNames(e.c.SnapshotFor(Query{Node: "b"}).Detail.Pods); got != "app/other,app/web-6b5f9d7c4-abcde" {
		t.Errorf("after the move, pods of b = %s", got)
	}
	if err := e.kube.CoreV1().Nodes().Delete(ctx, "b", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("b gone", func(s Snapshot) bool { return len(s.Nodes) == 1 })
	if s := e.c.SnapshotFor(Query{Node: "b"}); s.Detail != nil {
		t.Errorf("a deleted node has no detail: %+v", s.Detail)
	}
	// Its pods are still known (bound elsewhere); when the node returns, so do they.
	if _, err := e.kube.CoreV1().Nodes().Create(ctx, node("b", "2", t0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("b back", func(s Snapshot) bool { return len(s.Nodes) == 2 })
	if got := podNames(e.c.SnapshotFor(Query{Node: "b"}).Detail.Pods); got != "app/other,app/web-6b5f9d7c4-abcde" {
		t.Errorf("b back, pods = %s", got)
	}
	if err := e.kube.CoreV1().Pods("app").Delete(ctx, "other", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("pod gone", func(s Snapshot) bool { return s.Pods.Total == 2 })
	if got := podNames(e.c.SnapshotFor(Query{Node: "b"}).Detail.Pods); got != "app/web-6b5f9d7c4-abcde" {
		t.Errorf("pod deleted, pods of b = %s", got)
	}
}

func TestLaunchingNodeClaimDetailHasNoPods(t *testing.T) {
	e := start(t, Options{}, nil, nodeClaim("default-abc", "", "", t0, map[string]string{"karpenter.sh/nodepool": "default"}))
	s := e.waitFor("claim", func(s Snapshot) bool { return len(s.Nodes) == 1 })
	d := e.c.SnapshotFor(Query{Node: "default-abc"}).Detail
	if d == nil || !d.Node.Launching || d.Node.NodeClaim != "default-abc" || d.Node.NodePool != "default" || len(d.Pods) != 0 {
		t.Errorf("detail = %+v (%s)", d, describe(s))
	}
}

func TestPendingPodsCarryTheirLatestSchedulingMessage(t *testing.T) {
	ctx := context.Background()
	failed := func(name, pod, msg string, at time.Time) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "app", Name: name},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "app", Name: pod},
			Reason:         "FailedScheduling", Message: msg,
			Source:        corev1.EventSource{Component: "default-scheduler"},
			LastTimestamp: metav1.NewTime(at),
		}
	}
	e := start(t, Options{}, []runtime.Object{
		node("a", "2", t0),
		pod("app", "p1", "", "200m", corev1.PodPending),
		pod("app", "p2", "", "1", corev1.PodPending),
		pod("app", "bound", "a", "1", corev1.PodRunning),
		pod("app", "starting", "a", "100m", corev1.PodPending),
		pod("app", "elsewhere", "not-shown", "100m", corev1.PodPending),
		failed("e3", "starting", "an old message from before it was bound", t0),
		failed("e1", "p1", "0/1 nodes are available: 1 Insufficient cpu.", t0.Add(2*time.Minute)),
		failed("e0", "p1", "older", t0.Add(time.Minute)),
		failed("e2", "gone", "a pod we never saw", t0),
	})
	e.waitFor("pods", func(s Snapshot) bool { return s.Pods.Total == 4 && len(s.Events) > 0 })
	s := e.c.SnapshotFor(Query{Pending: true})
	// The pod line's pending: the two without a node and the one bound to a
	// shown node that has not started; not the one on a node not shown.
	if s.Pods.Unscheduled != 2 || s.Pods.Pending != 3 || len(s.Pending) != 3 || podNames(s.Pending) != "app/p1,app/p2,app/starting" {
		t.Fatalf("pods %+v, pending = %+v", s.Pods, s.Pending)
	}
	for _, p := range s.Pending {
		want := map[string]string{"p1": "0/1 nodes are available: 1 Insufficient cpu.", "p2": "", "starting": ""}[p.Name]
		if p.FailedScheduling != want {
			t.Errorf("%s: message %q, want %q", p.Name, p.FailedScheduling, want)
		}
	}
	// p1 is scheduled: it leaves the pending list; the event deleted, the
	// message is forgotten.
	if _, err := e.kube.CoreV1().Pods("app").Update(ctx, pod("app", "p1", "a", "200m", corev1.PodRunning), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("bound", func(s Snapshot) bool { return s.Pods.Unscheduled == 1 })
	if got := podNames(e.c.SnapshotFor(Query{Pending: true}).Pending); got != "app/p2,app/starting" {
		t.Errorf("pending after bind = %s", got)
	}
	if err := e.kube.CoreV1().Events("app").Delete(ctx, "e2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.c.mu.Lock()
		_, kept := e.c.podFacts[podKey{"app", "gone"}]
		e.c.mu.Unlock()
		if !kept {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the message of a deleted event is kept")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ptrTo[T any](v T) *T { return &v }

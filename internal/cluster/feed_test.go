package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestFeedDeliversLikeAnInformer: objects fed in-process show in snapshots
// as the informers' would, the store keeps what the model was given, and a
// delete removes the object from both.
func TestFeedDeliversLikeAnInformer(t *testing.T) {
	c := New(Options{Resources: []string{"cpu"}, Now: func() time.Time { return t0.Add(time.Hour) }})
	f := c.Feed()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.Add(node("n1", "2", t0, "karpenter.sh/nodepool", "default")))
	must(f.Add(node("n2", "2", t0)))
	must(f.Add(pod("app", "a", "n1", "500m", corev1.PodRunning)))
	must(f.Add(pod("app", "b", "n1", "250m", corev1.PodRunning)))
	must(f.Add(withConditions(nodeClaim("default-x", "n1", "aws:///us-east-1a/n1", t0, map[string]string{"karpenter.sh/nodepool": "default"}),
		cond("Launched", "True", "Launched", t0), cond("Ready", "True", "Ready", t0))))
	must(f.Add(withConditions(nodeClaim("default-y", "", "", t0.Add(50*time.Minute), map[string]string{"karpenter.sh/nodepool": "default"}),
		cond("Launched", "True", "Launched", t0.Add(50*time.Minute)))))
	must(f.Add(nodePool("default", map[string]any{"limits": map[string]any{"cpu": "100"}}, nil)))
	must(f.Add(kevent("e1", "Unconsolidatable", on("Node", "", "n2"), "Can't replace with a cheaper node", t0.Add(30*time.Minute))))

	s := c.Snapshot()
	if s.Synced || len(s.Syncing) != 5 {
		t.Fatalf("before Synced: synced %v, syncing %+v", s.Synced, s.Syncing)
	}
	if got := s.Syncing[1]; got.Resource != "pods" || got.Objects != 2 {
		t.Errorf("pods syncing %+v, want 2 objects", got)
	}
	f.Synced()
	s = c.SnapshotFor(Query{Node: "n1", NodePools: true})
	if !s.Synced || len(s.Nodes) != 3 || s.Pods.Total != 2 || s.Totals[0].Used != 750 {
		t.Fatalf("after Synced: synced %v, %d rows, %d pods, totals %+v", s.Synced, len(s.Nodes), s.Pods.Total, s.Totals)
	}
	if s.Detail == nil || s.Detail.Node.NodeClaim != "default-x" || len(s.Detail.Pods) != 2 {
		t.Fatalf("detail of n1: %+v", s.Detail)
	}
	launching := 0
	for i := range s.Nodes {
		if s.Nodes[i].Launching {
			launching++
			if s.Nodes[i].Name != "default-y" {
				t.Errorf("launching row %q, want default-y", s.Nodes[i].Name)
			}
		}
	}
	// The NodePool (its node and launching claim), then n2 in no group.
	if launching != 1 || len(s.NodePools) != 2 || !s.NodePools[0].Known || s.NodePools[0].Claims != 1 {
		t.Errorf("%d launching rows, NodePools %+v", launching, s.NodePools)
	}
	if len(s.Events) != 1 || s.Events[0].Object != "node/n2" {
		t.Errorf("events %+v", s.Events)
	}
	for res, n := range map[string]int{"nodes": 2, "pods": 2, "nodeclaims": 2, "nodepools": 1, "events": 1} {
		if got := f.Stored(res); got != n {
			t.Errorf("%s store holds %d, want %d", res, got, n)
		}
	}

	// An update moves a pod (as a watch's MODIFIED event), a delete carries
	// its final state.
	must(f.Update(pod("app", "b", "n2", "1", corev1.PodRunning)))
	must(f.Delete(pod("app", "a", "n1", "500m", corev1.PodRunning)))
	must(f.Delete(node("n1", "2", t0, "karpenter.sh/nodepool", "default")))
	s = c.SnapshotFor(Query{Node: "n2"})
	if s.Pods.Total != 1 || s.Totals[0].Used != 1000 || s.Detail == nil || len(s.Detail.Pods) != 1 || s.Detail.Pods[0].Name != "b" {
		t.Fatalf("after update and delete: %d pods, totals %+v, detail %+v", s.Pods.Total, s.Totals, s.Detail)
	}
	for i := range s.Nodes {
		if s.Nodes[i].Name == "n1" && !s.Nodes[i].Launching {
			t.Errorf("deleted node n1 still listed: %+v", s.Nodes[i])
		}
	}
	if f.Stored("pods") != 1 || f.Stored("nodes") != 1 {
		t.Errorf("stores hold %d pods, %d nodes; want 1, 1", f.Stored("pods"), f.Stored("nodes"))
	}
}

func TestFeedRefusesOtherObjects(t *testing.T) {
	f := New(Options{}).Feed()
	if err := f.Add(&corev1.ConfigMap{}); err == nil || !strings.Contains(err.Error(), "ConfigMap") {
		t.Errorf("a ConfigMap: %v", err)
	}
	u := nodePool("x", nil, nil)
	u.SetKind("Other")
	if err := f.Add(u); err == nil {
		t.Error("an unstructured Other was accepted")
	}
}

func TestFeedAfterStartPanics(t *testing.T) {
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx, fake.NewClientset(), nil)
	defer func() {
		if recover() == nil {
			t.Error("Feed after Start did not panic")
		}
	}()
	c.Feed()
}

package usage

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The poller against the real model (informers over a fake clientset), on
// a clock the test moves: samples reach the rows, age into stale, and the
// open node's pods get theirs.

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func kubeNode(name string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"),
		}},
	}
}

func kubePod(ns, name, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
		}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// waitSnapshot takes snapshots of q until cond holds.
func waitSnapshot(t *testing.T, m *cluster.Cluster, q cluster.Query, what string, cond func(cluster.Snapshot) bool) cluster.Snapshot {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := m.SnapshotFor(q)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", what, s.Usage)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestThePollFeedsTheModel(t *testing.T) {
	clk := &clock{now: t0}
	m := cluster.New(cluster.Options{Resources: []string{"cpu", "memory"}, Now: clk.Now, UsageInterval: 15 * time.Second})
	kube := kubefake.NewClientset([]runtime.Object{
		kubeNode("a"), kubeNode("b"),
		kubePod("web", "w1", "a"), kubePod("web", "w2", "b"),
	}...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Start(ctx, kube, nil)
	<-m.Synced()

	b := newBed(t)
	b.nodes = []metricsv1beta1.NodeMetrics{nodeMetrics("a", t0, "500m", "1Gi")}
	b.podsBy["web"] = []metricsv1beta1.PodMetrics{podMetrics("web", "w1", t0, "300m", "100Mi"), podMetrics("web", "w2", t0, "1", "1Gi")}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, m, Options{Client: b.client, Interval: 15 * time.Second, Ticker: func(time.Duration) (<-chan time.Time, func()) { return b.ticks, func() {} }})
	}()
	defer func() { cancel(); <-done }()

	row := func(s cluster.Snapshot, name string) *cluster.Node {
		for i := range s.Nodes {
			if s.Nodes[i].Name == name {
				return s.Nodes[i]
			}
		}
		t.Fatalf("no row %s", name)
		return nil
	}
	s := waitSnapshot(t, m, cluster.Query{}, "a's sample", func(s cluster.Snapshot) bool { return row(s, "a").Used != nil })
	if a := row(s, "a"); a.Used[0] != 500 || a.Used[1] != 1<<30*1000 || a.UsageStale || !a.UsedAt.Equal(t0) {
		t.Fatalf("a %+v", a)
	}
	if row(s, "b").Used != nil || s.Usage.Nodes != 1 {
		t.Fatalf("b has no sample: %+v", s.Usage)
	}

	// No new sample for three intervals and a second: stale, on the
	// model's clock alone.
	clk.set(t0.Add(46 * time.Second))
	if s := m.Snapshot(); !row(s, "a").UsageStale || s.Usage.Stale != 1 {
		t.Fatalf("not stale at +46s: %+v", s.Usage)
	}
	// A newer sample makes it fresh.
	b.mu.Lock()
	b.nodes = []metricsv1beta1.NodeMetrics{nodeMetrics("a", t0.Add(45*time.Second), "700m", "1Gi")}
	b.mu.Unlock()
	b.tick()
	waitSnapshot(t, m, cluster.Query{}, "a's fresh sample", func(s cluster.Snapshot) bool {
		a := row(s, "a")
		return a.Used[0] == 700 && !a.UsageStale
	})

	// The node view opens a: its pods get their samples, b's pod not.
	s = waitSnapshot(t, m, cluster.Query{Node: "a"}, "w1's sample", func(s cluster.Snapshot) bool {
		return s.Detail != nil && len(s.Detail.Pods) == 1 && s.Detail.Pods[0].Used != nil
	})
	if p := s.Detail.Pods[0]; p.Name != "w1" || p.Used[0] != 300 || p.Used[1] != 100<<20*1000 {
		t.Fatalf("w1 %+v", p)
	}
	for _, a := range b.actions() {
		if a == "list pods" {
			t.Fatalf("pod metrics of the whole cluster: %v", b.actions())
		}
	}
}

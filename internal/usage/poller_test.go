package usage

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	clienttesting "k8s.io/client-go/testing"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// recorder is a Model that hands each call to the test.
type recorder struct {
	nodes  chan []cluster.NodeUsage
	pods   chan podCall
	notes  chan [2]string
	open   chan struct{}
	mu     sync.Mutex
	target cluster.UsageTarget
}

type podCall struct {
	node string
	pods []cluster.PodUsage
}

func newRecorder() *recorder {
	return &recorder{
		nodes: make(chan []cluster.NodeUsage, 16),
		pods:  make(chan podCall, 16),
		notes: make(chan [2]string, 16),
		open:  make(chan struct{}, 1),
	}
}

func (r *recorder) SetNodeUsage(n []cluster.NodeUsage)            { r.nodes <- n }
func (r *recorder) SetPodUsage(node string, p []cluster.PodUsage) { r.pods <- podCall{node, p} }
func (r *recorder) SetNote(topic, text string)                    { r.notes <- [2]string{topic, text} }
func (r *recorder) OpenNodeChanged() <-chan struct{}              { return r.open }
func (r *recorder) UsageTarget() cluster.UsageTarget {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.target
}

func (r *recorder) setTarget(t cluster.UsageTarget) {
	r.mu.Lock()
	r.target = t
	r.mu.Unlock()
	r.open <- struct{}{}
}

// next waits for the next value on ch; the timeout only keeps a broken
// poller from hanging the test.
func next[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
	}
	var zero T
	return zero
}

// none asserts that nothing was sent on ch by the time the poller has
// answered the probe that follows (the loop handles one thing at a time).
func none[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %+v", what, v)
	default:
	}
}

// bed is a poller over a fake metrics clientset, ticked by hand.
type bed struct {
	t        *testing.T
	client   *metricsfake.Clientset
	model    *recorder
	ticks    chan time.Time
	interval atomic.Int64
	// served is what discovery says; listErr fails the node list.
	served  atomic.Bool
	mu      sync.Mutex
	listErr error
	nodes   []metricsv1beta1.NodeMetrics
	podsBy  map[string][]metricsv1beta1.PodMetrics // by namespace
	podErr  error
}

func newBed(t *testing.T) *bed {
	b := &bed{t: t, client: metricsfake.NewSimpleClientset(), model: newRecorder(), ticks: make(chan time.Time), podsBy: map[string][]metricsv1beta1.PodMetrics{}}
	b.served.Store(true)
	b.client.Discovery().(*fakediscovery.FakeDiscovery).Resources = []*metav1.APIResourceList{{
		GroupVersion: "metrics.k8s.io/v1beta1",
		APIResources: []metav1.APIResource{{Name: "nodes", Kind: "NodeMetrics"}, {Name: "pods", Namespaced: true, Kind: "PodMetrics"}},
	}}
	// Discovery asks "get resource": not served is the real server's 404.
	b.client.PrependReactor("get", "resource", func(clienttesting.Action) (bool, runtime.Object, error) {
		if !b.served.Load() {
			return true, nil, apierrors.NewNotFound(schema.GroupResource{}, "metrics.k8s.io/v1beta1")
		}
		return false, nil, nil
	})
	b.client.PrependReactor("list", "nodes", func(clienttesting.Action) (bool, runtime.Object, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.listErr != nil {
			return true, nil, b.listErr
		}
		return true, &metricsv1beta1.NodeMetricsList{Items: append([]metricsv1beta1.NodeMetrics(nil), b.nodes...)}, nil
	})
	b.client.PrependReactor("list", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.podErr != nil {
			return true, nil, b.podErr
		}
		return true, &metricsv1beta1.PodMetricsList{Items: b.podsBy[a.GetNamespace()]}, nil
	})
	b.client.PrependReactor("get", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.podErr != nil {
			return true, nil, b.podErr
		}
		name := a.(clienttesting.GetAction).GetName()
		for _, pm := range b.podsBy[a.GetNamespace()] {
			if pm.Name == name {
				return true, pm.DeepCopy(), nil
			}
		}
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, name)
	})
	return b
}

func (b *bed) failList(err error) {
	b.mu.Lock()
	b.listErr = err
	b.mu.Unlock()
}

func (b *bed) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		Run(ctx, b.model, Options{Client: b.client, Interval: 15 * time.Second, Ticker: func(d time.Duration) (<-chan time.Time, func()) {
			b.interval.Store(int64(d))
			return b.ticks, func() {}
		}})
	}()
}

func (b *bed) tick() { b.ticks <- t0 }

// actions are the client's calls so far as "verb resource ns/name".
func (b *bed) actions() []string {
	var out []string
	for _, a := range b.client.Actions() {
		s := a.GetVerb() + " " + a.GetResource().Resource
		if a.GetNamespace() != "" {
			s += " " + a.GetNamespace()
		}
		if g, ok := a.(clienttesting.GetAction); ok && g.GetName() != "" {
			s += "/" + g.GetName()
		}
		out = append(out, s)
	}
	return out
}

func nodeMetrics(name string, at time.Time, cpu, mem string) metricsv1beta1.NodeMetrics {
	return metricsv1beta1.NodeMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Timestamp:  metav1.NewTime(at),
		Window:     metav1.Duration{Duration: 15 * time.Second},
		Usage:      corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
	}
}

func podMetrics(ns, name string, at time.Time, containers ...string) metricsv1beta1.PodMetrics {
	pm := metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Timestamp: metav1.NewTime(at), Window: metav1.Duration{Duration: 15 * time.Second}}
	for i := 0; i+1 < len(containers); i += 2 {
		pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: "c", Usage: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(containers[i]), corev1.ResourceMemory: resource.MustParse(containers[i+1]),
		}})
	}
	return pm
}

func TestNodeMetricsEveryInterval(t *testing.T) {
	b := newBed(t)
	b.nodes = []metricsv1beta1.NodeMetrics{nodeMetrics("a", t0, "250m", "1Gi"), nodeMetrics("b", t0, "1", "512Mi")}
	b.run()

	// The first poll at once, before any tick.
	got := next(t, b.model.nodes, "first node poll")
	want := []cluster.NodeUsage{
		{Name: "a", At: t0, Window: 15 * time.Second, CPU: 250, Memory: 1 << 30 * 1000},
		{Name: "b", At: t0, Window: 15 * time.Second, CPU: 1000, Memory: 512 << 20 * 1000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("samples %+v\nwant %+v", got, want)
	}
	if d := time.Duration(b.interval.Load()); d != 15*time.Second {
		t.Fatalf("ticker interval %s", d)
	}
	// One list per tick, nothing in between, no pod metrics with no node open.
	for i := range 3 {
		b.tick()
		next(t, b.model.nodes, "node poll after a tick")
		if n := strings.Count(strings.Join(b.actions(), ","), "list nodes"); n != i+2 {
			t.Fatalf("after %d ticks %d lists: %v", i+1, n, b.actions())
		}
	}
	none(t, b.model.notes, "note (nothing to say)")
	for _, a := range b.actions() {
		if strings.Contains(a, "pods") {
			t.Fatalf("pod metrics with no node open: %v", b.actions())
		}
	}
}

func TestAPINotServedIsANote(t *testing.T) {
	b := newBed(t)
	b.served.Store(false)
	b.run()
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicNodes, NoteNotServed} {
		t.Fatalf("note %v", n)
	}
	b.tick()
	b.tick() // the loop has handled the first tick once it takes the second
	none(t, b.model.nodes, "node poll")
	for _, a := range b.actions() {
		if a != "get resource" {
			t.Fatalf("calls other than discovery while not served: %v", b.actions())
		}
	}
	// The note is set once, not on every poll.
	none(t, b.model.notes, "repeated note")

	// metrics-server is installed: the next poll finds it.
	b.served.Store(true)
	b.tick()
	next(t, b.model.nodes, "node poll once served")
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicNodes, ""} {
		t.Fatalf("note %v", n)
	}
}

func TestForbiddenIsANote(t *testing.T) {
	b := newBed(t)
	b.failList(apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io", Resource: "nodes"}, "", errors.New("no RBAC")))
	b.run()
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicNodes, NoteNodeForbidden} {
		t.Fatalf("note %v", n)
	}
	b.tick()
	b.tick()
	none(t, b.model.nodes, "node samples while forbidden")

	// Granted: samples flow, the note goes.
	b.failList(nil)
	b.tick()
	next(t, b.model.nodes, "node poll once allowed")
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicNodes, ""} {
		t.Fatalf("note %v", n)
	}
}

func TestUnavailableIsANoteAndTheSamplesAge(t *testing.T) {
	b := newBed(t)
	b.nodes = []metricsv1beta1.NodeMetrics{nodeMetrics("a", t0, "1", "1Gi")}
	b.run()
	next(t, b.model.nodes, "first poll")
	b.failList(apierrors.NewServiceUnavailable("the server is currently unable to handle the request"))
	b.tick()
	n := next(t, b.model.notes, "note")
	if n[0] != TopicNodes || !strings.HasPrefix(n[1], "usage: metrics.k8s.io unavailable: ") {
		t.Fatalf("note %v", n)
	}
	none(t, b.model.nodes, "samples while unavailable")
	// The APIService was removed: back to discovery.
	b.failList(apierrors.NewNotFound(schema.GroupResource{Group: "metrics.k8s.io", Resource: "nodes"}, ""))
	b.served.Store(false)
	b.tick()
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicNodes, NoteNotServed} {
		t.Fatalf("note %v", n)
	}
}

func TestPodMetricsOnlyForTheOpenNode(t *testing.T) {
	b := newBed(t)
	b.podsBy["web"] = []metricsv1beta1.PodMetrics{
		podMetrics("web", "w1", t0, "100m", "10Mi", "50m", "5Mi"), // two containers
		podMetrics("web", "w2", t0, "1", "1Gi"),
		podMetrics("web", "elsewhere", t0, "1", "1Gi"),
	}
	b.podsBy["kube-system"] = []metricsv1beta1.PodMetrics{podMetrics("kube-system", "ds-a", t0, "5m", "20Mi")}
	b.run()
	next(t, b.model.nodes, "first poll")
	b.tick()
	next(t, b.model.nodes, "second poll")
	for _, a := range b.actions() {
		if strings.Contains(a, "pods") {
			t.Fatalf("pod metrics with no node open: %v", b.actions())
		}
	}
	before := len(b.actions())

	// A node opens: its pods are polled at once, without a tick. The
	// application namespace is listed; the DaemonSet's pod in a namespace
	// of 4,000 pods is fetched alone; a pod without metrics is skipped.
	b.model.setTarget(cluster.UsageTarget{Node: "a", Namespaces: []cluster.NamespacePods{
		{Namespace: "kube-system", Pods: []string{"ds-a", "ds-new"}, Total: 4000},
		{Namespace: "web", Pods: []string{"w1", "w2"}, Total: 3},
	}})
	call := next(t, b.model.pods, "pod poll on open")
	if call.node != "a" {
		t.Fatalf("pod poll for %q", call.node)
	}
	sort.Slice(call.pods, func(i, j int) bool { return call.pods[i].Name < call.pods[j].Name })
	want := []cluster.PodUsage{
		{Namespace: "kube-system", Name: "ds-a", At: t0, Window: 15 * time.Second, CPU: 5, Memory: 20 << 20 * 1000},
		{Namespace: "web", Name: "elsewhere", At: t0, Window: 15 * time.Second, CPU: 1000, Memory: 1 << 30 * 1000},
		{Namespace: "web", Name: "w1", At: t0, Window: 15 * time.Second, CPU: 150, Memory: 15 << 20 * 1000},
		{Namespace: "web", Name: "w2", At: t0, Window: 15 * time.Second, CPU: 1000, Memory: 1 << 30 * 1000},
	}
	if !reflect.DeepEqual(call.pods, want) {
		t.Fatalf("pods %+v\nwant %+v", call.pods, want)
	}
	calls := b.actions()[before:]
	sort.Strings(calls)
	if w := []string{"get pods kube-system/ds-a", "get pods kube-system/ds-new", "list pods web"}; !reflect.DeepEqual(calls, w) {
		t.Fatalf("calls %v, want %v", calls, w)
	}

	// Each tick polls nodes and the open node's pods, never all pods.
	b.tick()
	next(t, b.model.nodes, "node poll")
	next(t, b.model.pods, "pod poll")
	for _, a := range b.actions() {
		if a == "list pods" {
			t.Fatalf("pod metrics of the whole cluster: %v", b.actions())
		}
	}
	// The node closes: pods are no longer polled.
	b.model.setTarget(cluster.UsageTarget{})
	b.tick()
	next(t, b.model.nodes, "node poll")
	b.tick()
	next(t, b.model.nodes, "node poll")
	none(t, b.model.pods, "pod poll with no node open")
}

func TestPodMetricsForbiddenIsANote(t *testing.T) {
	b := newBed(t)
	b.podErr = apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "", errors.New("no RBAC"))
	b.run()
	next(t, b.model.nodes, "first poll")
	b.model.setTarget(cluster.UsageTarget{Node: "a", Namespaces: []cluster.NamespacePods{{Namespace: "web", Pods: []string{"w1"}, Total: 1}}})
	if n := next(t, b.model.notes, "note"); n != [2]string{TopicPods, NotePodForbidden} {
		t.Fatalf("note %v", n)
	}
	b.tick()
	next(t, b.model.nodes, "node poll")
	b.tick()
	next(t, b.model.nodes, "node poll")
	none(t, b.model.pods, "pod samples while forbidden")
}

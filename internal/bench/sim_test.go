package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// TestSimAtFiftyNodes runs the whole simulation at a tiny size: every row
// is measured and the table is written.
func TestSimAtFiftyNodes(t *testing.T) {
	out := t.TempDir()
	cfg := simConfig{sizes: []size{{50, 1000}, {100, 2000}}, out: out, rounds: 1, frames: 2, opens: 2}
	if err := runSim(cfg); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "sim-*.txt"))
	if len(files) != 1 {
		t.Fatalf("results written: %v", files)
	}
	table, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"memory held per pod", "pod event: feed + informer decode", "frame after a pod change",
		"open a node view", "re-sort: first snapshot", "usage poll, sorted by cpu-used", "node status event",
		"frame after a usage poll",
		"50 nodes / 1,000 pods", "100 nodes / 2,000 pods", "vs 50 nodes",
	} {
		if !strings.Contains(string(table), want) {
			t.Errorf("the table has no %q:\n%s", want, table)
		}
	}
	if strings.Contains(string(table), "stopped early") {
		t.Errorf("a size stopped early:\n%s", table)
	}
}

// TestSimScreen drives the viewer's screen: the first frame shows the
// model's totals, a frame follows a change, enter opens the first node.
func TestSimScreen(t *testing.T) {
	w := newSimWorld(size{30, 600}, time.Now())
	c, f, _, err := simModel(w, options.DefaultNodeSort)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSimScreen(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if got := parseTotals(s.m.View().Content); !got.ok || got.nodes != 30 || got.pods != 600 {
		t.Fatalf("totals %+v from:\n%s", got, s.m.View().Content)
	}
	if err := f.Delete(w.fullPod(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.frame(); err != nil {
		t.Fatal(err)
	}
	if got := parseTotals(s.m.View().Content); got.pods != 599 {
		t.Errorf("after a delete the screen shows %d pods, want 599", got.pods)
	}
	o, err := s.openNode()
	if err != nil {
		t.Fatal(err)
	}
	// The default sort lists the oldest node first: node 29.
	if o.node != nodeName(29) {
		t.Errorf("opened %q, want %q", o.node, nodeName(29))
	}
	if err := s.back(); err != nil {
		t.Fatal(err)
	}
	if v := s.m.View().Content; parseTotals(v).nodes != 30 {
		t.Errorf("esc did not go back to the list:\n%s", v)
	}
}

// TestClosedScreenFreesTheModel: nothing of a closed screen (its age tick
// still sleeping) keeps the model alive, or one size's model would be
// counted in the next's memory.
func TestClosedScreenFreesTheModel(t *testing.T) {
	ref := func() weak.Pointer[cluster.Cluster] {
		c, _, _, err := simModel(newSimWorld(size{5, 100}, time.Now()), options.DefaultNodeSort)
		if err != nil {
			t.Fatal(err)
		}
		s, err := newSimScreen(c)
		if err != nil {
			t.Fatal(err)
		}
		s.close()
		return weak.Make(c)
	}()
	for range 50 {
		runtime.GC()
		if ref.Value() == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the model of a closed screen is still alive")
}

// TestSimPodIsWhatTheModelKeeps: the model keeps the same of the
// simulation's pods as of the scale bench's full ones.
func TestSimPodIsWhatTheModelKeeps(t *testing.T) {
	w := newSimWorld(size{12, 240}, time.Now())
	feed := func(pod func(int) *corev1.Pod) *cluster.Cluster {
		c := cluster.New(cluster.Options{Resources: []string{"cpu", "memory", "pods"}, Now: func() time.Time { return w.created }})
		f := c.Feed()
		for i := range w.s.nodes {
			n, err := w.node(i)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Add(n); err != nil {
				t.Fatal(err)
			}
		}
		for i := range w.s.pods {
			if err := f.Add(pod(i)); err != nil {
				t.Fatal(err)
			}
		}
		f.Synced()
		return c
	}
	sim, full := feed(w.pod), feed(w.fullPod)
	if a, b := sim.Snapshot(), full.Snapshot(); !reflect.DeepEqual(a.Totals, b.Totals) || a.Pods != b.Pods {
		t.Fatalf("totals %+v %+v, want %+v %+v", a.Totals, a.Pods, b.Totals, b.Pods)
	}
	for i := range w.s.nodes {
		q := cluster.Query{Node: nodeName(i)}
		a, b := sim.SnapshotFor(q).Detail, full.SnapshotFor(q).Detail
		if a == nil || b == nil || len(a.Pods) != 20 {
			t.Fatalf("node %d: details %v, %v", i, a, b)
		}
		byName := func(x, y cluster.Pod) int { return strings.Compare(x.Name, y.Name) }
		slices.SortFunc(a.Pods, byName)
		slices.SortFunc(b.Pods, byName)
		if !reflect.DeepEqual(a.Pods, b.Pods) {
			t.Fatalf("node %d: the sim's pods\n%+v\nthe full pods\n%+v", i, a.Pods, b.Pods)
		}
	}
}

// TestWatchStreamDecodes: the decode measured is the viewer's (the node
// comes back whole, the pods as the model reads them).
func TestWatchStreamDecodes(t *testing.T) {
	w := newSimWorld(size{4, 80}, time.Now())
	n0, err := w.node(3)
	if err != nil {
		t.Fatal(err)
	}
	objs := []kruntime.Object{n0}
	for i := range 5 {
		objs = append(objs, w.fullPod(i))
	}
	stream, err := watchStream(objs)
	if err != nil {
		t.Fatal(err)
	}
	var got []kruntime.Object
	n, err := decodeWatch(stream, func(o kruntime.Object) { got = append(got, o) })
	if err != nil || n != len(objs) {
		t.Fatalf("decoded %d of %d: %v", n, len(objs), err)
	}
	got[0].GetObjectKind().SetGroupVersionKind(n0.GetObjectKind().GroupVersionKind())
	if !apiequality.Semantic.DeepEqual(got[0], n0) {
		t.Errorf("the node came back as\n%+v\nwant\n%+v", got[0], n0)
	}
	// Pods come back as the viewer decodes them: what the model reads.
	for i := 1; i < len(objs); i++ {
		want, p := objs[i].(*corev1.Pod), got[i].(*corev1.Pod)
		if p.Name != want.Name || p.Namespace != want.Namespace || p.Spec.NodeName != want.Spec.NodeName || len(p.Spec.Containers) != len(want.Spec.Containers) {
			t.Fatalf("pod %d came back as %s/%s on %q with %d containers", i, p.Namespace, p.Name, p.Spec.NodeName, len(p.Spec.Containers))
		}
		for k, c := range p.Spec.Containers {
			if !apiequality.Semantic.DeepEqual(c.Resources.Requests, want.Spec.Containers[k].Resources.Requests) {
				t.Errorf("pod %d container %d requests %v, want %v", i, k, c.Resources.Requests, want.Spec.Containers[k].Resources.Requests)
			}
			if c.Image != "" {
				t.Errorf("pod %d container %d kept its image %q: not decoded as the viewer does", i, k, c.Image)
			}
		}
	}
}

func TestParseSimSizes(t *testing.T) {
	got, err := parseSimSizes("5000 100x300")
	if err != nil || !reflect.DeepEqual(got, []size{{5000, 100000}, {100, 300}}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "-5", "5000x"} {
		if _, err := parseSimSizes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSimulateStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := simulate(ctx, simConfig{rounds: 1, frames: 3, opens: 1}, size{10, 200})
	if r.err == nil {
		t.Error("a cancelled simulation reported no error")
	}
}

func TestSpreadMixesShapes(t *testing.T) {
	for _, total := range []int{100000, 400000, 2000000, 5000, 20000, 100000} {
		step := spread(total, 4096)
		if step*4095 >= total {
			t.Errorf("%d: step %d runs past the end", total, step)
		}
		seen := map[[3]int]bool{}
		for j := range 60 {
			i := j * step
			seen[[3]int{i % 3, i % 4, i % 5}] = true
		}
		if len(seen) != 60 {
			t.Errorf("%d: step %d meets %d of the 60 shapes", total, step, len(seen))
		}
	}
}

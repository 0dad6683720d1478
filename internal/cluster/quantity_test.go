package cluster

import (
	"math"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestSatMilli(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "-1": 0, "1m": 1, "0.5m": 1, "1": 1000, "1Gi": 1 << 30 * 1000,
		"9223372036854775": 9223372036854775000, "9223372036854775.807": math.MaxInt64,
		"9223372036854775.806": math.MaxInt64 - 1, "9223372036854775.8065": math.MaxInt64,
		"9223372036854775.808": math.MaxInt64, "9223372036854776": math.MaxInt64,
		"10P": math.MaxInt64, "1Ei": math.MaxInt64, "8Ei": math.MaxInt64, "1e1000": math.MaxInt64,
		"1e-1000": 1, "-1e1000": 0,
	} {
		if got := satMilli(resource.MustParse(s)); got != want {
			t.Errorf("satMilli(%s) = %d, want %d", s, got, want)
		}
	}
}

func TestWideSums(t *testing.T) {
	var w wide
	for range 3 {
		w.add(math.MaxInt64, 1)
	}
	if w.sat() != math.MaxInt64 {
		t.Fatalf("3*MaxInt64 = %d", w.sat())
	}
	w.add(math.MaxInt64, -1)
	w.add(math.MaxInt64, -1)
	w.add(5, 1)
	if w.sat() != math.MaxInt64 {
		t.Fatalf("MaxInt64+5 = %d", w.sat())
	}
	w.add(math.MaxInt64, -1)
	if w.sat() != 5 {
		t.Fatalf("taking the huge ones back left %d, want 5", w.sat())
	}
	w.add(7, -1)
	if w.sat() != -2 {
		t.Fatalf("5-7 = %d", w.sat())
	}
	var v wide
	v.addWide(w, -1)
	v.addWide(w, 1)
	if v != (wide{}) {
		t.Fatalf("w-w = %+v", v)
	}
}

// A pod asking for 10P cpu and 1Ei memory counts as everything (saturated,
// positive), the node's and the cluster's totals too; once it is gone the
// totals are exact again.
func TestHugeRequestsSaturate(t *testing.T) {
	c := New(Options{Resources: []string{"cpu", "memory"}})
	c.testNode(node("n1", "2", t0))
	c.testNode(node("n2", "2", t0))
	small := pod("ns", "small", "n1", "500m", corev1.PodRunning)
	huge := pod("ns", "huge", "n1", "10P", corev1.PodRunning)
	huge.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("1Ei")
	huge2 := huge.DeepCopy()
	huge2.Name, huge2.Spec.NodeName = "huge2", "n2"
	for _, p := range []*corev1.Pod{small, huge, huge2} {
		c.testPod(p, 1)
	}
	s := c.Snapshot()
	for i, res := range s.Resources {
		if got := s.Totals[i].Used; got != math.MaxInt64 {
			t.Errorf("total %s = %d, want MaxInt64", res, got)
		}
		for _, n := range s.Nodes {
			if got := n.Usage[i].Used; got != math.MaxInt64 {
				t.Errorf("%s %s = %d, want MaxInt64", n.Name, res, got)
			}
		}
	}
	c.testPod(huge, -1)
	c.testPod(huge2, -1)
	s = c.Snapshot()
	if got := s.Totals[0].Used; got != 500 {
		t.Errorf("cpu after the huge pods left: %d, want 500", got)
	}
	if got := s.Totals[1].Used; got != 0 {
		t.Errorf("memory after the huge pods left: %d, want 0", got)
	}
}

func TestHugeAllocatableSaturates(t *testing.T) {
	c := New(Options{Resources: []string{"cpu", "memory"}})
	n := node("n1", "10P", t0)
	n.Status.Allocatable[corev1.ResourceMemory] = resource.MustParse("1Ei")
	c.testNode(n)
	c.testNode(n.DeepCopy())
	m := node("n2", "10P", t0)
	c.testNode(m)
	s := c.Snapshot()
	if s.Totals[0].Allocatable != math.MaxInt64 || s.Totals[1].Allocatable <= 0 {
		t.Errorf("totals %+v", s.Totals)
	}
	c.testDeleteNode("n1")
	c.testDeleteNode("n2")
	if s := c.Snapshot(); s.Totals[0].Allocatable != 0 || s.Totals[1].Allocatable != 0 {
		t.Errorf("totals after the nodes left %+v", s.Totals)
	}
}

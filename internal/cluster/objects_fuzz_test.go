package cluster

import (
	"math"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// FuzzNodeClaimAllocatable: a NodeClaim's allocatable quantity (a string no
// one validated) parses in bounded time into a saturated milli-value, the
// same as its canonical form's.
func FuzzNodeClaimAllocatable(f *testing.F) {
	for _, s := range []string{"1930m", "17", "3310Mi", "10P", "1Ei", "-1", "1e-999999999", "1e999999999", "0.5m", "9223372036854775.808", "1E", "1Ei", "+.5e+3", "1e1000", " 1", "Infinity", "0x10", "\x1b]0;x\a"} {
		f.Add(s)
	}
	r := newResources([]string{"cpu", "memory", "pods"})
	f.Fuzz(func(t *testing.T, s string) {
		u := &unstructured.Unstructured{Object: map[string]any{
			"metadata": map[string]any{"name": "c"},
			"status":   map[string]any{"allocatable": map[string]any{"cpu": s, "memory": s}},
		}}
		start := time.Now()
		obj, err := r.transformClaim(u)
		if d := time.Since(start); err != nil || d > time.Second {
			t.Fatalf("%q: %v after %v", s, err, d)
		}
		c := obj.(*claimObj)
		q, err := parseQuantity(s)
		want := int64(0)
		if err == nil {
			want = satMilli(q)
		}
		if c.alloc[0] != want || c.alloc[1] != want || c.alloc[2] != 0 || want < 0 {
			t.Fatalf("%q: alloc %v, want %d", s, c.alloc, want)
		}
		if err != nil {
			return
		}
		canon := q.String()
		q2, err := parseQuantity(canon)
		if err != nil {
			if len(canon) > maxQuantityLen {
				return // the canonical form of a long number may be longer
			}
			t.Fatalf("%q: canonical form %q does not parse: %v", s, canon, err)
		}
		if q2.String() != canon || satMilli(q2) != want {
			t.Fatalf("%q: canonical %q -> %q, %d != %d", s, canon, q2.String(), satMilli(q2), want)
		}
	})
}

// anyValue turns a fuzzer choice into a JSON-ish value of any type.
func anyValue(p *picker, s string) any {
	switch p.n(7) {
	case 1:
		return int64(len(s))
	case 2:
		return float64(len(s)) / 3
	case 3:
		return true
	case 4:
		return nil
	case 5:
		return map[string]any{s: s}
	case 6:
		return []any{s}
	}
	return s
}

// FuzzTransformClaim: a NodeClaim with any fields (of any type) becomes a
// claim record and a row without panicking; its allocatable is never
// negative; the model's snapshot stays consistent.
func FuzzTransformClaim(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0}, "c-1", "i-0abc", "aws:///us-east-1a/i-0abc", "karpenter.sh/nodepool", "default", "2026-11-01T12:00:00Z")
	f.Add([]byte{1, 2, 3, 4, 5, 6, 0, 1}, "", "\x1b]0;pwned\a", "", "node.kubernetes.io/instance-type", "m5.large", "10P")
	f.Add([]byte{6, 5, 4, 3, 2, 1}, "x", "", "", "", "", "1e-999999999")
	r := newResources([]string{"cpu", "memory", "pods"})
	f.Fuzz(func(t *testing.T, data []byte, name, nodeName, providerID, key, value, quantity string) {
		p := &picker{data}
		meta := map[string]any{"name": anyValue(p, name), "labels": map[string]any{key: anyValue(p, value)}, "creationTimestamp": anyValue(p, quantity)}
		if p.n(4) == 0 {
			meta["deletionTimestamp"] = anyValue(p, quantity)
		}
		status := map[string]any{
			"nodeName":    anyValue(p, nodeName),
			"providerID":  anyValue(p, providerID),
			"allocatable": map[string]any{"cpu": anyValue(p, quantity), "memory": anyValue(p, quantity), key: anyValue(p, value)},
		}
		if p.n(5) == 0 {
			status["allocatable"] = anyValue(p, quantity)
		}
		status["conditions"] = []any{
			map[string]any{"type": anyValue(p, "Launched"), "status": anyValue(p, value), "reason": anyValue(p, key), "lastTransitionTime": anyValue(p, quantity)},
			map[string]any{"type": "DisruptionReason", "status": "True", "reason": anyValue(p, value), "message": anyValue(p, key)},
			anyValue(p, name),
		}
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim", "metadata": meta, "status": status}}
		if p.n(6) == 0 {
			u.Object["status"] = anyValue(p, quantity)
		}
		obj, err := r.transformClaim(u)
		if err != nil {
			t.Fatal(err)
		}
		c := obj.(*claimObj)
		if len(c.alloc) != len(r.names) {
			t.Fatalf("alloc %v", c.alloc)
		}
		for _, v := range c.alloc {
			if v < 0 {
				t.Fatalf("negative allocatable %v", c.alloc)
			}
		}
		m := New(Options{Resources: []string{"cpu", "memory"}, Now: func() time.Time { return t0 }})
		m.mu.Lock()
		m.applyClaim(nil, c)
		m.mu.Unlock()
		s := m.SnapshotFor(Query{NodePools: true, Activity: true, Pending: true})
		for _, n := range s.Nodes {
			if n.Lifecycle == nil || len(n.Lifecycle.Steps) != 4 {
				t.Fatalf("row without its lifecycle: %+v", n)
			}
			for _, q := range n.Usage {
				if q.Used < 0 || q.Allocatable < 0 {
					t.Fatalf("row %+v", n)
				}
			}
		}
	})
}

// FuzzTransformEvent: any event becomes a record without panicking; a
// shown one names its object by kind and has its message on one line.
func FuzzTransformEvent(f *testing.F) {
	f.Add("FailedScheduling", "0/3 nodes are available:\n  3 Insufficient cpu.", "default-scheduler", "", "Pod", "default", "p", int64(0), int64(1))
	f.Add("Nominated", "\x1b]0;pwned\a", "karpenter", "", "NodeClaim", "", "c", int64(-1), int64(math.MaxInt64))
	f.Add("DisruptionTerminating", "Disrupting Node: Empty", "", "karpenter", "Node", "", "\x1b[2J", int64(math.MinInt64), int64(1e18))
	f.Fuzz(func(t *testing.T, reason, message, component, controller, kind, ns, name string, t1, t2 int64) {
		e := &corev1.Event{
			ObjectMeta:          metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.Unix(0, t1)},
			Reason:              reason,
			Message:             message,
			Source:              corev1.EventSource{Component: component},
			ReportingController: controller,
			InvolvedObject:      corev1.ObjectReference{Kind: kind, Namespace: ns, Name: name},
			LastTimestamp:       metav1.Unix(0, t2),
			EventTime:           metav1.NewMicroTime(time.Unix(0, t1^t2)),
		}
		obj, err := transformEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		ev := obj.(*eventObj).ev
		if ev == nil {
			if interestingEvent(e) {
				t.Fatal("an interesting event was dropped")
			}
			return
		}
		if !strings.HasPrefix(ev.Object, strings.ToLower(kind)+"/") || !strings.HasSuffix(ev.Object, name) {
			t.Fatalf("object %q of %s %s/%s", ev.Object, kind, ns, name)
		}
		if strings.Join(strings.Fields(ev.Message), " ") != ev.Message {
			t.Fatalf("message %q is not on one line", ev.Message)
		}
		if ev.Time.Before(e.LastTimestamp.Time) && !e.LastTimestamp.IsZero() {
			t.Fatalf("time %v before the last timestamp %v", ev.Time, e.LastTimestamp)
		}
		m := New(Options{})
		for range maxEvents + 2 {
			m.addEvent(ev)
		}
		if len(m.events) != 1 {
			t.Fatalf("the same event %d times", len(m.events))
		}
		// The model files it (and takes it back) without panicking.
		m.mu.Lock()
		m.allSynced = true
		m.applyEvent(nil, obj)
		m.mu.Unlock()
		_ = m.SnapshotFor(Query{NodePools: true, Activity: true, Pending: true})
		m.mu.Lock()
		m.applyEvent(obj, nil)
		leftover := len(m.facts) + len(m.podFacts)
		m.mu.Unlock()
		if leftover != 0 {
			t.Fatalf("a deleted event left %d facts", leftover)
		}
	})
}

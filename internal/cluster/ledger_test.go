package cluster

import (
	"fmt"
	"math"
	"testing"
	"time"
	"unique"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestActivityFolding(t *testing.T) {
	l := newActivityLog(10)
	base := Activity{Time: t0, Kind: ActBlocked, Object: "node/a", Message: "Can't replace with a cheaper node"}
	s1 := l.add(base)
	again := base
	again.Time = t0.Add(time.Minute)
	if s2 := l.add(again); s2 != s1 {
		t.Errorf("an identical line got seq %d, want %d (folded)", s2, s1)
	}
	if got := l.at(s1); got.Count != 2 || !got.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("folded line %+v", got)
	}
	other := base
	other.Object = "node/b"
	l.add(other)
	l.add(base) // not consecutive: a line of its own
	if n := len(l.tail(-1)); n != 3 {
		t.Errorf("%d lines, want 3", n)
	}
	// Unschedulable pods fold across pods, counting them.
	for range 3 {
		l.add(Activity{Time: t0, Kind: ActUnschedulable, Pods: 1, NodePool: "default", Message: `NodePool "default" limits exhausted`})
	}
	last := l.tail(1)[0]
	if last.Count != 3 || last.Pods != 3 {
		t.Errorf("unschedulable %+v", last)
	}
	// Launch lines with a different number of pods are different lines;
	// lines with steps or a saving never fold.
	l.add(Activity{Kind: ActLaunch, Object: "nodeclaim/x", Pods: 2})
	l.add(Activity{Kind: ActLaunch, Object: "nodeclaim/x", Pods: 3})
	l.add(Activity{Kind: ActReady, Steps: []time.Duration{1}})
	l.add(Activity{Kind: ActReady, Steps: []time.Duration{1}})
	l.add(Activity{Kind: ActRemoved, Saving: &Saving{}})
	l.add(Activity{Kind: ActRemoved, Saving: &Saving{}})
	if n := len(l.tail(-1)); n != 10 {
		t.Errorf("%d lines, want 10:\n%s", n, activityText(l.tail(-1)))
	}
	if n := len(l.tail(activityTail)); n != activityTail {
		t.Errorf("tail of %d", n)
	}
}

func TestActivityIsBounded(t *testing.T) {
	l := newActivityLog(100)
	first := l.add(Activity{Kind: ActEvent, Message: "0"})
	var lastSeq uint64
	for i := 1; i < 1000; i++ {
		lastSeq = l.add(Activity{Kind: ActEvent, Message: fmt.Sprint(i)})
		if len(l.lines) > 110 {
			t.Fatalf("%d lines kept", len(l.lines))
		}
	}
	all := l.tail(-1)
	if len(all) != 100 || all[0].Message != "900" || all[99].Message != "999" {
		t.Errorf("kept %d lines, %q..%q", len(all), all[0].Message, all[len(all)-1].Message)
	}
	if l.at(first) != nil || l.at(0) != nil || l.at(lastSeq).Message != "999" || l.at(lastSeq+1) != nil {
		t.Error("sequence numbers")
	}
	// Snapshots hold copies: a line completed later does not change them.
	snap := l.tail(1)
	l.at(lastSeq).Pods = 7
	if snap[0].Pods != 0 {
		t.Error("a snapshot's line changed")
	}
}

func TestLedgerArithmetic(t *testing.T) {
	since := t0
	l := ledger{since: since}
	hour := func(h float64) time.Time { return since.Add(time.Duration(h * float64(time.Hour))) }
	// Empty at 1h: nothing saved.
	l.addReplacement("default-new", "Underutilized", hour(1.5))
	l.addReplacement("default-new", "Underutilized", hour(1.5)) // told twice
	// An empty node removed at 1h: it saves its whole price.
	l.record(Saving{Time: hour(1), Node: "a", Reason: "Empty", Price: 0.0421}, "USD")
	// A node replaced by a cheaper one at 2h.
	if claim, ok := l.takeReplacement("Underutilized", hour(2)); !ok || claim != "default-new" {
		t.Fatalf("replacement %q %v", claim, ok)
	}
	if _, ok := l.takeReplacement("Underutilized", hour(2)); ok {
		t.Error("a replacement counted twice")
	}
	l.record(Saving{Time: hour(2), Node: "b", Reason: "Underutilized", Price: 0.0832, Replacement: 0.0416}, "USD")
	s := l.snapshot(hour(3), false)
	// Per hour: 0.0421 + 0.0416; so far: 0.0421*2h + 0.0416*1h.
	if math.Abs(s.Hourly-0.0837) > 1e-12 || math.Abs(s.SoFar-(0.0421*2+0.0416)) > 1e-12 || s.Currency != "USD" || len(s.Entries) != 2 || !s.Since.Equal(since) {
		t.Errorf("ledger %+v", s)
	}
	// A replacement launched for another reason, or after the removal, or
	// too long ago, is not this node's.
	l.addReplacement("drift-new", "Drifted", hour(3))
	if _, ok := l.takeReplacement("Underutilized", hour(3)); ok {
		t.Error("a replacement of another reason")
	}
	l.addReplacement("later", "Empty", hour(5))
	if _, ok := l.takeReplacement("Empty", hour(4)); ok {
		t.Error("a replacement launched after the removal")
	}
	if _, ok := l.takeReplacement("Drifted", hour(4.5)); ok {
		t.Error("a replacement waiting more than an hour")
	}
	l.dropReplacement("later")
	if len(l.replacements) != 0 {
		t.Errorf("replacements left: %+v", l.replacements)
	}
}

// The totals count every entry, also once old ones are dropped.
func TestLedgerIsBounded(t *testing.T) {
	l := ledger{since: t0}
	for i := range 3000 {
		l.record(Saving{Time: t0.Add(time.Duration(i) * time.Second), Price: 0.01}, "USD")
	}
	if len(l.entries) > maxSavings+maxSavings/10 {
		t.Errorf("%d entries kept", len(l.entries))
	}
	s := l.snapshot(t0.Add(time.Hour), true)
	if len(s.Entries) != maxSavings || math.Abs(s.Hourly-30) > 1e-9 {
		t.Errorf("%d entries, hourly %v", len(s.Entries), s.Hourly)
	}
	var want float64
	for i := range 3000 {
		want += 0.01 * (3600 - float64(i)) / 3600
	}
	if math.Abs(s.SoFar-want) > 1e-9 {
		t.Errorf("so far %v, want %v", s.SoFar, want)
	}
	if n := len(l.snapshot(t0, false).Entries); n != savingsTail {
		t.Errorf("tail %d", n)
	}
}

func TestHistorySampling(t *testing.T) {
	c := New(Options{})
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	c.sample(at(0), 1, 0.04)
	c.sample(at(10*time.Second), 1, 0.04) // unchanged within the minute: no sample
	if len(c.history) != 1 {
		t.Fatalf("history %+v", c.history)
	}
	c.sample(at(61*time.Second), 1, 0.04) // a minute on: one
	c.sample(at(62*time.Second), 2, 0.08) // a change: one
	c.sample(at(63*time.Second), 3, 0.12) // more changes that minute replace it
	c.sample(at(64*time.Second), 2, 0.08)
	if len(c.history) != 3 || c.history[2] != (Sample{Time: at(64 * time.Second), Nodes: 2, Hourly: 0.08}) {
		t.Errorf("history %+v", c.history)
	}
	// Changes every second for two hours: bounded, covering the last hour.
	for i := range 7200 {
		c.sample(at(2*time.Minute+time.Duration(i)*time.Second), i%3, float64(i%3)*0.04)
	}
	end := at(2*time.Minute + 7199*time.Second)
	if n := len(c.history); n > maxHistory || n < 100 {
		t.Errorf("%d samples", n)
	}
	if first := c.history[0].Time; end.Sub(first) > historySpan {
		t.Errorf("a sample from %v before the last", end.Sub(first))
	}
	if last := c.history[len(c.history)-1]; !last.Time.Equal(end) {
		t.Errorf("last sample %+v", last)
	}
}

// The pod record stays small with the do-not-disrupt annotation: the rare
// annotations share one interned word (144 bytes on 64-bit, an allocation
// size class of its own).
func TestPodRecordSize(t *testing.T) {
	if size := unsafe.Sizeof(podObj{}); size > 144 {
		t.Errorf("podObj is %d bytes", size)
	}
	r := newResources([]string{"cpu"})
	mk := func(name, v string) *podObj {
		p := pod("a", name, "n", "1", corev1.PodRunning)
		p.Annotations = map[string]string{"karpenter.sh/do-not-disrupt": v}
		p.Status.StartTime = ptrTo(metav1.NewTime(t0))
		obj, _ := r.transformPod(p)
		return obj.(*podObj)
	}
	a, b := mk("a", "true"), mk("b", "true")
	if a.dnd() != "true" || a.rare != b.rare || a.extra().dndStart != 0 {
		t.Errorf("\"true\" not interned, or a start kept: %+v", a.extra())
	}
	if d := mk("c", "30m"); d.dnd() != "30m" || d.extra().dndStart != t0.Unix() {
		t.Errorf("duration %+v", d.extra())
	}
	if d := mk("d", "0s"); d.dnd() != "" || d.rare != (unique.Handle[podRare]{}) {
		t.Errorf("an invalid value kept: %q", d.dnd())
	}
	d := mk("e", "30m")
	if in, until := d.doNotDisruptInForce(t0.Add(29 * time.Minute)); !in || !until.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("30m after 29m: %v until %v", in, until)
	}
	if in, _ := d.doNotDisruptInForce(t0.Add(30 * time.Minute)); in {
		t.Error("30m after 30m still in force")
	}
	d.deleting = true
	if in, _ := d.doNotDisruptInForce(t0); in {
		t.Error("a terminating pod protects its node")
	}
}

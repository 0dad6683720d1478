package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

const insufficientCPU = "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: " +
	"2 No preemption victims found for incoming pod."

// pendingSnapshot answers the pending view's query with pods (their count
// is the pod line's unscheduled count).
func pendingSnapshot(pods []cluster.Pod) cluster.Snapshot {
	return cluster.Snapshot{
		Query: cluster.Query{Pending: true}, Taken: viewNow, Synced: true,
		Resources: []string{"cpu", "memory"}, Pending: pods,
		Pods: cluster.PodCounts{Total: len(pods), Pending: len(pods), Unscheduled: unscheduled(pods)},
	}
}

func unscheduled(pods []cluster.Pod) int {
	n := 0
	for _, p := range pods {
		if p.Node == "" {
			n++
		}
	}
	return n
}

// scaleUpPods is a scale-up in progress: five fastapi replicas the
// scheduler found no room for, a batch job that fits nowhere, a pod the
// scheduler has not looked at yet.
func scaleUpPods() []cluster.Pod {
	var pods []cluster.Pod
	for i, sfx := range []string{"p9xq2", "r8m4t", "b7k2w", "z5n6c", "h3j9d"} {
		pods = append(pods, cluster.Pod{
			Namespace: "my-cool-app", Name: labApp + "-" + sfx, Phase: "Pending",
			Created: viewNow.Add(-12 * time.Second), OwnerKind: "ReplicaSet", OwnerName: labApp,
			Requests:         []int64{200, 256 * viewMiB},
			FailedScheduling: insufficientCPU, FailedSchedulingAt: viewNow.Add(-time.Duration(10-i) * time.Second),
		})
	}
	return append(pods,
		cluster.Pod{
			Namespace: "batch", Name: "report-7f9c4", Phase: "Pending", Created: viewNow.Add(-3 * time.Minute),
			OwnerKind: "Job", OwnerName: "report", Requests: []int64{4000, 8 * viewGiB},
			FailedScheduling: "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: batch},\n" +
				"2 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
		},
		cluster.Pod{Namespace: "default", Name: "nginx", Phase: "Pending", Created: viewNow.Add(-time.Second), Requests: []int64{0, 0}},
		// Bound to the node Karpenter launched, not started yet.
		cluster.Pod{
			Namespace: "my-cool-app", Name: labApp + "-k2v8s", Node: "i-0123456789abcdef2", Phase: "Pending",
			Created: viewNow.Add(-40 * time.Second), OwnerKind: "ReplicaSet", OwnerName: labApp, Requests: []int64{200, 256 * viewMiB},
		},
	)
}

// manyPending is n pods waiting 1..n minutes.
func manyPending(n int) []cluster.Pod {
	pods := make([]cluster.Pod, n)
	for i := range pods {
		pods[i] = cluster.Pod{
			Namespace: "load", Name: fmt.Sprintf("worker-%03d", i), Phase: "Pending",
			Created: viewNow.Add(-time.Duration(i+1) * time.Minute), Requests: []int64{100, 128 * viewMiB},
		}
	}
	return pods
}

func openedPending(snap cluster.Snapshot, keys ...tea.Key) func(c *common) view {
	return func(c *common) view {
		v := viewFeed(newPendingView(), c, snap)
		for _, k := range keys {
			v, _ = viewPress(v, c, k)
		}
		return v
	}
}

func TestPendingViewGolden(t *testing.T) {
	viewGolden(t, "scale_up", openedPending(pendingSnapshot(scaleUpPods())))
	viewGolden(t, "many", openedPending(pendingSnapshot(manyPending(40)), viewKeys.down, viewKeys.down))
	viewGolden(t, "empty", openedPending(pendingSnapshot(nil)))
}

func TestPendingViewFitsAnySize(t *testing.T) {
	for _, snap := range []cluster.Snapshot{pendingSnapshot(scaleUpPods()), pendingSnapshot(manyPending(40)), pendingSnapshot(nil)} {
		for width := 1; width <= 130; width++ {
			for _, height := range []int{1, 2, 3, 4, 5, 8, 24} {
				c := viewCommon(nil, true, width, height)
				v := viewFeed(newPendingView(), c, snap)
				v, _ = viewPress(v, c, viewKeys.end)
				checkFits(t, v.render(c, width, height), width, height)
			}
		}
	}
}

func TestPendingViewRows(t *testing.T) {
	c := viewCommon(nil, false, 200, viewBodyHeight)
	v := viewFeed(newPendingView(), c, pendingSnapshot(scaleUpPods()))
	lines := strings.Split(v.render(c, 200, 23), "\n")
	if lines[0] != "8 pending pods" {
		t.Errorf("title %q", lines[0])
	}
	// Longest waiting first, ties by name; the newest, unseen by the
	// scheduler, last with "-".
	wantOrder := []string{"batch/report-7f9c4", "my-cool-app/" + labApp + "-k2v8s", "my-cool-app/" + labApp + "-b7k2w", "my-cool-app/" + labApp + "-h3j9d"}
	for i, want := range wantOrder {
		if !strings.HasPrefix(lines[3+i][2:], want) {
			t.Errorf("row %d %q, want %s", i, lines[3+i], want)
		}
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "  default/nginx") || !strings.HasSuffix(last, " -") {
		t.Errorf("last row %q", last)
	}
	for _, want := range []string{"3m", "4000m", "8Gi", "256Mi", "bound to i-0123456789abcdef2, starting", "untolerated taint {dedicated: batch}, 2 Insufficient memory", "0/2 nodes: 2 Insufficient cpu. preemption: 0/2 nodes: 2 No"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("no %q", want)
		}
	}
	if len(lines) != 3+8 {
		t.Errorf("%d lines for 8 pods (a newline from a message?)", len(lines))
	}

	// The count is the pod line's, one pod reads as one.
	one := pendingSnapshot(scaleUpPods()[:1])
	if got := strings.Split(viewFeed(v, c, one).render(c, 200, 23), "\n")[0]; got != "1 pending pod" {
		t.Errorf("title %q", got)
	}
	if got := viewFeed(v, c, pendingSnapshot(nil)).render(c, 200, 23); got != "no pending pods" {
		t.Errorf("empty: %q", got)
	}
	if q := v.query(); q != (cluster.Query{Pending: true}) {
		t.Errorf("query %+v", q)
	}
}

func TestPendingViewNarrow(t *testing.T) {
	c := viewCommon(nil, false, 60, viewBodyHeight)
	v := viewFeed(newPendingView(), c, pendingSnapshot(scaleUpPods()))
	out := v.render(c, 60, 23)
	if !strings.Contains(out, "SCHEDULER") || !strings.Contains(out, "WAITING") {
		t.Errorf("at 60 columns the message and the waiting time stay:\n%s", out)
	}
	if !strings.Contains(out, "0/2 nodes: 2 Insufficient") || !strings.Contains(out, "…") {
		t.Errorf("the message is not shortened at its end:\n%s", out)
	}
}

func TestPendingViewIgnoresOtherQueries(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	list := cluster.Snapshot{Resources: []string{"cpu"}, Pods: cluster.PodCounts{Unscheduled: 7}}
	v := viewFeed(newPendingView(), c, list)
	if out := v.render(c, 120, 23); !strings.HasPrefix(out, "loading pending pods") {
		t.Errorf("before its snapshot: %q", out)
	}
	v = viewFeed(v, c, pendingSnapshot(scaleUpPods()))
	want := v.render(c, 120, 23)
	for _, s := range []cluster.Snapshot{list, detailSnapshot(viewLabNode, []string{"cpu"}, labDetail())} {
		if got := viewFeed(v, c, s).render(c, 120, 23); got != want {
			t.Errorf("a snapshot for %+v changed the view:\n%s", s.Query, got)
		}
	}
}

func TestPendingViewScroll(t *testing.T) {
	c := viewCommon(nil, false, 120, viewBodyHeight)
	v := viewFeed(newPendingView(), c, pendingSnapshot(manyPending(40))).(*pendingView)
	rows := v.pageRows(c)
	if rows != viewBodyHeight-pendingHead-1 {
		t.Errorf("%d rows", rows)
	}
	for i, s := range []struct {
		key  tea.Key
		want int
	}{
		{viewKeys.up, 0}, {viewKeys.pgDown, rows}, {viewKeys.pgDown, 40 - rows}, {viewKeys.down, 40 - rows},
		{viewKeys.home, 0}, {viewKeys.end, 40 - rows},
	} {
		next, _ := viewPress(v, c, s.key)
		v = next.(*pendingView)
		if v.offset != s.want {
			t.Errorf("step %d: offset %d, want %d", i, v.offset, s.want)
		}
	}
	km := v.keys().(PendingKeyMap)
	if km.Down.Enabled() || km.PageDown.Enabled() || !km.Up.Enabled() || !km.PageUp.Enabled() {
		t.Errorf("at the bottom: down %v pgdown %v up %v pgup %v", km.Down.Enabled(), km.PageDown.Enabled(), km.Up.Enabled(), km.PageUp.Enabled())
	}
	if out := v.render(c, 120, 23); !strings.Contains(out, fmt.Sprintf("%d-40 of 40 pods", 40-rows+1)) {
		t.Errorf("no position:\n%s", out)
	}
	// Fewer pods: the offset follows; none: nothing to scroll.
	v = viewFeed(v, c, pendingSnapshot(manyPending(25))).(*pendingView)
	if v.offset != 25-rows {
		t.Errorf("offset %d with 25 pods, want %d", v.offset, 25-rows)
	}
	v = viewFeed(v, c, pendingSnapshot(nil)).(*pendingView)
	km = v.keys().(PendingKeyMap)
	if v.offset != 0 || km.Up.Enabled() || km.Down.Enabled() || km.End.Enabled() || !km.Back.Enabled() {
		t.Errorf("empty: offset %d, up %v down %v end %v back %v", v.offset, km.Up.Enabled(), km.Down.Enabled(), km.End.Enabled(), km.Back.Enabled())
	}
}

func TestPendingViewBack(t *testing.T) {
	c := viewCommon(nil, false, 80, viewBodyHeight)
	requireBack(t, viewFeed(newPendingView(), c, pendingSnapshot(scaleUpPods())), c)
}

package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// usageDetail is the lab's busy node measured: its fastapi replicas use
// 14-32m of the 200m each requests, one of them (9wxkd) 450m, and a bare
// debug pod that requests nothing uses 60m.
func usageDetail() *cluster.NodeDetail {
	d := labDetail()
	var used int64
	for i := range d.Pods {
		p := &d.Pods[i]
		v := int64(14 + 3*i)
		if strings.HasSuffix(p.Name, "9wxkd") {
			v = 450
		}
		p.Used, p.UsedAt = []int64{v}, viewNow.Add(-10*time.Second)
		used += v
	}
	d.Pods = append(d.Pods, cluster.Pod{
		Namespace: "default", Name: "debug", Node: viewLabNode, Phase: "Running", Created: viewNow.Add(-2 * time.Minute),
		Requests: []int64{0}, Used: []int64{60}, UsedAt: viewNow.Add(-10 * time.Second),
	})
	used += 60
	n := &d.Node
	n.Pods++
	n.Used, n.UsedAt = []int64{used + 40}, viewNow.Add(-12*time.Second)
	shares, _ := cluster.NodeShares([]int64{n.Usage[0].Used}, n.Used, []int64{n.Usage[0].Allocatable})
	n.IdleHourly, n.UnusedHourly = shares.Cost(n.Price.Hourly)
	return d
}

// usageSnap answers the node view's query for d with usage on.
func usageSnap(name string, resources []string, d *cluster.NodeDetail) cluster.Snapshot {
	s := detailSnapshot(name, resources, d)
	s.Usage = &cluster.ClusterUsage{Interval: 15 * time.Second, Polled: viewNow.Add(-3 * time.Second)}
	return s
}

// usageBig is bigDetail measured, cpu and memory, its sample stale; the
// first pods have no sample yet, every 9th uses twice its memory request.
func usageBig() *cluster.NodeDetail {
	d := bigDetail(110)
	var cpu, mem int64
	for i := range d.Pods {
		p := &d.Pods[i]
		if i < 3 {
			continue
		}
		c, m := p.Requests[0]/3, p.Requests[1]*2/3
		if i%9 == 0 {
			m = p.Requests[1] * 2
		}
		p.Used, p.UsedAt, p.UsageStale = []int64{c, m}, viewNow.Add(-3*time.Minute), true
		cpu, mem = cpu+c, mem+m
	}
	n := &d.Node
	n.Used, n.UsedAt, n.UsageStale = []int64{cpu, mem}, viewNow.Add(-3*time.Minute), true
	shares, _ := cluster.NodeShares([]int64{n.Usage[0].Used, n.Usage[1].Used}, n.Used, []int64{n.Usage[0].Allocatable, n.Usage[1].Allocatable})
	n.IdleHourly, n.UnusedHourly = shares.Cost(n.Price.Hourly)
	return d
}

func TestNodeViewUsageGolden(t *testing.T) {
	lab := usageSnap(viewLabNode, []string{"cpu"}, usageDetail())
	big := usageSnap("ip-10-0-117-42.us-west-2.compute.internal", []string{"cpu", "memory"}, usageBig())
	unsampled := usageSnap(viewLabNode, []string{"cpu"}, labDetail())
	viewGolden(t, "lab", openedNode(viewLabNode, lab))
	viewGolden(t, "big", openedNode(big.Query.Node, big, viewKeys.pgDown))
	viewGolden(t, "unsampled", openedNode(viewLabNode, unsampled))
}

// The pod above its request and the pod that requests nothing are marked,
// and the node's idle cost is on the header.
func TestNodeViewUsageMarks(t *testing.T) {
	for _, width := range []int{60, 80, 120} {
		c := viewCommon(nil, false, width, viewBodyHeight)
		v := viewFeed(newNodeView(viewLabNode), c, usageSnap(viewLabNode, []string{"cpu"}, usageDetail()))
		out := v.render(c, width, viewBodyHeight)
		var hog, debug, calm string
		for _, l := range strings.Split(out, "\n") {
			switch {
			case strings.Contains(l, "9wxkd"):
				hog = l
			case strings.Contains(l, "default/debug"):
				debug = l
			case strings.Contains(l, "2bq5x"):
				calm = l
			}
		}
		if !strings.Contains(hog, "450m") || !strings.Contains(hog, "225% "+markOver) {
			t.Errorf("width %d: the pod using 450m of 200m should be marked: %q", width, hog)
		}
		if !strings.Contains(debug, "no req "+markOver) {
			t.Errorf("width %d: the pod without a request should be marked: %q", width, debug)
		}
		if strings.Contains(calm, markOver) || !strings.Contains(calm, "7%") {
			t.Errorf("width %d: a pod under its request is not marked: %q", width, calm)
		}
		if !strings.Contains(out, "idle $0.0084/hour") || !strings.Contains(out, "reserved, unused $0.0165/hour") {
			t.Errorf("width %d: no idle cost in the header:\n%s", width, out)
		}
	}
}

func TestNodeViewUsageFitsAnySize(t *testing.T) {
	snaps := []cluster.Snapshot{
		usageSnap(viewLabNode, []string{"cpu"}, usageDetail()),
		usageSnap("ip-10-0-117-42.us-west-2.compute.internal", []string{"cpu", "memory"}, usageBig()),
	}
	for _, snap := range snaps {
		for width := 1; width <= 130; width++ {
			for _, height := range []int{1, 3, 8, 24} {
				c := viewCommon(nil, true, width, height)
				v := viewFeed(newNodeView(snap.Query.Node), c, snap)
				v, _ = viewPress(v, c, viewKeys.end)
				checkFits(t, v.render(c, width, height), width, height)
			}
		}
	}
}

// usagePools are karpenterPools measured: general-purpose's three nodes,
// one without a price, system's one stale, the node group's one; gpu has
// none.
func usagePools() cluster.Snapshot {
	pools := karpenterPools()
	m := func(nodes, stale, unpriced int, used, alloc int64, idle, unused float64) cluster.UsageTotals {
		return cluster.UsageTotals{Nodes: nodes, Stale: stale, Unpriced: unpriced, Used: []int64{used}, Allocatable: []int64{alloc},
			Requested: []int64{alloc / 2}, IdleHourly: idle, UnusedHourly: unused, Currency: "USD"}
	}
	pools[0].Measured = m(3, 0, 1, 610, 5340, 0.0212, 0.0581)
	pools[2].Measured = m(1, 1, 0, 130, 1780, 0.0203, 0.0163)
	pools[3].Measured = m(1, 0, 0, 1740, 1930, 0, 0.0061)
	s := poolsSnap(pools)
	s.Usage = &cluster.ClusterUsage{Interval: 15 * time.Second}
	return s
}

func TestPoolsViewUsageGolden(t *testing.T) {
	viewGolden(t, "pools", opened(poolsV, usagePools()))
	for width := 1; width <= 130; width += 3 {
		for _, height := range []int{1, 3, 8, 24} {
			c := viewCommon(nil, true, width, height)
			vw := opened(poolsV, usagePools(), viewKeys.end)(c)
			checkFits(t, vw.render(c, width, height), width, height)
		}
	}
}

package output

import (
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// fixtureNow is the fixture's "now".
var fixtureNow = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

const gib = 1 << 30 * 1000 // one GiB in milli-units

// fixtureSnapshot has what the demo lab does not: spot, Fargate, an
// unknown, an estimated and an overridden price, a launching NodeClaim, a
// cordoned NotReady node, a deleting one, hostile strings from the
// cluster, a stale connection and notes.
func fixtureSnapshot() cluster.Snapshot {
	node := func(name string, f func(*cluster.Node)) *cluster.Node {
		n := &cluster.Node{
			Name:         name,
			Created:      fixtureNow.Add(-26 * time.Hour),
			InstanceType: "m5.large",
			Capacity:     pricing.OnDemand,
			Zone:         "us-west-2a",
			NodePool:     "default",
			NodeClaim:    "default-" + name,
			Price:        pricing.Price{Hourly: 0.096, Currency: "USD", Source: pricing.Live},
			Ready:        true,
			ReadySince:   fixtureNow.Add(-26 * time.Hour),
			Pods:         5,
			MaxPods:      29,
			Usage:        []cluster.Quantity{{Used: 950, Allocatable: 1930}, {Used: 3 * gib / 2, Allocatable: 7 * gib}},
			LabelUsage:   []cluster.Quantity{{}, {}},
			Labels:       map[string]string{"topology.kubernetes.io/zone": "us-west-2a", "team": "payments"},
		}
		f(n)
		return n
	}
	s := cluster.Snapshot{
		Taken:       fixtureNow,
		Synced:      true,
		Resources:   []string{"cpu", "memory"},
		ExtraLabels: []string{"team", cluster.LabelNodeAge},
		Stale: &cluster.Stale{
			Since:     fixtureNow.Add(-90 * time.Second),
			Reason:    "API server unreachable (connection refused)",
			Resources: []string{"nodes", "pods"},
		},
		Notes: []string{"spot prices: AccessDenied for ec2:DescribeSpotPriceHistory"},
		Nodes: []*cluster.Node{
			node("ip-10-0-1-1.us-west-2.compute.internal", func(*cluster.Node) {}),
			node("spot-a", func(n *cluster.Node) {
				n.Capacity, n.InstanceType = pricing.Spot, "c6g.xlarge"
				n.Price = pricing.Price{Reason: "no spot price for c6g.xlarge in us-west-2a"}
			}),
			node("estimated", func(n *cluster.Node) {
				n.AutoMode = true
				n.Price = pricing.Price{Hourly: 0.10752, Currency: "USD", Source: pricing.Estimate, Reason: "Auto Mode fee estimated at 12% of on-demand"}
			}),
			node("fargate-ip-10-0-9-9", func(n *cluster.Node) {
				n.Capacity, n.InstanceType, n.NodePool, n.NodeClaim = pricing.Fargate, "0.25vCPU-0.5GB", "", ""
				n.Price = pricing.Price{Hourly: 0.01234375, Currency: "USD", Source: pricing.Static}
				n.MaxPods = 0
			}),
			node("overridden", func(n *cluster.Node) {
				n.Price = pricing.Price{Hourly: 0.5, Currency: "USD", Source: pricing.Override}
				n.Cordoned, n.Ready, n.ReadySince = true, false, fixtureNow.Add(-3*time.Minute)
			}),
			node("going", func(n *cluster.Node) { n.Deleting, n.Pods = true, 0 }),
			node("default-x7k2p", func(n *cluster.Node) {
				n.Launching, n.Ready, n.ReadySince, n.Pods = true, false, time.Time{}, 0
				n.Created = fixtureNow.Add(-40 * time.Second)
				n.Usage = []cluster.Quantity{{Allocatable: 1930}, {}}
				n.Labels = map[string]string{}
			}),
			node("evil\x1b]0;pwned\a\x1b[2J-node", func(n *cluster.Node) {
				n.Labels["team"] = "red\tteam\u202e"
				n.InstanceType = "m5.large\x1b[31m"
			}),
		},
	}
	for _, n := range s.Nodes {
		if len(s.Totals) == 0 {
			s.Totals = make([]cluster.Quantity, len(s.Resources))
		}
		for i := range s.Totals {
			s.Totals[i].Used += n.Usage[i].Used
			s.Totals[i].Allocatable += n.Usage[i].Allocatable
		}
		switch {
		case !n.Price.Known():
			s.Cost.Unknown++
		default:
			s.Cost.Hourly += n.Price.Hourly
			s.Cost.Currency = n.Price.Currency
			if n.Price.Source == pricing.Estimate {
				s.Cost.Estimated++
			}
		}
		s.Pods.Total += n.Pods
		s.Pods.Running += n.Pods
		s.Pods.Bound += n.Pods
	}
	s.Pods.Total++
	s.Pods.Pending++
	s.Pods.Unscheduled++
	return s
}

// fixtureUsageSnapshot is fixtureSnapshot measured (usage on): most nodes
// have a sample, one stale; the launching one and the hostile one have
// none; spot-a's price is unknown, so it counts as unpriced; the used
// labels are columns.
func fixtureUsageSnapshot() cluster.Snapshot {
	s := fixtureSnapshot()
	s.ExtraLabels = []string{"team", options.LabelCPUUsed, options.LabelMemoryUsed}
	u := &cluster.ClusterUsage{Interval: 15 * time.Second, Polled: fixtureNow.Add(-4 * time.Second)}
	u.Used, u.Requested, u.Allocatable = make([]int64, 2), make([]int64, 2), make([]int64, 2)
	for i := range s.Nodes {
		n := s.Nodes[i]
		n.LabelUsage = make([]cluster.Quantity, len(s.ExtraLabels))
		if n.Launching || strings.HasPrefix(n.Name, "evil") {
			continue
		}
		n.Used = []int64{int64(120 + 170*i), int64(i+1) * gib / 4}
		n.UsedAt = fixtureNow.Add(-11 * time.Second)
		if n.Name == "overridden" {
			n.UsedAt, n.UsageStale = fixtureNow.Add(-3*time.Minute), true
		}
		n.LabelUsage[1] = cluster.Quantity{Used: n.Used[0], Allocatable: n.Usage[0].Allocatable}
		n.LabelUsage[2] = cluster.Quantity{Used: n.Used[1], Allocatable: n.Usage[1].Allocatable}
		shares, _ := cluster.NodeShares([]int64{n.Usage[0].Used, n.Usage[1].Used}, n.Used, []int64{n.Usage[0].Allocatable, n.Usage[1].Allocatable})
		u.Nodes++
		if n.UsageStale {
			u.Stale++
		}
		for r := range 2 {
			u.Used[r] += n.Used[r]
			u.Requested[r] += n.Usage[r].Used
			u.Allocatable[r] += n.Usage[r].Allocatable
		}
		if !n.Price.Known() {
			u.Unpriced++
			continue
		}
		n.IdleHourly, n.UnusedHourly = shares.Cost(n.Price.Hourly)
		u.IdleHourly += n.IdleHourly
		u.UnusedHourly += n.UnusedHourly
		u.Currency = n.Price.Currency
	}
	s.Usage = u
	return s
}

package output

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// nasty are strings a cluster may hand us: escape sequences, controls,
// bidi overrides, bad UTF-8, quotes and YAML's special words.
var nasty = []string{
	"", "plain", "\x1b]0;pwned\a", "\x1b[2J\x1b[H", "a\nb\tc\rd", "\u202eevil", "\xff\xfe",
	`"quoted"`, "yes", "null", "~", "- list", "key: value", "#comment", "<&>", "ünïcødé", "\u009b31m", "del\x7f", "\ufffe", "\u0085nel", "a\u2028b\u2029", "on", "1_000", "1:20", "0x1F", "1e3", ".inf",
}

// randomSnapshot is a snapshot with every field drawn at random, within
// what the model can produce (counts >= 0) but otherwise anything:
// saturated quantities, unknown and huge prices, hostile strings.
func randomSnapshot(r *rand.Rand) cluster.Snapshot {
	allRes := []string{"cpu", "memory", "pods", "ephemeral-storage", "nvidia.com/gpu", "hugepages-2Mi"}
	allLabels := []string{"topology.kubernetes.io/zone", cluster.LabelNodeAge, "eks-node-viewer/node-cpu-usage", "karpenter.sh/nodepool", "team", "eks-node-viewer/node-memory-used"}
	s := cluster.Snapshot{
		Taken:       randTime(r),
		Synced:      r.IntN(4) > 0,
		Resources:   pick(r, allRes),
		ExtraLabels: pick(r, allLabels),
		Pods: cluster.PodCounts{
			Total: r.IntN(1000), Pending: r.IntN(100), Running: r.IntN(1000),
			Bound: r.IntN(1000), Unscheduled: r.IntN(100), Elsewhere: r.IntN(100),
		},
	}
	if len(s.Resources) == 0 {
		s.Resources = []string{"cpu"}
	}
	if !s.Synced {
		s.Syncing = []cluster.SyncProgress{{Resource: "pods", Objects: r.IntN(5000)}}
	}
	if r.IntN(3) == 0 {
		s.Stale = &cluster.Stale{Since: randTime(r), Reason: randString(r), Resources: []string{"nodes", "pods"}}
	}
	for range r.IntN(3) {
		s.Notes = append(s.Notes, randString(r))
	}
	s.Cost.Disabled = r.IntN(5) == 0
	if r.IntN(2) == 0 {
		s.Usage = randomUsage(r, len(s.Resources))
	}
	for i := range r.IntN(8) {
		n := randomNode(r, i, &s)
		if !n.Price.Known() {
			s.Cost.Unknown++
		} else {
			s.Cost.Hourly += n.Price.Hourly
			s.Cost.Currency = n.Price.Currency
		}
		s.Nodes = append(s.Nodes, n)
	}
	s.Totals = randQuantities(r, len(s.Resources))
	return s
}

func randomNode(r *rand.Rand, i int, s *cluster.Snapshot) *cluster.Node {
	n := &cluster.Node{
		Name:         fmt.Sprintf("node-%d%s", i, randString(r)),
		Created:      randTime(r),
		Launching:    r.IntN(4) == 0,
		InstanceType: randString(r),
		Capacity:     pricing.Capacity(r.IntN(5)),
		AutoMode:     r.IntN(2) == 0,
		Zone:         randString(r),
		NodeClaim:    randString(r),
		NodePool:     randString(r),
		Cordoned:     r.IntN(4) == 0,
		Deleting:     r.IntN(4) == 0,
		Ready:        r.IntN(3) > 0,
		ReadySince:   randTime(r),
		Pods:         r.IntN(300),
		MaxPods:      int64(r.IntN(3)) * 110,
		Usage:        randQuantities(r, len(s.Resources)),
		LabelUsage:   randQuantities(r, len(s.ExtraLabels)),
		Labels:       map[string]string{},
	}
	for _, l := range s.ExtraLabels {
		if r.IntN(2) == 0 {
			n.Labels[l] = randString(r)
		}
	}
	if s.Usage != nil && r.IntN(4) > 0 {
		n.Used = randUsed(r, s.Resources)
		n.UsedAt, n.UsageStale = randTime(r), r.IntN(3) == 0
		n.IdleHourly, n.UnusedHourly = []float64{0, 0.0042, 1e-9, 1e307}[r.IntN(4)], []float64{0, 0.031, 5e306}[r.IntN(3)]
	}
	switch src := pricing.Source(r.IntN(5)); src {
	case pricing.Unknown:
		n.Price = pricing.Price{Reason: randString(r)}
	default:
		hourly := []float64{0, 0.0421, 1e-9, 123.456789, 1e308}[r.IntN(5)]
		n.Price = pricing.Price{Hourly: hourly, Currency: []string{"USD", "CNY"}[r.IntN(2)], Source: src, Reason: randString(r)}
	}
	return n
}

// randUsed is a node's or a sum's used values: cpu and memory measured
// (edge values included), the others not.
func randUsed(r *rand.Rand, resources []string) []int64 {
	edge := []int64{0, 1, 999, 145, 3470786560000, math.MaxInt64}
	out := make([]int64, len(resources))
	for i, res := range resources {
		switch {
		case res != "cpu" && res != "memory":
			out[i] = cluster.NotMeasured
		case r.IntN(2) == 0:
			out[i] = edge[r.IntN(len(edge))]
		default:
			out[i] = r.Int64N(1 << 50)
		}
	}
	return out
}

// randomUsage is the cluster's usage, drawn at random.
func randomUsage(r *rand.Rand, nres int) *cluster.ClusterUsage {
	u := &cluster.ClusterUsage{Interval: time.Duration(10+r.IntN(50)) * time.Second, Polled: randTime(r)}
	u.Nodes = r.IntN(6)
	u.Stale, u.Unpriced = r.IntN(u.Nodes+1), r.IntN(u.Nodes+1)
	if u.Nodes > 0 {
		res := []string{"cpu", "memory", "pods", "nvidia.com/gpu"}
		names := make([]string, nres)
		for i := range names {
			names[i] = res[r.IntN(len(res))]
		}
		u.Used = randUsed(r, names)
		for _, q := range randQuantities(r, nres) {
			u.Requested, u.Allocatable = append(u.Requested, q.Used), append(u.Allocatable, q.Allocatable)
		}
		if r.IntN(4) > 0 {
			u.IdleHourly, u.UnusedHourly, u.Currency = r.Float64()*10, []float64{0, 1e308, 0.02}[r.IntN(3)], []string{"USD", "CNY"}[r.IntN(2)]
		}
	}
	return u
}

func randQuantities(r *rand.Rand, n int) []cluster.Quantity {
	edge := []int64{0, 1, 999, 1000, 1500, 1780, 3470786560000, math.MaxInt64}
	out := make([]cluster.Quantity, n)
	for i := range out {
		if r.IntN(2) == 0 {
			out[i] = cluster.Quantity{Used: edge[r.IntN(len(edge))], Allocatable: edge[r.IntN(len(edge))]}
		} else {
			out[i] = cluster.Quantity{Used: r.Int64N(1 << 50), Allocatable: r.Int64N(1 << 50)}
		}
	}
	return out
}

func randTime(r *rand.Rand) time.Time {
	if r.IntN(5) == 0 {
		return time.Time{}
	}
	return time.Unix(1.7e9+r.Int64N(1e8), r.Int64N(1e9))
}

func randString(r *rand.Rand) string { return nasty[r.IntN(len(nasty))] }

// pick is a random subset of list, in its order.
func pick(r *rand.Rand, list []string) []string {
	var out []string
	for _, v := range list {
		if r.IntN(2) == 0 {
			out = append(out, v)
		}
	}
	return out
}

package output

import (
	"strconv"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// NodeUsage is what metrics.k8s.io (metrics-server) says a node uses: its
// latest sample, and what the node's unused capacity costs.
type NodeUsage struct {
	// UsedAt is the sample's timestamp (the metrics API's, to the
	// second); Stale: it is older than three poll intervals (or sample
	// windows, if longer).
	UsedAt string `json:"usedAt"`
	Stale  bool   `json:"stale"`
	// Resources has each shown resource metrics.k8s.io measures (cpu;
	// memory: the working set).
	Resources map[string]Used `json:"resources"`
	// IdlePerHour is what the capacity neither requested nor used costs,
	// UnusedPerHour what the requested but unused capacity costs (the
	// node's price split by its dominant resource); null without a known
	// price.
	IdlePerHour   *float64 `json:"idlePerHour"`
	UnusedPerHour *float64 `json:"unusedPerHour"`
}

// Used is a measured amount of one resource, in base units (Resource's).
type Used struct {
	Unit         string `json:"unit"`
	Used         int64  `json:"used"`
	UsedQuantity string `json:"usedQuantity"`
	// Percent is used/allocatable*100, null when nothing is allocatable.
	Percent *float64 `json:"percent"`
}

// SummaryUsage sums the measured nodes (those with a sample).
type SummaryUsage struct {
	// IntervalSeconds is the poll interval; Polled when the last node poll
	// answered (null: none yet).
	IntervalSeconds float64 `json:"intervalSeconds"`
	Polled          *string `json:"polled"`
	Nodes           int     `json:"nodes"`
	StaleNodes      int     `json:"staleNodes"`
	// Resources are summed over the measured nodes only, so used,
	// requested and allocatable compare like with like.
	Resources map[string]UsedTotal `json:"resources"`
	// IdlePerHour and UnusedPerHour sum the measured nodes' with a known
	// price (null: none, or pricing disabled); UnpricedNodes counts the
	// others, and LowerBound says the sums miss them.
	IdlePerHour   *float64 `json:"idlePerHour"`
	UnusedPerHour *float64 `json:"unusedPerHour"`
	Currency      *string  `json:"currency"`
	UnpricedNodes int      `json:"unpricedNodes"`
	LowerBound    bool     `json:"lowerBound"`
}

// UsedTotal is a measured resource summed over nodes.
type UsedTotal struct {
	Unit         string `json:"unit"`
	Used         int64  `json:"used"`
	UsedQuantity string `json:"usedQuantity"`
	Requested    int64  `json:"requested"`
	Allocatable  int64  `json:"allocatable"`
	// Percent is used/allocatable*100, null when nothing is allocatable.
	Percent *float64 `json:"percent"`
}

// nodeUsage is n's entry; nil without a sample.
func nodeUsage(s *cluster.Snapshot, n *cluster.Node) *NodeUsage {
	if s.Usage == nil || n.Used == nil {
		return nil
	}
	u := &NodeUsage{UsedAt: stamp(n.UsedAt), Stale: n.UsageStale, Resources: map[string]Used{}}
	for i, name := range s.Resources {
		if i >= len(n.Used) || n.Used[i] == cluster.NotMeasured {
			continue
		}
		var alloc int64
		if i < len(n.Usage) {
			alloc = n.Usage[i].Allocatable
		}
		un := unit(name)
		r := Used{Unit: un, Used: baseUnits(un, n.Used[i]), UsedQuantity: quantityString(un, n.Used[i])}
		if alloc > 0 {
			r.Percent = finite(roundTo(float64(n.Used[i])/float64(alloc)*100, 2))
		}
		u.Resources[name] = r
	}
	if !s.Cost.Disabled && n.Price.Known() {
		u.IdlePerHour, u.UnusedPerHour = finite(roundTo(n.IdleHourly, 8)), finite(roundTo(n.UnusedHourly, 8))
	}
	return u
}

// summaryUsage is the cluster's entry; nil when usage is off.
func summaryUsage(s *cluster.Snapshot) *SummaryUsage {
	u := s.Usage
	if u == nil {
		return nil
	}
	out := &SummaryUsage{
		IntervalSeconds: u.Interval.Seconds(),
		Polled:          optionalTime(u.Polled),
		Nodes:           u.Nodes,
		StaleNodes:      u.Stale,
		Resources:       map[string]UsedTotal{},
		UnpricedNodes:   u.Unpriced,
		LowerBound:      u.Unpriced > 0,
	}
	if u.Nodes > 0 {
		for i, name := range s.Resources {
			if i >= len(u.Used) || u.Used[i] == cluster.NotMeasured || i >= len(u.Requested) || i >= len(u.Allocatable) {
				continue
			}
			un := unit(name)
			r := UsedTotal{
				Unit: un, Used: baseUnits(un, u.Used[i]), UsedQuantity: quantityString(un, u.Used[i]),
				Requested: baseUnits(un, u.Requested[i]), Allocatable: baseUnits(un, u.Allocatable[i]),
			}
			if u.Allocatable[i] > 0 {
				r.Percent = finite(roundTo(float64(u.Used[i])/float64(u.Allocatable[i])*100, 2))
			}
			out.Resources[name] = r
		}
	}
	if s.Cost.Disabled {
		out.UnpricedNodes, out.LowerBound = 0, false
		return out
	}
	if u.Currency != "" {
		out.IdlePerHour, out.UnusedPerHour = finite(roundTo(u.IdleHourly, 8)), finite(roundTo(u.UnusedHourly, 8))
		out.Currency = optional(u.Currency)
	}
	return out
}

// usedPercentText is a used label's value as the screen shows it: a
// rounded percentage, "~" before it for a stale sample.
func usedPercentText(frac float64, stale bool) string {
	if !(frac > 0) {
		frac = 0
	}
	s := strconv.Itoa(int(min(frac, 9.99)*100+0.5)) + "%"
	if stale {
		return "~" + s
	}
	return s
}

// usedCell is a node's table cell of measured resource i: "8%", "~8%"
// stale, "-" without a sample.
func usedCell(n *cluster.Node, i int) string {
	if n.Used == nil || i >= len(n.Used) || n.Used[i] == cluster.NotMeasured || i >= len(n.Usage) || n.Usage[i].Allocatable <= 0 {
		return "-"
	}
	return usedPercentText(float64(n.Used[i])/float64(n.Usage[i].Allocatable), n.UsageStale)
}

// measured reports whether metrics.k8s.io reports the resource.
func measured(name string) bool { return name == "cpu" || name == "memory" }

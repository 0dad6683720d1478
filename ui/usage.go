package ui

import (
	"strconv"
	"strings"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// What nodes and pods really use (metrics.k8s.io), next to what they
// request. A bar stays the requested fraction (█ on ░); a marker sits in the
// cell of the used fraction, inside the fill when a node uses less than its
// pods request, past it when more: ┃ for a fresh sample, ¦ for a stale one
// (older than three poll intervals), whose percentage also reads "~8%".
// Without usage (Snapshot.Usage nil) nothing here is drawn.

// The used markers. Both are one cell wide.
const (
	markUsed  = "┃"
	markStale = "¦"
	// markOver marks a pod that uses more than it requests (or uses
	// something while requesting nothing): it is the first to be
	// throttled (cpu) or evicted (memory) when the node runs short.
	markOver = "!"
)

// legend is the full help's line about the marks, in width if it can.
func legend(width int) string {
	for _, l := range []string{
		markUsed + " used (metrics.k8s.io) · " + markStale + " ~ stale sample · " + markOver + " pod uses more than it requests",
		markUsed + " used · " + markStale + " ~ stale · " + markOver + " pod over its request",
	} {
		if dispWidth(l) <= width {
			return l
		}
	}
	return markUsed + " used " + markStale + " stale " + markOver + " over"
}

// measuredResource reports whether metrics.k8s.io reports the resource.
func measuredResource(res string) bool { return res == "cpu" || res == "memory" }

// usedAt is node n's used amount of resource r (an index in
// Snapshot.Resources); ok is false without a sample or for a resource that
// is not measured.
func usedAt(used []int64, r int) (int64, bool) {
	if r < 0 || r >= len(used) || used[r] == cluster.NotMeasured {
		return 0, false
	}
	return used[r], true
}

// usedFraction is what node n uses of resource r, as a fraction of its
// allocatable; ok is false without a sample, for a resource that is not
// measured, or without allocatable.
func usedFraction(n *cluster.Node, r int) (float64, bool) {
	v, ok := usedAt(n.Used, r)
	a := quantityAt(n.Usage, r).Allocatable
	if !ok || a <= 0 {
		return 0, false
	}
	return float64(v) / float64(a), true
}

// usedPercent is a used fraction as the rows and the used labels show it:
// "8%", "~8%" for a stale sample.
func usedPercent(frac float64, stale bool) string {
	p := strconv.Itoa(int(shownFraction(frac)*100+0.5)) + "%"
	if stale {
		return "~" + p
	}
	return p
}

// usedForm is how a row's used cell is drawn.
type usedForm int8

const (
	usedNone  usedForm = iota // not drawn (the marker on the bar stays)
	usedShort                 // "┃ 8%"
	usedFull                  // "┃ 8% used"
)

// usedCell is node n's used cell for resource r, plain, with its number
// right-aligned in pw cells after the marker: "┃  8% used", "¦ ~8% used"
// (stale), "   - used" (no sample yet); "" for a resource metrics.k8s.io
// does not measure.
func usedCell(n *cluster.Node, r int, res string, pw int, form usedForm) string {
	if form == usedNone || !measuredResource(res) {
		return ""
	}
	mark, pct := " ", "-"
	if frac, ok := usedFraction(n, r); ok {
		mark, pct = markUsed, usedPercent(frac, n.UsageStale)
		if n.UsageStale {
			mark = markStale
		}
	}
	s := mark + padLeft(pct, pw)
	if form == usedFull {
		s += " used"
	}
	return s
}

// usedPctWidth is the width of the widest used percentage of the nodes
// (at least "100%"'s, so that the column holds still between frames).
func usedPctWidth(nodes []*cluster.Node, resources []string) int {
	w := 4
	for i := range nodes {
		for r, res := range resources {
			if frac, ok := usedFraction(nodes[i], r); ok && measuredResource(res) {
				w = max(w, len(usedPercent(frac, nodes[i].UsageStale)))
			}
		}
	}
	return w
}

// styleUsed colours a plain used cell: the marker in the used colour, a
// stale sample's text faint.
func (st *styles) styleUsed(cell string, stale bool) string {
	if !st.colour || cell == "" {
		return cell
	}
	mark, rest := cell, ""
	for _, m := range []string{markUsed, markStale} {
		if r, ok := strings.CutPrefix(cell, m); ok {
			mark, rest = m, r
		}
	}
	switch mark {
	case markUsed:
		mark = st.used
	case markStale:
		mark = st.staleUsed
	default:
		return cell
	}
	if stale {
		rest = st.staleText.Render(rest)
	}
	return mark + rest
}

// marker is the bar's marker for a sample, fresh or stale.
func (st *styles) marker(stale bool) string {
	if stale {
		return st.staleUsed
	}
	return st.used
}

// Forms of the idle cost, longest first.
const (
	idleFull  = iota // "idle $0.039/hour · reserved, unused $0.035/hour"
	idleHour         // "idle $0.039/h · unused $0.035/h"
	idleBrief        // "idle $0.039/h"
	idleNone
)

// idleText is what the measured nodes' idle and reserved-but-unused
// capacity cost per hour (cluster.NodeShares), in one of the forms above;
// ">=" when some measured node has no price; "" without usage, samples or
// prices (or for idleNone).
func idleText(u *cluster.ClusterUsage, form int) string {
	if u == nil || form >= idleNone {
		return ""
	}
	return idleCost(&u.UsageTotals, form)
}

// idleCost is idleText for any sum of measured nodes (a NodePool's too).
func idleCost(t *cluster.UsageTotals, form int) string {
	if t.Nodes == 0 || t.Currency == "" || form >= idleNone {
		return ""
	}
	prefix := ""
	if t.Unpriced > 0 {
		prefix = ">="
	}
	sym := currencySymbol(t.Currency)
	idle := prefix + sym + formatMoney(t.IdleHourly, 3)
	unused := prefix + sym + formatMoney(t.UnusedHourly, 3)
	switch form {
	case idleBrief:
		return "idle " + idle + "/h"
	case idleHour:
		return "idle " + idle + "/h · unused " + unused + "/h"
	}
	return "idle " + idle + "/hour · reserved, unused " + unused + "/hour"
}

package ui

import (
	"strings"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The summary's memory of the session: what consolidation saved, and
// sparklines of the node count and the hourly cost.

// sparkLevels are the eight heights of a sparkline cell, lowest first.
var sparkLevels = []string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

const (
	maxSpark = 20 // the widest sparkline, in cells
	minSpark = 4  // narrower than this, none
)

// sparkline draws values in width cells: each cell is the largest value of
// its share of them (a spike never hides between two samples), scaled from
// the smallest to the largest; a flat series is a flat low line.
func sparkline(values []float64, width int) string {
	n := len(values)
	width = min(width, n)
	if width <= 0 {
		return ""
	}
	cells := make([]float64, width)
	for j := range cells {
		from, to := j*n/width, (j+1)*n/width
		cells[j] = values[from]
		for _, v := range values[from:to] {
			cells[j] = max(cells[j], v)
		}
	}
	lo, hi := cells[0], cells[0]
	for _, v := range cells {
		lo, hi = min(lo, v), max(hi, v)
	}
	var sb strings.Builder
	for _, v := range cells {
		k := 0
		if hi > lo {
			k = int((v-lo)/(hi-lo)*float64(len(sparkLevels)-1) + 0.5)
		}
		sb.WriteString(sparkLevels[k])
	}
	return sb.String()
}

// historyText is "nodes ▁▂▂▅▅ $/h ▁▂▅▅▅ (42m)" with sparklines of width
// cells, without the cost one when prices are not shown; "" with fewer than
// two samples.
func historyText(h []cluster.Sample, width int, priced bool) string {
	if len(h) < 2 || width < minSpark {
		return ""
	}
	nodes, hourly := make([]float64, len(h)), make([]float64, len(h))
	for i, s := range h {
		nodes[i], hourly[i] = float64(s.Nodes), s.Hourly
	}
	s := "nodes " + sparkline(nodes, width)
	if priced {
		s += " $/h " + sparkline(hourly, width)
	}
	return s + " (" + age(h[len(h)-1].Time, h[0].Time) + ")"
}

// historyWidth is the widest sparkline historyText can draw in room cells
// (0: none fits).
func historyWidth(h []cluster.Sample, room int, priced bool) int {
	if len(h) < 2 {
		return 0
	}
	fixed := dispWidth(historyText(h, minSpark, priced)) - minSpark
	per := 1
	if priced {
		fixed -= minSpark
		per = 2
	}
	w := min(maxSpark, len(h), (room-fixed)/per)
	if w < minSpark {
		return 0
	}
	return w
}

// Forms of the savings, longest first.
const (
	savedFull  = iota // "saved $0.0421/hour · $0.31 so far"
	savedHour         // "saved $0.0421/hour"
	savedBrief        // "saved $0.0421/h"
	savedNone
)

// savingsText is what consolidation saved this session in one of the forms
// above; "" when it saved nothing (or for savedNone).
func savingsText(sv cluster.Savings, form int) string {
	if len(sv.Entries) == 0 || form >= savedNone {
		return ""
	}
	s := "saved " + signedMoney(sv.Hourly, sv.Currency, 4)
	switch form {
	case savedBrief:
		return s + "/h"
	case savedHour:
		return s + "/hour"
	}
	s += "/hour"
	prec := 2
	if sv.SoFar > -0.1 && sv.SoFar < 0.1 {
		prec = 3
	}
	return s + " · " + signedMoney(sv.SoFar, sv.Currency, prec) + " so far"
}

// podSummary is the line under the resource summary: the pod counts, what
// consolidation saved, what idle capacity costs (with usage) and the
// session's history, fitted to width. The sparklines give way first
// (narrower, then gone), then "on other nodes" is said "elsewhere", then
// the idle cost and the savings get shorter, then they go.
func podSummary(snap *cluster.Snapshot, width int, st *styles) string {
	priced := !snap.Cost.Disabled
	var line string
	for _, form := range []struct {
		pods  podForm
		saved int // the savings' form
		idle  int // the idle cost's form
	}{
		{podFull, savedFull, idleFull}, {podShort, savedFull, idleFull}, {podShort, savedFull, idleHour},
		{podShort, savedHour, idleHour}, {podShort, savedBrief, idleBrief}, {podShort, savedNone, idleBrief},
		{podShort, savedNone, idleNone}, {podNoBound, savedNone, idleNone}, {podPending, savedNone, idleNone},
	} {
		line = podLine(snap.Pods, form.pods)
		if saved := savingsText(snap.Savings, form.saved); saved != "" && priced {
			line += " · " + saved
		}
		if idle := idleText(snap.Usage, form.idle); idle != "" && priced {
			line += " · " + idle
		}
		w := dispWidth(line)
		if w > width {
			continue
		}
		if hw := historyWidth(snap.History, width-w-2, priced); hw > 0 && form.pods == podFull {
			h := historyText(snap.History, hw, priced)
			if st.colour {
				h = st.event.Render(h)
			}
			line += "  " + h
		}
		break
	}
	return line
}

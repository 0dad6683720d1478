package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// Fixed info columns of a node's first line, before the extra labels.
const (
	colPods = iota
	colPrice
	colCapacity
	colStatus
	colReady
	fixedCols
)

// nodeRows appends the lines of the visible nodes: one per node and resource,
// with the info columns on the first. Columns are aligned by display width
// over the visible nodes only.
func nodeRows(lines []string, snap *cluster.Snapshot, nodes []cluster.Node, now time.Time, st *styles) []string {
	ncols := fixedCols + len(snap.ExtraLabels)
	cells := make([]string, len(nodes)*ncols)
	widths := make([]int, ncols)
	nameW, resW := 0, 0
	for _, res := range snap.Resources {
		resW = max(resW, dispWidth(res))
	}
	for i := range nodes {
		n := &nodes[i]
		nameW = max(nameW, dispWidth(n.Name))
		row := cells[i*ncols : (i+1)*ncols]
		infoCells(row, n, snap, now)
		for c, cell := range row {
			widths[c] = max(widths[c], dispWidth(cell))
		}
	}

	var sb strings.Builder
	lineLen := 256 // grows to the longest line seen: one allocation per line
	for i := range nodes {
		n := &nodes[i]
		row := cells[i*ncols : (i+1)*ncols]
		for r := range max(1, len(snap.Resources)) {
			sb.Reset()
			sb.Grow(lineLen)
			sb.WriteString(n.Name)
			if len(snap.Resources) > 0 {
				writeSpaces(&sb, nameW-dispWidth(n.Name)+1)
				res := snap.Resources[r]
				sb.WriteString(res)
				writeSpaces(&sb, resW-dispWidth(res)+1)
				frac := quantityAt(n.Usage, r).Fraction()
				st.nodeBar.write(&sb, frac)
				sb.WriteByte(' ')
				sb.WriteString(st.nodePercent(frac))
			}
			if r == 0 {
				pad := nameW - dispWidth(n.Name)
				if len(snap.Resources) > 0 {
					pad = 0
				}
				writeColumns(&sb, row, widths, pad)
			}
			lineLen = max(lineLen, sb.Len())
			lines = append(lines, sb.String())
		}
	}
	return lines
}

// writeColumns writes the cells left-aligned in their column widths; the last
// one is not padded so lines carry no trailing blanks. pad is owed padding of
// the previous column.
func writeColumns(sb *strings.Builder, row []string, widths []int, pad int) {
	for c, cell := range row {
		writeSpaces(sb, pad+1)
		sb.WriteString(cell)
		pad = widths[c] - dispWidth(cell)
	}
}

// infoCells fills row with the first-line cells of node n.
func infoCells(row []string, n *cluster.Node, snap *cluster.Snapshot, now time.Time) {
	row[colPods] = podsCell(n)
	row[colPrice] = priceCell(n, snap.Cost.Disabled)
	row[colCapacity] = capacityCell(n)
	row[colStatus] = statusCell(n)
	row[colReady] = readyCell(n, now)
	for i, key := range snap.ExtraLabels {
		v := n.LabelValue(i, key, now)
		if v == "" {
			v = "-"
		}
		row[fixedCols+i] = sanitize(v)
	}
}

func podsCell(n *cluster.Node) string {
	if n.MaxPods > 0 {
		return "(" + strconv.Itoa(n.Pods) + "/" + strconv.FormatInt(n.MaxPods, 10) + " pods)"
	}
	return "(" + strconv.Itoa(n.Pods) + " pods)"
}

// priceCell is "t3a.medium/$0.0421", "t3a.medium/~$0.0421" for an estimate,
// "t3a.medium/?" when unknown, "t3a.medium" with pricing disabled.
func priceCell(n *cluster.Node, disabled bool) string {
	typ := n.InstanceType
	if typ == "" {
		typ = "-"
	}
	switch {
	case disabled:
		return typ
	case !n.Price.Known():
		return typ + "/?"
	case n.Price.Source == pricing.Estimate:
		return typ + "/~" + currencySymbol(n.Price.Currency) + formatMoney(n.Price.Hourly, 4)
	}
	return typ + "/" + currencySymbol(n.Price.Currency) + formatMoney(n.Price.Hourly, 4)
}

func capacityCell(n *cluster.Node) string {
	if n.AutoMode {
		return n.Capacity.String() + "/Auto"
	}
	return n.Capacity.String()
}

func statusCell(n *cluster.Node) string {
	switch {
	case n.Cordoned && n.Deleting:
		return "Cordoned/Deleting"
	case n.Cordoned:
		return "Cordoned"
	case n.Deleting:
		return "Deleting"
	}
	return "-"
}

// readyCell says whether the node works, and for how long it has not. A
// NodeClaim without a Node is launching, or, after a long time, a launch that
// failed: it never reads "NotReady/93d".
func readyCell(n *cluster.Node, now time.Time) string {
	switch {
	case n.LaunchStuck:
		return "NoNode/" + age(now, n.Created)
	case n.Launching:
		return "Launching/" + age(now, n.Created)
	case n.Ready:
		return "Ready"
	case n.ReadySince.IsZero():
		return "NotReady"
	}
	return "NotReady/" + age(now, n.ReadySince)
}

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// Info columns of a node's first line, before the extra labels.
const (
	colPods = iota
	colPrice
	colCapacity
	colStatus
	colReady
	fixedCols
)

// How node lines fit the width. The bar gives way first (down to
// comfortBar), then long names (shortened in the middle, down to minName),
// then the bar again (down to minBar), then the resource word of a single
// resource, then the pod count and capacity take their short forms, and only
// then columns drop, least useful first. A cell is
// shown whole or not at all, so a price never reads as another number. Wide
// terminals let the bar grow, up to maxBar.
const (
	markerWidth = 2 // "> " on the selected node
	minBar      = 8
	comfortBar  = 16
	maxBar      = 80
	minName     = 12
	// pctWidth is " 90% ●": the percentage and its packing glyph.
	pctWidth = 7
)

// dropOrder is the order in which info columns go when a line cannot fit
// otherwise (extra label columns go before all of them, the last first; a
// status column of only "-" goes first of all). The price goes last.
var dropOrder = []int{colCapacity, colPods, colReady, colStatus, colPrice}

// rowFit is how the visible node rows are drawn at this width.
type rowFit struct {
	nameW, resW, barW int
	compactPods       bool
	compactCapacity   bool
	// mergeState: the status and the readiness share one column ("⊘
	// protected Ready"), the status column is not shown.
	mergeState bool
	// dropStatus: no row has a status: the column (or its half of the
	// merged one) is not drawn.
	dropStatus bool
	// compactState: the status and readiness without Karpenter's detail
	// ("Disrupting", "LaunchFailed", " ·8 wait").
	compactState bool
	// used is how the used cells are drawn (usedNone without usage);
	// usedW is their width, the blank before them included.
	used  usedForm
	usedW int
	// shown says which info columns are drawn; widths are their widths.
	shown  []bool
	widths []int
}

// nodeRows draws the visible nodes: one line per node and resource, with the
// info columns on the first. Columns align over the visible nodes only.
// selected is the index in nodes of the node under the cursor (-1: none).
func nodeRows(lines []string, snap *cluster.Snapshot, nodes []*cluster.Node, selected, width int, now time.Time, st *styles) []string {
	rc := rowCells{ncols: fixedCols + len(snap.ExtraLabels)}
	rc.full = make([]string, len(nodes)*rc.ncols)
	rc.compact = make([]string, len(nodes)*rc.ncols)
	names := make([]string, len(nodes))
	for i := range nodes {
		infoCells(rc.full[i*rc.ncols:(i+1)*rc.ncols], nodes[i], snap, now)
		compactCells(rc.compact[i*rc.ncols:(i+1)*rc.ncols], nodes[i], now)
		names[i] = sanitize(nodes[i].Name)
	}
	if snap.Usage != nil && slices.ContainsFunc(snap.Resources, measuredResource) {
		rc.usedPct = usedPctWidth(nodes, snap.Resources)
	}
	f := fitRows(snap, nodes, names, rc, width)
	bar := st.bar(f.barW)
	names = shortenNames(names, f.nameW)
	f.nameW = 0 // the names as shortened may be narrower
	for _, n := range names {
		f.nameW = max(f.nameW, dispWidth(n))
	}

	var sb strings.Builder
	row := make([]string, rc.ncols)
	for i := range nodes {
		n := nodes[i]
		for c := range row {
			row[c] = rc.cell(i, c, &f)
		}
		name := names[i]
		for r := range max(1, len(snap.Resources)) {
			sb.Reset()
			switch {
			case i == selected && r == 0:
				sb.WriteString(st.cursor.Render(">"))
				sb.WriteByte(' ')
				sb.WriteString(st.selected.Render(name))
			default: // every line names its node, as in the well-known viewer
				sb.WriteString("  ")
				sb.WriteString(name)
			}
			pad := f.nameW - dispWidth(name)
			if len(snap.Resources) > 0 {
				writeSpaces(&sb, pad+1)
				pad = 0
				if f.resW > 0 {
					res := snap.Resources[r]
					sb.WriteString(res)
					writeSpaces(&sb, f.resW-dispWidth(res)+1)
				}
				frac := quantityAt(n.Usage, r).Fraction()
				if used, ok := usedFraction(n, r); ok && snap.Usage != nil {
					bar.writeMarked(&sb, frac, used, st.marker(n.UsageStale))
				} else {
					bar.write(&sb, frac)
				}
				sb.WriteString(st.nodePercent(frac))
				if f.used != usedNone {
					cell := usedCell(n, r, snap.Resources[r], rc.usedPct, f.used)
					if cell != "" {
						sb.WriteByte(' ')
						sb.WriteString(st.styleUsed(cell, n.UsageStale))
						pad = f.usedW - 1 - dispWidth(cell)
					} else {
						pad = f.usedW
					}
				}
			}
			if r == 0 {
				writeColumns(&sb, row, f, pad)
			}
			lines = append(lines, sb.String())
		}
	}
	return lines
}

// rowCells are the info cells of the visible rows, ncols a row: full holds
// each cell in full, compact the short form of the cells that have one
// ("" for the others).
type rowCells struct {
	full, compact []string
	ncols         int
	// usedPct is the width of the used percentages (0: no used cells).
	usedPct int
}

// usedWidth is the width of the used cells in form f, the blank before
// them included.
func (rc *rowCells) usedWidth(f usedForm) int {
	switch {
	case rc.usedPct == 0 || f == usedNone:
		return 0
	case f == usedShort:
		return 2 + rc.usedPct // " ┃  8%"
	}
	return 7 + rc.usedPct // " ┃  8% used"
}

// cell is row i's cell of column c in the form f draws it.
func (rc *rowCells) cell(i, c int, f *rowFit) string {
	if c == colReady && f.mergeState && !f.dropStatus {
		return rc.form(i, colStatus, f) + " " + rc.form(i, colReady, f)
	}
	return rc.form(i, c, f)
}

// form is row i's cell of column c in full or short form.
func (rc *rowCells) form(i, c int, f *rowFit) string {
	if short := rc.compact[i*rc.ncols+c]; short != "" && f.compactCol(c) {
		return short
	}
	return rc.full[i*rc.ncols+c]
}

// compactCol reports whether f draws column c in its short form.
func (f *rowFit) compactCol(c int) bool {
	switch c {
	case colPods:
		return f.compactPods
	case colCapacity:
		return f.compactCapacity
	case colStatus, colReady:
		return f.compactState
	}
	return false
}

// fitRows decides the rowFit for the visible rows' cells at width. With
// the names whole, everything in full or the status and readiness in one
// column, if that fits; else the first of these states that fits with the
// names at their minimum:
// everything in full with a comfortBar; without the resource word (one
// resource); short pod counts; short capacity; the status and readiness in
// one column; a minBar; short states (Karpenter's details left to the node
// view); then without each extra label column (the last first) and each
// info column in dropOrder (the readiness going, the status gets its own
// column back). What is left over goes
// to the names (up to their length), then to the bar (up to maxBar).
func fitRows(snap *cluster.Snapshot, nodes []*cluster.Node, names []string, rc rowCells, width int) rowFit {
	ncols := rc.ncols
	resW := 0
	for _, res := range snap.Resources {
		resW = max(resW, dispWidth(res))
	}
	var f rowFit
	reset := func() {
		f = rowFit{shown: make([]bool, ncols), widths: make([]int, ncols), resW: resW, barW: comfortBar}
		if rc.usedPct > 0 {
			f.used, f.usedW = usedFull, rc.usedWidth(usedFull)
		}
		for i := range f.shown {
			f.shown[i] = true
		}
	}
	reset()
	nameW := 0
	for _, n := range names {
		nameW = max(nameW, dispWidth(n))
	}
	bars := len(snap.Resources) > 0
	// floor is the names' width while the steps are tried: whole names
	// with the status and readiness merged (losing only their alignment)
	// before anything else, then names at their minimum.
	floor := nameW
	// need measures the columns and returns the width of a line with the
	// bar and names at floor.
	need := func() int {
		for c := range f.widths {
			f.widths[c] = 0
		}
		for i := range nodes {
			for c := range ncols {
				f.widths[c] = max(f.widths[c], dispWidth(rc.cell(i, c, &f)))
			}
		}
		f.nameW = floor
		return f.width(bars)
	}
	merge := func() { f.mergeState, f.shown[colStatus] = true, false }
	steps := []func(){
		func() {},
		func() {
			if len(snap.Resources) == 1 {
				f.resW = 0
			}
		},
		func() {
			if f.used == usedFull {
				f.used, f.usedW = usedShort, rc.usedWidth(usedShort)
			}
		},
		func() { f.compactPods = true },
		func() { f.compactCapacity = true },
		merge,
		func() { f.barW = minBar },
		func() { f.compactState = true },
	}
	noStatus := true
	for i := range nodes {
		noStatus = noStatus && rc.full[i*ncols+colStatus] == "-"
	}
	if noStatus {
		steps = append(steps, func() { f.dropStatus, f.shown[colStatus] = true, false })
	}
	for c := ncols - 1; c >= fixedCols; c-- {
		steps = append(steps, func() { f.shown[c] = false })
	}
	for _, c := range dropOrder {
		steps = append(steps, func() {
			f.shown[c] = false
			if c == colReady && f.mergeState {
				f.mergeState, f.shown[colStatus] = false, !f.dropStatus
			}
		})
		if c == colPods { // the used cells go after the pod counts
			steps = append(steps, func() { f.used, f.usedW = usedNone, 0 })
		}
	}
	w := 0
	for _, step := range []func(){func() {}, merge} {
		step()
		if w = need(); w <= width {
			break
		}
	}
	if w > width {
		reset()
		floor = min(nameW, minName)
		for _, step := range steps {
			step()
			if w = need(); w <= width {
				break
			}
		}
	}
	slack := width - w
	if slack < 0 { // nothing left to drop: a thinner bar, then cut lines
		f.barW = max(4, f.barW+slack)
		return f
	}
	if bars {
		grow := min(slack, comfortBar-f.barW)
		f.barW += grow
		slack -= grow
	}
	grow := min(slack, nameW-f.nameW)
	f.nameW += grow
	if bars {
		f.barW = min(maxBar, f.barW+slack-grow)
	}
	return f
}

// width is the length of the widest first line.
func (f *rowFit) width(bars bool) int {
	w := markerWidth + f.nameW
	if bars {
		w += 1 + f.barW + pctWidth + f.usedW
		if f.resW > 0 {
			w += f.resW + 1
		}
	}
	for c, ok := range f.shown {
		if ok {
			w += 1 + f.widths[c]
		}
	}
	return w
}

// writeColumns writes the shown cells left-aligned in their column widths;
// the last one is not padded so lines carry no trailing blanks. pad is owed
// padding of the previous column.
func writeColumns(sb *strings.Builder, row []string, f rowFit, pad int) {
	for c, cell := range row {
		if !f.shown[c] {
			continue
		}
		writeSpaces(sb, pad+1)
		sb.WriteString(cell)
		pad = f.widths[c] - dispWidth(cell)
	}
}

// infoCells fills row with the first-line cells of node n, in full form.
func infoCells(row []string, n *cluster.Node, snap *cluster.Snapshot, now time.Time) {
	row[colPods] = podsCell(n, false)
	row[colPrice] = priceCell(n, snap.Cost.Disabled)
	row[colCapacity] = capacityCell(n, false)
	row[colStatus] = statusCell(n, false)
	row[colReady] = readyCell(n, now, false)
	for i, key := range snap.ExtraLabels {
		row[fixedCols+i] = labelCell(n, i, key, now)
	}
}

// compactCells fills row with the short forms of node n's cells that have
// one.
func compactCells(row []string, n *cluster.Node, now time.Time) {
	row[colPods] = podsCell(n, true)
	row[colCapacity] = capacityCell(n, true)
	row[colStatus] = statusCell(n, true)
	row[colReady] = readyCell(n, now, true)
}

// labelCell is the value of extra label column i: the label's value, or a
// computed label (node age, usage percentage); "-" when there is none.
func labelCell(n *cluster.Node, i int, key string, now time.Time) string {
	v := ""
	switch {
	case key == cluster.LabelNodeAge:
		if !n.Created.IsZero() {
			v = age(now, n.Created)
		}
	case isUsedLabel(key):
		if q := quantityAt(n.LabelUsage, i); q.Allocatable > 0 && n.Used != nil {
			v = usedPercent(q.Fraction(), n.UsageStale)
		}
	case isUsageLabel(key):
		if q := quantityAt(n.LabelUsage, i); q.Allocatable > 0 {
			v = strconv.Itoa(int(shownFraction(q.Fraction())*100)) + "%"
		}
	default:
		v = sanitize(n.Labels[key])
	}
	if v == "" {
		return "-"
	}
	return v
}

// podsCell is "(8/17 pods)", or "(8/17)" compact.
func podsCell(n *cluster.Node, compact bool) string {
	s := "(" + strconv.Itoa(n.Pods)
	if n.MaxPods > 0 {
		s += "/" + strconv.FormatInt(n.MaxPods, 10)
	}
	if compact {
		return s + ")"
	}
	return s + " pods)"
}

// priceCell is "t3a.medium/$0.0421", "t3a.medium/~$0.0421" for an estimate,
// "t3a.medium/?" when unknown, "t3a.medium" with pricing disabled.
func priceCell(n *cluster.Node, disabled bool) string {
	typ := sanitize(n.InstanceType)
	if typ == "" {
		typ = "-"
	}
	if disabled {
		return typ
	}
	return typ + "/" + moneyText(n.Price, 4)
}

// moneyText is "$0.0421", "~$0.0421" for an estimate, "?" when unknown.
func moneyText(p pricing.Price, prec int) string {
	switch {
	case !p.Known():
		return "?"
	case p.Source == pricing.Estimate:
		return "~" + currencySymbol(p.Currency) + formatMoney(p.Hourly, prec)
	}
	return currencySymbol(p.Currency) + formatMoney(p.Hourly, prec)
}

// capacityCell is "On-Demand/Auto"; compact "OD/Auto".
func capacityCell(n *cluster.Node, compact bool) string {
	s := n.Capacity.String()
	if compact && n.Capacity == pricing.OnDemand {
		s = "OD"
	}
	if n.AutoMode {
		return s + "/Auto"
	}
	return s
}

// statusCell is what is done to the node: "Disrupting: Underutilized" then
// "Deleting: Underutilized" (Karpenter), "Cordoned", "Deleting",
// "Cordoned/Deleting", with the mark of
// a node Karpenter will not disrupt ("⊘ protected"); "-" for none.
func statusCell(n *cluster.Node, compact bool) string {
	d := &n.Disruption
	s := "-"
	switch {
	case disrupting(d):
		return disruptingText(d, n.Deleting, compact)
	case n.Cordoned && n.Deleting:
		s = "Cordoned/Deleting"
	case n.Cordoned:
		s = "Cordoned"
	case n.Deleting:
		s = "Deleting"
	}
	if d.Protected() {
		if s == "-" {
			return protectedMark
		}
		return s + " " + protectedMark
	}
	return s
}

// readyCell is whether the node works (readyText) and how many pending pods
// wait for it.
func readyCell(n *cluster.Node, now time.Time, compact bool) string {
	return readyText(n, now, compact) + waitText(n.Nominated, compact)
}

// isUsageLabel: a computed percentage label, requested
// (eks-node-viewer/node-cpu-usage) or used (eks-node-viewer/node-cpu-used).
func isUsageLabel(key string) bool {
	if _, ok := options.UsageLabelResource(key); ok {
		return true
	}
	_, ok := options.UsedLabelResource(key)
	return ok
}

// isUsedLabel: a computed label of measured use.
func isUsedLabel(key string) bool {
	_, ok := options.UsedLabelResource(key)
	return ok
}

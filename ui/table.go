package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// A table lays out the visible rows of a list (the node view's pods, the
// pending pods) in width cells: column widths are the widest cell of the rows
// shown, numbers are right-aligned, long text columns are shortened and,
// when that is not enough, the least useful columns are left out. No line is
// wider than the width, and a number is never cut.

// fit says how a column's text gives way when the table is too wide.
type fit int

const (
	fitNone   fit = iota // never shortened (numbers, states): dropped instead
	fitMiddle            // names: "my-cool-app/fast…7c4-xxxxx"
	fitEnd               // messages: "0/2 nodes are available: 1 Insuf…"
)

// tableGap is the blank cells between two columns.
const tableGap = 2

type column struct {
	title string
	right bool // right-aligned (numbers)
	fit   fit
	// min is the narrowest a fitted column gets before droppable columns
	// go (0: its full width); after that it gives way down to one cell.
	min int
	// drop orders the columns that may be left out: the highest goes first;
	// 0 is never dropped.
	drop int
	// early: dropped before any text is shortened (worth less than a whole
	// name).
	early bool
}

// cell is one table cell. text may be styled only in fitNone columns (it is
// never shortened there); width is its display width.
type cell struct {
	text  string
	width int
	// tail is plain text drawn after text in the look's tail style, kept
	// whole when a fitted column shortens the text (" (ds)").
	tail string
	// sep is, for flow, the separator before this segment on its line (""
	// for flow's own).
	sep string
}

func plainCell(s string) cell { return cell{text: s, width: dispWidth(s)} }

// styledCell is text in style, with the display width of the plain text.
func styledCell(s string, style lipgloss.Style, colour bool) cell {
	c := plainCell(s)
	if colour && s != "" {
		c.text = style.Render(s)
	}
	return c
}

func (c cell) fullWidth() int { return c.width + dispWidth(c.tail) }

// table is the columns and the cells of the visible rows (rows[i] has one
// cell per column).
type table struct {
	cols []column
	rows [][]cell
	// marked: the rows are selectable: each line starts with a marker,
	// "> " on rows[selected], blanks on the others.
	marked   bool
	selected int
}

// widths lays the columns out in width cells: widths[i] is column i's width,
// 0 when it is left out (dropped, or empty: no title and no text).
func (t *table) widths(width int) []int {
	nat := t.natural()
	for {
		need, slack := -tableGap, 0
		for i, c := range t.cols {
			if nat[i] == 0 {
				continue
			}
			need += nat[i] + tableGap
			if c.fit != fitNone && c.min > 0 {
				slack += nat[i] - min(c.min, nat[i])
			}
		}
		if need <= width {
			return nat
		}
		if i := t.toDrop(nat, true); i >= 0 {
			nat[i] = 0
			continue
		}
		if need-slack <= width {
			t.shrink(nat, need-width, false)
			return nat
		}
		drop := t.toDrop(nat, false)
		if drop < 0 {
			// Only the columns that are never dropped are left: fitted
			// ones give way below their minimum (down to one cell), and
			// in a sliver of a terminal the last columns go after all.
			if need-t.shrink(nat, need-width, true) <= width {
				return nat
			}
			for i := range nat {
				if nat[i] > 0 {
					drop = i
				}
			}
			if drop == 0 {
				return nat
			}
		}
		nat[drop] = 0
	}
}

// natural is each column's width when nothing gives way: its widest cell
// or its title.
func (t *table) natural() []int {
	nat := make([]int, len(t.cols))
	for i, c := range t.cols {
		nat[i] = dispWidth(c.title)
	}
	for _, row := range t.rows {
		for i := range t.cols {
			if i < len(row) {
				nat[i] = max(nat[i], row[i].fullWidth())
			}
		}
	}
	return nat
}

// fitsWhole reports whether the table fits width with no column shortened
// or left out.
func (t *table) fitsWhole(width int) bool {
	need := -tableGap
	for _, w := range t.natural() {
		if w > 0 {
			need += w + tableGap
		}
	}
	return need <= width
}

// toDrop is the shown column to drop next (only early ones when early), or
// -1.
func (t *table) toDrop(w []int, early bool) int {
	drop := -1
	for i, c := range t.cols {
		if w[i] > 0 && c.drop > 0 && (c.early || !early) && (drop < 0 || c.drop > t.cols[drop].drop) {
			drop = i
		}
	}
	return drop
}

// shrink takes up to excess cells from the fitted columns, always from the
// one with the most room above its minimum, so that a long message gives
// way before a name and they end up alike above their minimums; below them
// only when belowMin. It returns how many it took.
func (t *table) shrink(w []int, excess int, belowMin bool) int {
	took := 0
	for ; took < excess; took++ {
		pick, most := -1, 0
		for i, c := range t.cols {
			if c.fit == fitNone {
				continue
			}
			floor := min(c.min, w[i])
			switch {
			case belowMin:
				floor = 1
			case c.min == 0:
				floor = w[i]
			}
			if room := w[i] - floor; room > most {
				pick, most = i, room
			}
		}
		if pick < 0 {
			break
		}
		w[pick]--
	}
	return took
}

// render appends the header line and one line per row, laid out in width.
func (t *table) render(lines []string, width int, lk *look) []string {
	marker := 0
	if t.marked && width > markerWidth {
		marker = markerWidth
	}
	w := t.widths(width - marker)
	header := make([]cell, len(t.cols))
	for i, c := range t.cols {
		header[i] = plainCell(c.title)
	}
	var sb strings.Builder
	mark := func(i int) string {
		switch {
		case marker == 0:
			return ""
		case i != t.selected:
			return "  "
		case lk.colour:
			return lk.from.cursor.Render(">") + " "
		}
		return "> "
	}
	lines = append(lines, t.line(&sb, header, w, lk, true, mark(-1)))
	for i, row := range t.rows {
		lines = append(lines, t.line(&sb, row, w, lk, false, mark(i)))
	}
	return lines
}

func (t *table) line(sb *strings.Builder, row []cell, w []int, lk *look, header bool, marker string) string {
	sb.Reset()
	sb.WriteString(marker)
	pad := 0 // blanks owed by the previous column, written only before text
	first := true
	for i, c := range t.cols {
		if w[i] == 0 {
			continue
		}
		if !first {
			pad += tableGap
		}
		first = false
		var cl cell
		if i < len(row) {
			cl = row[i]
		}
		text, tail, tw := cl.text, cl.tail, cl.fullWidth()
		if tw > w[i] {
			// Only plain text is shortened: fitNone columns are as wide as
			// their widest cell or dropped.
			text, tail = fitText(cl, w[i], c.fit)
			tw = dispWidth(text) + dispWidth(tail)
		}
		if c.right {
			pad += w[i] - tw
		}
		if text != "" || tail != "" {
			writeSpaces(sb, pad)
			pad = 0
			if header && lk.colour {
				text = lk.header.Render(text)
			}
			sb.WriteString(text)
			if tail != "" {
				if lk.colour {
					tail = lk.tail.Render(tail)
				}
				sb.WriteString(tail)
			}
		}
		if !c.right {
			pad += w[i] - tw
		}
	}
	return sb.String()
}

// fitText shortens a cell's plain text (keeping its tail when there is room
// for some of the text too) to width cells.
func fitText(c cell, width int, f fit) (text, tail string) {
	tw := dispWidth(c.tail)
	if tw >= width-1 {
		tw, c.tail = 0, ""
	}
	room := width - tw
	if f == fitEnd {
		return ansi.Truncate(c.text, room, "…"), c.tail
	}
	return shortenMiddle(c.text, room), c.tail
}

// look is how tables and their headers are drawn, built from the styles
// once per view (bars are pre-rendered).
type look struct {
	from   *styles
	colour bool
	header lipgloss.Style
	tail   lipgloss.Style // " (ds)"
	faint  lipgloss.Style
	// share is a pod's share of its node (filled cells only).
	share bar
}

const (
	shareBarWidth = 5
	usageBarWidth = 10
)

var shareColor = lipgloss.Color("#A0A0A0")

func newLook(st *styles) *look {
	lk := &look{from: st, colour: st.colour}
	// A pod's share of its node is neither good nor bad: one neutral colour,
	// not the packing gradient.
	lk.share = newBar(shareBarWidth, lk.colour, shareColor, shareColor)
	if lk.colour {
		lk.header = lipgloss.NewStyle().Bold(true)
		lk.faint = lipgloss.NewStyle().Faint(true)
		lk.tail = lk.faint
	}
	return lk
}

// faintText is s in the faint style.
func (lk *look) faintText(s string) string {
	if lk.colour {
		return lk.faint.Render(s)
	}
	return s
}

// faintCell is a plain cell in the faint style.
func (lk *look) faintCell(s string) cell {
	return cell{text: lk.faintText(s), width: dispWidth(s)}
}

// lookFor returns cached when it was built from st, else a new look.
func lookFor(cached *look, st *styles) *look {
	if cached != nil && cached.from == st {
		return cached
	}
	return newLook(st)
}

// shareCell is a pod's share of its node: "11% █", or "-" without a
// request (or with nothing allocatable).
func (lk *look) shareCell(req, alloc int64) cell {
	if req <= 0 || alloc <= 0 {
		return plainCell("-")
	}
	frac := shownFraction(float64(req) / float64(alloc))
	p := percentText(frac)
	k := min(max(int(frac*shareBarWidth+0.5), 0), shareBarWidth)
	if k == 0 {
		return cell{text: padLeft(p, 4), width: 4}
	}
	return cell{text: padLeft(p, 4) + " " + lk.share.full[k], width: 5 + k}
}

// percentText is a rounded percentage, "<1%" for a share that rounds to 0.
func percentText(frac float64) string {
	p := int(frac*100 + 0.5)
	if p == 0 && frac > 0 {
		return "<1%"
	}
	return strconv.Itoa(p) + "%"
}

// formatRequest is one request in the units FormatPair uses: cpu in
// millicores below 10 cores ("200m", else "12.5"), bytes in binary units
// ("1.5Gi", "128Mi"), anything else as a plain number; "-" for none.
func formatRequest(resource string, milli int64) string {
	switch {
	case milli <= 0:
		return "-"
	case resource == "cpu":
		if milli < milliCPUThreshold {
			return strconv.FormatInt(milli, 10) + "m"
		}
		return formatDecimal(float64(milli)/1000, 2)
	case isBytes(resource):
		b := milli / 1000
		unit := 0
		for unit < len(binaryUnits)-1 && b >= int64(1)<<(10*(unit+1)) {
			unit++
		}
		if unit == 0 {
			return strconv.FormatInt(b, 10) + "B"
		}
		s := strconv.FormatFloat(float64(b)/float64(int64(1)<<(10*unit)), 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + binaryUnits[unit]
	}
	return formatCount(milli)
}

// cursor is the selected row of a list shown a page at a time, and the
// first row shown; the page follows the cursor.
type cursor struct{ at, offset int }

// clamp keeps the cursor on a row and on the page.
func (c *cursor) clamp(total, rows int) {
	c.at = min(max(c.at, 0), max(total-1, 0))
	if rows > 0 {
		c.offset = min(c.offset, c.at)
		if c.at >= c.offset+rows {
			c.offset = c.at - rows + 1
		}
	}
	c.offset = min(max(c.offset, 0), max(total-rows, 0))
}

// key moves the cursor by the scroll keys: a row, a page, to either end;
// false when msg is none of them.
func (c *cursor) key(msg tea.KeyPressMsg, k ScrollKeys, total, rows int) bool {
	switch {
	case key.Matches(msg, k.Up):
		c.at--
	case key.Matches(msg, k.Down):
		c.at++
	case key.Matches(msg, k.PageUp):
		c.at -= max(rows, 1)
		c.offset -= max(rows, 1)
	case key.Matches(msg, k.PageDown):
		c.at += max(rows, 1)
		c.offset += max(rows, 1)
	case key.Matches(msg, k.Home):
		c.at = 0
	case key.Matches(msg, k.End):
		c.at = total
	default:
		return false
	}
	c.clamp(total, rows)
	return true
}

// wheel moves the cursor a row per step of the mouse wheel.
func (c *cursor) wheel(msg tea.MouseWheelMsg, total, rows int) {
	switch msg.Button {
	case tea.MouseWheelUp:
		c.at--
	case tea.MouseWheelDown:
		c.at++
	}
	c.clamp(total, rows)
}

// enable turns on the scroll keys that would move the cursor.
func (c cursor) enable(k *ScrollKeys, total, rows int) {
	k.enable(c.at <= 0, c.at >= total-1, rows > 0 && total > rows)
}

// visible is the cursor clamped to the rows render shows.
func (c cursor) visible(total, rows int) cursor {
	c.clamp(total, rows)
	return c
}

// scroll is the first visible row of a list that scrolls by lines.
type scroll struct{ offset int }

// listRows is how many of total rows fit in avail lines: all of them, or
// one less than avail to leave a line for the position ("1-17 of 110").
func listRows(total, avail int) int {
	if total <= avail {
		return total
	}
	return max(avail-1, 0)
}

func (s *scroll) clamp(total, rows int) {
	s.offset = min(max(s.offset, 0), max(total-rows, 0))
}

// key moves by the scroll keys; false when msg is none of them.
func (s *scroll) key(msg tea.KeyPressMsg, k ScrollKeys, total, rows int) bool {
	switch {
	case key.Matches(msg, k.Up):
		s.offset--
	case key.Matches(msg, k.Down):
		s.offset++
	case key.Matches(msg, k.PageUp):
		s.offset -= max(rows, 1)
	case key.Matches(msg, k.PageDown):
		s.offset += max(rows, 1)
	case key.Matches(msg, k.Home):
		s.offset = 0
	case key.Matches(msg, k.End):
		s.offset = total
	default:
		return false
	}
	s.clamp(total, rows)
	return true
}

// wheel scrolls by a line per step of the mouse wheel.
func (s *scroll) wheel(msg tea.MouseWheelMsg, total, rows int) {
	switch msg.Button {
	case tea.MouseWheelUp:
		s.offset--
	case tea.MouseWheelDown:
		s.offset++
	}
	s.clamp(total, rows)
}

// enable turns on the scroll keys that would move.
func (s scroll) enable(k *ScrollKeys, total, rows int) {
	atTop := s.offset <= 0
	atBottom := s.offset+rows >= total
	k.enable(atTop, atBottom, rows > 0 && total > rows)
}

// position is the line under a list that does not fit: "18-34 of 110
// pods", or shorter ("18-34/110") to fit width; "" when even that does not.
func (s scroll) position(total, rows int, noun string, width int) string {
	span := strconv.Itoa(s.offset+1) + "-" + strconv.Itoa(s.offset+rows)
	if rows <= 0 {
		span = "0"
	}
	for _, p := range []string{span + " of " + strconv.Itoa(total) + " " + noun, span + "/" + strconv.Itoa(total)} {
		if dispWidth(p) <= width {
			return p
		}
	}
	return ""
}

// visible is the scroll clamped to the rows render shows (update assumed a
// height; render is given one).
func (s scroll) visible(total, rows int) scroll {
	s.clamp(total, rows)
	return s
}

// scrollHelp is the scroll keys' footer entries for a list that scrolls
// (ScrollKeys.short says "select", for a cursor).
func scrollHelp(k ScrollKeys) []key.Binding {
	s := k.short()
	s[0].SetHelp("↑/↓", "scroll")
	return s
}

// flow lays segments out on lines of width cells, sep (or the segment's
// own) between two on a line, wrapping before a segment that does not fit;
// a segment wider than a line is cut at its end.
func flow(lines []string, segs []cell, sep string, width int) []string {
	var sb strings.Builder
	used := 0
	for _, s := range segs {
		if s.width == 0 {
			continue
		}
		sep := sep
		if s.sep != "" {
			sep = s.sep
		}
		sepW := dispWidth(sep)
		if s.width > width {
			s.text, s.width = ansi.Truncate(s.text, width, "…"), width
		}
		if used > 0 && used+sepW+s.width > width {
			lines = append(lines, sb.String())
			sb.Reset()
			used = 0
		}
		if used > 0 {
			sb.WriteString(sep)
			used += sepW
		}
		sb.WriteString(s.text)
		used += s.width
	}
	if used > 0 {
		lines = append(lines, sb.String())
	}
	return lines
}

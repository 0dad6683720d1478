package ui

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/paginator"
	"github.com/charmbracelet/x/ansi"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

const noNodes = "Waiting for update or no nodes found..."

// render draws one frame. It is pure: everything it shows comes from its
// arguments, and it formats only the rows of the visible page.
func render(snap *cluster.Snapshot, width, height int, now time.Time, st *styles, page int, c *chrome) string {
	l := newLayout(snap, width, height, c)
	page = l.clampPage(page)

	lines := make([]string, 0, l.height)
	lines = append(lines, summaryLines(snap, st)...)
	lines = append(lines, podLine(snap.Pods), "")

	start := min(page*l.perPage, len(snap.Nodes))
	end := min(start+l.perPage, len(snap.Nodes))
	switch {
	case start < end:
		lines = nodeRows(lines, snap, snap.Nodes[start:end], now, st)
	case snap.Synced:
		lines = append(lines, noNodes)
	}

	status := len(lines)
	if l.syncing {
		lines = append(lines, syncLine(snap.Waiting, c.spinner, st))
	}
	if l.notes {
		lines = append(lines, notesLine(snap.Notes, c.demo, st))
	}
	for _, e := range snap.Events[len(snap.Events)-l.events:] {
		lines = append(lines, st.event.Render(eventText(e, now)))
	}
	statusEnd := len(lines)

	lines = append(lines, pageDots(page, l.pages, l.perPage, l.width))
	lines = append(lines, l.footer...)

	if len(lines) > l.height {
		lines = lines[:l.height]
	}
	for i, line := range lines {
		tail := ""
		if i >= status && i < statusEnd {
			tail = "…"
		}
		if lineWidth(line) > l.width {
			lines[i] = ansi.Truncate(line, l.width, tail)
		}
	}
	return strings.Join(lines, "\n")
}

// summaryLines is one line per resource; only the first carries the cost.
func summaryLines(snap *cluster.Snapshot, st *styles) []string {
	nodes := groupThousands(strconv.Itoa(len(snap.Nodes))) + " nodes"
	cost := costText(snap.Cost)
	if len(snap.Resources) == 0 {
		return []string{joinNonEmpty(nodes, cost)}
	}

	n := len(snap.Resources)
	pairs, pcts := make([]string, n), make([]string, n)
	pairW, pctW, resW := 16, 5, 0
	for i, res := range snap.Resources {
		q := quantityAt(snap.Totals, i)
		pairs[i] = FormatPair(res, q)
		pcts[i] = strconv.FormatFloat(q.Fraction()*100, 'f', 1, 64) + "%"
		pairW = max(pairW, dispWidth(pairs[i]))
		pctW = max(pctW, len(pcts[i]))
		resW = max(resW, dispWidth(res))
	}

	lines := make([]string, n)
	var sb strings.Builder
	for i, res := range snap.Resources {
		q := quantityAt(snap.Totals, i)
		sb.Reset()
		sb.WriteString(nodes)
		sb.WriteString(" (")
		sb.WriteString(padLeft(pairs[i], pairW))
		sb.WriteString(") ")
		sb.WriteString(st.pct(q.Fraction() * 100).Render(padLeft(pcts[i], pctW)))
		sb.WriteByte(' ')
		sb.WriteString(padRight(res, resW))
		sb.WriteByte(' ')
		st.summaryBar.write(&sb, q.Fraction())
		if i == 0 && cost != "" {
			sb.WriteByte(' ')
			sb.WriteString(cost)
		}
		lines[i] = sb.String()
	}
	return lines
}

// costText is "$0.084/hour | $61.481/month"; ">=" marks a lower bound (some
// prices unknown), "~" an estimate; "" when pricing is disabled.
func costText(c cluster.Cost) string {
	if c.Disabled {
		return ""
	}
	sym := currencySymbol(c.Currency)
	if c.Unknown > 0 && c.Currency == "" {
		return sym + "?/hour | " + sym + "?/month"
	}
	prefix := ""
	switch {
	case c.Unknown > 0:
		prefix = ">="
	case c.Estimated > 0:
		prefix = "~"
	}
	return prefix + sym + formatMoney(c.Hourly, 3) + "/hour | " +
		prefix + sym + formatMoney(c.Hourly*pricing.HoursPerMonth, 3) + "/month"
}

func podLine(p cluster.PodCounts) string {
	s := count(p.Total) + " pods (" + count(p.Pending) + " pending " + count(p.Running) +
		" running " + count(p.Bound) + " bound)"
	if p.Elsewhere > 0 {
		s += " + " + count(p.Elsewhere) + " on other nodes"
	}
	return s
}

func count(n int) string { return groupThousands(strconv.Itoa(n)) }

func syncLine(waiting []string, spinner string, st *styles) string {
	what := "cluster"
	if len(waiting) > 0 {
		what = sanitize(strings.Join(waiting, ", "))
	}
	return spinner + " " + st.note.Render("Waiting for "+what+"...")
}

func notesLine(notes []string, demo bool, st *styles) string {
	var sb strings.Builder
	if demo {
		sb.WriteString(st.demo.Render("DEMO"))
	}
	for _, n := range notes {
		if sb.Len() > 0 {
			sb.WriteString(" • ")
		}
		sb.WriteString(st.note.Render(sanitize(n)))
	}
	return sb.String()
}

// eventText is "12s DisruptionTerminating node/i-0abc: Disrupting Node: Empty".
func eventText(e cluster.Event, now time.Time) string {
	return age(now, e.Time) + " " + sanitize(e.Reason) + " " + sanitize(e.Object) + ": " + sanitize(e.Message)
}

// pageDots are the paginator's dots, or "3/125" when the dots would not fit.
func pageDots(page, pages, perPage, width int) string {
	p := paginator.New(paginator.WithPerPage(perPage), paginator.WithTotalPages(pages))
	p.Page = page
	p.Type = paginator.Dots
	if pages > width {
		p.Type = paginator.Arabic
	}
	return p.View()
}

func quantityAt(qs []cluster.Quantity, i int) cluster.Quantity {
	if i < len(qs) {
		return qs[i]
	}
	return cluster.Quantity{}
}

func joinNonEmpty(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}

// dispWidth is the width in terminal cells (wide characters count 2).
func dispWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// lineWidth is the display width of a styled line. The lines we draw are
// mostly ASCII, SGR sequences and a few narrow symbols; those are counted
// directly, anything else is left to ansi.StringWidth (grapheme-aware, slow).
func lineWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
			i++
			continue
		case c >= 0x20 && c < 0x7f:
			w++
			i++
			continue
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if narrowSymbol(r) {
				w++
				i += size
				continue
			}
		}
		return ansi.StringWidth(s)
	}
	return w
}

// narrowSymbol: single-cell runes the screen itself draws.
func narrowSymbol(r rune) bool {
	switch r {
	case '█', '░', '•', '○', '←', '→', '…', '¥', '⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏':
		return true
	}
	return false
}

const spaces = "                                                                "

func writeSpaces(sb *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		sb.WriteString(spaces[:k])
		n -= k
	}
}

func padLeft(s string, w int) string {
	if d := w - dispWidth(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}

func padRight(s string, w int) string {
	if d := w - dispWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

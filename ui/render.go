package ui

import (
	"fmt"
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

// summaryLines is one line per resource; only the first carries the cost.
// At narrow widths the pair loses its padding, the bar shrinks, the used
// percentage loses its word, and then the monthly cost goes: the hourly one
// stays visible at 80 columns. With usage, each measured resource's bar
// carries the used marker and its line the cluster's used percentage
// (of the measured nodes' allocatable).
func summaryLines(snap *cluster.Snapshot, width int, st *styles) []string {
	nodes := count(len(snap.Nodes)) + " nodes"
	hourly, monthly := costText(snap.Cost)
	cost := hourly
	if monthly != "" {
		cost += " | " + monthly
	}
	if len(snap.Resources) == 0 {
		return []string{joinNonEmpty(nodes, cost)}
	}

	n := len(snap.Resources)
	pairs, pcts := make([]string, n), make([]string, n)
	pairW, pctW, resW := 0, 5, 0
	used := clusterUsed(snap)
	usedW := 0 // the used percentages' width
	for i, res := range snap.Resources {
		q := quantityAt(snap.Totals, i)
		pairs[i] = FormatPair(res, q)
		pcts[i] = strconv.FormatFloat(shownFraction(q.Fraction())*100, 'f', 1, 64) + "%"
		pairW = max(pairW, dispWidth(pairs[i]))
		pctW = max(pctW, len(pcts[i]))
		resW = max(resW, dispWidth(res))
		usedW = max(usedW, len(used[i]))
	}
	// nodes (pair) pct res bar [used] cost
	fixed := func(pairW int, form usedForm, cost string) int {
		w := dispWidth(nodes) + 2 + pairW + 2 + pctW + 1 + resW + 1 // the last 1: before the bar
		switch {
		case usedW == 0:
		case form == usedFull:
			w += 3 + usedW + 5 // " ┃ 4.5% used"
		case form == usedShort:
			w += 3 + usedW
		}
		if cost != "" {
			w += 1 + dispWidth(cost)
		}
		return w
	}
	barW, form := summaryBarWidth, usedFull
	switch padded := max(pairW, 16); {
	case fixed(padded, usedFull, cost)+barW <= width:
		pairW = padded
	case fixed(pairW, usedFull, cost)+minBar <= width:
		barW = min(barW, width-fixed(pairW, form, cost))
	case fixed(pairW, usedShort, cost)+minBar <= width:
		form = usedShort
		barW = min(barW, width-fixed(pairW, form, cost))
	case fixed(pairW, usedShort, hourly)+4 <= width:
		cost, form = hourly, usedShort
		barW = min(barW, width-fixed(pairW, form, cost))
	default: // no room for a bar; the cost only if it fits whole
		barW, form = 0, usedShort
		if cost = hourly; fixed(pairW, form, cost)-1 > width {
			cost = ""
		}
		if fixed(pairW, form, cost)-1 > width {
			form = usedNone
		}
	}
	bar := st.bar(barW)
	stale := snap.Usage != nil && snap.Usage.Stale > 0

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
		frac, measured := clusterUsedFraction(snap, i)
		switch {
		case barW > 0 && measured:
			sb.WriteString(padRight(res, resW))
			sb.WriteByte(' ')
			bar.writeMarked(&sb, q.Fraction(), frac, st.marker(stale))
		case barW > 0:
			sb.WriteString(padRight(res, resW))
			sb.WriteByte(' ')
			bar.write(&sb, q.Fraction())
		default:
			sb.WriteString(res)
		}
		if used[i] != "" && form != usedNone {
			cell := st.marker(stale) + " " + padLeft(used[i], usedW)
			if form == usedFull {
				cell += " used"
			}
			sb.WriteByte(' ')
			sb.WriteString(cell)
		}
		if i == 0 && cost != "" {
			sb.WriteByte(' ')
			sb.WriteString(cost)
		}
		lines[i] = sb.String()
	}
	return lines
}

// clusterUsed is the summary's used percentage per resource ("4.5%", with
// "~" when some sample is stale), "" for a resource without one.
func clusterUsed(snap *cluster.Snapshot) []string {
	out := make([]string, len(snap.Resources))
	if snap.Usage == nil {
		return out
	}
	for i := range snap.Resources {
		if frac, ok := clusterUsedFraction(snap, i); ok {
			out[i] = strconv.FormatFloat(shownFraction(frac)*100, 'f', 1, 64) + "%"
			if snap.Usage.Stale > 0 {
				out[i] = "~" + out[i]
			}
		}
	}
	return out
}

// clusterUsedFraction is what the measured nodes use of resource i, of
// their allocatable; ok is false without usage, samples or allocatable, and
// for resources that are not measured.
func clusterUsedFraction(snap *cluster.Snapshot, i int) (float64, bool) {
	u := snap.Usage
	if u == nil || u.Nodes == 0 || i >= len(snap.Resources) || !measuredResource(snap.Resources[i]) {
		return 0, false
	}
	v, ok := usedAt(u.Used, i)
	if !ok || i >= len(u.Allocatable) || u.Allocatable[i] <= 0 {
		return 0, false
	}
	return float64(v) / float64(u.Allocatable[i]), true
}

// costText is "$0.084/hour" and "$61.481/month"; ">=" marks a lower bound
// (some prices unknown), "~" an estimate; both "" when pricing is disabled.
func costText(c cluster.Cost) (hourly, monthly string) {
	if c.Disabled {
		return "", ""
	}
	sym := currencySymbol(c.Currency)
	if c.Unknown > 0 && c.Currency == "" {
		return sym + "?/hour", sym + "?/month"
	}
	prefix := ""
	switch {
	case c.Unknown > 0:
		prefix = ">="
	case c.Estimated > 0:
		prefix = "~"
	}
	return prefix + sym + formatMoney(c.Hourly, 3) + "/hour",
		prefix + sym + formatMoney(c.Hourly*pricing.HoursPerMonth, 3) + "/month"
}

// podLine is "12 pods (0 pending 12 running 12 bound) + 7 on other nodes"
// (short: "+ 7 elsewhere").
//
// Tighter forms, for narrow terminals and seven-digit counts: podShort
// says "elsewhere", podNoBound drops the bound count, podPending keeps only
// the pending one.
func podLine(p cluster.PodCounts, form podForm) string {
	s := count(p.Total) + " pods (" + count(p.Pending) + " pending"
	if form < podPending {
		s += " " + count(p.Running) + " running"
	}
	if form < podNoBound {
		s += " " + count(p.Bound) + " bound"
	}
	s += ")"
	switch {
	case p.Elsewhere > 0 && form > podFull:
		s += " + " + count(p.Elsewhere) + " elsewhere"
	case p.Elsewhere > 0:
		s += " + " + count(p.Elsewhere) + " on other nodes"
	}
	return s
}

// podForm is how much the pod line says (podLine).
type podForm int

const (
	podFull podForm = iota
	podShort
	podNoBound
	podPending
)

func count(n int) string { return groupThousands(strconv.Itoa(n)) }

// staleLine is the banner over every view while the API server cannot be
// reached: "STALE 0:42 · API server unreachable (connection refused),
// retrying". The data below it is what the viewer last saw.
func staleLine(st *cluster.Stale, now time.Time, s *styles) string {
	return s.stale.Render("STALE "+clockDuration(now.Sub(st.Since))) + " · " + sanitize(st.Reason) + ", retrying"
}

// clockDuration is 0:42, 12:05 or 1:02:03 (never negative).
func clockDuration(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	h, m, sec := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// syncLine is "Waiting for nodes, pods (37,000 so far)...".
func syncLine(syncing []cluster.SyncProgress, spinner string, st *styles) string {
	what := "cluster"
	if len(syncing) > 0 {
		parts := make([]string, len(syncing))
		for i, p := range syncing {
			parts[i] = p.Resource
			if p.Objects > 0 {
				parts[i] += " (" + count(p.Objects) + " so far)"
			}
		}
		what = strings.Join(parts, ", ")
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

// truncate cuts a styled line to width cells, ending in tail.
func truncate(s string, width int, tail string) string { return ansi.Truncate(s, width, tail) }

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
	case '█', '░', '┃', '¦', '•', '○', '●', '◐', '▸', '▾', '←', '→', '…', '¥', '⊘', '·', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏':
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

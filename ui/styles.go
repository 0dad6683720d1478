package ui

import (
	"image/color"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

const (
	summaryBarWidth = 40 // the summary's bar, before it grows or shrinks
	nodeBarWidth    = 35 // a node's bar, before it grows or shrinks
	fullCell        = "█"
	emptyCell       = "░"
	emptyColor      = "#606060"
	// usedColor is the used marker's: apart from the bar's red-to-green
	// gradient.
	usedColor = "#00AFFF"
)

// styles is everything that colours the screen. It is built once by
// newStyles and held on the model; bars and percentages are pre-rendered so a
// frame costs string concatenation, not lipgloss rendering per cell.
type styles struct {
	good, ok, bad lipgloss.Style

	// bars are the pre-rendered bars by width (built on first use: widths
	// follow the terminal's).
	bars           map[int]*bar
	colour         bool
	barFrom, barTo color.Color
	// nodePct[p] is the styled " p% ●" cell for p in 0..100.
	nodePct [101]string

	// used and staleUsed are the bar's marker at the used fraction
	// (markUsed, markStale), styled; usedStyle styles it, staleText a
	// stale sample's numbers.
	used, staleUsed string
	usedStyle       lipgloss.Style
	staleText       lipgloss.Style

	stale    lipgloss.Style // the STALE mark
	title    lipgloss.Style // a fleet member's title line, a block's context
	cursor   lipgloss.Style // the ">" of the selected row
	selected lipgloss.Style // the selected node's name

	help    help.Styles
	spinner lipgloss.Style
	demo    lipgloss.Style
	note    lipgloss.Style
	event   lipgloss.Style
}

// newStyles builds the styles from the good/ok/bad colours (hex, "" for the
// default). With colour false nothing is styled (tests, NoColor).
func newStyles(colors [3]string, colour bool) *styles {
	defaults := [3]string{options.DefaultGoodColor, options.DefaultOKColor, options.DefaultBadColor}
	for i := range colors {
		if colors[i] == "" {
			colors[i] = defaults[i]
		}
	}
	good, ok, bad := lipgloss.Color(colors[0]), lipgloss.Color(colors[1]), lipgloss.Color(colors[2])
	st := &styles{}
	if colour {
		st.good = lipgloss.NewStyle().Foreground(good)
		st.ok = lipgloss.NewStyle().Foreground(ok)
		st.bad = lipgloss.NewStyle().Foreground(bad)
		st.help = help.DefaultDarkStyles()
		st.spinner = lipgloss.NewStyle().Foreground(ok)
		st.demo = lipgloss.NewStyle().Bold(true).Reverse(true)
		st.note = lipgloss.NewStyle().Foreground(ok)
		st.event = lipgloss.NewStyle().Foreground(lipgloss.Color("#A0A0A0"))
		st.cursor = lipgloss.NewStyle().Bold(true)
		st.stale = lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(bad)
		st.title = lipgloss.NewStyle().Bold(true)
		st.selected = lipgloss.NewStyle().Reverse(true)
		st.usedStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color(usedColor))
		st.staleText = lipgloss.NewStyle().Faint(true)
	}
	st.used, st.staleUsed = markUsed, markStale
	if colour {
		st.used, st.staleUsed = st.usedStyle.Render(markUsed), st.usedStyle.Faint(true).Render(markStale)
	}
	st.colour, st.barFrom, st.barTo = colour, bad, good
	st.bars = map[int]*bar{}
	for p := range st.nodePct {
		st.nodePct[p] = st.percentCell(p)
	}
	return st
}

// Packing glyphs, so that good/ok/bad reads without colour: a full node is
// a full circle.
const (
	glyphGood = "●"
	glyphOK   = "◐"
	glyphBad  = "○"
)

// percentCell is " 90% ◐", styled by how well the node is packed.
func (st *styles) percentCell(p int) string {
	glyph := glyphBad
	switch {
	case p > 90:
		glyph = glyphGood
	case p > 60:
		glyph = glyphOK
	}
	return " " + st.pct(float64(p)).Render(padLeft(strconv.Itoa(p), 3)+"% "+glyph)
}

// bar returns the pre-rendered gradient bar of this width.
func (st *styles) bar(width int) *bar {
	b := st.bars[width]
	if b == nil {
		nb := newBar(width, st.colour, st.barFrom, st.barTo)
		b = &nb
		st.bars[width] = b
	}
	return b
}

// pct is the style of a packing percentage: high packing is good (cheap).
func (st *styles) pct(p float64) lipgloss.Style {
	switch {
	case p > 90:
		return st.good
	case p > 60:
		return st.ok
	}
	return st.bad
}

// nodePercent is the " 90% ◐" cell of a node row.
func (st *styles) nodePercent(frac float64) string {
	p := int(shownFraction(frac)*100 + 0.5)
	if p >= 0 && p < len(st.nodePct) {
		return st.nodePct[p]
	}
	return st.percentCell(p)
}

// bar is a fixed-width gradient bar. full[k] is the first k filled cells,
// empty[k] is k empty cells, both already styled.
type bar struct {
	width int
	full  []string
	empty []string
	// cells are the filled cells one by one, styled (for a marker inside
	// the fill).
	cells []string
}

// newBar pre-renders every fill level. The gradient runs from `from` at the
// left to `to` at the right across the whole width, so a cell's colour says
// where it sits, not how full the bar is.
func newBar(width int, colour bool, from, to color.Color) bar {
	b := bar{width: width, full: make([]string, width+1), empty: make([]string, width+1)}
	var cells []string
	if colour {
		for _, c := range lipgloss.Blend1D(width, from, to) {
			cells = append(cells, lipgloss.NewStyle().Foreground(c).Render(fullCell))
		}
		b.cells = cells
	} else {
		b.cells = make([]string, width)
		for i := range b.cells {
			b.cells[i] = fullCell
		}
	}
	emptyStyle := lipgloss.NewStyle()
	if colour {
		emptyStyle = emptyStyle.Foreground(lipgloss.Color(emptyColor))
	}
	var sb strings.Builder
	for k := 0; k <= width; k++ {
		b.full[k] = sb.String()
		if k < width {
			if colour {
				sb.WriteString(cells[k])
			} else {
				sb.WriteString(fullCell)
			}
		}
		if k == 0 {
			b.empty[k] = ""
		} else {
			b.empty[k] = emptyStyle.Render(strings.Repeat(emptyCell, k))
		}
	}
	return b
}

// write appends the bar filled to frac (clamped to 0..1).
func (b *bar) write(sb *strings.Builder, frac float64) {
	k := int(shownFraction(frac)*float64(b.width) + 0.5)
	k = min(max(k, 0), b.width)
	sb.WriteString(b.full[k])
	sb.WriteString(b.empty[b.width-k])
}

// writeMarked appends the bar filled to frac with mark in the cell that
// holds the used fraction: inside the fill when a node uses less than it
// requests, past it when more.
func (b *bar) writeMarked(sb *strings.Builder, frac, used float64, mark string) {
	if b.width <= 0 {
		return
	}
	k := int(shownFraction(frac)*float64(b.width) + 0.5)
	k = min(max(k, 0), b.width)
	m := min(max(int(shownFraction(used)*float64(b.width)), 0), b.width-1)
	if m < k {
		sb.WriteString(b.full[m])
		sb.WriteString(mark)
		for _, c := range b.cells[m+1 : k] {
			sb.WriteString(c)
		}
		sb.WriteString(b.empty[b.width-k])
		return
	}
	sb.WriteString(b.full[k])
	sb.WriteString(b.empty[m-k])
	sb.WriteString(mark)
	sb.WriteString(b.empty[b.width-m-1])
}

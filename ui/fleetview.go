package ui

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The fleet view: the fleet line, a blank line, then one block per cluster
// (a title line; expanded, the cluster's summary lines and pod line as its
// node list shows them), blocks apart by a blank line, paged by whole
// blocks when they do not fit.

// clusterState is what a block's title says of its cluster.
type clusterState int

const (
	stateConnecting clusterState = iota // nothing listed yet
	stateSyncing                        // the initial lists are under way
	stateOK
	stateStale // some watch cannot reach the API server
)

func stateOf(s *cluster.Snapshot) clusterState {
	switch {
	case s.Stale != nil:
		return stateStale
	case s.Synced:
		return stateOK
	case len(s.Nodes) > 0:
		return stateSyncing
	}
	for _, p := range s.Syncing {
		if p.Objects > 0 {
			return stateSyncing
		}
	}
	return stateConnecting
}

// stateText is "ok", "syncing", "connecting" or "stale 12s · API server
// unreachable (connection refused), retrying".
func stateText(s *cluster.Snapshot, now time.Time, st *styles) string {
	switch stateOf(s) {
	case stateStale:
		return st.stale.Render("stale "+age(now, s.Stale.Since)) + " · " + sanitize(s.Stale.Reason) + ", retrying"
	case stateOK:
		return st.good.Render("ok")
	case stateSyncing:
		return st.note.Render("syncing")
	}
	return st.note.Render("connecting")
}

// fleetSum is the fleet line's data: the members' snapshots added up.
type fleetSum struct {
	clusters                       int
	ok, stale, syncing, connecting int
	nodes                          int
	// resources are every member's shown resources, in the order first
	// seen; totals the members' totals of each, added by name.
	resources []string
	totals    []cluster.Quantity
	// currencies and hourly: the known prices' sum per currency, in the
	// order first seen.
	currencies []string
	hourly     []float64
	priced     bool // some member shows prices
	lowerBound bool // some priced member's total is a lower bound
	estimated  bool
}

func sumFleet(snaps []*cluster.Snapshot) fleetSum {
	var fs fleetSum
	fs.clusters = len(snaps)
	for _, s := range snaps {
		switch stateOf(s) {
		case stateOK:
			fs.ok++
		case stateStale:
			fs.stale++
		case stateSyncing:
			fs.syncing++
		default:
			fs.connecting++
		}
		fs.nodes += len(s.Nodes)
		for i, res := range s.Resources {
			j := slices.Index(fs.resources, res)
			if j < 0 {
				j = len(fs.resources)
				fs.resources = append(fs.resources, res)
				fs.totals = append(fs.totals, cluster.Quantity{})
			}
			q := quantityAt(s.Totals, i)
			fs.totals[j].Used = addSat(fs.totals[j].Used, q.Used)
			fs.totals[j].Allocatable = addSat(fs.totals[j].Allocatable, q.Allocatable)
		}
		c := s.Cost
		if c.Disabled {
			continue
		}
		fs.priced = true
		if c.Unknown > 0 || !s.Synced || s.Stale != nil {
			fs.lowerBound = true
		}
		if c.Estimated > 0 {
			fs.estimated = true
		}
		if c.Currency == "" {
			continue
		}
		j := slices.Index(fs.currencies, c.Currency)
		if j < 0 {
			j = len(fs.currencies)
			fs.currencies = append(fs.currencies, c.Currency)
			fs.hourly = append(fs.hourly, 0)
		}
		fs.hourly[j] += c.Hourly
	}
	return fs
}

// addSat adds without wrapping: requests saturate at math.MaxInt64
// milli-units in a cluster's totals, and so do the fleet's.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// costText is the fleet's "$0.168/hour" and "$122.962/month", with ">="
// when some cluster's total is a lower bound (unknown prices, not synced,
// stale), "~" when some are estimates; amounts in several currencies are
// not added: "$0.168 + ¥0.609/hour". Both "" when no cluster shows prices.
func (fs fleetSum) costText() (hourly, monthly string) {
	if !fs.priced {
		return "", ""
	}
	if len(fs.currencies) == 0 {
		if fs.lowerBound {
			return "$?/hour", "$?/month"
		}
		return "$0.000/hour", "$0.000/month"
	}
	prefix := ""
	switch {
	case fs.lowerBound:
		prefix = ">="
	case fs.estimated:
		prefix = "~"
	}
	h, m := make([]string, len(fs.currencies)), make([]string, len(fs.currencies))
	for i, cur := range fs.currencies {
		sym := currencySymbol(cur)
		h[i] = sym + formatMoney(fs.hourly[i], 3)
		m[i] = sym + formatMoney(fs.hourly[i]*pricing.HoursPerMonth, 3)
	}
	return prefix + strings.Join(h, " + ") + "/hour", prefix + strings.Join(m, " + ") + "/month"
}

// fleetLine is "3 clusters (2 ok, 1 stale) · 1,502 nodes · cpu
// 1800m/3560m 50.6% · $0.168/hour | $122.962/month". When it is wider than
// the room the monthly cost goes first, then the pairs (the percentages
// stay), then the resources.
func fleetLine(fs fleetSum, width int, st *styles) string {
	noun := " clusters ("
	if fs.clusters == 1 {
		noun = " cluster ("
	}
	head := count(fs.clusters) + noun + count(fs.ok) + " ok, "
	stale := count(fs.stale) + " stale"
	if fs.stale > 0 {
		stale = st.bad.Render(stale)
	}
	head += stale
	if fs.syncing > 0 {
		head += ", " + count(fs.syncing) + " syncing"
	}
	if fs.connecting > 0 {
		head += ", " + count(fs.connecting) + " connecting"
	}
	head += ") · " + count(fs.nodes) + " nodes"

	full, short := make([]string, len(fs.resources)), make([]string, len(fs.resources))
	for i, res := range fs.resources {
		q := fs.totals[i]
		pct := st.pct(q.Fraction() * 100).Render(strconv.FormatFloat(shownFraction(q.Fraction())*100, 'f', 1, 64) + "%")
		full[i] = sanitize(res) + " " + FormatPair(res, q) + " " + pct
		short[i] = sanitize(res) + " " + pct
	}
	hourly, monthly := fs.costText()
	both := hourly
	if monthly != "" {
		both += " | " + monthly
	}
	join := func(res []string, cost string) string {
		parts := append([]string{head}, res...)
		if cost != "" {
			parts = append(parts, cost)
		}
		return strings.Join(parts, " · ")
	}
	var line string
	for _, form := range []struct {
		res  []string
		cost string
	}{{full, both}, {full, hourly}, {short, hourly}, {nil, hourly}, {nil, ""}} {
		if line = join(form.res, form.cost); lineWidth(line) <= width {
			return line
		}
	}
	return truncate(line, width, "…")
}

// size is the terminal's size, or the fallback before it reported one.
func (f fleet) size() (w, h int) {
	if f.width <= 0 || f.height <= 0 {
		return fallbackWidth, fallbackHeight
	}
	return f.width, f.height
}

// fleetLayout shares the fleet view's lines out: blocks go on pages, a
// page holds the blocks that fit (at least one).
type fleetLayout struct {
	heights []int // each block's lines
	starts  []int // the first block of each page
	room    int   // lines for blocks on a page
}

// pageOf is the page holding block i.
func (l fleetLayout) pageOf(i int) int {
	p := 0
	for p+1 < len(l.starts) && l.starts[p+1] <= i {
		p++
	}
	return p
}

// first is the first block of page p (clamped).
func (l fleetLayout) first(p int) int {
	if len(l.starts) == 0 {
		return 0
	}
	return l.starts[min(max(p, 0), len(l.starts)-1)]
}

// span is the blocks [start, end) of page p.
func (l fleetLayout) span(p int) (start, end int) {
	start, end = l.first(p), len(l.heights)
	if p+1 < len(l.starts) {
		end = l.starts[p+1]
	}
	return start, end
}

// paginate puts blocks of these heights on pages of room lines, one blank
// line between blocks.
func paginate(heights []int, room int) []int {
	starts := []int{0}
	used := 0
	for i, h := range heights {
		switch {
		case used == 0:
			used = h
		case used+1+h > room:
			starts = append(starts, i)
			used = h
		default:
			used += 1 + h
		}
	}
	return starts
}

// blockHeight is block i's lines: the title; expanded, the summary lines,
// the pod line and, while syncing, the sync line.
func (f fleet) blockHeight(i int) int {
	mb := &f.members[i]
	if mb.collapsed {
		return 1
	}
	s := &mb.model.snap
	return 1 + max(1, len(s.Resources)) + 1 + btoi(!s.Synced)
}

// arrange lays the view out and sets the keys to match (paging only with
// pages; the full help is taller with them).
func (f *fleet) arrange() fleetLayout {
	w, h := f.size()
	layout := func(paged bool) fleetLayout {
		f.setKeys(paged, w)
		l := fleetLayout{heights: make([]int, len(f.members))}
		for i := range f.members {
			l.heights[i] = f.blockHeight(i)
		}
		l.room = max(h-len(f.footer(w)), 1) - 2 // the fleet line and a blank
		if paged {
			l.room-- // the page dots
		}
		l.starts = paginate(l.heights, l.room)
		return l
	}
	l := layout(false)
	if len(l.starts) > 1 {
		l = layout(true)
	}
	return l
}

// setKeys keeps the bindings honest: moving only where there is room,
// paging only with pages, the toggle saying what it will do.
func (f *fleet) setKeys(paged bool, width int) {
	n := len(f.members)
	f.keys.enable(f.cursor == 0, f.cursor >= n-1, paged)
	f.keys.Open.SetEnabled(n > 0)
	f.keys.Toggle.SetEnabled(n > 0)
	if n > 0 && f.members[f.cursor].collapsed {
		f.keys.Toggle.SetHelp("space", "expand")
	} else {
		f.keys.Toggle.SetHelp("space", "collapse")
	}
	f.keys.Next.SetEnabled(n > 1)
	f.keys.Prev.SetEnabled(n > 1)
	f.keys.width = width
}

// footer is the fleet view's help (plus the version in the full help).
func (f fleet) footer(width int) []string {
	h := f.help
	h.SetWidth(width)
	keys := f.keys
	keys.width = width
	lines := strings.Split(h.View(keys), "\n")
	if h.ShowAll && f.opts.Version != "" {
		lines = append(lines, "eks-node-viewer "+f.opts.Version)
	}
	return lines
}

// blockAt is the block drawn at screen line y.
func (f fleet) blockAt(y int) (int, bool) {
	l := f.arrange()
	start, end := l.span(l.pageOf(f.cursor))
	top := 2
	for i := start; i < end; i++ {
		if y >= top && y < top+l.heights[i] && y-2 < l.room {
			return i, true
		}
		top += l.heights[i] + 1
	}
	return 0, false
}

// snaps are the members' latest snapshots.
func (f fleet) snaps() []*cluster.Snapshot {
	out := make([]*cluster.Snapshot, len(f.members))
	for i := range f.members {
		out[i] = &f.members[i].model.snap
	}
	return out
}

// frame is the fleet view as text.
func (f fleet) frame() string {
	w, h := f.size()
	l := f.arrange()
	st := f.styles
	lines := []string{fleetLine(sumFleet(f.snaps()), w, st), ""}
	page := l.pageOf(f.cursor)
	start, end := l.span(page)
	for i := start; i < end; i++ {
		if i > start {
			lines = append(lines, "")
		}
		lines = append(lines, f.block(i, w)...)
	}
	if len(f.members) == 0 {
		lines = append(lines, "no clusters")
	}
	lines = lines[:min(len(lines), 2+max(l.room, 0))]
	if len(l.starts) > 1 {
		lines = append(lines, pageDots(page, len(l.starts), 1, w))
	}
	lines = append(lines, f.footer(w)...)
	return fitLines(lines, w, h, 0, 0)
}

// block is cluster i's lines: "> ▾ kind-lab  https://127.0.0.1:6443  ok"
// and, expanded, its summary as its node list shows it.
func (f fleet) block(i, width int) []string {
	mb := &f.members[i]
	st := f.styles
	s := &mb.model.snap
	cursor, name := "  ", st.title.Render(mb.context)
	if i == f.cursor {
		cursor, name = st.cursor.Render(">")+" ", st.selected.Render(mb.context)
	}
	arrow := "▾ "
	if mb.collapsed {
		arrow = "▸ "
	}
	title := cursor + arrow + name
	if mb.server != "" {
		title += "  " + mb.server
	}
	title += "  " + stateText(s, mb.model.clock(), st)
	if lineWidth(title) > width {
		title = truncate(title, width, "…")
	}
	lines := []string{title}
	if mb.collapsed {
		return lines
	}
	lines = append(lines, summaryLines(s, width, st)...)
	lines = append(lines, podSummary(s, width, st))
	if !s.Synced {
		lines = append(lines, syncLine(s.Syncing, mb.model.spinner.View(), st))
	}
	return lines
}

package ui

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// PoolsKeyMap is the NodePools view's bindings.
type PoolsKeyMap struct {
	ScrollKeys
	Open key.Binding
	Back key.Binding
	NavKeys
	GlobalKeys
}

// DefaultPoolsKeyMap is the NodePools view's default bindings.
func DefaultPoolsKeyMap() PoolsKeyMap {
	k := PoolsKeyMap{
		ScrollKeys: DefaultScrollKeys(),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its nodes")),
		Back:       BackKey(),
		NavKeys:    DefaultNavKeys(),
		GlobalKeys: DefaultGlobalKeys(),
	}
	k.NodePools.SetEnabled(false) // here already
	return k
}

// ShortHelp is the footer.
func (k PoolsKeyMap) ShortHelp() []key.Binding {
	return append([]key.Binding{k.Back, k.Open}, append(k.ScrollKeys.short(), k.Help, k.Quit)...)
}

// FullHelp is the help after "?".
func (k PoolsKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Open, k.Back}, k.nav(), {k.Help, k.Quit}}
}

// Kinds of NodePool rows (cluster.NodePool.Kind).
const (
	kindNodePool  = "nodepool"
	kindNodeGroup = "nodegroup"
)

// labelNodeGroup is the managed node group's label on its nodes.
const labelNodeGroup = "eks.amazonaws.com/nodegroup"

// poolFilter narrows the node list to one row of the NodePools view: a
// NodePool, a managed node group, or the nodes in neither.
type poolFilter struct {
	kind, name string
}

// has reports whether node n is in the group: a NodePool's by its
// karpenter.sh/nodepool label, a node group's by its
// eks.amazonaws.com/nodegroup label (outside any NodePool), the rest by
// having neither.
func (p poolFilter) has(n *cluster.Node) bool {
	switch p.kind {
	case kindNodePool:
		return n.NodePool == p.name
	case kindNodeGroup:
		return n.NodePool == "" && n.Labels[labelNodeGroup] == p.name
	}
	return n.NodePool == "" && n.Labels[labelNodeGroup] == ""
}

// String is the group as the filter line names it: "nodepool default",
// "nodegroup ng-1", "no NodePool or node group".
func (p poolFilter) String() string {
	if p.kind == "" {
		return "no NodePool or node group"
	}
	return sanitize(p.kind) + " " + sanitize(p.name)
}

// poolName is a row's name: "default", "(nodegroup) ng-1", "(none)".
func poolName(p *cluster.NodePool) string {
	switch {
	case p.Kind == "":
		return "(none)"
	case p.Kind != kindNodePool:
		return "(" + sanitize(p.Kind) + ") " + sanitize(p.Name)
	}
	return sanitize(p.Name)
}

// poolsView is the NodePools (and node groups) of the shown nodes: their
// nodes and what they request, what they cost, how much of their limits is
// left, how Karpenter may consolidate them, and what it last said. enter
// lists a pool's nodes.
type poolsView struct {
	km PoolsKeyMap
	lk *look

	// loaded: a snapshot that asked for the NodePools has arrived; the rows
	// are from the latest such.
	loaded    bool
	pools     []cluster.NodePool
	resources []string
	priced    bool
	usage     bool // the snapshots carry usage (metrics.k8s.io)
	cursor
}

func newPoolsView() *poolsView { return &poolsView{km: DefaultPoolsKeyMap()} }

func (v *poolsView) query() cluster.Query { return cluster.Query{NodePools: true} }
func (v *poolsView) typing() bool         { return false }
func (v *poolsView) keys() help.KeyMap    { return v.km }

// poolsHead is the title, a blank line and the table's header.
const poolsHead = 3

func (v *poolsView) update(msg tea.Msg, c *common) (view, tea.Cmd) {
	v.lk = lookFor(v.lk, c.styles)
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case snapshotMsg:
		if c.snap != nil && c.snap.Query.NodePools {
			v.loaded, v.resources, v.priced = true, c.snap.Resources, !c.snap.Cost.Disabled
			v.usage = c.snap.Usage != nil
			v.pools = append(v.pools[:0], c.snap.NodePools...)
		}
	case tea.KeyPressMsg:
		v.km.Open.SetEnabled(v.at < len(v.pools))
		switch {
		case key.Matches(msg, v.km.Back):
			cmd = back
		case key.Matches(msg, v.km.Open):
			p := &v.pools[v.at]
			cmd = openPoolNodes(poolFilter{kind: p.Kind, name: p.Name})
		default:
			v.cursor.key(msg, v.km.ScrollKeys, len(v.pools), v.pageRows(c))
		}
	case tea.MouseWheelMsg:
		v.wheel(msg, len(v.pools), v.pageRows(c))
	}
	rows := v.pageRows(c)
	v.clamp(len(v.pools), rows)
	v.cursor.enable(&v.km.ScrollKeys, len(v.pools), rows)
	v.km.Open.SetEnabled(v.at < len(v.pools))
	return v, cmd
}

func (v *poolsView) pageRows(c *common) int {
	return listRows(len(v.pools), c.height-poolsHead-btoi(v.unread()))
}

// unread: some NodePool was only seen by its nodes' label (the NodePool
// objects could not be read), so its spec is unknown.
func (v *poolsView) unread() bool {
	return slices.ContainsFunc(v.pools, func(p cluster.NodePool) bool { return p.Kind == kindNodePool && !p.Known })
}

func (v *poolsView) render(c *common, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lk := lookFor(v.lk, c.styles)
	lines := []string{v.title(lk, width)}
	if v.unread() {
		lines = append(lines, lk.faintText(shortenEnd("NodePool objects not seen: grouped by the karpenter.sh/nodepool label; limits and disruption settings unknown", width)))
	}
	head := len(lines) + 2
	if len(v.pools) > 0 && height > head {
		rows := listRows(len(v.pools), height-head)
		cur := v.visible(len(v.pools), rows)
		lines = append(lines, "")
		t := v.table(c, lk, cur.offset, rows, width)
		t.marked, t.selected = true, cur.at-cur.offset
		lines = t.render(lines, width, lk)
		if rows < len(v.pools) {
			lines = append(lines, lk.faintText(scroll{cur.offset}.position(len(v.pools), rows, "groups", width)))
		}
	}
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

func (v *poolsView) title(lk *look, width int) string {
	var s string
	switch {
	case !v.loaded:
		s = "loading NodePools…"
	case len(v.pools) == 0:
		s = "no NodePools or node groups: no shown node belongs to one"
	default:
		pools, groups := 0, 0
		for _, p := range v.pools {
			switch p.Kind {
			case kindNodePool:
				pools++
			default:
				groups++
			}
		}
		s = plural(pools, "NodePool", "NodePools")
		if groups > 0 {
			s += " · " + plural(groups, "other group", "other groups")
		}
	}
	s = shortenEnd(s, width)
	if lk.colour {
		return lk.header.Render(s)
	}
	return s
}

// table is the visible groups. The limits' bars are half as long unless
// the whole table fits; columns give way in this order: the latest event,
// the budgets, the later resources' use, the later resources, the
// consolidation settings, the reserved-unused and idle cost, the first
// resource's use, the first resource, the limits (their bars go first;
// text columns are shortened before anything goes); never the name, the
// nodes or the cost.
func (v *poolsView) table(c *common, lk *look, offset, rows, width int) *table {
	var t *table
	for _, bar := range []int{limitBarWidth, limitBarWidth / 2, 0} {
		t = &table{cols: []column{{title: "NODEPOOL", fit: fitMiddle, min: 16}, {title: "NODES"}}}
		nres := len(v.resources)
		for i, res := range v.resources {
			drop := 4 // before the limits: they say why pods wait
			if i > 0 {
				drop = 20 + nres - i
			}
			t.cols = append(t.cols, column{title: strings.ToUpper(sanitize(res)), drop: drop})
			if v.usage && measuredResource(res) {
				t.cols = append(t.cols, column{title: "USED", right: true, drop: drop + 1 + btoi(i > 0)*10})
			}
		}
		if v.priced {
			t.cols = append(t.cols, column{title: "$/HOUR", right: true})
			if v.usage {
				t.cols = append(t.cols, column{title: "IDLE $/H", right: true, drop: 6}, column{title: "UNUSED $/H", right: true, drop: 7})
			}
		}
		limits := len(t.cols)
		t.cols = append(t.cols,
			column{title: "LIMITS", drop: 3},
			column{title: "CONSOLIDATION", fit: fitEnd, min: 14, drop: 10},
			column{title: "BUDGETS", fit: fitEnd, min: 10, drop: 40},
			column{title: "LATEST EVENT", fit: fitEnd, min: 20, drop: 50})
		for i := offset; i < min(offset+rows, len(v.pools)); i++ {
			t.rows = append(t.rows, v.row(c, lk, &v.pools[i], bar))
		}
		// Full bars when everything fits whole; else half bars, to leave
		// room for the text; no bars rather than no limits.
		room := width - markerWidth
		if t.fitsWhole(room) || bar == 0 || (bar < limitBarWidth && t.widths(room)[limits] > 0) {
			break
		}
	}
	return t
}

func (v *poolsView) row(c *common, lk *look, p *cluster.NodePool, bar int) []cell {
	name := plainCell(poolName(p))
	if notReady(p) {
		name.tail = " (not ready)"
	}
	empty := p.Nodes+p.Claims == 0
	row := []cell{name, plainCell(poolNodes(p))}
	for i, res := range v.resources {
		q := quantityAt(p.Usage, i)
		if q.Allocatable <= 0 && empty {
			row = append(row, plainCell("-"))
		} else {
			row = append(row, plainCell(FormatPair(res, q)+" "+percentText(shownFraction(q.Fraction()))))
		}
		if v.usage && measuredResource(res) {
			row = append(row, plainCell(poolUsed(&p.Measured, i)))
		}
	}
	if v.priced {
		hourly := "-"
		if !empty {
			hourly, _ = costText(p.Cost)
		}
		row = append(row, plainCell(strings.TrimSuffix(hourly, "/hour")))
		if v.usage {
			idle, unused := poolIdle(&p.Measured)
			row = append(row, plainCell(idle), plainCell(unused))
		}
	}
	return append(row, limitsCell(p, lk, bar), plainCell(consolidationText(p)), plainCell(budgetsText(p)), plainCell(latestEvent(p, c.now)))
}

// poolUsed is what the group's measured nodes use of resource i, of their
// allocatable: "8%", "~8%" when a sample is stale; "-" without samples.
func poolUsed(m *cluster.UsageTotals, i int) string {
	v, ok := usedAt(m.Used, i)
	if !ok || m.Nodes == 0 || i >= len(m.Allocatable) || m.Allocatable[i] <= 0 {
		return "-"
	}
	return usedPercent(float64(v)/float64(m.Allocatable[i]), m.Stale > 0)
}

// poolIdle is what the group's measured nodes' idle and reserved-unused
// capacity cost per hour ("$0.039"; ">=" when some has no price); "-"
// without samples or prices.
func poolIdle(m *cluster.UsageTotals) (idle, unused string) {
	if m.Nodes == 0 || m.Currency == "" {
		return "-", "-"
	}
	prefix := currencySymbol(m.Currency)
	if m.Unpriced > 0 {
		prefix = ">=" + prefix
	}
	return prefix + formatMoney(m.IdleHourly, 3), prefix + formatMoney(m.UnusedHourly, 3)
}

// poolNodes is "2", "2 +1" (a NodeClaim launching), "2 +1 -1" (and one
// being deleted).
func poolNodes(p *cluster.NodePool) string {
	s := count(p.Nodes)
	if p.Claims > 0 {
		s += " +" + count(p.Claims)
	}
	if p.Deleting > 0 {
		s += " -" + count(p.Deleting)
	}
	return s
}

// limitBarWidth is a limit's headroom bar: filled is used, empty is left.
const limitBarWidth = 10

// limitsCell is each of the NodePool's limits with a headroom bar of bar
// cells ("cpu 14/20 ███████░░░  memory 28Gi/100Gi ███░░░░░░░"); "?/20"
// before the NodePool reported its use; "-" without limits, "?" for a
// NodePool not read.
func limitsCell(p *cluster.NodePool, lk *look, bar int) cell {
	switch {
	case p.Kind == kindNodePool && !p.Known:
		return plainCell("?")
	case len(p.Limits) == 0:
		return plainCell("-")
	}
	var text, plain strings.Builder
	for i, l := range p.Limits {
		if i > 0 {
			text.WriteString("  ")
			plain.WriteString("  ")
		}
		t, pl := limitText(l, lk, bar)
		text.WriteString(t)
		plain.WriteString(pl)
	}
	return cell{text: text.String(), width: dispWidth(plain.String())}
}

// limitText is one limit, styled and plain: "cpu 14/20 ███████░░░". The
// bar is good while there is room, ok past 70%, bad past 90% (the next
// launch may not fit).
func limitText(l cluster.Limit, lk *look, bar int) (styled, plain string) {
	res := sanitize(l.Resource)
	if l.Used < 0 {
		s := res + " ?/" + limitAmount(l.Resource, l.Limit)
		return s, s
	}
	s := res + " " + limitAmount(l.Resource, l.Used) + "/" + limitAmount(l.Resource, l.Limit)
	if bar <= 0 {
		return s, s
	}
	frac := 0.0
	switch {
	case l.Limit > 0:
		frac = shownFraction(float64(l.Used) / float64(l.Limit))
	case l.Used > 0:
		frac = 1
	}
	k := min(int(frac*float64(bar)+0.5), bar)
	if frac > 0 && k == 0 {
		k = 1
	}
	filled, empty := strings.Repeat(fullCell, k), strings.Repeat(emptyCell, bar-k)
	plain = s + " " + filled + empty
	if !lk.colour {
		return plain, plain
	}
	st := lk.from
	style := st.good
	switch {
	case frac > 0.9:
		style = st.bad
	case frac > 0.7:
		style = st.ok
	}
	return s + " " + style.Render(filled) + lipgloss.NewStyle().Foreground(lipgloss.Color(emptyColor)).Render(empty), plain
}

// limitAmount is one side of a limit: cpu in cores ("14", "0.5"), bytes in
// binary units ("40Gi"), anything else a count.
func limitAmount(res string, milli int64) string {
	if isBytes(res) {
		if milli <= 0 {
			return "0"
		}
		return formatRequest(res, milli)
	}
	return formatCount(milli)
}

// consolidationText is "WhenEmptyOrUnderutilized 0s" (consolidateAfter);
// "-" for a
// group that is not a NodePool, "?" for one not read.
func consolidationText(p *cluster.NodePool) string {
	switch {
	case p.Kind != kindNodePool:
		return "-"
	case !p.Known:
		return "?"
	}
	s := sanitize(p.ConsolidationPolicy)
	if p.ConsolidateAfter != "" {
		s = joinWords(s, sanitize(p.ConsolidateAfter))
	}
	if s == "" {
		return "-"
	}
	return s
}

// budgetsText is the disruption budgets as written: "10%", "0 for Drifted
// at 0 9 * * 1-5 for 8h"; "-" when none.
func budgetsText(p *cluster.NodePool) string {
	switch {
	case p.Kind != kindNodePool:
		return "-"
	case !p.Known:
		return "?"
	case len(p.Budgets) == 0:
		return "-"
	}
	parts := make([]string, len(p.Budgets))
	for i, b := range p.Budgets {
		s := sanitize(b.Nodes)
		if len(b.Reasons) > 0 {
			rs := make([]string, len(b.Reasons))
			for j, r := range b.Reasons {
				rs[j] = sanitize(r)
			}
			s += " for " + strings.Join(rs, ",")
		}
		if b.Schedule != "" {
			s += " at " + sanitize(b.Schedule)
			if b.Duration != "" {
				s += " for " + sanitize(b.Duration)
			}
		}
		parts[i] = s
	}
	return strings.Join(parts, "; ")
}

// notReady: the NodePool reported a Ready condition that is not True.
func notReady(p *cluster.NodePool) bool { return p.Ready != "" && p.Ready != "True" }

// latestEvent is "3m NoCompatibleInstanceTypes: NodePool requirements
// filtered out ...", after why the NodePool is not ready ("not ready:
// NodeClassNotReady · "); "-" when none.
func latestEvent(p *cluster.NodePool, now time.Time) string {
	var parts []string
	if notReady(p) {
		why := sanitize(p.ReadyReason)
		if why == "" {
			why = "Ready " + sanitize(p.Ready)
		}
		parts = append(parts, "not ready: "+why)
	}
	if len(p.Events) > 0 {
		e := p.Events[len(p.Events)-1]
		s := age(now, e.Time) + " " + sanitize(e.Reason)
		if e.Message != "" {
			s += ": " + folded(e.Message)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " · ")
}

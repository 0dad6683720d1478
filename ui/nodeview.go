package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// NodeKeyMap is the node view's bindings.
type NodeKeyMap struct {
	ScrollKeys
	Sort key.Binding
	Back key.Binding
	NavKeys
	GlobalKeys
}

// DefaultNodeKeyMap is the node view's default bindings.
func DefaultNodeKeyMap() NodeKeyMap {
	return NodeKeyMap{
		ScrollKeys: DefaultScrollKeys(),
		Sort:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Back:       BackKey(),
		NavKeys:    DefaultNavKeys(),
		GlobalKeys: DefaultGlobalKeys(),
	}
}

// ShortHelp is the footer.
func (k NodeKeyMap) ShortHelp() []key.Binding {
	return append([]key.Binding{k.Back, k.Sort}, append(scrollHelp(k.ScrollKeys), k.Help, k.Quit)...)
}

// FullHelp is the help after "?".
func (k NodeKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Sort, k.Back}, k.nav(), {k.Help, k.Quit}}
}

// nodeView is one node, live: what it is, what it costs, and its pods with
// their requests (the k9s way: a node's pods are a screen of their own).
type nodeView struct {
	name string
	km   NodeKeyMap
	lk   *look

	// loaded: a snapshot that asked for this node has arrived; detail is
	// then its answer (nil: the node is gone). Snapshots that asked for
	// something else (in flight when the view opened) leave both alone.
	loaded    bool
	detail    *cluster.NodeDetail
	resources []string
	// usage: the snapshot carries usage (metrics.k8s.io); priced: prices
	// are shown.
	usage, priced bool
	pods          []cluster.Pod // detail's pods in the sort order (a copy)
	// blocking is the set of the node's pods ("ns/name") whose
	// do-not-disrupt annotation keeps it.
	blocking map[string]bool

	sort int // a resource index, or len(resources) + byName, byAge, byOwner
	scroll
}

// Sort modes after the resources' (each sorted by its request, largest
// first).
const (
	byName = iota
	byAge
	byOwner
	otherSorts
)

func newNodeView(name string) *nodeView {
	return &nodeView{name: name, km: DefaultNodeKeyMap()}
}

func (v *nodeView) query() cluster.Query { return cluster.Query{Node: v.name} }
func (v *nodeView) typing() bool         { return false }
func (v *nodeView) keys() help.KeyMap    { return v.km }

func (v *nodeView) update(msg tea.Msg, c *common) (view, tea.Cmd) {
	v.lk = lookFor(v.lk, c.styles)
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case snapshotMsg: // the root has stored it in c.snap
		if c.snap != nil {
			v.take(c.snap)
		}
	case tea.KeyPressMsg:
		cmd = v.key(msg, c)
	case tea.MouseWheelMsg:
		v.wheel(msg, len(v.pods), v.pageRows(c))
	}
	v.refresh(c)
	return v, cmd
}

// take keeps the detail of a snapshot that asked for this node.
func (v *nodeView) take(snap *cluster.Snapshot) {
	if snap.Query.Node != v.name {
		return
	}
	v.loaded, v.detail, v.resources = true, snap.Detail, snap.Resources
	v.usage, v.priced = snap.Usage != nil, !snap.Cost.Disabled
	v.pods = v.pods[:0]
	clear(v.blocking)
	if v.detail != nil {
		v.pods = append(v.pods, v.detail.Pods...)
		for _, p := range v.detail.Node.Disruption.BlockingPods {
			if v.blocking == nil {
				v.blocking = map[string]bool{}
			}
			v.blocking[p] = true
		}
	}
	v.sort %= len(v.resources) + otherSorts
	v.sortPods()
}

func (v *nodeView) key(msg tea.KeyPressMsg, c *common) tea.Cmd {
	switch {
	case key.Matches(msg, v.km.Back):
		return back
	case key.Matches(msg, v.km.Sort):
		v.sort = (v.sort + 1) % (len(v.resources) + otherSorts)
		v.sortPods()
		v.offset = 0
	default:
		v.scroll.key(msg, v.km.ScrollKeys, len(v.pods), v.pageRows(c))
	}
	return nil
}

// refresh clamps the scroll and enables the keys that do something.
func (v *nodeView) refresh(c *common) {
	rows := v.pageRows(c)
	v.clamp(len(v.pods), rows)
	v.scroll.enable(&v.km.ScrollKeys, len(v.pods), rows)
	v.km.Sort.SetEnabled(v.detail != nil && len(v.pods) > 1)
	v.km.Sort.SetHelp("s", "sort ("+v.sortName()+")")
}

// pageRows is how many pods update assumes are shown at a time.
func (v *nodeView) pageRows(c *common) int {
	if v.detail == nil {
		return 0
	}
	_, rows := v.layout(c, v.lk, c.width, c.height)
	return rows
}

// layout is the header lines and how many pod rows fit under them.
func (v *nodeView) layout(c *common, lk *look, width, height int) ([]string, int) {
	head := v.header(c, lk, width)
	avail := height - len(head) - 2 // a blank line, the table's header
	return head, listRows(len(v.pods), avail)
}

func (v *nodeView) sortName() string {
	switch i := v.sort - len(v.resources); {
	case i < 0:
		return v.resources[v.sort]
	case i == byName:
		return "name"
	case i == byAge:
		return "age"
	}
	return "owner"
}

// sortPods orders the pods by the sort mode, ties by namespace/name.
func (v *nodeView) sortPods() {
	res, mode := v.sort, v.sort-len(v.resources)
	slices.SortFunc(v.pods, func(a, b cluster.Pod) int {
		var c int
		switch {
		case mode < 0:
			c = cmp.Compare(requestAt(b.Requests, res), requestAt(a.Requests, res))
		case mode == byAge:
			c = b.Created.Compare(a.Created) // newest first
		case mode == byOwner:
			c = cmp.Or(cmp.Compare(a.OwnerKind, b.OwnerKind), cmp.Compare(a.OwnerName, b.OwnerName))
		}
		return cmp.Or(c, cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
}

func requestAt(r []int64, i int) int64 {
	if i >= 0 && i < len(r) {
		return r[i]
	}
	return 0
}

func (v *nodeView) render(c *common, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lk := lookFor(v.lk, c.styles)
	if v.detail == nil {
		return v.absent(lk, width, height)
	}
	lines, rows := v.layout(c, lk, width, height)
	switch {
	case len(v.pods) == 0:
		lines = append(lines, "", lk.faintText(v.noPods()))
	case len(lines)+2 <= height:
		sc := v.visible(len(v.pods), rows)
		lines = append(lines, "")
		lines = v.table(c, lk, sc.offset, rows).render(lines, width, lk)
		if rows < len(v.pods) {
			lines = append(lines, lk.faintText(sc.position(len(v.pods), rows, "pods", width)))
		}
	}
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

// absent is the body before the node's first snapshot, and once it is gone.
func (v *nodeView) absent(lk *look, width, height int) string {
	name := shortenMiddle(sanitize(v.name), width)
	if !v.loaded {
		return lk.faintText(flow(nil, []cell{plainCell("loading node " + name + "…")}, "", width)[0])
	}
	lines := flow(nil, []cell{plainCell("node " + name + " is gone"), plainCell("(deleted or no longer matches the selector)")}, " ", width)
	if lk.colour {
		for i := range lines {
			lines[i] = lk.from.bad.Render(lines[i])
		}
	}
	lines = flow(append(lines, ""), []cell{plainCell("esc: back to the list")}, "", width)
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

func (v *nodeView) noPods() string {
	if v.detail.Node.Launching {
		return "no pods: the node has not registered yet"
	}
	return "no pods"
}

// header is the node's facts: identity, price and state; its NodeClaim,
// NodePool and taints; what its pods request of what it has.
func (v *nodeView) header(c *common, lk *look, width int) []string {
	n := &v.detail.Node
	st, colour := c.styles, lk.colour
	id := []cell{plainCell(shortenMiddle(sanitize(n.Name), width))}
	for _, s := range []string{n.InstanceType, n.Zone} {
		if s != "" {
			id = append(id, plainCell(sanitize(s)))
		}
	}
	id = append(id, plainCell(capacityCell(n, false)))
	if c.snap == nil || !c.snap.Cost.Disabled {
		text, unknown := priceText(n.Price)
		style := lipgloss.Style{}
		if unknown {
			style = st.note
		}
		id = append(id, styledCell(text, style, colour))
	}
	if !n.Created.IsZero() {
		id = append(id, plainCell("age "+age(c.now, n.Created)))
	}
	ready := readyText(n, c.now, false)
	id = append(id, styledCell(ready, readyStyle(ready, st), colour))
	switch {
	case n.Cordoned && n.Deleting:
		id = append(id, styledCell("Cordoned Deleting", st.bad, colour))
	case n.Cordoned:
		id = append(id, styledCell("Cordoned", st.ok, colour))
	case n.Deleting:
		id = append(id, styledCell("Deleting", st.bad, colour))
	}
	lines := flow(nil, id, "  ", width)

	lines = flow(lines, karpenterCells(n, c.now, st), " · ", width)
	var facts []cell // taints, then why Karpenter does or does not disrupt it
	if !n.Launching {
		facts = taintCells(v.detail.Taints)
	}
	facts = append(facts, disruptionCells(n, c.now, st)...)
	lines = flow(lines, facts, " · ", width)
	lines = flow(lines, v.usageCells(n, st, width), " · ", width)
	if v.usage {
		lines = flow(lines, v.idleCells(n, c, lk), " · ", width)
	}
	return lines
}

// priceText is "$0.0421/hour (live)", "~$0.0470/hour (estimate: why)" or
// "price ? (why)"; unknown reports the last.
func priceText(p pricing.Price) (text string, unknown bool) {
	if !p.Known() {
		if p.Reason == "" {
			return "price ?", true
		}
		return "price ? (" + sanitize(p.Reason) + ")", true
	}
	text = moneyText(p, 4) + "/hour (" + p.Source.String()
	if p.Reason != "" {
		text += ": " + sanitize(p.Reason)
	}
	return text + ")", false
}

// readyStyle colours a readyText: a launch on its way (Launching,
// Registering, Initializing) is ok, anything else that is not Ready
// (NotReady, NoNode, a failed launch) is bad.
func readyStyle(ready string, st *styles) lipgloss.Style {
	if ready == "Ready" {
		return st.good
	}
	for _, s := range launchSteps {
		if strings.HasPrefix(ready, s.doing+"/") {
			return st.ok
		}
	}
	return st.bad
}

// taintCells is "taints: key=value:Effect", one cell per taint (", "
// between them in a flow).
func taintCells(taints []cluster.Taint) []cell {
	if len(taints) == 0 {
		return []cell{plainCell("taints: none")}
	}
	out := make([]cell, 0, len(taints))
	for i, t := range taints {
		s := sanitize(t.Key)
		if t.Value != "" {
			s += "=" + sanitize(t.Value)
		}
		s += ":" + sanitize(t.Effect)
		c := plainCell(s)
		if i == 0 {
			c = plainCell("taints: " + s)
		} else {
			c.sep = ", "
		}
		out = append(out, c)
	}
	return out
}

// usageCells is "cpu 1600m/1780m  90% ◐ ██████████" per resource (the
// node list's percentage and bar) and "pods 8/17"; with usage, a measured
// resource's bar carries the used marker and "┃ 145m 8% used" follows it.
func (v *nodeView) usageCells(n *cluster.Node, st *styles, width int) []cell {
	out := make([]cell, 0, len(v.resources)+1)
	for i, res := range v.resources {
		out = append(out, v.usageCell(n, i, res, st, true))
		if out[len(out)-1].width > width {
			out[len(out)-1] = v.usageCell(n, i, res, st, false) // without "used"
		}
	}
	pods := "pods " + strconv.Itoa(n.Pods)
	if n.MaxPods > 0 {
		pods += "/" + strconv.FormatInt(n.MaxPods, 10)
	}
	return append(out, plainCell(pods))
}

// usageCell is resource i's cell of usageCells, with or without the word
// "used".
func (v *nodeView) usageCell(n *cluster.Node, i int, res string, st *styles, word bool) cell {
	q := quantityAt(n.Usage, i)
	var sb strings.Builder
	sb.WriteString(sanitize(res) + " " + FormatPair(res, q))
	sb.WriteString(st.nodePercent(q.Fraction()))
	sb.WriteByte(' ')
	b := st.bar(usageBarWidth)
	used, ok := usedFraction(n, i)
	switch {
	case v.usage && ok:
		b.writeMarked(&sb, q.Fraction(), used, st.marker(n.UsageStale))
		amount, _ := usedAt(n.Used, i)
		text := nodeUsedAmount(res, amount, q.Allocatable, n.UsageStale) + " " + usedPercent(used, false)
		if word {
			text += " used"
		}
		mark := markUsed
		if n.UsageStale {
			mark = markStale
		}
		sb.WriteString(" " + st.styleUsed(mark+" "+text, n.UsageStale))
	case v.usage && measuredResource(res):
		b.write(&sb, q.Fraction())
		sb.WriteString("   - used")
	default:
		b.write(&sb, q.Fraction())
	}
	return cell{text: sb.String(), width: lineWidth(sb.String())}
}

// idleCells is what the node's capacity that is neither requested nor used
// costs, and its requested but unused capacity ("idle $0.0042/hour",
// "reserved, unused $0.0345/hour"), and how old its sample is ("sampled
// 10s ago", "stale sample: 4m ago"); "usage: no sample yet" without one.
func (v *nodeView) idleCells(n *cluster.Node, c *common, lk *look) []cell {
	if n.Used == nil {
		return []cell{lk.faintCell("usage: no sample yet")}
	}
	var out []cell
	if v.priced && n.Price.Known() {
		sym := currencySymbol(n.Price.Currency)
		out = append(out,
			plainCell("idle "+sym+formatMoney(n.IdleHourly, 4)+"/hour"),
			plainCell("reserved, unused "+sym+formatMoney(n.UnusedHourly, 4)+"/hour"))
	}
	when := "sampled " + age(c.now, n.UsedAt) + " ago"
	if n.UsageStale {
		return append(out, styledCell("stale sample: "+age(c.now, n.UsedAt)+" ago", c.styles.ok, lk.colour))
	}
	return append(out, lk.faintCell(when))
}

// usedAmount is a used amount in the units of formatRequest ("145m",
// "1.2Gi", "0m"), "~" before it for a stale sample.
func usedAmount(res string, v int64, stale bool) string {
	s := formatRequest(res, v)
	switch {
	case v > 0:
	case res == "cpu":
		s = "0m"
	case isBytes(res):
		s = "0B"
	default:
		s = "0"
	}
	if stale {
		return "~" + s
	}
	return s
}

// nodeUsedAmount is a node's used amount in its pair's unit (FormatPair):
// "145m", "9.39 cores", "94.3Gi"; "~" before it for a stale sample.
func nodeUsedAmount(res string, v, alloc int64, stale bool) string {
	if res == "cpu" && max(v, alloc) >= milliCPUThreshold {
		s := formatDecimal(float64(v)/1000, 2) + " cores"
		if stale {
			return "~" + s
		}
		return s
	}
	return usedAmount(res, v, stale)
}

// podUsedCells are a pod's used cell and its used/requested cell for
// resource r: "145m" and "73%" ("<1%" for a sliver); "900% !" when it uses more than it
// requests, "no req !" when it uses something and requests nothing; "-"
// without a sample.
func podUsedCells(p *cluster.Pod, r int, res string, st *styles, colour bool) (used, ratio cell) {
	v, ok := usedAt(p.Used, r)
	if !ok {
		return plainCell("-"), plainCell("-")
	}
	used = plainCell(usedAmount(res, v, p.UsageStale))
	req := requestAt(p.Requests, r)
	switch {
	case req <= 0 && v > 0:
		return used, styledCell("no req "+markOver, st.bad, colour)
	case req <= 0:
		return used, plainCell("-")
	}
	text := percentText(min(float64(v)/float64(req), 99.99))
	if v > req {
		return used, styledCell(text+" "+markOver, st.bad, colour)
	}
	return used, plainCell(text)
}

// shortResource is a resource's column title in a used/requested title:
// "%CPU/R", "%MEM/R".
func shortResource(title string) string {
	if title == "MEMORY" {
		return "MEM"
	}
	return title
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return sanitize(s)
}

// table is the visible pods: name, requests and the first resource's share
// of the node, phase, age, owner. Columns that give way first: owner (before
// a name is shortened: "(ds)" marks DaemonSet pods without it), age, phase,
// the share, the later resources; never the one sorted by.
func (v *nodeView) table(c *common, lk *look, offset, rows int) *table {
	nres := len(v.resources)
	t := &table{cols: make([]column, 0, nres+5)}
	arrow := func(mode int, title, dir string) string {
		if v.sort == mode {
			return title + dir
		}
		return title
	}
	keep := func(mode, drop int) int {
		if v.sort == mode {
			return 0
		}
		return drop
	}
	t.cols = append(t.cols, column{title: arrow(nres+byName, "POD", "↑"), fit: fitMiddle, min: 30})
	// Drop order, first to go: the owner, age, phase, the share of the
	// node, then each later resource's used/requested, used and request
	// (the last resource first), then the first resource's used/requested;
	// never its request and use.
	late := 3*nres + 1
	for i, res := range v.resources {
		title := strings.ToUpper(sanitize(res))
		t.cols = append(t.cols, column{title: arrow(i, title, "↓"), right: true, drop: keep(i, 3*i)})
		if i == 0 {
			t.cols = append(t.cols, column{title: "%NODE", drop: late})
		}
		if v.usage && measuredResource(res) {
			usedDrop := 3*i + 1
			if i == 0 {
				usedDrop = 0 // the first resource's use stays
			}
			t.cols = append(t.cols,
				column{title: "USED", right: true, drop: usedDrop},
				column{title: "%" + shortResource(title) + "/R", right: true, drop: 3*i + 2})
		}
	}
	t.cols = append(t.cols,
		column{title: "PHASE", drop: late + 1},
		column{title: arrow(nres+byAge, "AGE", "↑"), drop: keep(nres+byAge, late+2)},
		column{title: arrow(nres+byOwner, "OWNER", "↑"), fit: fitMiddle, drop: keep(nres+byOwner, late+3), early: true})

	var alloc int64
	if nres > 0 {
		alloc = quantityAt(v.detail.Node.Usage, 0).Allocatable
	}
	st := c.styles
	for i := offset; i < min(offset+rows, len(v.pods)); i++ {
		p := &v.pods[i]
		row := make([]cell, 0, len(t.cols))
		name := plainCell(sanitize(p.Namespace) + "/" + sanitize(p.Name))
		if p.OwnerKind == "DaemonSet" {
			name.tail = " (ds)"
		}
		name.tail += doNotDisruptTail(p, v.blocking)
		row = append(row, name)
		for r, res := range v.resources {
			row = append(row, plainCell(formatRequest(res, requestAt(p.Requests, r))))
			if r == 0 {
				row = append(row, lk.shareCell(requestAt(p.Requests, 0), alloc))
			}
			if v.usage && measuredResource(res) {
				used, ratio := podUsedCells(p, r, res, st, lk.colour)
				row = append(row, used, ratio)
			}
		}
		phase, style := podPhase(p, st)
		row = append(row, styledCell(phase, style, lk.colour), plainCell(podAge(c.now, p.Created)), plainCell(owner(p)))
		t.rows = append(t.rows, row)
	}
	return t
}

func podPhase(p *cluster.Pod, st *styles) (string, lipgloss.Style) {
	switch {
	case p.Terminating:
		return "Terminating", st.ok
	case p.Phase == "Running":
		return "Running", lipgloss.Style{}
	case p.Phase == "Pending":
		return "Pending", st.ok
	case p.Phase == "":
		return "-", lipgloss.Style{}
	}
	return sanitize(p.Phase), st.bad
}

func podAge(now, created time.Time) string {
	if created.IsZero() {
		return "-"
	}
	return age(now, created)
}

func owner(p *cluster.Pod) string {
	if p.OwnerKind == "" {
		return "-"
	}
	return sanitize(p.OwnerKind) + "/" + sanitize(p.OwnerName)
}

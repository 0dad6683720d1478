package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// listView is the node list: the summary, one bar per node, the status
// lines. A cursor selects a node and stays on it by name while rows re-sort,
// come and go; a filter narrows the rows to nodes whose name or a label
// value contains its text. Opened from the NodePools view, it lists one
// NodePool's nodes (pool), and esc goes back.
type listView struct {
	pool *poolFilter

	keyMap     ListKeyMap
	filterKeys FilterKeyMap
	input      textinput.Model
	filtering  bool // the filter is being typed

	// rows are the indices into snap.Nodes of the listed nodes (all, or the
	// filter's matches), built on each snapshot and filter change.
	rows []int
	// cursor is the selected position in rows; selected its node's name.
	cursor   int
	selected string
	// filtered is the filter the rows were built with ("" none).
	filtered string
}

func newListView() *listView {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "node name or label value"
	v := &listView{keyMap: DefaultListKeyMap(), filterKeys: DefaultFilterKeyMap(), input: in}
	v.keyMap.Back.SetEnabled(false)
	return v
}

// newPoolListView is the node list of one NodePool or node group.
func newPoolListView(p poolFilter) *listView {
	v := newListView()
	v.pool = &p
	return v
}

func (v *listView) query() cluster.Query { return cluster.Query{} }
func (v *listView) typing() bool         { return v.filtering }

func (v *listView) keys() help.KeyMap {
	if v.filtering {
		return v.filterKeys
	}
	return v.keyMap
}

func (v *listView) update(msg tea.Msg, c *common) (view, tea.Cmd) {
	cmd := v.handle(msg, c)
	v.enableKeys(c)
	// The input pads itself to its width: as wide as its text (scrolling
	// when longer than the room), so that the count follows it.
	room := c.width - 2 - 2 - dispWidth(v.matchCount(len(c.snap.Nodes))) // prompt and cursor, gap
	v.input.SetWidth(max(min(room, max(20, dispWidth(v.input.Value())+1)), 1))
	if !c.styles.colour {
		v.input.SetStyles(textinput.Styles{})
	}
	return v, cmd
}

func (v *listView) handle(msg tea.Msg, c *common) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		v.refilter(c.snap, false)
	case tea.KeyPressMsg:
		if v.filtering {
			return v.typeFilter(msg, c)
		}
		v.enableKeys(c) // bindings match only while enabled
		return v.handleKey(msg, c)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			v.move(v.cursor-1, c.snap)
		case tea.MouseWheelDown:
			v.move(v.cursor+1, c.snap)
		}
	case tea.MouseClickMsg:
		if msg.Button == tea.MouseLeft {
			l := v.layout(c, c.width, c.height)
			if i, ok := l.rowAt(msg.Y, v.cursor); ok && i < len(v.rows) {
				v.move(i, c.snap)
			}
		}
	}
	return nil
}

func (v *listView) handleKey(msg tea.KeyPressMsg, c *common) tea.Cmd {
	per := v.layout(c, c.width, c.height).perPage
	k := &v.keyMap
	switch {
	case key.Matches(msg, k.Up):
		v.move(v.cursor-1, c.snap)
	case key.Matches(msg, k.Down):
		v.move(v.cursor+1, c.snap)
	case key.Matches(msg, k.PageUp):
		v.move((v.cursor/per-1)*per, c.snap)
	case key.Matches(msg, k.PageDown):
		v.move((v.cursor/per+1)*per, c.snap)
	case key.Matches(msg, k.Home):
		v.move(0, c.snap)
	case key.Matches(msg, k.End):
		v.move(len(v.rows)-1, c.snap)
	case key.Matches(msg, k.Open):
		if v.selected != "" {
			return openNode(v.selected)
		}
	case key.Matches(msg, k.Filter):
		v.filtering = true
		return v.input.Focus()
	case key.Matches(msg, k.Clear):
		v.input.Reset()
		v.refilter(c.snap, true)
	case key.Matches(msg, k.Back):
		return back
	}
	return nil
}

// typeFilter handles a key while the filter is typed: the rows follow every
// keystroke; enter keeps the filter, esc drops it.
func (v *listView) typeFilter(msg tea.KeyPressMsg, c *common) tea.Cmd {
	switch {
	case key.Matches(msg, v.filterKeys.Accept):
		v.filtering = false
		v.input.Blur()
		return nil
	case key.Matches(msg, v.filterKeys.Cancel):
		v.filtering = false
		v.input.Blur()
		v.input.Reset()
		v.refilter(c.snap, true)
		return nil
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	v.refilter(c.snap, true)
	return cmd
}

// refilter rebuilds rows from the snapshot and the filter and puts the
// cursor back on the selected node; if it is gone, on the node that took
// its place (its neighbour), never back to the top. toFirst (a new filter)
// selects the first match instead when the selected node does not match.
func (v *listView) refilter(s *cluster.Snapshot, toFirst bool) {
	text := strings.ToLower(strings.TrimSpace(v.input.Value()))
	v.filtered = text
	v.rows = v.rows[:0]
	at := -1
	if text == "" && v.pool == nil {
		// Every row, in order: no row needs reading but the selected one,
		// which usually has not moved (at 100,000 nodes a read of every
		// row is a cache miss each).
		for i := range s.Nodes {
			v.rows = append(v.rows, i)
		}
		if c := v.cursor; c < len(s.Nodes) && s.Nodes[c].Name == v.selected {
			at = c
		} else if v.selected != "" {
			at = slices.IndexFunc(s.Nodes, func(n *cluster.Node) bool { return n.Name == v.selected })
		}
	} else {
		for i, n := range s.Nodes {
			if (text != "" && !matches(n, text)) || (v.pool != nil && !v.pool.has(n)) {
				continue
			}
			if n.Name == v.selected {
				at = len(v.rows)
			}
			v.rows = append(v.rows, i)
		}
	}
	switch {
	case at >= 0:
		v.cursor = at
	case toFirst:
		v.cursor = 0
	}
	v.move(v.cursor, s)
}

// matches reports whether the node's name or one of its label values
// contains text (lower case): one look in the row's Search text.
func matches(n *cluster.Node, text string) bool {
	in := n.Search
	if in == "" {
		in = cluster.SearchText(n.Name, n.Labels)
	}
	return strings.Contains(in, text)
}

// move puts the cursor at i (clamped) and remembers the node there.
func (v *listView) move(i int, s *cluster.Snapshot) {
	v.cursor = min(max(i, 0), max(len(v.rows)-1, 0))
	v.selected = ""
	if v.cursor < len(v.rows) {
		v.selected = s.Nodes[v.rows[v.cursor]].Name
	}
}

func (v *listView) enableKeys(c *common) {
	n := len(v.rows)
	l := v.layout(c, c.width, c.height)
	v.keyMap.enable(v.cursor == 0, v.cursor >= n-1, l.pages > 1)
	v.keyMap.Open.SetEnabled(v.selected != "")
	v.keyMap.Clear.SetEnabled(v.filtered != "")
	v.keyMap.Back.SetEnabled((v.pool != nil || c.opts.leave) && v.filtered == "")
	if v.pool == nil {
		v.keyMap.Back.SetHelp("esc", "fleet") // only enabled in a fleet
	}
	v.keyMap.Pending.SetHelp("p", "pending ("+count(c.snap.Pods.Pending)+")")
	v.keyMap.width = c.width
}

// page is the page the cursor is on.
func (v *listView) page(per int) int { return v.cursor / max(per, 1) }

func (v *listView) layout(c *common, width, height int) layout {
	return newLayout(c.snap, len(v.rows), width, height, c.opts.Demo, v.filtering || v.filtered != "" || v.pool != nil)
}

func (v *listView) render(c *common, width, height int) string {
	s := c.snap
	l := v.layout(c, width, height)
	page := v.page(l.perPage)
	st := c.styles

	lines := make([]string, 0, l.height)
	lines = append(lines, summaryLines(s, width, st)...)
	lines = append(lines, podSummary(s, width, st), "")

	start := min(page*l.perPage, len(v.rows))
	end := min(start+l.perPage, len(v.rows))
	switch {
	case start < end:
		nodes := make([]*cluster.Node, 0, end-start)
		for _, i := range v.rows[start:end] {
			nodes = append(nodes, s.Nodes[i])
		}
		lines = nodeRows(lines, s, nodes, v.cursor-start, width, c.now, st)
	case v.filtered != "":
		lines = append(lines, "no node matches "+quoteFilter(v.input.Value()))
	case v.pool != nil:
		lines = append(lines, "no node in "+v.pool.String())
	case s.Synced:
		lines = append(lines, noNodes)
	}

	status := len(lines)
	if l.syncing {
		lines = append(lines, syncLine(s.Syncing, c.spinner, st))
	}
	if l.notes {
		lines = append(lines, notesLine(s.Notes, c.opts.Demo, st))
	}
	for _, a := range newestActivity(s.Activity, l.activity, c.now, !s.Cost.Disabled) {
		lines = append(lines, st.event.Render(a))
	}
	statusEnd := len(lines)

	lines = append(lines, pageDots(page, l.pages, l.perPage, width))
	if l.filter {
		lines = append(lines, v.filterLine(len(s.Nodes)))
	}
	return fitLines(lines, width, height, status, statusEnd)
}

// matchCount is "3 of 120 nodes".
func (v *listView) matchCount(total int) string {
	return count(len(v.rows)) + " of " + count(total) + " nodes"
}

// filterLine is the input while typing, else the filter in use: the
// NodePool's name, the text.
func (v *listView) filterLine(total int) string {
	what := v.matchCount(total)
	pool := ""
	if v.pool != nil {
		pool = v.pool.String()
	}
	switch {
	case v.filtering && pool != "":
		return v.input.View() + "  " + what + " in " + pool
	case v.filtering:
		return v.input.View() + "  " + what
	case v.filtered == "":
		return pool + ": " + what + " (esc back)"
	case pool != "":
		return pool + ", filter " + quoteFilter(v.input.Value()) + ": " + what + " (esc clears)"
	}
	return "filter " + quoteFilter(v.input.Value()) + ": " + what + " (esc clears)"
}

func quoteFilter(s string) string { return `"` + sanitize(s) + `"` }

// fitLines cuts lines to height and each to width; lines in [ellipsisFrom,
// ellipsisTo) (free text) end in "…" when cut.
func fitLines(lines []string, width, height, ellipsisFrom, ellipsisTo int) string {
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, line := range lines {
		if lineWidth(line) > width {
			tail := ""
			if i >= ellipsisFrom && i < ellipsisTo {
				tail = "…"
			}
			lines[i] = truncate(line, width, tail)
		}
	}
	return strings.Join(lines, "\n")
}

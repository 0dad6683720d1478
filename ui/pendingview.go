package ui

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// PendingKeyMap is the pending pods view's bindings.
type PendingKeyMap struct {
	ScrollKeys
	Open key.Binding
	Back key.Binding
	NavKeys
	GlobalKeys
}

// DefaultPendingKeyMap is the pending pods view's default bindings.
func DefaultPendingKeyMap() PendingKeyMap {
	k := PendingKeyMap{
		ScrollKeys: DefaultScrollKeys(),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its node")),
		Back:       BackKey(),
		NavKeys:    DefaultNavKeys(),
		GlobalKeys: DefaultGlobalKeys(),
	}
	k.Pending.SetEnabled(false) // here already
	return k
}

// ShortHelp is the footer.
func (k PendingKeyMap) ShortHelp() []key.Binding {
	return append([]key.Binding{k.Back, k.Open}, append(k.ScrollKeys.short(), k.Help, k.Quit)...)
}

// FullHelp is the help after "?".
func (k PendingKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Open, k.Back}, k.nav(), {k.Help, k.Quit}}
}

// pendingView is the pods that wait for a node, longest waiting first, with
// what they ask for, what the scheduler last said about them and what
// Karpenter does about it. enter on a pod nominated to a node (or bound to
// one) opens that node.
type pendingView struct {
	km PendingKeyMap
	lk *look

	// loaded: a snapshot that asked for the pending pods has arrived; the
	// list and count are from the latest such (others leave them alone).
	loaded    bool
	count     int // Snapshot.Pods.Pending, the pod line's "pending"
	resources []string
	pods      []cluster.Pod // sorted copy
	cursor
}

func newPendingView() *pendingView { return &pendingView{km: DefaultPendingKeyMap()} }

func (v *pendingView) query() cluster.Query { return cluster.Query{Pending: true} }
func (v *pendingView) typing() bool         { return false }
func (v *pendingView) keys() help.KeyMap    { return v.km }

func (v *pendingView) update(msg tea.Msg, c *common) (view, tea.Cmd) {
	v.lk = lookFor(v.lk, c.styles)
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case snapshotMsg: // the root has stored it in c.snap
		if c.snap != nil {
			v.take(c.snap)
		}
	case tea.KeyPressMsg:
		v.km.Open.SetEnabled(v.target(c) != "") // bindings match only while enabled
		switch {
		case key.Matches(msg, v.km.Back):
			cmd = back
		case key.Matches(msg, v.km.Open):
			cmd = openNode(v.target(c))
		default:
			v.cursor.key(msg, v.km.ScrollKeys, len(v.pods), v.pageRows(c))
		}
	case tea.MouseWheelMsg:
		v.wheel(msg, len(v.pods), v.pageRows(c))
	}
	rows := v.pageRows(c)
	v.clamp(len(v.pods), rows)
	v.cursor.enable(&v.km.ScrollKeys, len(v.pods), rows)
	v.km.Open.SetEnabled(v.target(c) != "")
	return v, cmd
}

// target is the listed node the selected pod is nominated to (or bound
// to), "" when none is listed.
func (v *pendingView) target(c *common) string {
	if v.at >= len(v.pods) || c.snap == nil {
		return ""
	}
	return nodeFor(&v.pods[v.at], c.snap.Nodes)
}

// nodeFor is the name of the row in nodes a pending pod waits for: the node
// it is bound to, or the node or NodeClaim Karpenter nominated it to
// ("node/i-0abc", "nodeclaim/default-2z8fk"); "" when not listed.
func nodeFor(p *cluster.Pod, nodes []*cluster.Node) string {
	kind, name := "node", p.Node
	if name == "" {
		kind, name, _ = strings.Cut(p.Waiting.Nominated, "/")
	}
	if name == "" {
		return ""
	}
	for i := range nodes {
		n := nodes[i]
		if n.Name == name || (kind == "nodeclaim" && n.NodeClaim == name) {
			return n.Name
		}
	}
	return ""
}

func (v *pendingView) take(snap *cluster.Snapshot) {
	if !snap.Query.Pending {
		return
	}
	v.loaded, v.count, v.resources = true, snap.Pods.Pending, snap.Resources
	v.pods = append(v.pods[:0], snap.Pending...)
	slices.SortFunc(v.pods, func(a, b cluster.Pod) int {
		// Oldest first; a pod without a creation time last.
		if az, bz := a.Created.IsZero(), b.Created.IsZero(); az != bz {
			if az {
				return 1
			}
			return -1
		}
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
}

// title and blank line, table header
const pendingHead = 3

func (v *pendingView) pageRows(c *common) int {
	return listRows(len(v.pods), c.height-pendingHead)
}

func (v *pendingView) render(c *common, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lk := lookFor(v.lk, c.styles)
	lines := []string{v.title(lk, width)}
	if len(v.pods) > 0 && height > pendingHead {
		rows := listRows(len(v.pods), height-pendingHead)
		cur := v.visible(len(v.pods), rows)
		lines = append(lines, "")
		t := v.table(c, cur.offset, rows)
		t.marked, t.selected = true, cur.at-cur.offset
		lines = t.render(lines, width, lk)
		if rows < len(v.pods) {
			lines = append(lines, lk.faintText(scroll{cur.offset}.position(len(v.pods), rows, "pods", width)))
		}
	}
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

func (v *pendingView) title(lk *look, width int) string {
	var s string
	switch {
	case !v.loaded:
		s = "loading pending pods…"
	case v.count == 0:
		s = "no pending pods"
	case v.count == 1:
		s = "1 pending pod"
	default:
		s = count(v.count) + " pending pods"
	}
	if lk.colour {
		return lk.header.Render(shortenMiddle(s, width))
	}
	return shortenMiddle(s, width)
}

// table is the visible pending pods. Columns that give way first: the
// later resources, the first, then the scheduler's message; the messages
// are shortened first (alike); never the waiting time, the order of the
// list, nor Karpenter's answer.
func (v *pendingView) table(c *common, offset, rows int) *table {
	nres := len(v.resources)
	t := &table{cols: make([]column, 0, nres+4)}
	t.cols = append(t.cols,
		column{title: "POD", fit: fitMiddle, min: 18},
		column{title: "WAITING"})
	for i, res := range v.resources {
		t.cols = append(t.cols, column{title: strings.ToUpper(sanitize(res)), right: true, drop: 2 + i})
	}
	// Without Karpenter's column (it said nothing about any pod) the
	// scheduler's message has all the room.
	karpenter := slices.ContainsFunc(v.pods, func(p cluster.Pod) bool { return karpenterText(&p) != "-" })
	if karpenter {
		t.cols = append(t.cols, column{title: "SCHEDULER", fit: fitEnd, min: 16, drop: 1}, column{title: "KARPENTER", fit: fitEnd, min: 40})
	} else {
		t.cols = append(t.cols, column{title: "SCHEDULER", fit: fitEnd, min: 29, drop: 1})
	}
	for i := offset; i < min(offset+rows, len(v.pods)); i++ {
		p := &v.pods[i]
		row := make([]cell, 0, len(t.cols))
		row = append(row, plainCell(sanitize(p.Namespace)+"/"+sanitize(p.Name)), plainCell(podAge(c.now, p.Created)))
		for r, res := range v.resources {
			row = append(row, plainCell(formatRequest(res, requestAt(p.Requests, r))))
		}
		row = append(row, plainCell(schedulerText(p)))
		if karpenter {
			row = append(row, plainCell(karpenterText(p)))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// schedulerText is the scheduler's reason, shortened ("Insufficient cpu");
// without one the scheduler's message on one line, its boilerplate "0/2
// nodes are available: " said as "0/2 nodes: " so that the reasons show in
// a narrow column; "-" for none. A pod already bound waits for its node to
// start it.
func schedulerText(p *cluster.Pod) string {
	switch {
	case p.Node != "":
		return "bound to " + sanitize(p.Node) + ", starting"
	case p.Waiting.Scheduler != "":
		return folded(p.Waiting.Scheduler)
	case p.FailedScheduling == "":
		return "-"
	}
	return strings.ReplaceAll(sanitize(p.FailedScheduling), " nodes are available: ", " nodes: ")
}

// karpenterText is Karpenter's answer: "nominated to nodeclaim/x", or why
// it cannot place the pod (`NodePool "default" limits exhausted`); "-"
// when it has said nothing.
func karpenterText(p *cluster.Pod) string {
	switch w := &p.Waiting; {
	case w.Nominated != "":
		return "nominated to " + sanitize(w.Nominated)
	case w.Karpenter != "":
		return folded(w.Karpenter)
	}
	return "-"
}

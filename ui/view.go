package ui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// view is one screen of the viewer: the node list (all nodes, or one
// NodePool's), a node, the pending pods, the NodePools, the activity.
// The root Model keeps a stack of them (enter pushes, esc pops), routes
// messages to the one on top and draws it above the help footer.
type view interface {
	// update handles a message: snapshots (every view on the stack gets
	// them), keys and mouse events (the top view only), window sizes.
	update(msg tea.Msg, c *common) (view, tea.Cmd)
	// render draws the view in width x height cells: at most height lines,
	// none wider than width.
	render(c *common, width, height int) string
	// keys is the view's bindings for the footer and the full help; keys
	// that do nothing right now are disabled.
	keys() help.KeyMap
	// query is what the view needs in snapshots besides the node list.
	query() cluster.Query
	// typing reports whether the view is taking text input, so that keys
	// like q and ? are text, not commands.
	typing() bool
}

// common is what every view reads: the latest snapshot and the parts of the
// model that are not data. Views never change it.
type common struct {
	snap    *cluster.Snapshot
	now     time.Time
	styles  *styles
	opts    Options
	spinner string // the spinner's frame, shown while syncing
	// width and height are the terminal's (never 0: a fallback until the
	// terminal reports its size).
	width, height int
}

// Navigation between views: a view returns one of these as a command; the
// root pushes or pops.
type (
	// openNodeMsg opens the node view of a node.
	openNodeMsg struct{ name string }
	// openPendingMsg opens the pending pods view.
	openPendingMsg struct{}
	// openPoolsMsg opens the NodePools view.
	openPoolsMsg struct{}
	// openActivityMsg opens the activity view.
	openActivityMsg struct{}
	// openPoolNodesMsg opens the node list of one NodePool or node group.
	openPoolNodesMsg struct{ pool poolFilter }
	// backMsg closes the top view.
	backMsg struct{}
	// leaveMsg: a fleet member's model was asked to go back from its
	// node list; the fleet shows the fleet view again.
	leaveMsg struct{}
)

func openNode(name string) tea.Cmd { return func() tea.Msg { return openNodeMsg{name} } }
func openPending() tea.Cmd         { return func() tea.Msg { return openPendingMsg{} } }
func openPools() tea.Cmd           { return func() tea.Msg { return openPoolsMsg{} } }
func openActivity() tea.Cmd        { return func() tea.Msg { return openActivityMsg{} } }
func openPoolNodes(p poolFilter) tea.Cmd {
	return func() tea.Msg { return openPoolNodesMsg{p} }
}
func back() tea.Msg  { return backMsg{} }
func leave() tea.Msg { return leaveMsg{} }

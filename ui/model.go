// Package ui is the terminal screen of eks-node-viewer: a Bubble Tea model
// fed by a Source of immutable cluster snapshots, a stack of views (the node
// list, a node, the pending pods) and pure render functions.
//
// Run it with the root context, so that a signal ends the program:
//
//	p := tea.NewProgram(ui.New(src, ui.Options{Style: style, Version: v}), tea.WithContext(ctx))
//	if _, err := p.Run(); err != nil && ctx.Err() == nil {
//		return fmt.Errorf("run ui: %w", err)
//	}
//
// Several clusters at once: NewFleet(members, opts) is run the same way; it
// holds one such Model per cluster.
//
// Colours are always emitted as 24-bit ANSI; Bubble Tea downsamples them to
// the terminal's profile, which is colourless under NO_COLOR.
package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Options configure the screen.
type Options struct {
	// Style is the good, ok and bad colour as hex ("#04B575"); an empty entry
	// takes its default (options.DefaultGoodColor, options.DefaultOKColor,
	// options.DefaultBadColor).
	Style [3]string
	// Demo marks the screen as showing the embedded demo cluster.
	Demo bool
	// Version is shown in the full help ("?").
	Version string
	// NoColor renders without any colour. Not needed for NO_COLOR in a
	// terminal (Bubble Tea already strips colour then); for a --no-color flag.
	NoColor bool
	// Clock is the time ages are measured at: the API server's clock, so
	// that a laptop's skewed clock does not age anything (default time.Now).
	Clock func() time.Time
	// Replay is the player of a --replay (nil: live): its time line shows
	// above the footer and its keys work in every view.
	Replay Replay
	// Title is shown on a line above every view ("" none): a fleet
	// member's context and API server.
	Title string

	// leave: the model is a fleet member's; back at the node list (esc)
	// returns to the fleet view (leaveMsg) instead of doing nothing.
	leave bool
}

// Model is the root Bubble Tea model: it holds the latest snapshot and the
// stack of views, routes messages to the view on top, and draws it above
// the help footer.
type Model struct {
	src     Source
	opts    Options
	styles  *styles
	global  GlobalKeys
	nav     NavKeys
	replay  ReplayKeys
	help    help.Model
	spinner spinner.Model
	// spinning: a spinner tick chain is running (only while not synced).
	spinning bool
	clock    func() time.Time

	snap          cluster.Snapshot
	width, height int
	// stack holds the open views; the node list is at the bottom, always.
	stack []view
	// asking is the top view's query, for the wait in flight.
	asking *asked
}

var _ tea.Model = Model{}

// New returns the model; run it with tea.NewProgram.
func New(src Source, opts Options) Model {
	st := newStyles(opts.Style, !opts.NoColor)
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	h := help.New()
	h.Styles = st.help
	m := Model{
		src:     src,
		opts:    opts,
		styles:  st,
		global:  DefaultGlobalKeys(),
		nav:     DefaultNavKeys(),
		replay:  DefaultReplayKeys(),
		help:    h,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.spinner)),
		clock:   clock,
		stack:   []view{newListView()},
		asking:  &asked{},
	}
	m.asking.set(m.top().query())
	return m
}

// Init reads the first snapshot (which starts the spinner if it is not
// synced) and starts the age tick.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{firstSnapshot(m.src, m.top().query()), tick()}
	if m.opts.Replay != nil {
		cmds = append(cmds, tickReplay())
	}
	return tea.Batch(cmds...)
}

func (m Model) top() view { return m.stack[len(m.stack)-1] }

// Update handles one message: snapshots go to every view (each keeps its
// place in them), input to the view on top.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case snapshotMsg:
		return m.setSnapshot(msg)
	case tickMsg:
		return m, tick()
	case replayMsg:
		return m, nil // redrawn: the time line moved
	case replayTickMsg:
		return m, tickReplay()
	case spinner.TickMsg:
		if m.snap.Synced {
			m.spinning = false
			return m, nil
		}
		m.spinning = true
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m.toAll(msg), nil
	case openNodeMsg:
		return m.push(newNodeView(msg.name))
	case openPendingMsg:
		return m.open(func(v view) bool { _, ok := v.(*pendingView); return ok }, func() view { return newPendingView() })
	case openPoolsMsg:
		return m.open(func(v view) bool { _, ok := v.(*poolsView); return ok }, func() view { return newPoolsView() })
	case openActivityMsg:
		return m.open(func(v view) bool { _, ok := v.(*activityView); return ok }, func() view { return newActivityView() })
	case openPoolNodesMsg:
		return m.push(newPoolListView(msg.pool))
	case backMsg:
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
			return m, m.read()
		}
		if m.opts.leave {
			return m, leave
		}
		return m, nil
	case tea.MouseClickMsg:
		// Views count lines from their own top.
		msg.Y -= m.above()
		return m.toTop(msg)
	case tea.KeyPressMsg:
		if cmd, ok := m.globalKey(msg); ok {
			return m, cmd
		}
	}
	return m.toTop(msg)
}

// globalKey handles the keys that work in every view.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch msg.String() {
	case "ctrl+c":
		return tea.Quit, true
	case "ctrl+z":
		// Bubble Tea restores the terminal, stops, and repaints on fg.
		return tea.Suspend, true
	}
	if m.top().typing() {
		return nil, false
	}
	if cmd, ok := m.replayKey(msg); ok {
		return cmd, true
	}
	switch {
	case key.Matches(msg, m.global.Quit):
		return tea.Quit, true
	case key.Matches(msg, m.global.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.toAll(tea.WindowSizeMsg{Width: m.width, Height: m.height})
		return nil, true
	case key.Matches(msg, m.nav.Pending):
		return openPending(), true
	case key.Matches(msg, m.nav.NodePools):
		return openPools(), true
	case key.Matches(msg, m.nav.Activity):
		return openActivity(), true
	}
	return nil, false
}

// open shows a view every view can reach (is tells it): the one on the
// stack already, closing the views above it, else a new one on top. The
// stack never holds two of them.
func (m Model) open(is func(view) bool, create func() view) (tea.Model, tea.Cmd) {
	for i := len(m.stack) - 1; i > 0; i-- {
		if !is(m.stack[i]) {
			continue
		}
		if i == len(m.stack)-1 {
			return m, nil
		}
		m.stack = m.stack[: i+1 : i+1]
		return m, m.read()
	}
	return m.push(create())
}

// read asks at once for the snapshot of the view now on top (and tells
// the wait in flight to ask for it too).
func (m Model) read() tea.Cmd {
	q := m.top().query()
	m.asking.set(q)
	return readSnapshot(m.src, q)
}

// push opens a view and asks at once for the snapshot it needs (the one in
// flight was asked for the view below).
func (m Model) push(v view) (tea.Model, tea.Cmd) {
	m.stack = append(m.stack, v)
	c := m.common()
	v, _ = v.update(tea.WindowSizeMsg{Width: c.width, Height: c.height}, &c)
	m.stack[len(m.stack)-1] = v
	return m, m.read()
}

func (m Model) setSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	m.snap = msg.snap
	m = m.toAll(msg)
	var cmds []tea.Cmd
	if msg.rearm {
		cmds = append(cmds, waitForChange(m.src, m.snap.Synced, m.asking.get))
	}
	if !m.snap.Synced && !m.spinning {
		m.spinning = true
		cmds = append(cmds, m.spinner.Tick)
	}
	return m, tea.Batch(cmds...)
}

// toAll passes msg to every view on the stack.
func (m Model) toAll(msg tea.Msg) Model {
	c := m.common()
	stack := make([]view, len(m.stack))
	for i, v := range m.stack {
		stack[i], _ = v.update(msg, &c)
	}
	m.stack = stack
	return m
}

// toTop passes msg to the view on top.
func (m Model) toTop(msg tea.Msg) (tea.Model, tea.Cmd) {
	c := m.common()
	v, cmd := m.top().update(msg, &c)
	m.stack = append(m.stack[:len(m.stack)-1:len(m.stack)-1], v)
	return m, cmd
}

// common is what the views read; its height is what is left above the
// footer.
func (m Model) common() common {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = fallbackWidth, fallbackHeight
	}
	h -= m.above()
	if m.opts.Replay != nil {
		h-- // the time line
	}
	return common{
		snap:    &m.snap,
		now:     m.clock(),
		styles:  m.styles,
		opts:    m.opts,
		spinner: m.spinner.View(),
		width:   w,
		height:  max(h-len(m.footer(w)), 1),
	}
}

// above is how many lines the title and the stale banner take above the
// view.
func (m Model) above() int {
	n := 0
	if m.opts.Title != "" {
		n++
	}
	if m.snap.Stale != nil {
		n++
	}
	return n
}

// footer is the help of the view on top (plus the version in the full help).
func (m Model) footer(width int) []string {
	h := m.help
	h.SetWidth(width)
	var km help.KeyMap = m.top().keys()
	if m.opts.Replay != nil {
		km = withReplayKeys{view: km, keys: m.replayKeys()}
	}
	lines := strings.Split(h.View(km), "\n")
	if h.ShowAll && m.snap.Usage != nil {
		lines = append(lines, legend(width))
	}
	if h.ShowAll && m.opts.Version != "" {
		lines = append(lines, "eks-node-viewer "+m.opts.Version)
	}
	return lines
}

// View renders the current frame in the alternate screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.frame())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// frame is the screen as text: the top view above the footer.
func (m Model) frame() string {
	c := m.common()
	body := m.top().render(&c, c.width, c.height)
	footer := m.footer(c.width)
	var lines []string
	if m.opts.Title != "" {
		lines = append(lines, m.styles.title.Render(sanitize(m.opts.Title)))
	}
	if st := m.snap.Stale; st != nil {
		lines = append(lines, staleLine(st, c.now, m.styles))
	}
	banner := len(lines) // cut with "…", like other free text
	lines = append(lines, strings.Split(body, "\n")...)
	if r := m.opts.Replay; r != nil {
		lines = append(lines, m.styles.help.ShortDesc.Render(timeLine(r.State(), c.width)))
	}
	lines = append(lines, footer...)
	h := m.height
	if m.width <= 0 || h <= 0 {
		h = fallbackHeight
	}
	return fitLines(lines, c.width, h, 0, banner)
}

// Package ui is the terminal screen of eks-node-viewer: a Bubble Tea model
// fed by a Source of immutable cluster snapshots, and pure render functions.
//
// Run it with the root context, so that a signal ends the program:
//
//	p := tea.NewProgram(ui.New(src, ui.Options{Style: style, Version: v}), tea.WithContext(ctx))
//	if _, err := p.Run(); err != nil && ctx.Err() == nil {
//		return fmt.Errorf("run ui: %w", err)
//	}
//
// Colours are always emitted as 24-bit ANSI; Bubble Tea downsamples them to
// the terminal's profile, which is colourless under NO_COLOR.
package ui

import (
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
}

// Model is the Bubble Tea model of the viewer.
type Model struct {
	src     Source
	opts    Options
	styles  *styles
	keys    KeyMap
	help    help.Model
	spinner spinner.Model
	// spinning: a spinner tick chain is running (only while not synced).
	spinning bool
	clock    func() time.Time

	snap          cluster.Snapshot
	width, height int
	page          int
}

var _ tea.Model = Model{}

// New returns the model; run it with tea.NewProgram.
func New(src Source, opts Options) Model {
	st := newStyles(opts.Style, !opts.NoColor)
	h := help.New()
	h.Styles = st.help
	return Model{
		src:     src,
		opts:    opts,
		styles:  st,
		keys:    DefaultKeyMap(),
		help:    h,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.spinner)),
		clock:   time.Now,
	}
}

// Init reads the first snapshot (which starts the spinner if it is not
// synced) and starts the age tick.
func (m Model) Init() tea.Cmd {
	return tea.Batch(readSnapshot(m.src), tick())
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case snapshotMsg:
		return m.setSnapshot(cluster.Snapshot(msg))
	case tickMsg:
		return m, tick()
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
		return m.relayout(func(m *Model) {
			m.width, m.height = msg.Width, msg.Height
			m.help.SetWidth(msg.Width)
		}), nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

func (m Model) setSnapshot(s cluster.Snapshot) (tea.Model, tea.Cmd) {
	m.snap = s
	m.page = m.layout().clampPage(m.page)
	cmds := []tea.Cmd{waitForChange(m.src, s.Synced)}
	if !s.Synced && !m.spinning {
		m.spinning = true
		cmds = append(cmds, m.spinner.Tick)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.PrevPage):
		m.page = max(m.page-1, 0)
	case key.Matches(msg, m.keys.NextPage):
		m.page = m.layout().clampPage(m.page + 1)
	case key.Matches(msg, m.keys.Help):
		m = m.relayout(func(m *Model) { m.help.ShowAll = !m.help.ShowAll })
	}
	return m, nil
}

// relayout applies a change of the page size, keeping the first node of the
// page in view.
func (m Model) relayout(change func(*Model)) Model {
	first := m.page * m.layout().perPage
	change(&m)
	l := m.layout()
	m.page = l.clampPage(first / l.perPage)
	return m
}

func (m Model) chrome() chrome {
	return chrome{
		demo:    m.opts.Demo,
		version: m.opts.Version,
		spinner: m.spinner.View(),
		help:    m.help,
		keys:    m.keys,
	}
}

func (m Model) layout() layout {
	c := m.chrome()
	return newLayout(&m.snap, m.width, m.height, &c)
}

// View renders the current frame in the alternate screen.
func (m Model) View() tea.View {
	c := m.chrome()
	v := tea.NewView(render(&m.snap, m.width, m.height, m.clock(), m.styles, m.page, &c))
	v.AltScreen = true
	return v
}

package ui

import (
	"reflect"
	"slices"
	"strconv"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Member is one cluster of a fleet.
type Member struct {
	Context string           // kubeconfig context name: the block's title
	Server  string           // its API server URL, shown next to the title
	Source  Source           // its model (a *cluster.Cluster, through cmd's pace wrapper)
	Clock   func() time.Time // its API server's clock (nil: time.Now)
}

// NewFleet is the screen of several clusters; run it like New's model.
//
// Each member is a whole single-cluster Model on its Source, with its own
// wait for changes: a cluster that is stuck or unreachable never holds up
// the others. The fleet view draws every member's latest snapshot; enter
// opens a member's own views, esc at its node list comes back.
func NewFleet(members []Member, opts Options) tea.Model {
	st := newStyles(opts.Style, !opts.NoColor)
	h := help.New()
	h.Styles = st.help
	f := fleet{
		opts:   opts,
		styles: st,
		keys:   DefaultFleetKeyMap(),
		help:   h,
		open:   -1,
	}
	for i, mb := range members {
		mo := opts
		mo.Clock = mb.Clock
		if mo.Clock == nil {
			mo.Clock = opts.Clock
		}
		mo.Replay = nil // one cluster's player; cmd refuses it with several
		mo.Title = memberTitle(mb, i, len(members))
		mo.leave = true
		f.members = append(f.members, fleetMember{
			context: sanitize(mb.Context),
			server:  sanitize(mb.Server),
			model:   New(mb.Source, mo),
		})
	}
	return f
}

// memberTitle is a member's title line over its views:
// "kind-lab  https://127.0.0.1:6443  (cluster 1 of 3, tab next)".
func memberTitle(mb Member, i, n int) string {
	t := mb.Context
	if mb.Server != "" {
		t += "  " + mb.Server
	}
	t += "  (cluster " + strconv.Itoa(i+1) + " of " + strconv.Itoa(n)
	if n > 1 {
		t += ", tab next"
	}
	return t + ")"
}

// fleet is the root model of several clusters: the fleet view, or one
// member's views when a member is open.
type fleet struct {
	members []fleetMember
	opts    Options
	styles  *styles
	keys    FleetKeyMap
	help    help.Model

	cursor int // the block under the cursor
	open   int // the member whose views are shown; -1: the fleet view

	width, height int
}

// fleetMember is one cluster: its single-cluster model, which holds its
// latest snapshot and its views.
type fleetMember struct {
	context, server string // sanitised
	model           Model
	collapsed       bool
}

var _ tea.Model = fleet{}

// memberMsg carries a message from a member's command back to that member.
type memberMsg struct {
	i   int
	msg tea.Msg
}

// Init starts every member: its first snapshot, its wait for changes, its
// ticks, each routed back to it.
func (f fleet) Init() tea.Cmd {
	cmds := make([]tea.Cmd, len(f.members))
	for i := range f.members {
		cmds[i] = forMember(i, f.members[i].model.Init())
	}
	return tea.Batch(cmds...)
}

// Update routes: a member's messages to that member, sizes to every member,
// input to the fleet view or the open member.
func (f fleet) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case memberMsg:
		if msg.i < 0 || msg.i >= len(f.members) {
			return f, nil
		}
		if _, ok := msg.msg.(leaveMsg); ok {
			if msg.i == f.open {
				f.cursor, f.open = f.open, -1
			}
			return f, nil
		}
		return f.toMember(msg.i, msg.msg)
	case tea.WindowSizeMsg:
		f.width, f.height = msg.Width, msg.Height
		f.help.SetWidth(msg.Width)
		cmds := make([]tea.Cmd, len(f.members))
		for i := range f.members {
			var cmd tea.Cmd
			f, cmd = f.toMember(i, msg)
			cmds[i] = cmd
		}
		return f, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		if f.open >= 0 {
			return f.memberKey(msg)
		}
		return f.fleetKey(msg)
	case tea.MouseWheelMsg:
		if f.open < 0 {
			switch msg.Button {
			case tea.MouseWheelUp:
				f.move(f.cursor - 1)
			case tea.MouseWheelDown:
				f.move(f.cursor + 1)
			}
			return f, nil
		}
	case tea.MouseClickMsg:
		if f.open < 0 {
			if i, ok := f.blockAt(msg.Y); ok && msg.Button == tea.MouseLeft {
				f.cursor = i
			}
			return f, nil
		}
	}
	if f.open >= 0 {
		return f.toMember(f.open, msg) // other input: the open cluster's
	}
	return f, nil
}

// toMember passes msg to member i and routes its commands back to it.
func (f fleet) toMember(i int, msg tea.Msg) (fleet, tea.Cmd) {
	next, cmd := f.members[i].model.Update(msg)
	f.members = slices.Clone(f.members)
	f.members[i].model = next.(Model)
	return f, forMember(i, cmd)
}

// memberKey handles a key while a member is open: tab and shift+tab switch
// to the next or previous cluster's views (unless the view takes text),
// anything else is the member's.
func (f fleet) memberKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if n := len(f.members); !f.members[f.open].model.top().typing() && n > 1 {
		switch {
		case key.Matches(msg, f.keys.Next):
			f.open = (f.open + 1) % n
			f.cursor = f.open
			return f, nil
		case key.Matches(msg, f.keys.Prev):
			f.open = (f.open + n - 1) % n
			f.cursor = f.open
			return f, nil
		}
	}
	return f.toMember(f.open, msg)
}

// fleetKey handles a key in the fleet view.
func (f fleet) fleetKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "ctrl+c":
		return f, tea.Quit
	case "ctrl+z":
		return f, tea.Suspend
	}
	l := f.arrange()
	k := &f.keys
	n := len(f.members)
	switch {
	case key.Matches(msg, k.Quit):
		return f, tea.Quit
	case key.Matches(msg, k.Help):
		f.help.ShowAll = !f.help.ShowAll
	case key.Matches(msg, k.Up):
		f.move(f.cursor - 1)
	case key.Matches(msg, k.Down):
		f.move(f.cursor + 1)
	case key.Matches(msg, k.PageUp):
		f.move(l.first(l.pageOf(f.cursor) - 1))
	case key.Matches(msg, k.PageDown):
		if p := l.pageOf(f.cursor) + 1; p < len(l.starts) {
			f.move(l.first(p))
		} else {
			f.move(n - 1)
		}
	case key.Matches(msg, k.Home):
		f.move(0)
	case key.Matches(msg, k.End):
		f.move(n - 1)
	case key.Matches(msg, k.Next):
		f.move((f.cursor + 1) % n)
	case key.Matches(msg, k.Prev):
		f.move((f.cursor + n - 1) % n)
	case key.Matches(msg, k.Open):
		f.open = f.cursor
	case key.Matches(msg, k.Toggle):
		f.members = slices.Clone(f.members)
		f.members[f.cursor].collapsed = !f.members[f.cursor].collapsed
	}
	return f, nil
}

// move puts the cursor on block i (clamped).
func (f *fleet) move(i int) { f.cursor = min(max(i, 0), max(len(f.members)-1, 0)) }

// View is the open member's screen, or the fleet view.
func (f fleet) View() tea.View {
	if f.open >= 0 {
		return f.members[f.open].model.View()
	}
	v := tea.NewView(f.frame())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// forMember runs cmd and addresses what it returns to member i.
func forMember(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return addressed(i, cmd()) }
}

var (
	teaPackage = reflect.TypeFor[tea.QuitMsg]().PkgPath()
	cmdType    = reflect.TypeFor[tea.Cmd]()
)

// addressed is msg for member i: a batch (or Bubble Tea's sequence, which
// it does not export) with each of its commands addressed, Bubble Tea's own
// messages (quit, suspend, clear screen, ...) as they are, for the program,
// and anything else (snapshots, ticks, navigation, the bubbles' blinks)
// wrapped for the member.
func addressed(i int, msg tea.Msg) tea.Msg {
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		out := make(tea.BatchMsg, len(msg))
		for j, c := range msg {
			out[j] = forMember(i, c)
		}
		return out
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for j := range v.Len() {
			c, _ := v.Index(j).Interface().(tea.Cmd)
			out.Index(j).Set(reflect.ValueOf(forMember(i, c)))
		}
		return out.Interface()
	}
	t := v.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == teaPackage {
		return msg
	}
	return memberMsg{i: i, msg: msg}
}

// FleetKeyMap is the fleet view's bindings.
type FleetKeyMap struct {
	ScrollKeys
	Open   key.Binding
	Toggle key.Binding
	Next   key.Binding
	Prev   key.Binding
	GlobalKeys
	// width is the footer's room (0: any), as in ListKeyMap.
	width int
}

// DefaultFleetKeyMap is the fleet view's default bindings.
func DefaultFleetKeyMap() FleetKeyMap {
	return FleetKeyMap{
		ScrollKeys: DefaultScrollKeys(),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Toggle:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "collapse")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next cluster")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous cluster")),
		GlobalKeys: DefaultGlobalKeys(),
	}
}

// ShortHelp is the footer; when it is wider than the room, "↑/↓ select"
// goes first, then paging, then "tab".
func (k FleetKeyMap) ShortHelp() []key.Binding {
	move := k.ScrollKeys.short()
	next := k.Next
	all := func() []key.Binding {
		return []key.Binding{move[0], move[1], k.Open, k.Toggle, next, k.Help, k.Quit}
	}
	steps := []func(){
		func() { move[0].SetEnabled(false) },
		func() { next.SetHelp("tab", "next") },
		func() { move[1].SetEnabled(false) },
		func() { next.SetEnabled(false) },
	}
	for _, step := range steps {
		if k.width <= 0 || helpWidth(all()) <= k.width {
			break
		}
		step()
	}
	return all()
}

// FullHelp is the help after "?".
func (k FleetKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Open, k.Toggle, k.Next, k.Prev}, {k.Help, k.Quit}}
}

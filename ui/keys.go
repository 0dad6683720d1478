package ui

import "charm.land/bubbles/v2/key"

// Keys are per view, in the bubbles style: each view has a KeyMap that
// satisfies help.KeyMap, and disables the bindings that would do nothing
// right now, so the footer never offers a key that does nothing. The same
// key means the same thing in every view.

// GlobalKeys work in every view (unless the view is taking text input).
type GlobalKeys struct {
	Help key.Binding
	Quit key.Binding
}

// DefaultGlobalKeys are ? for help and q (or ctrl+c, always) to quit.
func DefaultGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ScrollKeys move a cursor or scroll a list.
type ScrollKeys struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding
}

// DefaultScrollKeys are the arrows and vi keys; ←/→ page as in the
// well-known viewer.
func DefaultScrollKeys() ScrollKeys {
	return ScrollKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("left", "h", "pgup"), key.WithHelp("←/h/pgup", "previous page")),
		PageDown: key.NewBinding(key.WithKeys("right", "l", "pgdown"), key.WithHelp("→/l/pgdown", "next page")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
	}
}

// enable turns the bindings on or off together with whether there is
// anything to move through: up/home when not at the top, down/end when not
// at the bottom, paging when there is more than one page.
func (k *ScrollKeys) enable(atTop, atBottom, paged bool) {
	k.Up.SetEnabled(!atTop)
	k.Home.SetEnabled(!atTop)
	k.Down.SetEnabled(!atBottom)
	k.End.SetEnabled(!atBottom)
	k.PageUp.SetEnabled(paged && !atTop)
	k.PageDown.SetEnabled(paged && !atBottom)
}

// short is the footer's form: one entry for up/down, one for paging.
func (k ScrollKeys) short() []key.Binding {
	move := key.NewBinding(key.WithKeys(append(k.Up.Keys(), k.Down.Keys()...)...), key.WithHelp("↑/↓", "select"))
	move.SetEnabled(k.Up.Enabled() || k.Down.Enabled())
	page := key.NewBinding(key.WithKeys(append(k.PageUp.Keys(), k.PageDown.Keys()...)...), key.WithHelp("←/→", "page"))
	page.SetEnabled(k.PageUp.Enabled() || k.PageDown.Enabled())
	return []key.Binding{move, page}
}

func (k ScrollKeys) full() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// NavKeys open the views every view can reach; a key means the same view
// wherever it is pressed (the root model handles them).
type NavKeys struct {
	Pending   key.Binding
	NodePools key.Binding
	Activity  key.Binding
}

// DefaultNavKeys are p for the pending pods, n for the NodePools, a for the
// activity.
func DefaultNavKeys() NavKeys {
	return NavKeys{
		Pending:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pending")),
		NodePools: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "nodepools")),
		Activity:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "activity")),
	}
}

// nav is the bindings for the full help.
func (k NavKeys) nav() []key.Binding { return []key.Binding{k.Pending, k.NodePools, k.Activity} }

// ListKeyMap is the node list's bindings.
type ListKeyMap struct {
	ScrollKeys
	Open   key.Binding
	Filter key.Binding
	Clear  key.Binding
	// Back leaves a NodePool's node list (esc when no filter is typed).
	Back key.Binding
	NavKeys
	GlobalKeys
	// width is the footer's room (0: any): the short help gives up its
	// least needed entries to keep "? help" and "q quit" on screen.
	width int
}

// DefaultListKeyMap is the node list's default bindings.
func DefaultListKeyMap() ListKeyMap {
	return ListKeyMap{
		ScrollKeys: DefaultScrollKeys(),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Clear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Back:       BackKey(),
		NavKeys:    DefaultNavKeys(),
		GlobalKeys: DefaultGlobalKeys(),
	}
}

// ShortHelp is the footer. When it is wider than the room, "↑/↓ select"
// goes first (the arrows are what everyone tries), then "nodepools" is said
// "pools", then paging, "open" and "filter" go ("?" lists them all).
func (k ListKeyMap) ShortHelp() []key.Binding {
	move := k.ScrollKeys.short()
	pools := k.NodePools
	all := func() []key.Binding {
		return []key.Binding{k.Back, move[0], move[1], k.Open, k.Pending, pools, k.Activity, k.Filter, k.Clear, k.Help, k.Quit}
	}
	steps := []func(){
		func() { move[0].SetEnabled(false) },
		func() { pools.SetHelp("n", "pools") },
		func() { move[1].SetEnabled(false) },
		func() { k.Open.SetEnabled(false) },
		func() { k.Filter.SetEnabled(false) },
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
func (k ListKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Open, k.Filter, k.Clear, k.Back}, k.nav(), {k.Help, k.Quit}}
}

// helpWidth is the width of a short help line of bs (as help.Model draws
// it: "key desc" items between " • ").
func helpWidth(bs []key.Binding) int {
	w := 0
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		if w > 0 {
			w += 3
		}
		w += dispWidth(b.Help().Key) + 1 + dispWidth(b.Help().Desc)
	}
	return w
}

// FilterKeyMap is the bindings while the filter is being typed.
type FilterKeyMap struct {
	Accept key.Binding
	Cancel key.Binding
}

// DefaultFilterKeyMap: enter keeps the filter, esc drops it.
func DefaultFilterKeyMap() FilterKeyMap {
	return FilterKeyMap{
		Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// ShortHelp is the footer while typing.
func (k FilterKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Accept, k.Cancel} }

// FullHelp is the same as ShortHelp.
func (k FilterKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// BackKey leaves a view for the one below it.
func BackKey() key.Binding {
	return key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back"))
}

package ui

import "charm.land/bubbles/v2/key"

// KeyMap is the viewer's key bindings; it satisfies help.KeyMap.
type KeyMap struct {
	PrevPage key.Binding
	NextPage key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// DefaultKeyMap is the bindings users of eks-node-viewer expect.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		PrevPage: key.NewBinding(key.WithKeys("left", "h", "pgup"), key.WithHelp("←/h/pgup", "previous page")),
		NextPage: key.NewBinding(key.WithKeys("right", "l", "pgdown"), key.WithHelp("→/l/pgdown", "next page")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "toggle help")),
		Quit:     key.NewBinding(key.WithKeys("q", "esc", "ctrl+c"), key.WithHelp("q/esc/ctrl+c", "quit")),
	}
}

// ShortHelp is the one-line footer, "←/→ page • q: quit" as users know it,
// plus the way to the full help.
func (k KeyMap) ShortHelp() []key.Binding {
	page := key.NewBinding(
		key.WithKeys(append(k.PrevPage.Keys(), k.NextPage.Keys()...)...),
		key.WithHelp("←/→", "page"))
	if !k.PrevPage.Enabled() && !k.NextPage.Enabled() {
		page.SetEnabled(false)
	}
	quit := k.Quit
	quit.SetHelp("q:", "quit")
	more := k.Help
	more.SetHelp("?:", "help")
	return []key.Binding{page, quit, more}
}

// FullHelp is the expanded help shown after "?".
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.PrevPage, k.NextPage}, {k.Help, k.Quit}}
}

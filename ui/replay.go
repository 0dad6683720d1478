package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Replay is the player of a --replay, as the screen drives it. The screen
// calls it from commands (a seek back rebuilds the model, which may take a
// moment at scale), never from Update.
type Replay interface {
	State() cluster.ReplayState
	TogglePause()
	Seek(time.Duration)
}

// seekStep is how far ←/→ (or </>) move a replay.
const seekStep = 10 * time.Second

// replayTick redraws the time line while a replay plays.
const replayTick = 500 * time.Millisecond

type (
	// replayMsg: a replay command finished (the time line moved).
	replayMsg struct{}
	// replayTickMsg is the time line's tick.
	replayTickMsg struct{}
)

// ReplayKeys control a replay.
type ReplayKeys struct {
	Pause   key.Binding
	Back    key.Binding
	Forward key.Binding
}

// DefaultReplayKeys: space pauses and plays; ←/→ seek 10 s in the views
// where they do nothing else (not while a list pages), </> everywhere.
func DefaultReplayKeys() ReplayKeys {
	return ReplayKeys{
		Pause:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/play")),
		Back:    key.NewBinding(key.WithKeys("<", "left"), key.WithHelp("←/<", "back 10s")),
		Forward: key.NewBinding(key.WithKeys(">", "right"), key.WithHelp("→/>", "forward 10s")),
	}
}

// replayKeys are the replay's bindings with the arrows left to the view on
// top when it uses them.
func (m *Model) replayKeys() ReplayKeys {
	k := m.replay
	if viewUses(m.top().keys(), "left", "right") {
		k.Back = key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "back 10s"))
		k.Forward = key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "forward 10s"))
	}
	return k
}

// viewUses reports whether an enabled binding of km takes one of keys.
func viewUses(km help.KeyMap, keys ...string) bool {
	for _, group := range km.FullHelp() {
		for _, b := range group {
			if b.Enabled() && slices.ContainsFunc(b.Keys(), func(k string) bool { return slices.Contains(keys, k) }) {
				return true
			}
		}
	}
	return false
}

// replayKey handles a replay key (not while the view takes text).
func (m *Model) replayKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	r := m.opts.Replay
	if r == nil || m.top().typing() {
		return nil, false
	}
	k := m.replayKeys()
	switch {
	case key.Matches(msg, k.Pause):
		return replayCmd(r.TogglePause), true
	case key.Matches(msg, k.Back):
		return replayCmd(func() { r.Seek(-seekStep) }), true
	case key.Matches(msg, k.Forward):
		return replayCmd(func() { r.Seek(seekStep) }), true
	}
	return nil, false
}

func replayCmd(f func()) tea.Cmd {
	return func() tea.Msg {
		f()
		return replayMsg{}
	}
}

func tickReplay() tea.Cmd {
	return tea.Tick(replayTick, func(time.Time) tea.Msg { return replayTickMsg{} })
}

// withReplayKeys puts the replay's keys in front of a view's.
type withReplayKeys struct {
	view help.KeyMap
	keys ReplayKeys
}

func (k withReplayKeys) ShortHelp() []key.Binding {
	own := []key.Binding{k.keys.Pause, k.keys.Back, k.keys.Forward}
	view := k.view
	if l, ok := view.(ListKeyMap); ok && l.width > 0 {
		// The list gives up its least needed entries for the replay's too.
		l.width = max(l.width-helpWidth(own)-len(" • "), 1)
		view = l
	}
	return append(own, view.ShortHelp()...)
}

func (k withReplayKeys) FullHelp() [][]key.Binding {
	return append([][]key.Binding{{k.keys.Pause, k.keys.Back, k.keys.Forward}}, k.view.FullHelp()...)
}

// timeLine is the replay's position: "▶ 00:42 / 03:10 ━━━━━━●──── x10".
func timeLine(st cluster.ReplayState, width int) string {
	mark := "‖"
	switch {
	case st.Playing:
		mark = "▶"
	case st.At >= st.Length:
		mark = "■"
	}
	head := fmt.Sprintf("%s %s / %s ", mark, playTime(st.At), playTime(st.Length))
	tail := " x" + speed(st.Speed)
	if st.Truncated {
		tail += " (cut short)"
	}
	n := width - lineWidth(head) - lineWidth(tail)
	if n < 5 {
		return head + strings.TrimPrefix(tail, " ")
	}
	done := n - 1
	if st.Length > 0 {
		done = int(float64(n-1) * float64(st.At) / float64(st.Length))
	}
	done = min(max(done, 0), n-1)
	return head + strings.Repeat("━", done) + "●" + strings.Repeat("─", n-1-done) + tail
}

// playTime is mm:ss (h:mm:ss from an hour).
func playTime(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

func speed(f float64) string {
	if f == float64(int(f)) {
		return fmt.Sprint(int(f))
	}
	return fmt.Sprintf("%g", f)
}

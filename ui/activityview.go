package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// ActivityKeyMap is the activity view's bindings.
type ActivityKeyMap struct {
	ScrollKeys
	Back key.Binding
	NavKeys
	GlobalKeys
}

// DefaultActivityKeyMap is the activity view's default bindings.
func DefaultActivityKeyMap() ActivityKeyMap {
	k := ActivityKeyMap{ScrollKeys: DefaultScrollKeys(), Back: BackKey(), NavKeys: DefaultNavKeys(), GlobalKeys: DefaultGlobalKeys()}
	k.Activity.SetEnabled(false) // here already
	return k
}

// ShortHelp is the footer.
func (k ActivityKeyMap) ShortHelp() []key.Binding {
	return append([]key.Binding{k.Back}, append(scrollHelp(k.ScrollKeys), k.Help, k.Quit)...)
}

// FullHelp is the help after "?".
func (k ActivityKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ScrollKeys.full(), {k.Back}, k.nav(), {k.Help, k.Quit}}
}

// activityView is the session's timeline, the newest line at the bottom:
// what Karpenter launched and how fast, what it disrupted and what that
// saved, what it would not do and why. It opens at the bottom and stays
// there as lines arrive, unless scrolled up to read.
type activityView struct {
	km ActivityKeyMap
	lk *look

	loaded  bool
	acts    []cluster.Activity
	savings cluster.Savings
	priced  bool
	// follow: the view shows the newest lines (it was at the bottom).
	follow bool
	scroll
}

func newActivityView() *activityView {
	return &activityView{km: DefaultActivityKeyMap(), follow: true}
}

func (v *activityView) query() cluster.Query { return cluster.Query{Activity: true} }
func (v *activityView) typing() bool         { return false }
func (v *activityView) keys() help.KeyMap    { return v.km }

// activityHead is the title and a blank line.
const activityHead = 2

func (v *activityView) update(msg tea.Msg, c *common) (view, tea.Cmd) {
	v.lk = lookFor(v.lk, c.styles)
	var cmd tea.Cmd
	rows := v.pageRows(c)
	switch msg := msg.(type) {
	case snapshotMsg:
		if c.snap != nil && c.snap.Query.Activity {
			v.loaded, v.savings, v.priced = true, c.snap.Savings, !c.snap.Cost.Disabled
			v.acts = append(v.acts[:0], c.snap.Activity...)
		}
	case tea.KeyPressMsg:
		if key.Matches(msg, v.km.Back) {
			cmd = back
		} else if v.scroll.key(msg, v.km.ScrollKeys, len(v.acts), rows) {
			v.follow = v.offset >= len(v.acts)-rows
		}
	case tea.MouseWheelMsg:
		v.wheel(msg, len(v.acts), rows)
		v.follow = v.offset >= len(v.acts)-rows
	}
	rows = v.pageRows(c)
	if v.follow {
		v.offset = len(v.acts)
	}
	v.clamp(len(v.acts), rows)
	v.scroll.enable(&v.km.ScrollKeys, len(v.acts), rows)
	return v, cmd
}

func (v *activityView) pageRows(c *common) int {
	return listRows(len(v.acts), c.height-activityHead)
}

func (v *activityView) render(c *common, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lk := lookFor(v.lk, c.styles)
	lines := []string{v.title(c, lk, width)}
	if len(v.acts) > 0 && height > activityHead {
		rows := listRows(len(v.acts), height-activityHead)
		sc := v.visible(len(v.acts), rows)
		if v.follow {
			sc.offset = max(len(v.acts)-rows, 0)
		}
		lines = append(lines, "")
		for i := sc.offset; i < min(sc.offset+rows, len(v.acts)); i++ {
			var prev *cluster.Activity
			if i > sc.offset {
				prev = &v.acts[i-1]
			}
			line := activityLine(&v.acts[i], prev, c.now, v.priced, c.styles)
			lines = append(lines, truncateLine(line, width))
		}
		if rows < len(v.acts) {
			lines = append(lines, lk.faintText(sc.position(len(v.acts), rows, "lines", width)))
		}
	}
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

// truncateLine cuts free text to width, ending in "…" when cut.
func truncateLine(s string, width int) string {
	if lineWidth(s) <= width {
		return s
	}
	return truncate(s, width, "…")
}

// title is "activity since 11:10 · saved $0.0421/hour · $0.02 so far".
func (v *activityView) title(c *common, lk *look, width int) string {
	var s string
	switch {
	case !v.loaded:
		s = "loading activity…"
	case len(v.acts) == 0:
		s = "no activity yet: Karpenter's launches, disruptions and what they saved show here"
	default:
		s = "activity"
		if !v.savings.Since.IsZero() {
			s += " since " + shortClock(v.savings.Since, c.now)
		}
		if saved := savingsText(v.savings, savedFull); saved != "" && v.priced {
			s += " · " + saved
		}
	}
	s = shortenEnd(s, width)
	if lk.colour {
		return lk.header.Render(s)
	}
	return s
}

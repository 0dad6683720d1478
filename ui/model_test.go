package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func press(code rune, text string, mod tea.KeyMod) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: code, Text: text, Mod: mod}
}

func typed(r rune) tea.KeyPressMsg { return press(r, string(r), 0) }

func update(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T", next)
	}
	return nm, cmd
}

// run delivers msg and then the messages its commands produce that the
// root handles itself (navigation and one-off snapshot reads), as the
// program would; other commands (blinks, waits) are dropped.
func run(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		var cmd tea.Cmd
		m, cmd = update(t, m, queue[0])
		queue = queue[1:]
		queue = append(queue, followUps(cmd)...)
	}
	return m
}

func followUps(cmd tea.Cmd) []tea.Msg { return followUpsKept(cmd, isFollowUp) }

// isFollowUp says whether a command's message is one the tests deliver:
// navigation and one-off snapshot reads (not the waits and ticks).
func isFollowUp(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case openNodeMsg, openPendingMsg, openPoolsMsg, openActivityMsg, openPoolNodesMsg, backMsg, leaveMsg:
		return true
	case snapshotMsg:
		return !msg.rearm
	}
	return false
}

// followUpsKept runs cmd (a wait or a tick is cut off) and returns the
// messages of it, batches opened, that keep accepts.
func followUpsKept(cmd tea.Cmd, keep func(tea.Msg) bool) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(100 * time.Millisecond): // a wait or a tick
		return nil
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, followUpsKept(c, keep)...)
		}
		return out
	}
	if keep(msg) {
		return []tea.Msg{msg}
	}
	return nil
}

// sized is a model holding s on a 200x20 terminal.
func sized(t *testing.T, s cluster.Snapshot) Model {
	t.Helper()
	m := New(newFakeSource(s), Options{NoColor: true})
	m.clock = func() time.Time { return testNow }
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 20})
	m, _ = update(t, m, snapshotMsg{snap: s})
	return m
}

func (m Model) list() *listView { return m.stack[0].(*listView) }

func (m Model) perPage() int {
	c := m.common()
	return m.list().layout(&c, c.width, c.height).perPage
}

func TestUpdateCursorAndPaging(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	per := m.perPage() // bigSnapshot has 2 resources: 2 lines a node
	if per != 7 {
		t.Fatalf("perPage %d, want 7 (20 lines - 4 header - dots - footer = 14)", per)
	}
	steps := []struct {
		key    tea.KeyPressMsg
		cursor int
	}{
		{press(tea.KeyUp, "", 0), 0}, // stays at the top
		{press(tea.KeyDown, "", 0), 1},
		{typed('j'), 2},
		{typed('k'), 1},
		{press(tea.KeyRight, "", 0), 7}, // next page: its first node
		{typed('l'), 14},
		{press(tea.KeyPgDown, "", 0), 21},
		{press(tea.KeyLeft, "", 0), 14},
		{typed('h'), 7},
		{press(tea.KeyPgUp, "", 0), 0},
		{press(tea.KeyEnd, "", 0), 99},
		{press(tea.KeyRight, "", 0), 99}, // past the end: stays
		{press(tea.KeyHome, "", 0), 0},
		{typed('x'), 0}, // unbound
	}
	for i, s := range steps {
		m = run(t, m, s.key)
		if got := m.list().cursor; got != s.cursor {
			t.Errorf("step %d (%s): cursor %d, want %d", i, s.key, got, s.cursor)
		}
		if want := m.snap.Nodes[s.cursor].Name; m.list().selected != want {
			t.Errorf("step %d: selected %q, want %q", i, m.list().selected, want)
		}
	}
}

// The cursor stays on its node by name while rows re-sort, appear and
// disappear; a deleted node hands the cursor to its neighbour.
func TestCursorFollowsItsNode(t *testing.T) {
	s := bigSnapshot(10)
	m := sized(t, s)
	for range 4 {
		m = run(t, m, press(tea.KeyDown, "", 0))
	}
	name := m.list().selected
	if name != s.Nodes[4].Name {
		t.Fatalf("selected %q", name)
	}
	// Re-sorted: reversed, plus a new node on top.
	resorted := s
	resorted.Nodes = append([]*cluster.Node{node("new-node", nil)}, reversed(s.Nodes)...)
	m = run(t, m, snapshotMsg{snap: resorted})
	if l := m.list(); l.selected != name || resorted.Nodes[l.rows[l.cursor]].Name != name {
		t.Fatalf("after a re-sort the cursor is on %q, want %q", l.selected, name)
	}
	at := m.list().cursor
	// The node is deleted: the cursor stays at its place, on the neighbour.
	deleted := resorted
	deleted.Nodes = append(append([]*cluster.Node{}, resorted.Nodes[:at]...), resorted.Nodes[at+1:]...)
	m = run(t, m, snapshotMsg{snap: deleted})
	if l := m.list(); l.cursor != at || l.selected != deleted.Nodes[at].Name {
		t.Errorf("after deletion: cursor %d on %q, want %d on %q", l.cursor, l.selected, at, deleted.Nodes[at].Name)
	}
	// The last node selected and deleted: the cursor moves up to the new last.
	m = run(t, m, press(tea.KeyEnd, "", 0))
	short := deleted
	short.Nodes = deleted.Nodes[:len(deleted.Nodes)-1]
	m = run(t, m, snapshotMsg{snap: short})
	if l := m.list(); l.cursor != len(short.Nodes)-1 || l.selected != short.Nodes[len(short.Nodes)-1].Name {
		t.Errorf("after deleting the last: cursor %d on %q", l.cursor, l.selected)
	}
	// Every node gone, then back.
	m = run(t, m, snapshotMsg{snap: cluster.Snapshot{Synced: true, Resources: s.Resources}})
	if l := m.list(); l.cursor != 0 || l.selected != "" {
		t.Errorf("no nodes: cursor %d on %q", l.cursor, l.selected)
	}
	m = run(t, m, snapshotMsg{snap: s})
	if l := m.list(); l.selected != s.Nodes[0].Name {
		t.Errorf("nodes back: selected %q", l.selected)
	}
}

func reversed(nodes []*cluster.Node) []*cluster.Node {
	out := make([]*cluster.Node, len(nodes))
	for i, n := range nodes {
		out[len(nodes)-1-i] = n
	}
	return out
}

func TestFilter(t *testing.T) {
	s := labelsSnapshot() // node-0..3; zones us-east-1a..d; team platform on node-1
	m := sized(t, s)
	m = run(t, m, typed('/'))
	if !m.list().typing() {
		t.Fatal("/ does not start the filter")
	}
	// While typing, q and ? are text.
	for _, r := range "PLATq?" {
		m = run(t, m, typed(r))
	}
	if got := m.list().input.Value(); got != "PLATq?" {
		t.Fatalf("filter text %q", got)
	}
	for range 2 {
		m = run(t, m, press(tea.KeyBackspace, "", 0))
	}
	if l := m.list(); len(l.rows) != 1 || l.selected != "node-1" {
		t.Fatalf("filter by a label value (case-insensitive): rows %v, selected %q", l.rows, l.selected)
	}
	// While typing, the count shows after the input, even with a long text.
	if out := m.frame(); !strings.Contains(out, "/PLAT") || !strings.Contains(out, "  1 of 4 nodes") {
		t.Errorf("typing screen lacks the input or its count:\n%s", out)
	}
	m = run(t, m, press(tea.KeyEnter, "", 0))
	if m.list().typing() || m.list().filtered != "plat" {
		t.Fatal("enter does not keep the filter")
	}
	out := m.frame()
	if !strings.Contains(out, `filter "PLAT": 1 of 4 nodes (esc clears)`) || strings.Contains(out, "node-2") {
		t.Errorf("filtered screen:\n%s", out)
	}
	// By name: the filter replaces the last.
	m = run(t, m, typed('/'))
	for range 4 {
		m = run(t, m, press(tea.KeyBackspace, "", 0))
	}
	for _, r := range "node-3" {
		m = run(t, m, typed(r))
	}
	if l := m.list(); len(l.rows) != 1 || l.selected != "node-3" {
		t.Fatalf("filter by name: rows %v, selected %q", l.rows, l.selected)
	}
	// No match.
	m = run(t, m, typed('x'))
	if out := m.frame(); !strings.Contains(out, `no node matches "node-3x"`) {
		t.Errorf("no match:\n%s", out)
	}
	// esc clears it; the cursor comes back to the first node.
	m = run(t, m, press(tea.KeyEscape, "", 0))
	if l := m.list(); l.typing() || len(l.rows) != 4 || l.filtered != "" {
		t.Errorf("esc: typing %v, rows %v, filter %q", l.typing(), l.rows, l.filtered)
	}
	// A kept filter is cleared by esc on the list too.
	m = run(t, m, typed('/'))
	m = run(t, m, typed('2'))
	m = run(t, m, press(tea.KeyEnter, "", 0))
	if len(m.list().rows) != 1 {
		t.Fatalf("rows %v", m.list().rows)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	if l := m.list(); len(l.rows) != 4 || l.selected != "node-2" {
		t.Errorf("esc on a kept filter: rows %v, selected %q (stays on the node)", l.rows, l.selected)
	}
}

func TestOpenAndBack(t *testing.T) {
	s := labSnapshot()
	src := newFakeSource(s)
	m := New(src, Options{NoColor: true})
	m.clock = func() time.Time { return testNow }
	m = run(t, m, tea.WindowSizeMsg{Width: 120, Height: 24})
	m = run(t, m, snapshotMsg{snap: s})
	m = run(t, m, press(tea.KeyDown, "", 0))
	m = run(t, m, press(tea.KeyEnter, "", 0))
	if len(m.stack) != 2 {
		t.Fatalf("enter did not open a view: %d views", len(m.stack))
	}
	if q := m.top().query(); q.Node != "i-0123456789abcdef2" {
		t.Errorf("the node view asks for %+v", q)
	}
	if q := src.lastQuery(); q.Node != "i-0123456789abcdef2" {
		t.Errorf("opening did not read a snapshot for the node at once: last query %+v", q)
	}
	m = run(t, m, press(tea.KeyEscape, "", 0))
	if len(m.stack) != 1 || m.list().selected != "i-0123456789abcdef2" {
		t.Fatalf("esc: %d views, selected %q", len(m.stack), m.list().selected)
	}
	// backspace goes back too; p opens the pending pods.
	m = run(t, m, typed('p'))
	if len(m.stack) != 2 || !m.top().query().Pending {
		t.Fatalf("p: %d views, query %+v", len(m.stack), m.top().query())
	}
	m = run(t, m, press(tea.KeyBackspace, "", 0))
	if len(m.stack) != 1 {
		t.Fatalf("backspace: %d views", len(m.stack))
	}
	// esc on the list with nothing to clear does nothing (it does not quit).
	next, cmd := m.Update(press(tea.KeyEscape, "", 0))
	if cmd != nil || len(next.(Model).stack) != 1 {
		t.Error("esc on the bare list did something")
	}
}

func TestMouse(t *testing.T) {
	m := sized(t, labSnapshot()) // one resource: header 3 lines
	m = run(t, m, tea.MouseClickMsg{X: 5, Y: 4, Button: tea.MouseLeft})
	if m.list().cursor != 1 {
		t.Errorf("click on the second node's line: cursor %d", m.list().cursor)
	}
	m = run(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.list().cursor != 0 {
		t.Errorf("wheel up: cursor %d", m.list().cursor)
	}
	m = run(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.list().cursor != 1 {
		t.Errorf("wheel down: cursor %d", m.list().cursor)
	}
	m = run(t, m, tea.MouseClickMsg{X: 5, Y: 0, Button: tea.MouseLeft}) // the summary
	if m.list().cursor != 1 {
		t.Errorf("click outside the rows moved the cursor to %d", m.list().cursor)
	}
	if v := m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Error("mouse not enabled")
	}
}

// The footer never offers a key that does nothing.
func TestFooterOffersOnlyLiveKeys(t *testing.T) {
	m := sized(t, labSnapshot())
	footer := strings.Join(m.footer(200), "\n")
	for _, want := range []string{"↑/↓ select", "enter open", "p pending (0)", "/ filter", "? help", "q quit"} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer lacks %q: %s", want, footer)
		}
	}
	for _, not := range []string{"page", "clear filter"} {
		if strings.Contains(footer, not) {
			t.Errorf("footer offers %q with one page and no filter: %s", not, footer)
		}
	}
	empty := sized(t, cluster.Snapshot{Synced: true, Resources: []string{"cpu"}})
	if footer := strings.Join(empty.footer(200), "\n"); strings.Contains(footer, "open") || strings.Contains(footer, "select") {
		t.Errorf("no nodes, yet the footer offers: %s", footer)
	}
	paged := sized(t, bigSnapshot(100))
	if footer := strings.Join(paged.footer(200), "\n"); !strings.Contains(footer, "←/→ page") {
		t.Errorf("100 nodes and no paging in the footer: %s", footer)
	}
}

func TestUpdateHelpToggle(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	m = run(t, m, typed('?'))
	if !m.help.ShowAll {
		t.Fatal("? did not show the full help")
	}
	if per := m.perPage(); per >= 7 {
		t.Errorf("perPage with full help %d, want fewer than 7", per)
	}
	m = run(t, m, typed('?'))
	if m.help.ShowAll {
		t.Error("second ? did not hide the full help")
	}
}

func TestUpdateQuit(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{typed('q'), press('c', "", tea.ModCtrl)} {
		_, cmd := update(t, sized(t, labSnapshot()), k)
		if cmd == nil {
			t.Errorf("%s: no command", k)
			continue
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: command is not tea.Quit", k)
		}
	}
	// ctrl+c quits even while the filter is typed.
	m := run(t, sized(t, labSnapshot()), typed('/'))
	if _, cmd := update(t, m, press('c', "", tea.ModCtrl)); cmd == nil {
		t.Error("ctrl+c while filtering does not quit")
	}
}

func TestUpdateWindowSizeKeepsTheCursor(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	for range 20 {
		m = run(t, m, press(tea.KeyDown, "", 0))
	}
	m = run(t, m, tea.WindowSizeMsg{Width: 120, Height: 60})
	if m.width != 120 || m.height != 60 || m.help.Width() != 120 {
		t.Errorf("size %dx%d help width %d", m.width, m.height, m.help.Width())
	}
	if m.list().cursor != 20 || !strings.Contains(m.frame(), "> "+m.snap.Nodes[20].Name) {
		t.Errorf("cursor %d after a resize, want 20 and shown", m.list().cursor)
	}
}

func TestUpdateSnapshotRearms(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	m, cmd := update(t, m, snapshotMsg{snap: bigSnapshot(10), rearm: true})
	if len(m.snap.Nodes) != 10 || cmd == nil {
		t.Errorf("snapshot not stored or waitForChange not re-armed")
	}
	if _, cmd := update(t, m, snapshotMsg{snap: bigSnapshot(10)}); cmd != nil {
		t.Error("a one-off read armed another wait")
	}
}

func TestUpdateSpinner(t *testing.T) {
	m := New(newFakeSource(cluster.Snapshot{}), Options{})
	m, cmd := update(t, m, snapshotMsg{snap: cluster.Snapshot{Syncing: []cluster.SyncProgress{{Resource: "nodes"}}}})
	if !m.spinning || cmd == nil {
		t.Fatal("spinner not started while syncing")
	}
	m, cmd = update(t, m, m.spinner.Tick())
	if cmd == nil {
		t.Error("spinner tick not re-armed while syncing")
	}
	m, _ = update(t, m, snapshotMsg{snap: cluster.Snapshot{Synced: true}})
	m, cmd = update(t, m, spinner.TickMsg{ID: m.spinner.ID()})
	if cmd != nil || m.spinning {
		t.Error("spinner still ticking after sync")
	}
}

func TestUpdateTick(t *testing.T) {
	m := sized(t, labSnapshot())
	if _, cmd := update(t, m, tickMsg(testNow)); cmd == nil {
		t.Error("tick not re-armed")
	}
}

func TestViewBeforeWindowSize(t *testing.T) {
	m := New(newFakeSource(labSnapshot()), Options{})
	v := m.View() // 0x0: no size yet
	if !v.AltScreen {
		t.Error("not in the alternate screen")
	}
	m, _ = update(t, m, snapshotMsg{snap: statesSnapshot()})
	checkFits(t, m.View().Content, fallbackWidth, fallbackHeight)
}

func TestInitReadsSnapshot(t *testing.T) {
	src := newFakeSource(labSnapshot())
	m := New(src, Options{})
	batch, ok := m.Init()().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("Init: %T, want a batch of 2", batch)
	}
	if s, ok := batch[0]().(snapshotMsg); !ok || len(s.snap.Nodes) != 2 || !s.rearm {
		t.Errorf("first command does not read the snapshot and arm the wait")
	}
}

// The end of the initial sync is shown without the settle delay (a screen
// that is synced already still settles: TestWaitForChange).
func TestSyncEndSkipsTheSettle(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	settleDelay = time.Hour // only the end of the sync can cut it short
	src := newFakeSource(statesSnapshot())
	src.synced = make(chan struct{})
	close(src.synced)
	src.changed <- struct{}{}
	got := make(chan tea.Msg, 1)
	go func() { got <- waitForChange(src, false, func() cluster.Query { return cluster.Query{} })() }()
	select {
	case msg := <-got:
		if _, ok := msg.(snapshotMsg); !ok {
			t.Fatalf("got %T, want a snapshot", msg)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the end of the sync waited for the settle delay")
	}
}

func TestWaitForChange(t *testing.T) {
	src := newFakeSource(statesSnapshot())
	// A burst: two signals are pending when the command runs (room for both,
	// so that no goroutine is needed to send the second during the settle).
	src.changed = make(chan struct{}, 2)
	src.changed <- struct{}{}
	src.changed <- struct{}{}
	start := time.Now()
	msg := waitForChange(src, true, func() cluster.Query { return cluster.Query{Node: "x"} })()
	if d := time.Since(start); d < settleDelay {
		t.Errorf("returned after %v, before settling", d)
	}
	s, ok := msg.(snapshotMsg)
	if !ok || len(s.snap.Nodes) != len(statesSnapshot().Nodes) || !s.rearm {
		t.Fatalf("got %T, want the source's snapshot, to re-arm", msg)
	}
	if src.lastQuery().Node != "x" {
		t.Errorf("asked with %+v", src.lastQuery())
	}
	if len(src.changed) != 0 {
		t.Error("the burst's second signal was not absorbed")
	}

	close(src.changed)
	if msg := waitForChange(src, true, func() cluster.Query { return cluster.Query{} })(); msg != nil {
		t.Errorf("closed source: got %T, want nil", msg)
	}
}

// While the API server cannot be reached every view says so, with the time
// since and the reason, over its own lines.
func TestStaleBannerOnEveryView(t *testing.T) {
	s := labSnapshot()
	s.Stale = &cluster.Stale{Since: testNow.Add(-42 * time.Second), Reason: "API server unreachable (connection refused)", Resources: []string{"pods"}}
	m := sized(t, s)
	want := "STALE 0:42 · API server unreachable (connection refused), retrying"
	for _, open := range []tea.Msg{nil, press(tea.KeyEnter, "", 0), typed('p')} {
		if open != nil {
			m = run(t, m, press(tea.KeyEscape, "", 0))
			m = run(t, m, open)
		}
		out := m.frame()
		if first := strings.Split(out, "\n")[0]; first != want {
			t.Errorf("%T view: first line %q, want %q", m.top(), first, want)
		}
		checkFits(t, out, 200, 20)
	}
	s.Stale = nil
	m = run(t, m, snapshotMsg{snap: s})
	if strings.Contains(m.frame(), "STALE") {
		t.Error("the mark stays after recovery")
	}
	for d, want := range map[time.Duration]string{0: "0:00", -time.Second: "0:00", 65 * time.Second: "1:05", 3723 * time.Second: "1:02:03"} {
		if got := clockDuration(d); got != want {
			t.Errorf("clockDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// A wait armed for the node list and fired after the user opened a node
// asks for the node: the model is asked only for what is on screen (it
// follows the open node for its pods' usage), and the node view gets the
// change at once.
func TestWaitAsksForTheViewOnTop(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	settleDelay = 0
	src := newFakeSource(labSnapshot())
	m := New(src, Options{NoColor: true})
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m, wait := update(t, m, snapshotMsg{snap: labSnapshot(), rearm: true})
	if wait == nil {
		t.Fatal("no wait armed")
	}
	m, _ = update(t, m, press(tea.KeyEnter, "", 0)) // the open command
	m, _ = update(t, m, openNodeMsg{name: "i-0123456789abcdef0"})
	src.changed <- struct{}{}
	msg, ok := wait().(snapshotMsg)
	if !ok || msg.snap.Query.Node != "i-0123456789abcdef0" {
		t.Fatalf("the wait asked for %+v, want the open node", msg.snap.Query)
	}
	m, _ = update(t, m, backMsg{})
	src.changed <- struct{}{}
	if msg := wait().(snapshotMsg); msg.snap.Query.Node != "" {
		t.Errorf("back on the list, the wait asked for %+v", msg.snap.Query)
	}
}

package ui

import (
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func press(code rune, text string, mod tea.KeyMod) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: code, Text: text, Mod: mod}
}

func update(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T", next)
	}
	return nm, cmd
}

// sized is a model holding s on a 200x20 terminal: bigSnapshot's 2 resources,
// 4 header and 2 footer lines leave 14 rows, 7 nodes a page.
func sized(t *testing.T, s cluster.Snapshot) Model {
	t.Helper()
	m := New(newFakeSource(s), Options{NoColor: true})
	m.clock = func() time.Time { return testNow }
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 20})
	m, _ = update(t, m, snapshotMsg(s))
	return m
}

func TestUpdatePaging(t *testing.T) {
	m := sized(t, bigSnapshot(100)) // 15 pages
	steps := []struct {
		key  tea.KeyPressMsg
		page int
	}{
		{press(tea.KeyLeft, "", 0), 0}, // stays on the first page
		{press(tea.KeyRight, "", 0), 1},
		{press('l', "l", 0), 2},
		{press(tea.KeyPgDown, "", 0), 3},
		{press(tea.KeyLeft, "", 0), 2},
		{press('h', "h", 0), 1},
		{press(tea.KeyPgUp, "", 0), 0},
		{press('x', "x", 0), 0}, // unbound
	}
	for i, s := range steps {
		var cmd tea.Cmd
		m, cmd = update(t, m, s.key)
		if m.page != s.page {
			t.Errorf("step %d (%s): page %d, want %d", i, s.key, m.page, s.page)
		}
		if cmd != nil {
			t.Errorf("step %d (%s): unexpected command", i, s.key)
		}
	}
	for range 50 {
		m, _ = update(t, m, press(tea.KeyRight, "", 0))
	}
	if m.page != 14 {
		t.Errorf("after paging past the end: page %d, want 14", m.page)
	}
}

func TestUpdateHelpToggle(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	if l := m.layout(); l.perPage != 7 {
		t.Fatalf("perPage %d, want 7", l.perPage)
	}
	m, _ = update(t, m, press('?', "?", 0))
	if !m.help.ShowAll {
		t.Fatal("? did not show the full help")
	}
	// The full help takes two lines: one node less per page.
	if l := m.layout(); l.perPage != 6 {
		t.Errorf("perPage with full help %d, want 6", l.perPage)
	}
	m, _ = update(t, m, press('?', "?", 0))
	if m.help.ShowAll {
		t.Error("second ? did not hide the full help")
	}
}

func TestUpdateQuit(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{
		press('q', "q", 0),
		press(tea.KeyEscape, "", 0),
		press('c', "", tea.ModCtrl),
	} {
		_, cmd := update(t, sized(t, labSnapshot()), k)
		if cmd == nil {
			t.Errorf("%s: no command", k)
			continue
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: command is not tea.Quit", k)
		}
	}
}

func TestUpdateWindowSize(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	m, _ = update(t, m, press(tea.KeyRight, "", 0))
	m, _ = update(t, m, press(tea.KeyRight, "", 0))
	// Page 2 starts at node 14; at 14 nodes a page that is page 1.
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 34})
	if m.page != 1 {
		t.Errorf("page %d after growing, want 1 (keeps node 14 in view)", m.page)
	}
	for range 14 {
		m, _ = update(t, m, press(tea.KeyRight, "", 0))
	}
	// Taller terminal, fewer pages: the page is clamped.
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 60})
	if m.width != 120 || m.height != 60 || m.help.Width() != 120 {
		t.Errorf("size %dx%d help width %d", m.width, m.height, m.help.Width())
	}
	if want := m.layout().pages - 1; m.page != want {
		t.Errorf("page %d, want the last page %d", m.page, want)
	}
}

func TestUpdateSnapshotClampsPage(t *testing.T) {
	m := sized(t, bigSnapshot(100))
	for range 20 {
		m, _ = update(t, m, press(tea.KeyRight, "", 0))
	}
	m, cmd := update(t, m, snapshotMsg(bigSnapshot(10)))
	if m.page != 1 {
		t.Errorf("page %d after shrinking to 2 pages, want 1", m.page)
	}
	if len(m.snap.Nodes) != 10 {
		t.Errorf("snapshot not stored")
	}
	if cmd == nil {
		t.Error("waitForChange not re-armed")
	}
	m, _ = update(t, m, snapshotMsg(cluster.Snapshot{Synced: true}))
	if m.page != 0 {
		t.Errorf("page %d with no nodes, want 0", m.page)
	}
}

func TestUpdateSpinner(t *testing.T) {
	m := New(newFakeSource(cluster.Snapshot{}), Options{})
	m, cmd := update(t, m, snapshotMsg(cluster.Snapshot{Waiting: []string{"nodes"}}))
	if !m.spinning || cmd == nil {
		t.Fatal("spinner not started while syncing")
	}
	m, cmd = update(t, m, m.spinner.Tick())
	if cmd == nil {
		t.Error("spinner tick not re-armed while syncing")
	}
	m, _ = update(t, m, snapshotMsg(cluster.Snapshot{Synced: true}))
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
	m, _ = update(t, m, snapshotMsg(statesSnapshot()))
	checkFits(t, m.View().Content, fallbackWidth, fallbackHeight)
}

func TestInitReadsSnapshot(t *testing.T) {
	src := newFakeSource(labSnapshot())
	m := New(src, Options{})
	batch, ok := m.Init()().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("Init: %T, want a batch of 2", batch)
	}
	if s, ok := batch[0]().(snapshotMsg); !ok || len(s.Nodes) != 2 {
		t.Errorf("first command does not read the snapshot")
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
	go func() { got <- waitForChange(src, false)() }()
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
	msg := waitForChange(src, true)()
	if d := time.Since(start); d < settleDelay {
		t.Errorf("returned after %v, before settling", d)
	}
	s, ok := msg.(snapshotMsg)
	if !ok || len(s.Nodes) != len(statesSnapshot().Nodes) {
		t.Fatalf("got %T with %d nodes, want the source's snapshot", msg, len(s.Nodes))
	}
	if len(src.changed) != 0 {
		t.Error("the burst's second signal was not absorbed")
	}

	close(src.changed)
	if msg := waitForChange(src, true)(); msg != nil {
		t.Errorf("closed source: got %T, want nil", msg)
	}
}

package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// fakeReplay records what the screen asked of it.
type fakeReplay struct {
	mu    sync.Mutex
	st    cluster.ReplayState
	calls []string
}

func (f *fakeReplay) State() cluster.ReplayState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeReplay) TogglePause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "toggle")
	f.st.Playing = !f.st.Playing
}

func (f *fakeReplay) Seek(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "seek "+d.String())
	f.st.At = min(max(f.st.At+d, 0), f.st.Length)
}

func (f *fakeReplay) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, ", ")
}

func TestTimeLine(t *testing.T) {
	for _, tc := range []struct {
		st    cluster.ReplayState
		width int
		want  string
	}{
		{cluster.ReplayState{At: 42 * time.Second, Length: 190 * time.Second, Playing: true, Speed: 10}, 40,
			"▶ 00:42 / 03:10 ━━━━●─────────────── x10"},
		{cluster.ReplayState{At: 0, Length: 190 * time.Second, Speed: 1}, 30,
			"‖ 00:00 / 03:10 ●────────── x1"},
		{cluster.ReplayState{At: 190 * time.Second, Length: 190 * time.Second, Speed: 0.5, Truncated: true}, 50,
			"■ 03:10 / 03:10 ━━━━━━━━━━━━━━━━● x0.5 (cut short)"},
		{cluster.ReplayState{At: 3725 * time.Second, Length: 7200 * time.Second, Playing: true, Speed: 2}, 20,
			"▶ 1:02:05 / 2:00:00 x2"},
	} {
		got := timeLine(tc.st, tc.width)
		if got != tc.want {
			t.Errorf("timeLine(%+v, %d)\n got %q\nwant %q", tc.st, tc.width, got, tc.want)
		}
		if w := lineWidth(got); w > tc.width && tc.width >= 30 {
			t.Errorf("%q is %d wide, more than %d", got, w, tc.width)
		}
	}
}

// replaying is a model holding s, replaying r, on a w x 20 terminal.
func replaying(t *testing.T, s cluster.Snapshot, r Replay, w int) Model {
	t.Helper()
	m := New(newFakeSource(s), Options{NoColor: true, Replay: r})
	m.clock = func() time.Time { return testNow }
	m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: 20})
	m, _ = update(t, m, snapshotMsg{snap: s})
	return m
}

func TestReplayKeysAndTimeLine(t *testing.T) {
	r := &fakeReplay{st: cluster.ReplayState{At: 30 * time.Second, Length: 5 * time.Minute, Playing: true, Speed: 1}}
	m := replaying(t, labSnapshot(), r, 120)
	frame := m.frame()
	lines := strings.Split(frame, "\n")
	if n := len(lines); n > 20 {
		t.Fatalf("%d lines", n)
	}
	tl := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "▶ 00:30 / 05:00 ") {
			tl = i
		}
	}
	if tl < 0 || !strings.Contains(lines[tl+1], "space pause/play") || !strings.Contains(lines[tl+1], "←/< back 10s") {
		t.Fatalf("no time line above the footer with the replay keys:\n%s", frame)
	}
	// The lab fits one page: the arrows seek.
	for _, k := range []tea.KeyPressMsg{press(tea.KeySpace, " ", 0), press(tea.KeyLeft, "", 0), press(tea.KeyRight, "", 0), typed('<'), typed('>')} {
		m = run(t, m, k)
	}
	if !strings.Contains(m.frame(), "‖ 00:30 / 05:00") {
		t.Errorf("paused time line missing:\n%s", m.frame())
	}
	_, cmd := update(t, m, press(tea.KeySpace, " ", 0))
	if msg := cmd(); msg != (replayMsg{}) {
		t.Fatalf("space: %T", msg)
	}
	if got, want := r.called(), "toggle, seek -10s, seek 10s, seek -10s, seek 10s, toggle"; got != want {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestReplayArrowsPageWhenTheListPages(t *testing.T) {
	r := &fakeReplay{st: cluster.ReplayState{Length: time.Minute, Speed: 1}}
	m := replaying(t, bigSnapshot(100), r, 200)
	m = run(t, m, press(tea.KeyRight, "", 0))
	if r.called() != "" {
		t.Fatalf("→ sought (%s) on a paged list", r.called())
	}
	if m.list().cursor == 0 {
		t.Errorf("→ did not page")
	}
	if !strings.Contains(m.frame(), "< back 10s") || strings.Contains(m.frame(), "←/< back") {
		t.Errorf("footer offers the arrows for seeking:\n%s", m.frame())
	}
	m = run(t, m, typed('>'))
	if r.called() != "seek 10s" {
		t.Errorf("> did %q", r.called())
	}
}

func TestReplayKeysAreTextWhileFiltering(t *testing.T) {
	r := &fakeReplay{st: cluster.ReplayState{Length: time.Minute, Speed: 1}}
	m := replaying(t, labSnapshot(), r, 120)
	m = run(t, m, typed('/'))
	m = run(t, m, typed('>'))
	m = run(t, m, press(tea.KeySpace, " ", 0))
	if r.called() != "" {
		t.Errorf("keys typed into the filter reached the replay: %s", r.called())
	}
}

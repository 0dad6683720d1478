package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Source is where the model gets its data: cluster.Cluster in production, a
// fake in tests. Changed delivers a value (coalesced) after the data changed;
// Snapshot returns an immutable copy of the current data.
type Source interface {
	Changed() <-chan struct{}
	Snapshot() cluster.Snapshot
}

const (
	// settleDelay absorbs bursts (a scale-up changes hundreds of pods within
	// milliseconds) so that one redraw shows them all.
	settleDelay = 75 * time.Millisecond
	// ageTick re-renders so that ages ("NotReady/3m", node-age) move on even
	// when nothing changes.
	ageTick = 5 * time.Second
)

// snapshotMsg carries a fresh snapshot into Update.
type snapshotMsg cluster.Snapshot

// tickMsg is the slow re-render tick.
type tickMsg time.Time

// readSnapshot delivers the current snapshot at once (startup).
func readSnapshot(src Source) tea.Cmd {
	return func() tea.Msg { return snapshotMsg(src.Snapshot()) }
}

// waitForChange blocks until the source changes, lets the burst settle, then
// delivers one snapshot. Update re-arms it after each snapshotMsg, so exactly
// one of these is outstanding. A closed channel ends the chain.
func waitForChange(src Source) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-src.Changed(); !ok {
			return nil
		}
		time.Sleep(settleDelay)
		// The snapshot below already includes any change signalled while we
		// slept; drop that signal rather than redraw the same data twice.
		select {
		case <-src.Changed():
		default:
		}
		return snapshotMsg(src.Snapshot())
	}
}

// tick schedules the next slow re-render.
func tick() tea.Cmd {
	return tea.Tick(ageTick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

package ui

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Source is where the model gets its data: cluster.Cluster in production, a
// fake in tests. Changed delivers a value (coalesced) after the data changed;
// Synced is closed once the initial sync is complete; SnapshotFor returns an
// immutable copy of the current data with what the query asks for.
type Source interface {
	Changed() <-chan struct{}
	Synced() <-chan struct{}
	SnapshotFor(cluster.Query) cluster.Snapshot
}

// settleDelay absorbs bursts (a scale-up changes hundreds of pods within
// milliseconds) so that one redraw shows them all. (A variable for tests.)
var settleDelay = 50 * time.Millisecond

const (
	// ageTick re-renders so that ages ("NotReady/3m", node-age) move on even
	// when nothing changes.
	ageTick = 5 * time.Second
)

// snapshotMsg carries a fresh snapshot into Update. rearm: it came from
// waitForChange, which Update arms again (one is outstanding at any time;
// the reads of a view that just opened are one-offs).
type snapshotMsg struct {
	snap  cluster.Snapshot
	rearm bool
}

// tickMsg is the slow re-render tick.
type tickMsg time.Time

// firstSnapshot delivers the current snapshot at once and arms
// waitForChange (startup).
func firstSnapshot(src Source, q cluster.Query) tea.Cmd {
	return func() tea.Msg { return snapshotMsg{snap: src.SnapshotFor(q), rearm: true} }
}

// readSnapshot delivers the current snapshot at once, once (a view opened
// or came back on top and needs its data now).
func readSnapshot(src Source, q cluster.Query) tea.Cmd {
	return func() tea.Msg { return snapshotMsg{snap: src.SnapshotFor(q)} }
}

// waitForChange blocks until the source changes, lets the burst settle, then
// delivers one snapshot. Update re-arms it after each snapshotMsg, so exactly
// one of these is outstanding. A closed channel ends the chain. While the
// screen shows an unsynced snapshot, the end of the sync cuts the settle
// short: the first complete screen is the one people wait for.
//
// query is asked when the change comes, not when the wait is armed: a view
// opened meanwhile (enter on a node) gets its data from this snapshot too,
// and the model is never asked for a view that is gone (it follows the open
// node for its pod usage).
func waitForChange(src Source, shownSynced bool, query func() cluster.Query) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-src.Changed(); !ok {
			return nil
		}
		settle := time.NewTimer(settleDelay)
		defer settle.Stop()
		var synced <-chan struct{}
		if !shownSynced {
			synced = src.Synced()
		}
		select {
		case <-settle.C:
		case <-synced:
		}
		// The snapshot below already includes any change signalled while we
		// slept; drop that signal rather than redraw the same data twice.
		select {
		case <-src.Changed():
		default:
		}
		return snapshotMsg{snap: src.SnapshotFor(query()), rearm: true}
	}
}

// asked is the query of the view on top, shared by the copies of the model
// so that a wait reads it when it fires. Set on the model's goroutine, read
// on a command's.
type asked struct{ q atomic.Pointer[cluster.Query] }

func (a *asked) set(q cluster.Query) { a.q.Store(&q) }

func (a *asked) get() cluster.Query {
	if q := a.q.Load(); q != nil {
		return *q
	}
	return cluster.Query{}
}

// tick schedules the next slow re-render.
func tick() tea.Cmd {
	return tea.Tick(ageTick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

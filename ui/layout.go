package ui

import (
	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Fallback size before the terminal reported one (or when it reports 0x0).
const (
	fallbackWidth  = 80
	fallbackHeight = 24
	// maxActivity is how many of the newest activity lines the node list
	// shows.
	maxActivity = 3
)

// layout shares the node list's lines out between header, node rows and
// status lines. Update uses it to page, render to draw.
type layout struct {
	width, height int

	header      int // summary lines + pod line + blank line
	rowsPerNode int // one line per resource
	perPage     int // nodes per page (at least 1)
	pages       int // at least 1

	syncing  bool // show the "Waiting for ..." line
	notes    bool // show the DEMO/notes line
	activity int  // how many of the newest activity lines to show
	filter   bool // show the filter line
}

// newLayout lays out rows listed nodes in width x height (the list's part
// of the screen, above the help footer).
func newLayout(snap *cluster.Snapshot, rows, width, height int, demo, filter bool) layout {
	l := layout{width: max(width, 1), height: max(height, 1)}
	nres := len(snap.Resources)
	l.rowsPerNode = max(1, nres)
	l.header = max(1, nres) + 2

	avail := l.height - l.header - 1 // 1: page dots
	// Status lines only take room that leaves space for at least one node;
	// the most useful go first: the filter, sync progress, notes, then the
	// newest activity.
	budget := avail - l.rowsPerNode
	take := func(want bool) bool {
		if want && budget > 0 {
			budget--
			return true
		}
		return false
	}
	l.filter = take(filter)
	l.syncing = take(!snap.Synced)
	l.notes = take(demo || len(snap.Notes) > 0)
	for l.activity < min(maxActivity, len(snap.Activity)) && take(true) {
		l.activity++
	}
	status := btoi(l.filter) + btoi(l.syncing) + btoi(l.notes) + l.activity

	l.perPage = max(1, (avail-status)/l.rowsPerNode)
	l.pages = max(1, (rows+l.perPage-1)/l.perPage)
	return l
}

// rowAt is the position in the list of the node drawn at line y, for the
// page holding cursor.
func (l layout) rowAt(y, cursor int) (int, bool) {
	y -= l.header
	if y < 0 || y >= l.perPage*l.rowsPerNode {
		return 0, false
	}
	return cursor/l.perPage*l.perPage + y/l.rowsPerNode, true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Fallback size before the terminal reported one (or when it reports 0x0).
const (
	fallbackWidth  = 80
	fallbackHeight = 24
	maxEvents      = 3
)

// chrome is what a frame needs besides the snapshot: the parts of the model
// that are not data.
type chrome struct {
	demo    bool
	version string
	spinner string // current spinner frame, shown while syncing
	help    help.Model
	keys    KeyMap
}

// layout shares the screen's lines out between header, node rows, status
// lines and footer. Update uses it to clamp the page, render to draw it.
type layout struct {
	width, height int

	header      int // summary lines + pod line + blank line
	rowsPerNode int // one line per resource
	perPage     int // nodes per page (at least 1)
	pages       int // at least 1

	footer  []string // help lines (+ version), below the page dots
	syncing bool     // show the "Waiting for ..." line
	notes   bool     // show the DEMO/notes line
	events  int      // how many of the latest events to show
}

func newLayout(snap *cluster.Snapshot, width, height int, c *chrome) layout {
	if width <= 0 || height <= 0 {
		width, height = fallbackWidth, fallbackHeight
	}
	l := layout{width: width, height: height}
	nres := len(snap.Resources)
	l.rowsPerNode = max(1, nres)
	l.header = max(1, nres) + 2

	h := c.help
	h.SetWidth(width)
	l.footer = strings.Split(h.View(c.keys), "\n")
	if h.ShowAll && c.version != "" {
		l.footer = append(l.footer, "eks-node-viewer "+c.version)
	}

	avail := height - l.header - 1 - len(l.footer) // 1: page dots
	// Status lines only take room that leaves space for at least one node;
	// the most useful go first: sync progress, notes, then the newest events.
	budget := avail - l.rowsPerNode
	take := func(want bool) bool {
		if want && budget > 0 {
			budget--
			return true
		}
		return false
	}
	l.syncing = take(!snap.Synced)
	l.notes = take(c.demo || len(snap.Notes) > 0)
	for l.events < min(maxEvents, len(snap.Events)) && take(true) {
		l.events++
	}
	status := btoi(l.syncing) + btoi(l.notes) + l.events

	l.perPage = max(1, (avail-status)/l.rowsPerNode)
	l.pages = max(1, (len(snap.Nodes)+l.perPage-1)/l.perPage)
	return l
}

func (l layout) clampPage(page int) int {
	return min(max(page, 0), l.pages-1)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

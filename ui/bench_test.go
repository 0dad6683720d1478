package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// BenchmarkRender5000Nodes is one frame of a 5,000-node cluster (cpu and
// memory, two extra labels) at 200x50, with colour, through the root model.
func BenchmarkRender5000Nodes(b *testing.B) {
	m := renderModel(b, bigSnapshot(5000))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.frame()
	}
}

// BenchmarkView5000Nodes is the same frame through Model.View.
func BenchmarkView5000Nodes(b *testing.B) {
	m := renderModel(b, bigSnapshot(5000))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func renderModel(b *testing.B, s cluster.Snapshot) Model {
	b.Helper()
	m := New(newFakeSource(s), Options{})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	next, _ = next.(Model).Update(snapshotMsg{snap: s})
	return next.(Model)
}

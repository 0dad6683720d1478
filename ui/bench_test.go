package ui

import "testing"

// BenchmarkRender5000Nodes is one frame of a 5,000-node cluster (cpu and
// memory, two extra labels) at 200x50, with colour.
func BenchmarkRender5000Nodes(b *testing.B) {
	s := bigSnapshot(5000)
	m := New(newFakeSource(s), Options{})
	m.help.SetWidth(200)
	c := m.chrome()
	b.ReportAllocs()
	for b.Loop() {
		_ = render(&s, 200, 50, testNow, m.styles, 0, &c)
	}
}

// BenchmarkView5000Nodes is the same frame through Model.View.
func BenchmarkView5000Nodes(b *testing.B) {
	s := bigSnapshot(5000)
	m := New(newFakeSource(s), Options{})
	m.snap, m.width, m.height = s, 200, 50
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

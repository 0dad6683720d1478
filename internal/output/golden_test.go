package output

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// TestGoldenDemo writes every format for the demo lab's screens (fixed
// clock): `go test ./internal/output/ -update` rewrites testdata.
func TestGoldenDemo(t *testing.T) {
	snaps := labSnapshots(t, richOptions)
	two := snaps[2] // the lab's two-node screen
	for _, f := range []Format{JSON, YAML, Table, Wide, NDJSON} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, &two); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, buf.Bytes())
		})
	}
	t.Run("stream", func(t *testing.T) {
		var buf bytes.Buffer
		st := NewStream(&buf)
		for i := range snaps {
			if err := st.Write(&snaps[i]); err != nil {
				t.Fatal(err)
			}
		}
		golden.RequireEqual(t, buf.Bytes())
	})
}

// TestGoldenDemoDefaults is the table a plain `eks-node-viewer --demo | cat`
// prints (cpu only, no extra labels): the README's sample.
func TestGoldenDemoDefaults(t *testing.T) {
	snaps := labSnapshots(t, cluster.Options{})
	for _, f := range []Format{Table, Wide} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, &snaps[2]); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, buf.Bytes())
		})
	}
}

// TestGoldenFixture writes the formats for fixtureSnapshot: spot, Fargate,
// unknown and estimated prices, launching, cordoned, deleting, hostile
// names, stale, notes.
func TestGoldenFixture(t *testing.T) {
	s := fixtureSnapshot()
	disabled := fixtureSnapshot()
	disabled.Cost = cluster.Cost{Disabled: true}
	for name, snap := range map[string]*cluster.Snapshot{"": &s, "-disabled": &disabled} {
		for _, f := range []Format{JSON, Table, Wide} {
			t.Run(string(f)+name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, f, snap); err != nil {
					t.Fatal(err)
				}
				golden.RequireEqual(t, buf.Bytes())
			})
		}
	}
}

// TestGoldenUsage writes the formats for fixtureUsageSnapshot: usage on,
// with samples, a stale one, nodes without one, and the used labels.
func TestGoldenUsage(t *testing.T) {
	s := fixtureUsageSnapshot()
	disabled := fixtureUsageSnapshot()
	disabled.Cost = cluster.Cost{Disabled: true}
	for name, snap := range map[string]*cluster.Snapshot{"": &s, "-disabled": &disabled} {
		for _, f := range []Format{JSON, YAML, Table, Wide} {
			t.Run(string(f)+name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, f, snap); err != nil {
					t.Fatal(err)
				}
				golden.RequireEqual(t, buf.Bytes())
			})
		}
	}
}

package output

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func types(cs []Change) []string {
	var out []string
	for _, c := range cs {
		name := ""
		if c.Node != nil {
			name = " " + c.Node.Name
		}
		out = append(out, c.Type+name)
	}
	return out
}

func TestDiff(t *testing.T) {
	base := fixtureSnapshot()
	prev := Build(&base)

	same := Build(&base)
	if cs := Diff(&prev, &same); len(cs) != 0 {
		t.Errorf("no change gave %v", types(cs))
	}

	// An hour later, nothing else changed: ages moved, which is no change.
	later := fixtureSnapshot()
	later.Taken = later.Taken.Add(time.Hour)
	d := Build(&later)
	if d.Nodes[0].ExtraLabels[cluster.LabelNodeAge] == prev.Nodes[0].ExtraLabels[cluster.LabelNodeAge] {
		t.Fatal("the fixture's ages did not move")
	}
	if cs := Diff(&prev, &d); len(cs) != 0 {
		t.Errorf("ages alone gave %v", types(cs))
	}

	next := fixtureSnapshot()
	next.Nodes[1].Pods++                                   // spot-a changed
	next.Nodes = append(next.Nodes[:5], next.Nodes[6:]...) // "going" removed
	next.Nodes = append(next.Nodes, &cluster.Node{Name: "new", Ready: true, Usage: []cluster.Quantity{{}, {}}})
	next.Pods.Total++
	d = Build(&next)
	cs := Diff(&prev, &d)
	want := []string{"NodeChanged spot-a", "NodeAdded new", "NodeRemoved going", "Summary"}
	if got := types(cs); !reflect.DeepEqual(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if cs[2].Node.Pods != 0 || cs[2].Node.State != StateDeleting {
		t.Errorf("a removal carries the last entry seen: %+v", cs[2].Node)
	}
	if o := cs[3].Overview; o == nil || o.Pods.Total != next.Pods.Total || o.Summary.Nodes != len(next.Nodes) {
		t.Errorf("summary record %+v", o)
	}
	for _, c := range cs {
		if c.Time != d.Time || c.Kind != KindChange || c.APIVersion != APIVersion {
			t.Errorf("record header %+v", c)
		}
	}
	if again := Diff(&prev, &d); !reflect.DeepEqual(again, cs) {
		t.Error("Diff is not pure: two calls differ")
	}

	// A price that becomes known is a change of the node and of the summary.
	priced := fixtureSnapshot()
	priced.Nodes[1].Price = priced.Nodes[0].Price
	priced.Cost.Unknown = 0
	d = Build(&priced)
	if got := types(Diff(&prev, &d)); !reflect.DeepEqual(got, []string{"NodeChanged spot-a", "Summary"}) {
		t.Errorf("price known: %v", got)
	}
}

// TestStreamLines: the first line is the whole document, then one record
// per change and nothing when nothing changed; records carry only what
// their type says.
func TestStreamLines(t *testing.T) {
	var buf bytes.Buffer
	st := NewStream(&buf)
	s := fixtureSnapshot()
	for range 2 {
		if err := st.Write(&s); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines after an unchanged second snapshot:\n%s", n, buf.String())
	}
	s.Nodes = s.Nodes[1:]
	s.Notes = nil
	if err := st.Write(&s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines %q", lines)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["kind"] != KindSnapshot {
		t.Errorf("first line %v: %s", err, lines[0])
	}
	var removed, summary map[string]any
	_ = json.Unmarshal([]byte(lines[1]), &removed)
	_ = json.Unmarshal([]byte(lines[2]), &summary)
	if removed["type"] != NodeRemoved || removed["summary"] != nil || removed["node"] == nil {
		t.Errorf("removal record %s", lines[1])
	}
	if summary["type"] != SummaryChanged || summary["node"] != nil || summary["summary"] == nil {
		t.Errorf("summary record %s", lines[2])
	}
	if notes, ok := summary["notes"].([]any); !ok || len(notes) != 0 {
		t.Errorf("cleared notes must read [], got %v", summary["notes"])
	}
}

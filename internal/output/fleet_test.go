package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// fleetFixture is two clusters: the lab's two-node screen (synced, live
// prices) and the fixture (stale, an unknown price).
func fleetFixture(t *testing.T) []Member {
	t.Helper()
	lab := labSnapshots(t, richOptions)[2]
	prod := fixtureSnapshot()
	prod.ExtraLabels = lab.ExtraLabels // one run's clusters share the options
	for i := range prod.Nodes {
		prod.Nodes[i].LabelUsage = make([]cluster.Quantity, len(lab.ExtraLabels))
	}
	return []Member{
		{Context: "kind-lab", Server: "https://127.0.0.1:6443", Snapshot: &lab},
		{Context: "arn:aws:eks:us-west-2:111122223333:cluster/prod", Server: "https://ABC.gr7.us-west-2.eks.amazonaws.com", Snapshot: &prod},
	}
}

// TestGoldenFleet writes every format of a fleet of two clusters:
// `go test ./internal/output/ -update` rewrites testdata.
func TestGoldenFleet(t *testing.T) {
	members := fleetFixture(t)
	for _, f := range []Format{JSON, YAML, Table, Wide, NDJSON} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteFleet(&buf, f, members); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, buf.Bytes())
		})
	}
}

// TestSchemaFleet validates a fleet's document (JSON and YAML) and its
// NDJSON lines against the schema, and a fleet's stream of changes.
func TestSchemaFleet(t *testing.T) {
	doc, change := schemas(t)
	members := fleetFixture(t)
	for _, f := range []Format{JSON, YAML} {
		var buf bytes.Buffer
		if err := WriteFleet(&buf, f, members); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		if f == YAML {
			j, err := yaml.YAMLToJSON(data)
			if err != nil {
				t.Fatalf("yaml: %v\n%s", err, data)
			}
			data = j
		}
		validate(t, doc, "fleet "+string(f), data)
	}
	var buf bytes.Buffer
	if err := WriteFleet(&buf, NDJSON, members); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("fleet ndjson: %d lines, want one per cluster", len(lines))
	}
	for i, line := range lines {
		validate(t, doc, "fleet ndjson", []byte(line))
		var d ClusterDocument
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.Context != members[i].Context || d.Server != members[i].Server || d.Kind != KindSnapshot {
			t.Errorf("line %d: %v %s", i, err, line)
		}
	}

	// A stream per cluster through the lab's screens: every line carries
	// the context and matches the schema.
	var stream bytes.Buffer
	st := NewClusterStream(&stream, "kind-lab", "https://127.0.0.1:6443")
	snaps := labSnapshots(t, richOptions)
	for i := range snaps {
		if err := st.Write(&snaps[i]); err != nil {
			t.Fatal(err)
		}
	}
	types := validateStream(t, doc, change, "fleet stream", stream.Bytes())
	if len(types) == 0 {
		t.Fatal("the lab's stream has no changes")
	}
	sc := bufio.NewScanner(&stream)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var tag struct{ Context string }
		if err := json.Unmarshal(sc.Bytes(), &tag); err != nil || tag.Context != "kind-lab" {
			t.Errorf("a line without its context: %s", sc.Bytes())
		}
	}
}

// TestSchemaFleetRejects: the fleet's parts are checked, not passed.
func TestSchemaFleetRejects(t *testing.T) {
	doc, _ := schemas(t)
	d := BuildFleet(fleetFixture(t))
	good, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc, "fleet", good)
	for name, mutate := range map[string]func(m map[string]any){
		"no fleet":    func(m map[string]any) { delete(m, "fleet") },
		"no clusters": func(m map[string]any) { m["clusters"] = []any{} },
		"a cluster without context": func(m map[string]any) {
			delete(m["clusters"].([]any)[0].(map[string]any), "context")
		},
		"a cluster's node bad": func(m map[string]any) {
			c := m["clusters"].([]any)[0].(map[string]any)
			c["nodes"].([]any)[0].(map[string]any)["state"] = "Happy"
		},
		"negative hourly":   func(m map[string]any) { m["fleet"].(map[string]any)["hourly"] = -1 },
		"ok missing":        func(m map[string]any) { delete(m["fleet"].(map[string]any), "ok") },
		"an unknown field":  func(m map[string]any) { m["fleet"].(map[string]any)["total"] = 1 },
		"nodes at the top":  func(m map[string]any) { m["nodes"] = []any{} },
		"empty context":     func(m map[string]any) { m["clusters"].([]any)[1].(map[string]any)["context"] = "" },
		"wrong kind inside": func(m map[string]any) { m["clusters"].([]any)[1].(map[string]any)["kind"] = KindFleet },
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		b, _ := json.Marshal(m)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if doc.Validate(v) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// small is a synced cluster of n nodes with cpu totals and an hourly cost.
func small(n int, requested, allocatable int64, hourly float64) *cluster.Snapshot {
	s := &cluster.Snapshot{
		Taken:     fixtureNow,
		Synced:    true,
		Resources: []string{"cpu"},
		Totals:    []cluster.Quantity{{Used: requested, Allocatable: allocatable}},
		Cost:      cluster.Cost{Hourly: hourly, Currency: "USD"},
	}
	for i := range n {
		s.Nodes = append(s.Nodes, &cluster.Node{Name: string(rune('a' + i))})
	}
	return s
}

func TestFleetTotals(t *testing.T) {
	two := func(mod func(a, b *cluster.Snapshot)) Fleet {
		a, b := small(2, 1000, 2000, 0.1), small(1, 800, 1560, 0.068)
		if mod != nil {
			mod(a, b)
		}
		return BuildFleet([]Member{{Context: "a", Snapshot: a}, {Context: "b", Snapshot: b}}).Fleet
	}
	f := two(nil)
	cpu := f.Resources["cpu"]
	if f.Clusters != 2 || f.OK != 2 || f.Stale != 0 || f.Nodes != 3 || cpu.Requested != 1800 || cpu.Allocatable != 3560 ||
		cpu.RequestedQuantity != "1800m" || cpu.Percent == nil || *cpu.Percent != 50.56 {
		t.Errorf("sums: %+v cpu %+v", f, cpu)
	}
	if f.Hourly == nil || *f.Hourly != 0.168 || f.Monthly == nil || *f.Monthly != 122.64 || f.Currency == nil || *f.Currency != "USD" || f.LowerBound {
		t.Errorf("cost: %v %v %v lower bound %v", f.Hourly, f.Monthly, f.Currency, f.LowerBound)
	}

	for name, tt := range map[string]struct {
		mod              func(a, b *cluster.Snapshot)
		ok, stale        int
		lowerBound, cost bool
	}{
		"an unknown price": {func(a, b *cluster.Snapshot) { b.Cost.Unknown = 1; b.Nodes = append(b.Nodes, &cluster.Node{Name: "z"}) }, 2, 0, true, true},
		"a stale cluster":  {func(a, b *cluster.Snapshot) { b.Stale = &cluster.Stale{Since: fixtureNow, Reason: "unreachable"} }, 1, 1, true, true},
		"not synced":       {func(a, b *cluster.Snapshot) { a.Synced = false }, 1, 1, true, true},
		"pricing disabled": {func(a, b *cluster.Snapshot) {
			a.Cost, b.Cost = cluster.Cost{Disabled: true}, cluster.Cost{Disabled: true}
		}, 2, 0, false, false},
		"two currencies": {func(a, b *cluster.Snapshot) { b.Cost.Currency = "CNY" }, 2, 0, false, false},
		"a cluster without nodes": {func(a, b *cluster.Snapshot) {
			b.Nodes, b.Cost, b.Totals = nil, cluster.Cost{}, []cluster.Quantity{{}}
		}, 2, 0, false, true},
	} {
		f := two(tt.mod)
		if f.OK != tt.ok || f.Stale != tt.stale || f.LowerBound != tt.lowerBound || (f.Hourly != nil) != tt.cost || (f.Monthly != nil) != tt.cost || (f.Currency != nil) != tt.cost {
			t.Errorf("%s: ok %d stale %d lower bound %v hourly %v currency %v", name, f.OK, f.Stale, f.LowerBound, f.Hourly, f.Currency)
		}
	}
	// The fleet's price is the clusters' summed, rounded once.
	f = two(func(a, b *cluster.Snapshot) { a.Cost.Hourly, b.Cost.Hourly = 0.1, 0.2 })
	if *f.Hourly != 0.3 || *f.Monthly != 219 {
		t.Errorf("0.1 + 0.2 = %v (%v a month)", *f.Hourly, *f.Monthly)
	}
	// Resources the clusters do not share are summed by name.
	f = two(func(a, b *cluster.Snapshot) {
		b.Resources = []string{"memory", "cpu"}
		b.Totals = []cluster.Quantity{{Used: 1 << 30 * 1000, Allocatable: 2 << 30 * 1000}, {Used: 800, Allocatable: 1560}}
	})
	if f.Resources["cpu"].Requested != 1800 || f.Resources["memory"].RequestedQuantity != "1Gi" {
		t.Errorf("resources by name: %+v", f.Resources)
	}
}

// TestFleetTime: the fleet's time is its newest snapshot's.
func TestFleetTime(t *testing.T) {
	a, b := small(1, 1, 1, 0), small(1, 1, 1, 0)
	b.Taken = fixtureNow.Add(3 * time.Second)
	if d := BuildFleet([]Member{{Context: "a", Snapshot: a}, {Context: "b", Snapshot: b}}); d.Time != stamp(b.Taken) || d.Kind != KindFleet {
		t.Errorf("time %s kind %s", d.Time, d.Kind)
	}
}

// TestFleetTable: the CONTEXT column first, every cluster's nodes, one
// header; sanitised like the rest.
func TestFleetTable(t *testing.T) {
	a, b := small(2, 1, 1, 0.1), small(1, 1, 1, 0.1)
	members := []Member{{Context: "dev", Snapshot: a}, {Context: "prod\x1b[2J", Snapshot: b}}
	var buf bytes.Buffer
	if err := WriteFleet(&buf, Table, members); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "CONTEXT   NAME ") {
		t.Fatalf("table:\n%s", buf.String())
	}
	for i, want := range []string{"dev ", "dev ", "prod? "} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("line %d %q, want it to start with %q", i+1, lines[i+1], want)
		}
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("an escape sequence in the table")
	}
}

// TestFleetYAMLIsTheSameDocument: the fleet's YAML, written cluster by
// cluster and node by node, reads back as its JSON.
func TestFleetYAMLIsTheSameDocument(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 30 {
		a, b := randomSnapshot(r), randomSnapshot(r)
		members := []Member{{Context: "a", Server: "https://a", Snapshot: &a}, {Context: "b: yes", Server: "", Snapshot: &b}}
		var j, y bytes.Buffer
		if err := WriteFleet(&j, JSON, members); err != nil {
			t.Fatal(err)
		}
		if err := WriteFleet(&y, YAML, members); err != nil {
			t.Fatal(err)
		}
		yj, err := yaml.YAMLToJSON(y.Bytes())
		if err != nil {
			t.Fatalf("%v\n%s", err, y.Bytes())
		}
		var want, got any
		if err := json.Unmarshal(j.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(yj, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("yaml differs from json:\n%s\n%s", j.Bytes(), y.Bytes())
		}
	}
}

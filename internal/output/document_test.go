package output

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

func TestQuantities(t *testing.T) {
	tests := []struct {
		resource   string
		milli      int64
		base       int64
		text, unit string
	}{
		{"cpu", 1800, 1800, "1800m", UnitMillicores},
		{"cpu", 2000, 2000, "2", UnitMillicores},
		{"cpu", 0, 0, "0", UnitMillicores},
		{"cpu", math.MaxInt64, math.MaxInt64, "9223372036854775807m", UnitMillicores},
		{"memory", 3310 << 20 * 1000, 3310 << 20, "3310Mi", UnitBytes},
		{"memory", 1500, 2, "1500m", UnitBytes}, // 1.5 bytes: rounded up, the text exact
		{"ephemeral-storage", 74 << 30 * 1000, 74 << 30, "74Gi", UnitBytes},
		{"hugepages-2Mi", 4 << 20 * 1000, 4 << 20, "4Mi", UnitBytes},
		{"pods", 17000, 17, "17", UnitCount},
		{"pods", 110000, 110, "110", UnitCount},
		{"nvidia.com/gpu", 500, 1, "500m", UnitCount},
		{"nvidia.com/gpu", 4000, 4, "4", UnitCount},
		{"memory", math.MaxInt64, math.MaxInt64/1000 + 1, "9223372036854775807m", UnitBytes},
	}
	for _, tt := range tests {
		r := resourceOf(tt.resource, cluster.Quantity{Used: tt.milli, Allocatable: tt.milli})
		if r.Requested != tt.base || r.RequestedQuantity != tt.text || r.Unit != tt.unit || r.Allocatable != tt.base {
			t.Errorf("%s %d: got %d %q %s, want %d %q %s", tt.resource, tt.milli, r.Requested, r.RequestedQuantity, r.Unit, tt.base, tt.text, tt.unit)
		}
	}
	if r := resourceOf("cpu", cluster.Quantity{Used: 5}); r.Percent != nil {
		t.Errorf("percent of nothing allocatable: %v, want null", *r.Percent)
	}
	if r := resourceOf("cpu", cluster.Quantity{Used: 1800, Allocatable: 3560}); r.Percent == nil || *r.Percent != 50.56 {
		t.Errorf("percent %v, want 50.56", r.Percent)
	}
}

func TestStates(t *testing.T) {
	tests := []struct {
		n    cluster.Node
		want string
	}{
		{cluster.Node{Ready: true}, StateReady},
		{cluster.Node{}, StateNotReady},
		{cluster.Node{Launching: true}, StateLaunching},
		{cluster.Node{Ready: true, Cordoned: true}, StateCordoned},
		{cluster.Node{Cordoned: true}, StateCordoned},
		{cluster.Node{Ready: true, Cordoned: true, Deleting: true}, StateDeleting},
		{cluster.Node{Launching: true, Deleting: true}, StateDeleting},
	}
	for _, tt := range tests {
		if got := state(&tt.n); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.n, got, tt.want)
		}
	}
}

// TestPrices: an unknown price is null with its reason, never 0; the sum
// is a lower bound then, and null when nothing is priced or pricing is off.
func TestPrices(t *testing.T) {
	s := fixtureSnapshot()
	d := Build(&s)
	byName := map[string]*Node{}
	for i := range d.Nodes {
		byName[d.Nodes[i].Name] = &d.Nodes[i]
	}
	spot := byName["spot-a"]
	if spot.Price != nil || spot.PriceUnknown != "no spot price for c6g.xlarge in us-west-2a" {
		t.Errorf("unknown price: %+v / %q", spot.Price, spot.PriceUnknown)
	}
	if p := byName["estimated"].Price; p == nil || p.Source != "estimate" || p.Hourly != 0.10752 || p.Reason == "" {
		t.Errorf("estimate: %+v", p)
	}
	if p := byName["overridden"].Price; p == nil || p.Source != "override" {
		t.Errorf("override: %+v", p)
	}
	sum := d.Summary
	if !sum.LowerBound || sum.UnpricedNodes != 1 || sum.EstimatedNodes != 1 || sum.PricePerHour == nil || *sum.PricePerHour != 1.00386375 {
		t.Errorf("summary: %+v", sum)
	}
	if *sum.PricePerMonth != math.Round(1.00386375*730*1e4)/1e4 || *sum.Currency != "USD" {
		t.Errorf("monthly %v %v", *sum.PricePerMonth, *sum.Currency)
	}

	s.Cost = cluster.Cost{Disabled: true}
	d = Build(&s)
	if !d.Summary.PricingDisabled || d.Summary.PricePerHour != nil || d.Summary.LowerBound {
		t.Errorf("disabled summary: %+v", d.Summary)
	}
	for _, n := range d.Nodes {
		if n.Price != nil || n.PriceUnknown != "" {
			t.Errorf("disabled: %s has %+v %q", n.Name, n.Price, n.PriceUnknown)
		}
	}

	none := cluster.Snapshot{Taken: fixtureNow, Nodes: []*cluster.Node{{Name: "a"}, {Name: "b"}}, Cost: cluster.Cost{Unknown: 2}}
	if d := Build(&none); d.Summary.PricePerHour != nil || !d.Summary.LowerBound || d.Nodes[0].PriceUnknown != "unknown" {
		t.Errorf("nothing priced: %+v", d.Summary)
	}
	empty := cluster.Snapshot{Taken: fixtureNow}
	if d := Build(&empty); d.Summary.PricePerHour == nil || *d.Summary.PricePerHour != 0 || d.Summary.LowerBound {
		t.Errorf("no nodes cost 0: %+v", d.Summary)
	}
	huge := cluster.Snapshot{Taken: fixtureNow, Nodes: []*cluster.Node{{Name: "a", Price: pricing.Price{Hourly: 1e308, Source: pricing.Override}}},
		Cost: cluster.Cost{Hourly: 1e308}}
	if d := Build(&huge); d.Summary.PricePerMonth != nil || d.Summary.PricePerHour == nil {
		t.Errorf("an infinite monthly sum is null: %+v", d.Summary)
	}
}

// TestExtraLabels: asked-for labels are present (null when the node has
// none), computed ones are the screen's text.
func TestExtraLabels(t *testing.T) {
	s := cluster.Snapshot{
		Taken:       fixtureNow,
		Resources:   []string{"cpu"},
		ExtraLabels: []string{"team", "empty", "missing", cluster.LabelNodeAge, "eks-node-viewer/node-cpu-usage"},
		Nodes: []*cluster.Node{{
			Name:       "a",
			Created:    fixtureNow.Add(-90 * time.Minute),
			Labels:     map[string]string{"team": "x", "empty": ""},
			LabelUsage: []cluster.Quantity{{}, {}, {}, {}, {Used: 500, Allocatable: 2000}},
		}, {Name: "b"}},
	}
	d := Build(&s)
	got := map[string]any{}
	for k, v := range d.Nodes[0].ExtraLabels {
		if v == nil {
			got[k] = nil
		} else {
			got[k] = *v
		}
	}
	want := map[string]any{"team": "x", "empty": "", "missing": nil, cluster.LabelNodeAge: "90m", "eks-node-viewer/node-cpu-usage": "25%"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	for k, v := range d.Nodes[1].ExtraLabels {
		if v != nil {
			t.Errorf("node b: %s = %q, want null", k, *v)
		}
	}
	if len(d.Nodes[1].ExtraLabels) != len(s.ExtraLabels) {
		t.Errorf("node b lists %d labels, want every asked one", len(d.Nodes[1].ExtraLabels))
	}
}

// TestYAMLIsTheSameDocument: the YAML parses to the JSON document.
func TestYAMLIsTheSameDocument(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		s := randomSnapshot(r)
		var j, y bytes.Buffer
		if err := Write(&j, JSON, &s); err != nil {
			t.Fatal(err)
		}
		if err := Write(&y, YAML, &s); err != nil {
			t.Fatal(err)
		}
		yj, err := yaml.YAMLToJSON(y.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(j.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(yj, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("yaml differs from json:\n%s\n%s", j.Bytes(), yj)
		}
	}
}

// TestTableIsSafeText: whatever the cluster's strings, the table holds no
// escape sequence, no control but the line ends, no invisible format
// character and valid UTF-8; and one line per node plus the header.
func TestTableIsSafeText(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		s := randomSnapshot(r)
		for _, f := range []Format{Table, Wide} {
			var buf bytes.Buffer
			if err := Write(&buf, f, &s); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !utf8.ValidString(out) {
				t.Fatalf("not UTF-8: %q", out)
			}
			for _, c := range out {
				if (c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0) || c == '\u202e' || c == '\u2066' || c == '\ufeff' {
					t.Fatalf("unsafe rune %U in\n%q", c, out)
				}
			}
			if n := strings.Count(out, "\n"); n != len(s.Nodes)+1 {
				t.Fatalf("%d lines for %d nodes", n, len(s.Nodes))
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	if len(options.OutputFormats) != len(Formats) {
		t.Errorf("-o offers %v, the writers %v", options.OutputFormats, Formats)
	}
	for i, name := range options.OutputFormats {
		if i < len(Formats) && string(Formats[i]) != name {
			t.Errorf("-o offers %v, the writers %v", options.OutputFormats, Formats)
		}
	}
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("%s: %v %v", f, got, err)
		}
	}
	_, err := ParseFormat("xml")
	if err == nil || err.Error() != `unknown output format "xml": want json, yaml, table, wide, ndjson` {
		t.Errorf("error %v", err)
	}
	var buf bytes.Buffer
	s := cluster.Snapshot{}
	if err := Write(&buf, Format("xml"), &s); err == nil || buf.Len() > 0 {
		t.Errorf("Write of an unknown format: %v, %q", err, buf.String())
	}
}

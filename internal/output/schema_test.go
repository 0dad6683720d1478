package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// schemas compiles the embedded schema: the document, and the change
// records of a stream (its #/$defs/change).
func schemas(t *testing.T) (doc, change *jsonschema.Schema) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SchemaID, v); err != nil {
		t.Fatal(err)
	}
	if doc, err = c.Compile(SchemaID); err != nil {
		t.Fatal(err)
	}
	if change, err = c.Compile(SchemaID + "#/$defs/change"); err != nil {
		t.Fatal(err)
	}
	return doc, change
}

func validate(t *testing.T, sch *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, data)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("%s: does not match the schema: %v\n%s", what, err, data)
	}
}

// checkAllFormats writes s in json, yaml and ndjson and validates each;
// stream is fed s too, and its lines are validated.
func checkAllFormats(t *testing.T, doc, change *jsonschema.Schema, what string, s *cluster.Snapshot) {
	t.Helper()
	for _, f := range []Format{JSON, NDJSON, YAML} {
		var buf bytes.Buffer
		if err := Write(&buf, f, s); err != nil {
			t.Fatalf("%s %s: %v", what, f, err)
		}
		data := buf.Bytes()
		if f == YAML {
			j, err := yaml.YAMLToJSON(data)
			if err != nil {
				t.Fatalf("%s: yaml: %v\n%s", what, err, data)
			}
			data = j
		}
		if f == NDJSON && bytes.Count(data, []byte("\n")) != 1 {
			t.Fatalf("%s: ndjson is not one line: %q", what, data)
		}
		validate(t, doc, what+" "+string(f), data)
	}
}

func validateStream(t *testing.T, doc, change *jsonschema.Schema, what string, data []byte) (types []string) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			validate(t, doc, what+" line 1", sc.Bytes())
			continue
		}
		validate(t, change, what+" change", sc.Bytes())
		var c struct{ Type string }
		_ = json.Unmarshal(sc.Bytes(), &c)
		types = append(types, c.Type)
	}
	return types
}

// TestSchemaDemo validates every format of the demo lab's screens and the
// change stream through them against the schema.
func TestSchemaDemo(t *testing.T) {
	doc, change := schemas(t)
	for _, opts := range []cluster.Options{{}, richOptions} {
		snaps := labSnapshots(t, opts)
		var stream bytes.Buffer
		st := NewStream(&stream)
		for i := range snaps {
			checkAllFormats(t, doc, change, "demo", &snaps[i])
			if err := st.Write(&snaps[i]); err != nil {
				t.Fatal(err)
			}
		}
		types := validateStream(t, doc, change, "demo stream", stream.Bytes())
		for _, want := range []string{NodeAdded, NodeChanged, NodeRemoved, SummaryChanged} {
			if !strings.Contains(strings.Join(types, " "), want) {
				t.Errorf("the lab's stream has no %s record: %v", want, types)
			}
		}
	}
}

// TestSchemaRandom validates the output of random snapshots (hostile
// strings, saturated quantities, unknown, huge and zero prices, stale and
// partial states) and of streams through them. The JSON stands for the
// YAML and the NDJSON line (TestYAMLIsTheSameDocument, TestStreamLines).
func TestSchemaRandom(t *testing.T) {
	doc, change := schemas(t)
	r := rand.New(rand.NewPCG(12, 1))
	for i := range 50 {
		var stream bytes.Buffer
		st := NewStream(&stream)
		for range 3 {
			s := randomSnapshot(r)
			var buf bytes.Buffer
			if err := Write(&buf, JSON, &s); err != nil {
				t.Fatal(err)
			}
			validate(t, doc, "random", buf.Bytes())
			if err := st.Write(&s); err != nil {
				t.Fatalf("stream %d: %v", i, err)
			}
		}
		validateStream(t, doc, change, "random stream", stream.Bytes())
	}
}

// TestSchemaUsage validates the measured fixture in every format, and a
// stream from the unmeasured fixture to it (every node changes).
func TestSchemaUsage(t *testing.T) {
	doc, change := schemas(t)
	before, after := fixtureSnapshot(), fixtureUsageSnapshot()
	checkAllFormats(t, doc, change, "usage fixture", &after)
	var stream bytes.Buffer
	st := NewStream(&stream)
	for _, s := range []*cluster.Snapshot{&before, &after} {
		if err := st.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	types := validateStream(t, doc, change, "usage stream", stream.Bytes())
	if !strings.Contains(strings.Join(types, " "), NodeChanged) || !strings.Contains(strings.Join(types, " "), SummaryChanged) {
		t.Errorf("a stream into usage should change nodes and the summary: %v", types)
	}
}

// TestSchemaRejects: the schema is strict enough to catch what matters
// (an unknown price as 0, a missing or unknown field, a bad time).
func TestSchemaRejects(t *testing.T) {
	doc, _ := schemas(t)
	s := fixtureSnapshot()
	d := Build(&s)
	good, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc, "fixture", good)
	for name, mutate := range map[string]func(m map[string]any){
		"unknown price as 0": func(m map[string]any) {
			firstNode(m)["price"] = map[string]any{"hourly": 0, "currency": "USD", "source": "unknown"}
		},
		"negative price":    func(m map[string]any) { firstNode(m)["price"].(map[string]any)["hourly"] = -1 },
		"missing state":     func(m map[string]any) { delete(firstNode(m), "state") },
		"unknown field":     func(m map[string]any) { firstNode(m)["colour"] = "red" },
		"bad state":         func(m map[string]any) { firstNode(m)["state"] = "Happy" },
		"fractional time":   func(m map[string]any) { m["time"] = "2026-01-15T09:03:00.5Z" },
		"wrong apiVersion":  func(m map[string]any) { m["apiVersion"] = "v2" },
		"quantity as float": func(m map[string]any) { summaryCPU(m)["requested"] = 1.5 },
		"bad quantity text": func(m map[string]any) { summaryCPU(m)["requestedQuantity"] = "1.8 cores" },
		"usage missing":     func(m map[string]any) { delete(firstNode(m), "usage") },
		"usage as a number": func(m map[string]any) { firstNode(m)["usage"] = 8 },
		"summary usage bad": func(m map[string]any) { m["summary"].(map[string]any)["usage"] = map[string]any{"nodes": -1} },
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

func firstNode(m map[string]any) map[string]any {
	return m["nodes"].([]any)[0].(map[string]any)
}

func summaryCPU(m map[string]any) map[string]any {
	return m["summary"].(map[string]any)["resources"].(map[string]any)["cpu"].(map[string]any)
}

package karpenter

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// unstructuredOf decodes YAML as the dynamic client's objects are decoded
// (JSON numbers as int64 or float64).
func unstructuredOf(t testing.TB, y string) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A NodeClaim as Karpenter v1.14 writes it while its node initialises.
const claimYAML = `
apiVersion: karpenter.sh/v1
kind: NodeClaim
metadata: {name: default-2z8fk, creationTimestamp: "2026-11-01T12:00:00Z"}
status:
  conditions:
  - {type: Launched, status: "True", reason: Launched, lastTransitionTime: "2026-11-01T12:00:01Z", message: ""}
  - {type: Registered, status: "True", reason: Registered, lastTransitionTime: "2026-11-01T12:00:03Z"}
  - {type: Initialized, status: "Unknown", reason: NodeNotReady, message: "Node status is\n NotReady", lastTransitionTime: "2026-11-01T12:00:03Z"}
  - {type: Ready, status: "Unknown", reason: UnhealthyDependents, message: "Initialized=Unknown", lastTransitionTime: "2026-11-01T12:00:00Z"}
  - {type: Consolidatable, status: "True", reason: Consolidatable, lastTransitionTime: "not a time"}
  - {type: Drifted, status: "True", reason: NodePoolDrifted, lastTransitionTime: "2026-11-01T12:05:00Z"}
  - {type: Made-Up, status: "True"}
  - "not a condition"
  - {status: "True"}
`

func TestConditionsAndLifecycle(t *testing.T) {
	obj := unstructuredOf(t, claimYAML)
	keep := map[string]bool{}
	for _, c := range NodeClaimConditions() {
		keep[c] = true
	}
	cs := Conditions(obj, func(t string) bool { return keep[t] }, nil)
	if len(cs) != 6 {
		t.Fatalf("conditions = %+v", cs)
	}
	init, _ := Find(cs, CondInitialized)
	if init != (Condition{Type: "Initialized", Status: "Unknown", Reason: "NodeNotReady", Message: "Node status is NotReady", At: t0.Add(3 * time.Second)}) {
		t.Errorf("initialized = %+v", init)
	}
	if c, _ := Find(cs, CondConsolidatable); !c.True() || !c.At.IsZero() {
		t.Errorf("a bad time reads as zero: %+v", c)
	}
	l := ParseLifecycle(cs)
	if l.Failed != -1 || l.Stage() != CondInitialized {
		t.Errorf("waiting for the node is not a failure: %+v", l)
	}
	d := l.Durations(t0)
	if d != [4]time.Duration{time.Second, 3 * time.Second, -1, -1} {
		t.Errorf("durations = %v", d)
	}
	// A step stamped in the NodeClaim's creation second took 0s (seen on
	// the e2e cluster: Launched in the second the NodeClaim was made).
	if d := l.Durations(t0.Add(time.Second)); d != [4]time.Duration{0, 2 * time.Second, -1, -1} {
		t.Errorf("durations from the launch second = %v", d)
	}
	if got := ParseLifecycle(nil); got.Stage() != CondLaunched || got.Steps[3].Type != CondReady || got.Steps[0].Status != "" {
		t.Errorf("no conditions: %+v", got)
	}
}

func TestStepFailed(t *testing.T) {
	for _, tt := range []struct {
		c    Condition
		want bool
	}{
		{Condition{Type: CondLaunched, Status: "Unknown", Reason: "LaunchFailed"}, true},
		{Condition{Type: CondLaunched, Status: "Unknown", Reason: "InsufficientCapacity"}, true},
		{Condition{Type: CondLaunched, Status: "Unknown", Reason: "AwaitingReconciliation"}, false},
		{Condition{Type: CondLaunched, Status: "Unknown"}, false},
		{Condition{Type: CondRegistered, Status: "Unknown", Reason: "NodeNotFound"}, false},
		{Condition{Type: CondRegistered, Status: "Unknown", Reason: "RegistrationHookPending"}, false},
		{Condition{Type: CondRegistered, Status: "False", Reason: "MultipleNodesFound"}, true},
		{Condition{Type: CondInitialized, Status: "Unknown", Reason: "StartupTaintsExist"}, false},
		{Condition{Type: CondInitialized, Status: "Unknown", Reason: "KnownEphemeralTaintsExist"}, false},
		{Condition{Type: CondInitialized, Status: "Unknown", Reason: "ResourceNotRegistered"}, false},
		{Condition{Type: CondInitialized, Status: "Unknown", Reason: "DRADriverPoolsNotPublished"}, false},
		{Condition{Type: CondReady, Status: "Unknown", Reason: "UnhealthyDependents"}, false},
		// What Karpenter v1.14 writes while launching (seen on the e2e
		// cluster): not a failure.
		{Condition{Type: CondReady, Status: "Unknown", Reason: "ReconcilingDependents", Message: "Initialized=Unknown, Registered=Unknown"}, false},
		{Condition{Type: CondReady, Status: "True"}, false},
		{Condition{Type: CondReady}, false},
	} {
		if got := StepFailed(tt.c); got != tt.want {
			t.Errorf("StepFailed(%+v) = %v", tt.c, got)
		}
	}
	// The first failed step is named, not the root condition it fails.
	l := ParseLifecycle([]Condition{
		{Type: CondLaunched, Status: "Unknown", Reason: "LaunchFailed", Message: "creating instance, insufficient capacity"},
		{Type: CondReady, Status: "False", Reason: "UnhealthyDependents"},
	})
	if l.Failed != 0 || l.Steps[l.Failed].Reason != "LaunchFailed" {
		t.Errorf("failed step = %d (%+v)", l.Failed, l.Steps)
	}
}

func TestDoNotDisrupt(t *testing.T) {
	start := t0
	for _, tt := range []struct {
		value   string
		valid   bool
		for_    time.Duration
		inForce map[time.Duration]bool // now - start -> in force
	}{
		{"true", true, 0, map[time.Duration]bool{0: true, 1000 * time.Hour: true}},
		{"30m", true, 30 * time.Minute, map[time.Duration]bool{0: true, 29 * time.Minute: true, 30 * time.Minute: false, time.Hour: false}},
		{"1h30m", true, 90 * time.Minute, map[time.Duration]bool{time.Hour: true, 2 * time.Hour: false}},
		{"0s", false, 0, map[time.Duration]bool{0: false}},
		{"-5m", false, 0, map[time.Duration]bool{0: false}},
		{"True", false, 0, map[time.Duration]bool{0: false}},
		{"yes", false, 0, map[time.Duration]bool{0: false}},
		{"", false, 0, map[time.Duration]bool{0: false}},
		{"5", false, 0, map[time.Duration]bool{0: false}},
	} {
		d := ParseDoNotDisrupt(tt.value)
		if d.Valid != tt.valid || d.For != tt.for_ {
			t.Errorf("ParseDoNotDisrupt(%q) = %+v", tt.value, d)
		}
		for after, want := range tt.inForce {
			if got := d.InForce(start, start.Add(after)); got != want {
				t.Errorf("%q after %v: in force %v, want %v", tt.value, after, got, want)
			}
		}
	}
	// A pod without a start time stays protected, as Karpenter fails safe.
	if d := ParseDoNotDisrupt("1m"); !d.InForce(time.Time{}, t0) || !d.Until(time.Time{}).IsZero() {
		t.Error("a duration without a start time is in force")
	}
	if d := ParseDoNotDisrupt("1m"); d.Until(start) != start.Add(time.Minute) {
		t.Errorf("until = %v", d.Until(start))
	}
	if !NodeDoNotDisrupt("true") || NodeDoNotDisrupt("30m") || NodeDoNotDisrupt("") {
		t.Error("on a node only \"true\" counts")
	}
}

// FuzzDoNotDisrupt: the annotation is valid exactly when Karpenter would
// honour it, and a protection that has ended never comes back.
func FuzzDoNotDisrupt(f *testing.F) {
	for _, s := range []string{"true", "30m", "-1s", "0", "1e3h", "9223372036854775807ns", "2562047h", "1.5h", "tru"} {
		f.Add(s, int64(90))
	}
	f.Fuzz(func(t *testing.T, v string, seconds int64) {
		d := ParseDoNotDisrupt(v)
		parsed, err := time.ParseDuration(v)
		if want := v == "true" || (err == nil && parsed > 0); d.Valid != want {
			t.Fatalf("%q: valid %v, want %v", v, d.Valid, want)
		}
		if d.For < 0 || (!d.Valid && d.For != 0) {
			t.Fatalf("%q: %+v", v, d)
		}
		later := t0.Add(time.Duration(seconds%(1<<31)) * time.Second)
		if later.Before(t0) {
			return
		}
		if !d.InForce(t0, t0) && d.InForce(t0, later) {
			t.Fatalf("%q: ended, then in force again at %v", v, later)
		}
		if d.InForce(t0, later) && !d.InForce(t0, t0) {
			t.Fatalf("%q: not in force at start", v)
		}
	})
}

const poolYAML = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: default}
spec:
  weight: 10
  limits: {cpu: "4", memory: 16Gi, nodes: 3}
  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: 30s
    budgets:
    - nodes: "10%"
    - nodes: "0"
      reasons: [Drifted, 7, Underutilized]
      schedule: "@daily"
      duration: 10m
    - "not a budget"
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
status:
  resources: {cpu: "4", memory: 8Gi, nodes: "2", pods: "34"}
  conditions:
  - {type: ValidationSucceeded, status: "True", reason: ValidationSucceeded, lastTransitionTime: "2026-11-01T12:00:00Z"}
  - {type: NodeClassReady, status: "False", reason: NodeClassNotReady, lastTransitionTime: "2026-11-01T12:00:00Z"}
  - {type: Ready, status: "False", reason: UnhealthyDependents, lastTransitionTime: "2026-11-01T12:00:00Z"}
`

func TestParseNodePool(t *testing.T) {
	np := ParseNodePool(unstructuredOf(t, poolYAML))
	want := NodePool{
		Name:                "default",
		Limits:              map[string]string{"cpu": "4", "memory": "16Gi", "nodes": "3"},
		Resources:           map[string]string{"cpu": "4", "memory": "8Gi", "nodes": "2", "pods": "34"},
		ConsolidationPolicy: "WhenEmptyOrUnderutilized",
		ConsolidateAfter:    "30s",
		Budgets: []Budget{
			{Nodes: "10%"},
			{Nodes: "0", Reasons: []string{"Drifted", "Underutilized"}, Schedule: "@daily", Duration: "10m"},
		},
		Weight:    10,
		NodeClass: "default",
	}
	got := np
	got.Conditions = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseNodePool\n got %+v\nwant %+v", got, want)
	}
	if st, reason := np.Ready(); st != "False" || reason != "UnhealthyDependents" {
		t.Errorf("ready = %q %q", st, reason)
	}
	if keys := np.LimitKeys(); !reflect.DeepEqual(keys, []string{"cpu", "memory", "nodes"}) {
		t.Errorf("limit keys = %v", keys)
	}
	// An empty or mistyped pool reads as empty, not as a panic.
	for _, y := range []string{`{}`, `{spec: 7, status: [1]}`, `{spec: {limits: {cpu: [1]}, weight: 1e300, disruption: {budgets: 5}}}`, `{spec: {weight: -1e300}}`} {
		np := ParseNodePool(unstructuredOf(t, y))
		if np.Name != "" || len(np.Limits) != 0 || len(np.Budgets) != 0 {
			t.Errorf("%s: %+v", y, np)
		}
		if y == `{spec: {weight: -1e300}}` && np.Weight != -2147483648 {
			t.Errorf("weight not clamped: %d", np.Weight)
		}
	}
	if st, _ := (NodePool{}).Ready(); st != "" {
		t.Errorf("unknown readiness = %q", st)
	}
}

// FuzzNodePool: a NodePool with fields of any type parses without panicking.
func FuzzNodePool(f *testing.F) {
	f.Add(poolYAML)
	f.Add(`{spec: {limits: {cpu: .inf}, weight: .nan}}`)
	f.Fuzz(func(t *testing.T, y string) {
		j, err := yaml.YAMLToJSON([]byte(y))
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(j, &m) != nil {
			return
		}
		np := ParseNodePool(m)
		for k, v := range np.Limits {
			if v == "" {
				t.Fatalf("limit %q without a value", k)
			}
		}
		_, _ = np.Ready()
	})
}

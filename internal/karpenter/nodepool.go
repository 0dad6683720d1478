package karpenter

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
)

// NodePool is what the viewer reads of a karpenter.sh/v1 NodePool.
type NodePool struct {
	Name string
	// Limits is spec.limits and Resources status.resources (the summed
	// capacity of the pool's nodes, with a "nodes" key), as written: the
	// caller parses the quantities.
	Limits    map[string]string
	Resources map[string]string
	// ConsolidationPolicy ("WhenEmpty", "WhenEmptyOrUnderutilized") and
	// ConsolidateAfter ("30s", "Never") of spec.disruption, as written.
	ConsolidationPolicy string
	ConsolidateAfter    string
	Budgets             []Budget
	// Weight is spec.weight (0 unset; clamped to int32).
	Weight int32
	// NodeClass is spec.template.spec.nodeClassRef.name.
	NodeClass  string
	Conditions []Condition
}

// Budget is one spec.disruption.budgets entry, as written.
type Budget struct {
	Nodes    string   // "10%", "0"
	Reasons  []string // empty: every reason
	Schedule string   // cron; "" always active
	Duration string
}

// ParseNodePool reads a NodePool from its unstructured form. Fields of the
// wrong type read as absent.
func ParseNodePool(obj map[string]any) NodePool {
	meta, _ := obj["metadata"].(map[string]any)
	spec, _ := obj["spec"].(map[string]any)
	status, _ := obj["status"].(map[string]any)
	disruption, _ := spec["disruption"].(map[string]any)
	template, _ := spec["template"].(map[string]any)
	tspec, _ := template["spec"].(map[string]any)
	ref, _ := tspec["nodeClassRef"].(map[string]any)
	np := NodePool{
		Name:                str(meta["name"]),
		Limits:              quantities(spec["limits"]),
		Resources:           quantities(status["resources"]),
		ConsolidationPolicy: str(disruption["consolidationPolicy"]),
		ConsolidateAfter:    scalar(disruption["consolidateAfter"]),
		Weight:              int32Of(spec["weight"]),
		NodeClass:           str(ref["name"]),
		Conditions:          Conditions(obj, nil, nil),
	}
	budgets, _ := disruption["budgets"].([]any)
	for _, b := range budgets {
		m, ok := b.(map[string]any)
		if !ok {
			continue
		}
		bd := Budget{Nodes: scalar(m["nodes"]), Schedule: str(m["schedule"]), Duration: scalar(m["duration"])}
		reasons, _ := m["reasons"].([]any)
		for _, r := range reasons {
			if s := str(r); s != "" {
				bd.Reasons = append(bd.Reasons, s)
			}
		}
		np.Budgets = append(np.Budgets, bd)
	}
	return np
}

// Ready returns the NodePool's Ready condition status ("" when absent) and
// its reason when not True.
func (np NodePool) Ready() (status, reason string) {
	c, ok := Find(np.Conditions, CondReady)
	if !ok {
		return "", ""
	}
	if c.True() {
		return c.Status, ""
	}
	return c.Status, c.Reason
}

// LimitKeys returns the keys of Limits, sorted.
func (np NodePool) LimitKeys() []string {
	keys := make([]string, 0, len(np.Limits))
	for k := range np.Limits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quantities reads a resource list; values the API serves as strings may be
// numbers in hand-written objects.
func quantities(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, q := range m {
		if s := scalar(q); s != "" {
			out[k] = s
		}
	}
	return out
}

// scalar is a string, or a number written the way a quantity or a
// duration would be; "" for anything else.
func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return ""
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	return ""
}

func int32Of(v any) int32 {
	var f float64
	switch t := v.(type) {
	case int64:
		f = float64(t)
	case int:
		f = float64(t)
	case float64:
		f = t
	case json.Number:
		n, err := t.Float64()
		if err != nil {
			return 0
		}
		f = n
	default:
		return 0
	}
	switch {
	case math.IsNaN(f):
		return 0
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

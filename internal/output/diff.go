package output

import (
	"reflect"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Change types of the change stream.
const (
	NodeAdded   = "NodeAdded"
	NodeChanged = "NodeChanged"
	NodeRemoved = "NodeRemoved"
	// SummaryChanged: the cluster-wide part (summary, pods, notes, sync
	// and connection state) changed; the record carries all of it.
	SummaryChanged = "Summary"
)

// Change is one record of the change stream (kind ClusterChange): a node
// added, changed or removed (Node is its entry, for a removal the last one
// seen), or the Overview when it changed.
type Change struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Type       string `json:"type"`
	// Time is the time of the snapshot that showed the change.
	Time string `json:"time"`
	Node *Node  `json:"node,omitempty"`
	*Overview
}

// Diff lists what changed from prev to next: additions and changes in
// next's order, then removals in prev's, then the Overview if it changed.
// A node whose only difference is its age (the computed node-age label)
// has not changed. It is pure: the same documents give the same records.
func Diff(prev, next *Document) []Change {
	var out []Change
	record := func(typ string, n *Node, o *Overview) {
		out = append(out, Change{APIVersion: APIVersion, Kind: KindChange, Type: typ, Time: next.Time, Node: n, Overview: o})
	}
	before := make(map[string]*Node, len(prev.Nodes))
	for i := range prev.Nodes {
		before[prev.Nodes[i].Name] = &prev.Nodes[i]
	}
	after := make(map[string]bool, len(next.Nodes))
	for i := range next.Nodes {
		n := &next.Nodes[i]
		after[n.Name] = true
		switch old, ok := before[n.Name]; {
		case !ok:
			record(NodeAdded, n, nil)
		case !sameNode(old, n):
			record(NodeChanged, n, nil)
		}
	}
	for i := range prev.Nodes {
		if n := &prev.Nodes[i]; !after[n.Name] {
			record(NodeRemoved, n, nil)
		}
	}
	if !reflect.DeepEqual(prev.Overview, next.Overview) {
		o := next.Overview
		record(SummaryChanged, nil, &o)
	}
	return out
}

// sameNode compares two entries of one node, leaving out its age.
func sameNode(a, b *Node) bool {
	if av, bv := a.ExtraLabels[cluster.LabelNodeAge], b.ExtraLabels[cluster.LabelNodeAge]; av != nil || bv != nil {
		a2, b2 := *a, *b
		a2.ExtraLabels, b2.ExtraLabels = withoutAge(a.ExtraLabels), withoutAge(b.ExtraLabels)
		return reflect.DeepEqual(a2, b2)
	}
	return reflect.DeepEqual(*a, *b)
}

func withoutAge(m map[string]*string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		if k != cluster.LabelNodeAge {
			out[k] = v
		}
	}
	return out
}

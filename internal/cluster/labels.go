package cluster

import (
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
)

// LabelNodeAge is the computed label showing how long a node has existed.
const LabelNodeAge = "eks-node-viewer/node-age"

// LabelValue is the cell for extra label column i (whose key is key) at time
// now. Time-dependent computed labels are evaluated here so that a snapshot
// stays valid while ages tick.
func (n *Node) LabelValue(i int, key string, now time.Time) string {
	if key == LabelNodeAge {
		if n.Created.IsZero() {
			return ""
		}
		return duration.HumanDuration(now.Sub(n.Created))
	}
	if i < len(n.Labels) {
		return n.Labels[i]
	}
	return ""
}

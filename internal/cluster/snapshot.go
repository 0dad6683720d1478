package cluster

import (
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// Snapshot is an immutable, render-ready copy of the cluster model. The UI
// only ever sees Snapshots: no mutex, no Kubernetes object.
type Snapshot struct {
	// Taken is when the snapshot was made.
	Taken time.Time
	// Synced is true once every informer has completed its initial list.
	Synced bool
	// Waiting names what is still syncing, with progress
	// (e.g. "nodes", "pods (37,000 so far)"); empty once Synced.
	Waiting []string

	// Resources are the resource names shown, in order ("cpu", "memory", ...).
	Resources []string
	// ExtraLabels are the label columns shown, in order.
	ExtraLabels []string

	// Nodes are the shown nodes (including launching NodeClaims), sorted.
	Nodes []Node
	// Totals has one entry per Resources entry, summed over Nodes.
	Totals []Quantity
	// Cost sums the known prices of Nodes.
	Cost Cost
	// Pods counts pods as the pod line shows them.
	Pods PodCounts

	// Notes are one-line messages for the status line (NodeClaims unavailable,
	// pricing degraded, ...).
	Notes []string
	// Events are recent autoscaler events, oldest first.
	Events []Event
}

// Quantity is a used/allocatable pair of one resource, in milli-units
// (1 cpu core = 1000; 1 byte of memory = 1000).
type Quantity struct {
	Used        int64
	Allocatable int64
}

// Fraction is Used/Allocatable (0 when Allocatable is 0).
func (q Quantity) Fraction() float64 {
	if q.Allocatable <= 0 {
		return 0
	}
	return float64(q.Used) / float64(q.Allocatable)
}

// Cost is the cluster's summed hourly price.
type Cost struct {
	Hourly   float64
	Currency string // "USD" or "CNY"; "" when nothing is priced
	// Unknown counts nodes whose price is unknown and so not in Hourly; the
	// total is then a lower bound (shown with ">=").
	Unknown int
	// Estimated counts nodes whose price in Hourly is an estimate.
	Estimated int
	// Disabled is set by --disable-pricing: show no prices at all.
	Disabled bool
}

// PodCounts is the pod line: non-terminal pods on the shown nodes plus
// unscheduled pods.
type PodCounts struct {
	Total   int // Pending + Running (+ phase Unknown) of counted pods
	Pending int
	Running int
	Bound   int // counted pods with spec.nodeName set
	// Elsewhere counts non-terminal pods bound to nodes that are not shown
	// (outside --node-selector); not part of Total.
	Elsewhere int
}

// Node is one row of the node list.
type Node struct {
	Name    string
	Created time.Time

	// Launching: a NodeClaim with no Node yet.
	Launching bool
	// LaunchStuck: launching for over 15 minutes (failed or stuck launch).
	LaunchStuck bool

	InstanceType string // "t3a.medium", Fargate "0.25vCPU-0.5GB", "" unknown
	Capacity     pricing.Capacity
	AutoMode     bool
	Price        pricing.Price

	Cordoned bool
	Deleting bool
	Ready    bool
	// ReadySince is the last transition time of the Ready condition (for
	// "NotReady/3m"); zero when unknown.
	ReadySince time.Time

	Pods    int   // non-terminal pods bound to this node
	MaxPods int64 // allocatable pods (0 unknown)

	// Usage has one entry per Snapshot.Resources entry.
	Usage []Quantity
	// Labels has one entry per Snapshot.ExtraLabels entry ("" when absent);
	// computed labels that depend on time (node-age) are filled by LabelValue.
	Labels []string

	labels map[string]string // for sorting by labels not shown
	// sortUsage is the usage fraction of a usage-label sort key.
	sortUsage    float64
	hasSortUsage bool
}

// Event is one autoscaler event worth showing.
type Event struct {
	Time    time.Time
	Reason  string // "Nominated", "DisruptionTerminating", "FailedScheduling", ...
	Object  string // "node/i-0abc", "nodeclaim/default-x7k2p", "pod/my-cool-app/fastapi-..."
	Message string
}

package cluster

import (
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// Snapshot is an immutable copy of the cluster model: data (numbers in base
// units, times, states, prices with their source), never display text. The
// UI and any other output format it; no mutex, no Kubernetes object.
type Snapshot struct {
	// Query is what the snapshot was asked to carry.
	Query Query
	// Taken is when the snapshot was made.
	Taken time.Time
	// Synced is true once every informer has completed its initial list.
	Synced bool
	// Syncing lists the informers still in their initial sync; empty once
	// Synced.
	Syncing []SyncProgress
	// Stale is set while some informer cannot reach the API server: the
	// data may be out of date since Stale.Since. nil when all is well.
	Stale *Stale

	// Resources are the resource names shown, in order ("cpu", "memory", ...).
	Resources []string
	// ExtraLabels are the label columns shown, in order.
	ExtraLabels []string

	// Nodes are the shown nodes (including launching NodeClaims), sorted.
	Nodes []*Node
	// Totals has one entry per Resources entry, summed over Nodes.
	Totals []Quantity
	// Cost sums the known prices of Nodes.
	Cost Cost
	// Pods counts pods as the pod line shows them.
	Pods PodCounts
	// Usage is what metrics.k8s.io says the shown nodes use, and what
	// their unused capacity costs; nil when usage is off. Notes say why
	// it is missing (API not served, forbidden).
	Usage *ClusterUsage

	// Notes are one-line messages for the status line (NodeClaims unavailable,
	// pricing degraded, ...).
	Notes []string
	// Events are recent autoscaler events, oldest first.
	Events []Event

	// Activity is the session's timeline, oldest first: the newest 5
	// lines always, the whole session (the last 1,000 lines) when the
	// Query asks.
	Activity []Activity
	// Savings is what Karpenter's consolidation saved this session.
	Savings Savings
	// History samples node count (not launching) and $/hour (Cost.Hourly)
	// over the last hour, oldest first: once a minute, and on change at
	// most twice a minute (at most 130 samples).
	History []Sample
	// NodePools are the groups of shown nodes, by NodePool or node group,
	// sorted by name, when the Query asked for them.
	NodePools []NodePool

	// Detail is the node the Query asked for, with its pods; nil when none
	// was asked for or the node is gone.
	Detail *NodeDetail
	// Pending are the pods the pod line counts as pending (phase Pending:
	// without a node, or bound and not started yet), when the Query asked
	// for them, in no particular order.
	Pending []Pod
}

// Query says what a Snapshot should carry besides the node list: the views
// that are open ask for their data, so the model copies only that.
type Query struct {
	// Node asks for this node's detail and pods ("" for none).
	Node string
	// Pending asks for the pods that wait for a node.
	Pending bool
	// NodePools asks for the NodePools view's rows.
	NodePools bool
	// Activity asks for the whole session's activity, not only the newest
	// lines.
	Activity bool
}

// LabelNodeAge is the computed label showing how long a node has existed.
const LabelNodeAge = "eks-node-viewer/node-age"

// SyncProgress is an informer still in its initial sync.
type SyncProgress struct {
	Resource string // "nodes", "pods", "nodeclaims", "events"
	Objects  int    // objects received so far
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
	// Unscheduled counts pods without a node (spec.nodeName empty).
	Unscheduled int
	// Elsewhere counts non-terminal pods bound to nodes that are not shown
	// (outside --node-selector); not part of Total.
	Elsewhere int
}

// Node is one row of the node list.
type Node struct {
	Name    string
	Created time.Time

	// Launching: a NodeClaim with no Node yet (Created is the NodeClaim's).
	Launching bool

	InstanceType string // "t3a.medium", Fargate "0.25vCPU-0.5GB", "" unknown
	Capacity     pricing.Capacity
	AutoMode     bool
	Zone         string // topology.kubernetes.io/zone ("" unknown)
	Price        pricing.Price
	// NodeClaim is the Karpenter NodeClaim of this node ("" none known);
	// NodePool its karpenter.sh/nodepool label.
	NodeClaim string
	NodePool  string
	// Lifecycle is the NodeClaim's progress (nil without a NodeClaim).
	Lifecycle *Lifecycle
	// Disruption is what Karpenter does or will not do with the node.
	Disruption Disruption
	// Nominated counts pending pods (without a node) Karpenter nominated
	// to this node or its NodeClaim, by their latest Karpenter event.
	Nominated int

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
	// LabelUsage has one entry per Snapshot.ExtraLabels entry: for a usage
	// label (eks-node-viewer/node-<resource>-usage) the resource's
	// requested/allocatable, for a used label (eks-node-viewer/node-cpu-used,
	// -memory-used) its measured use/allocatable (zero without a sample),
	// else zero.
	LabelUsage []Quantity

	// Used is what metrics.k8s.io says the node uses, one entry per
	// Snapshot.Resources entry in milli-units (cpu; memory: the working
	// set), NotMeasured for other resources; nil without a sample.
	Used []int64
	// UsedAt is the sample's timestamp; UsageStale is set once it is older
	// than StaleIntervals poll intervals (or sample windows, if longer).
	UsedAt     time.Time
	UsageStale bool
	// IdleHourly is what the node's capacity that is neither requested nor
	// used costs per hour, UnusedHourly what its requested but unused
	// capacity costs (NodeShares explains the split); 0 without a sample
	// or a known price.
	IdleHourly, UnusedHourly float64
	// Labels are the node's (or NodeClaim's) labels. Shared with the model's
	// copy: read only.
	Labels map[string]string
	// Search is the row's name and label values, lower case, for a filter
	// to look in with one strings.Contains (at 100,000 nodes a walk over
	// every label map costs 90 ms a keystroke, this 3 ms). Read only.
	Search string

	// sortUsage is the usage fraction of a usage-label sort key.
	sortUsage    float64
	hasSortUsage bool
	// shares split the node by its dominant resource (with a sample).
	shares    Shares
	hasShares bool
}

// NodeDetail is one node with everything the node view shows about it.
type NodeDetail struct {
	Node   Node
	Taints []Taint
	// ProviderID is spec.providerID ("aws:///us-east-1a/i-0abc").
	ProviderID string
	// Pods are the non-terminal pods bound to the node, in no particular
	// order; Requests are per Snapshot.Resources entry.
	Pods []Pod
}

// Taint is a node taint.
type Taint struct {
	Key, Value, Effect string
}

// Pod is the small record the model keeps of a pod.
type Pod struct {
	Namespace, Name string
	Node            string // "" when not scheduled
	Phase           string // "Pending", "Running", "Unknown"
	Created         time.Time
	// Terminating: the pod has a deletion timestamp.
	Terminating bool
	// OwnerKind/OwnerName is the controlling owner ("ReplicaSet",
	// "fastapi-deployment-6b5f9d7c4"); empty for a bare pod.
	OwnerKind, OwnerName string
	// Requests has one entry per Snapshot.Resources entry, in milli-units.
	Requests []int64
	// FailedScheduling is the latest scheduler message about the pod, with
	// its time (only for pods without a node; empty when none seen).
	FailedScheduling   string
	FailedSchedulingAt time.Time
	// Waiting explains a pending pod (zero for others).
	Waiting Waiting
	// DoNotDisrupt is the pod's karpenter.sh/do-not-disrupt annotation as
	// written ("true", "30m"), "" when absent or invalid (Karpenter ignores
	// an invalid one). Whether a duration still holds is the node's
	// Disruption.BlockingPods.
	DoNotDisrupt string
	// Used is what metrics.k8s.io says the pod uses (its containers
	// summed), like Node.Used; nil without a sample. Only the pods of
	// Snapshot.Detail have one: pod usage is polled for the open node only.
	Used       []int64
	UsedAt     time.Time
	UsageStale bool
}

// Event is one autoscaler event worth showing.
type Event struct {
	Time    time.Time
	Reason  string // "Nominated", "DisruptionTerminating", "FailedScheduling", ...
	Object  string // "node/i-0abc", "nodeclaim/default-x7k2p", "pod/my-cool-app/fastapi-..."
	Message string
}

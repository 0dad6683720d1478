package cluster

import (
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The snapshot's Karpenter facts: what a NodeClaim went through, why a node
// is or is not being disrupted, why a pod waits, the NodePools, the session's
// activity and what consolidation saved. Data only; the views word it.

// Lifecycle is a NodeClaim's progress through Karpenter's conditions.
type Lifecycle struct {
	// Created is the NodeClaim's creation time, from which the steps'
	// durations count (a Node's own Created is later: it registers after
	// the launch).
	Created time.Time
	// Steps are Launched, Registered, Initialized and Ready, in that order,
	// each as the NodeClaim last reported it (a step it has not reported
	// has Status "" and a zero At).
	Steps []Step
	// Failed is the step that failed or is stuck with a reason (Status
	// False, or Unknown with a reason other than the waiting ones), nil
	// when none.
	Failed *Step
	// Problem is the latest launch error event about the NodeClaim
	// (InsufficientCapacityError, NodeClassNotReady, FailedConsistencyCheck),
	// Message without the "NodeClaim x event: " prefix; nil when none.
	// Lifecycle values are shared between snapshots: read only.
	Problem *Event
}

// Step is one NodeClaim status condition.
type Step struct {
	Type    string // "Launched", "Registered", "Initialized", "Ready"
	Status  string // "True", "False", "Unknown", "" (not reported)
	At      time.Time
	Reason  string
	Message string
}

// Disruption is what Karpenter is doing, or will not do, with a node.
type Disruption struct {
	// Reason is the NodeClaim's DisruptionReason ("Underutilized", "Empty",
	// "Drifted"), "" when no disruption is committed. Without the condition
	// (Karpenter before v1.2), a node that is tainted or deleting takes the
	// reason of the latest DisruptionTerminating event about it.
	Reason string
	// Tainted: the node has the karpenter.sh/disrupted:NoSchedule taint.
	Tainted bool
	// DoNotDisrupt: the node itself is annotated karpenter.sh/do-not-disrupt
	// "true".
	DoNotDisrupt bool
	// BlockingPods are the node's pods ("namespace/name") whose
	// karpenter.sh/do-not-disrupt annotation is in force now ("true", or a
	// duration not yet elapsed since the pod started), sorted.
	BlockingPods []string
	// Consolidatable is when the NodeClaim's Consolidatable condition
	// became True (zero when it is not).
	Consolidatable time.Time
	// Drifted is the Drifted condition's reason ("NodePoolDrifted", ...)
	// when True, else "".
	Drifted string
	// Blocked is the latest Unconsolidatable, DisruptionBlocked or
	// ConsolidationRejected event about the node or its NodeClaim, its
	// Message shortened (without the "Cannot disrupt Node: " prefix of
	// older versions); nil when none, or when it is older than the node or
	// than the disruption committed since. Read only.
	Blocked *Event
}

// Protected reports whether Karpenter will not voluntarily disrupt the node
// now (a do-not-disrupt annotation on it or on one of its pods).
func (d Disruption) Protected() bool { return d.DoNotDisrupt || len(d.BlockingPods) > 0 }

// Waiting is why a pending pod waits, from the latest relevant events.
type Waiting struct {
	// Scheduler is the scheduler's reason, shortened ("Insufficient cpu",
	// "node affinity", "untolerated taint"); Since when it said so.
	Scheduler string
	Since     time.Time
	// Nominated is where Karpenter means to place the pod
	// ("nodeclaim/default-2z8fk" or "node/i-0abc"), "" when not nominated.
	Nominated string
	// Karpenter is why Karpenter cannot place it, shortened
	// (`NodePool "default" limits exhausted`, "no compatible instance
	// types"), "" when it has not said.
	Karpenter string
	// KarpenterAt is when Karpenter last said either.
	KarpenterAt time.Time
}

// NodePool is one row of the NodePools view: a Karpenter NodePool (its
// object, or only the karpenter.sh/nodepool label of shown nodes; Auto
// Mode's built-in pools are NodePools too), or a group of nodes outside any
// (a managed node group by eks.amazonaws.com/nodegroup; Kind "" for the
// nodes in neither). Rows come NodePools first, then node groups, then the
// ungrouped nodes, each sorted by name.
type NodePool struct {
	Name string
	// Kind: "nodepool" (a Karpenter NodePool or the karpenter.sh/nodepool
	// label), "nodegroup" (eks.amazonaws.com/nodegroup), "" (no group).
	Kind string
	// Known: the NodePool object was seen (its spec fields are set).
	Known bool

	Nodes    int // shown nodes in the group (not launching)
	Claims   int // NodeClaims still launching (no node yet)
	Deleting int // nodes or NodeClaims being deleted
	// Usage has one entry per Snapshot.Resources entry, summed over the
	// group's shown rows (launching NodeClaims add their allocatable, as
	// in Snapshot.Totals).
	Usage []Quantity
	// Cost sums the group's rows' prices (as Snapshot.Cost).
	Cost Cost
	// Measured sums the group's measured nodes (Snapshot.Usage's
	// counterpart): fill it with Measured.Add(&node) for each of the
	// group's rows of Snapshot.Nodes, after usageSummary priced them.
	Measured UsageTotals

	// Limits: spec.limits against status.resources, sorted by resource.
	Limits []Limit
	// ConsolidationPolicy ("WhenEmpty", "WhenEmptyOrUnderutilized") and
	// ConsolidateAfter ("30s", "Never") as written in the spec.
	ConsolidationPolicy string
	ConsolidateAfter    string
	Budgets             []Budget
	// Weight is spec.weight (0 when unset).
	Weight int32
	// Ready is the NodePool's Ready condition status ("True", ...; "" unknown)
	// and ReadyReason its reason when not True.
	Ready       string
	ReadyReason string

	// Events are the latest Karpenter events about the NodePool
	// (NoCompatibleInstanceTypes, DisruptionBlocked by a budget, ...),
	// Message shortened, oldest first: at most 3.
	Events []Event
}

// Limit is one spec.limits entry, in milli-units (a count for "nodes" is
// also in milli-units: 3 nodes = 3000).
type Limit struct {
	Resource string
	Limit    int64
	// Used is status.resources of that key (Karpenter counts capacity, not
	// allocatable); -1 when the NodePool has not reported it.
	Used int64
}

// Budget is one disruption budget of a NodePool, as written.
type Budget struct {
	Nodes    string   // "10%", "0"
	Reasons  []string // empty: all reasons
	Schedule string   // cron, "" always
	Duration string
}

// ActivityKind says what one activity line is about.
type ActivityKind string

const (
	// ActLaunch: a NodeClaim was created (Node* describe it, Pods is how
	// many pending pods were nominated to it).
	ActLaunch ActivityKind = "launch"
	// ActReady: a NodeClaim's node became Ready; Steps carry the durations.
	ActReady ActivityKind = "ready"
	// ActLaunchFailed: a launch failed or is stuck; Reason and Message say why.
	ActLaunchFailed ActivityKind = "launch-failed"
	// ActDisrupting: Karpenter began disrupting a node (Reason).
	ActDisrupting ActivityKind = "disrupting"
	// ActRemoved: a node went away (Reason when Karpenter disrupted it;
	// Saving is its ledger entry when it counts as a saving), or a
	// NodeClaim that never got a node did (Object "nodeclaim/...").
	ActRemoved ActivityKind = "removed"
	// ActBlocked: Karpenter said it will not disrupt a node or pool
	// (Unconsolidatable, DisruptionBlocked); Message says why.
	ActBlocked ActivityKind = "blocked"
	// ActUnschedulable: Karpenter could not place pods (limits, no
	// compatible instance types); Pods counts them, Message says why.
	ActUnschedulable ActivityKind = "unschedulable"
	// ActEvent: another Karpenter event, as Message.
	ActEvent ActivityKind = "event"
)

// Activity is one line of the session's timeline.
type Activity struct {
	Time time.Time
	Kind ActivityKind
	// Object names what it is about ("nodeclaim/default-2z8fk",
	// "node/i-0abc", "nodepool/default"); Node is the node's name when known.
	Object   string
	Node     string
	NodePool string

	InstanceType string
	Capacity     pricing.Capacity
	Zone         string

	Pods    int    // pods concerned (nominated, unschedulable)
	Reason  string // "Underutilized", "Empty", "Drifted", "LaunchFailed", ...
	Message string // Karpenter's own words, whitespace folded

	// Steps: for ActReady, the lifecycle durations since the NodeClaim's
	// creation (Launched, Registered, Initialized, Ready; 0 for a step
	// stamped in the creation's second, negative when not reported).
	Steps []time.Duration
	// Price is the node's hourly price when known (Known false otherwise);
	// for ActRemoved it is what the node cost.
	Price pricing.Price
	// Saving is, for an ActRemoved counted in the ledger, its entry (what
	// it cost, what replaced it); nil otherwise.
	Saving *Saving
	// Count is how many identical lines were folded into this one (1 for
	// a single one). Lines about pods (ActUnschedulable, evictions) fold
	// across pods: Pods then sums them.
	Count int
}

// Savings is the session's consolidation ledger.
type Savings struct {
	// Since is when the viewer started watching.
	Since time.Time
	// Hourly is the sum over Entries of Price - Replacement: what the
	// cluster costs less per hour because of Karpenter's disruptions.
	Hourly   float64
	Currency string
	// SoFar is the dollars saved since the viewer started: each entry's
	// hourly saving times the time since it happened.
	SoFar float64
	// Entries are the newest entries, oldest first: the last 20, or with
	// Query.Activity the last 1,000 (Hourly and SoFar count them all).
	Entries []Saving
}

// Saving is one node Karpenter removed or replaced.
type Saving struct {
	Time   time.Time
	Node   string
	Reason string // "Empty", "Underutilized", "Drifted"
	Price  float64
	// Replacement is the hourly price of the NodeClaim launched to replace
	// it (DisruptionLaunching for the same reason, the oldest not yet set
	// against a removal; 0 when none).
	Replacement float64
}

// Sample is one point of the summary's history.
type Sample struct {
	Time   time.Time
	Nodes  int
	Hourly float64
}

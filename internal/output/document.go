// Package output writes what the viewer knows for scripts: a versioned
// document (JSON or YAML), kubectl-style tables, and a stream of changes
// (NDJSON). It reads cluster.Snapshot only; every number is in base units
// with Kubernetes' own quantity string beside it, every price says where it
// came from, and an unknown price is null, never 0.
package output

import (
	"math"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The document's identity: scripts check apiVersion before reading on.
const (
	APIVersion   = "eks-node-viewer/v1"
	KindSnapshot = "ClusterSnapshot"
	KindChange   = "ClusterChange"
)

// Document is one snapshot of the shown nodes (kind ClusterSnapshot).
type Document struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Time is when the snapshot was taken (RFC 3339, UTC, seconds).
	Time string `json:"time"`
	Overview
	// Resources are the --resources shown, in order; ExtraLabels the
	// --extra-labels.
	Resources   []string `json:"resources"`
	ExtraLabels []string `json:"extraLabels"`
	Nodes       []Node   `json:"nodes"`
}

// Overview is the cluster-wide part of a document: a Summary change
// carries it whole.
type Overview struct {
	// Synced: every informer finished its initial list. A document taken
	// before (a timeout) is partial, and Syncing says what was missing.
	Synced  bool      `json:"synced"`
	Syncing []Syncing `json:"syncing,omitempty"`
	// Stale is set while the API server cannot be reached.
	Stale *Stale `json:"stale"`
	// Notes are the status line's messages (pricing degraded, NodeClaims
	// not served, ...).
	Notes   []string `json:"notes"`
	Summary Summary  `json:"summary"`
	Pods    Pods     `json:"pods"`
}

// Syncing is an informer still in its initial list.
type Syncing struct {
	Resource string `json:"resource"`
	Objects  int    `json:"objects"`
}

// Stale says since when, and why, the data may be out of date.
type Stale struct {
	Since     string   `json:"since"`
	Reason    string   `json:"reason"`
	Resources []string `json:"resources"`
}

// Summary is the screen's summary line as data.
type Summary struct {
	Nodes     int                 `json:"nodes"`
	Resources map[string]Resource `json:"resources"`
	// PricePerHour sums the known node prices; null with --disable-pricing
	// or when no shown node has a known price. LowerBound: some node's
	// price is unknown, so the sum is a lower bound.
	PricePerHour    *float64 `json:"pricePerHour"`
	PricePerMonth   *float64 `json:"pricePerMonth"`
	Currency        *string  `json:"currency"`
	LowerBound      bool     `json:"lowerBound"`
	UnpricedNodes   int      `json:"unpricedNodes"`
	EstimatedNodes  int      `json:"estimatedNodes"`
	PricingDisabled bool     `json:"pricingDisabled"`
	// Usage is what metrics.k8s.io says the shown nodes use; null when
	// usage is off (--usage=false).
	Usage *SummaryUsage `json:"usage"`
}

// Resource is one resource's requested and allocatable amounts, in base
// units (Unit: millicores for cpu, bytes for memory and storage, a count
// for anything else; rounded up to a whole unit, as Kubernetes' Value()
// does), with their exact quantity strings ("1800m", "3310Mi").
type Resource struct {
	Unit                string `json:"unit"`
	Requested           int64  `json:"requested"`
	Allocatable         int64  `json:"allocatable"`
	RequestedQuantity   string `json:"requestedQuantity"`
	AllocatableQuantity string `json:"allocatableQuantity"`
	// Percent is requested/allocatable*100, null when nothing is allocatable.
	Percent *float64 `json:"percent"`
}

// Pods is the pod line: non-terminal pods on the shown nodes plus the
// unscheduled ones; Elsewhere counts those on nodes not shown.
type Pods struct {
	Total       int `json:"total"`
	Pending     int `json:"pending"`
	Running     int `json:"running"`
	Bound       int `json:"bound"`
	Unscheduled int `json:"unscheduled"`
	Elsewhere   int `json:"elsewhere"`
}

// Node states, one word; the booleans beside say which of them overlap.
const (
	StateReady     = "Ready"
	StateNotReady  = "NotReady"
	StateLaunching = "Launching"
	StateCordoned  = "Cordoned"
	StateDeleting  = "Deleting"
)

// Node is one shown node, or a NodeClaim still launching.
type Node struct {
	Name string `json:"name"`
	// ExtraLabels has each --extra-labels key: the node's value (computed
	// ones as the screen shows them: "3h", "50%"), null when it has none.
	ExtraLabels  map[string]*string `json:"extraLabels"`
	InstanceType *string            `json:"instanceType"`
	Zone         *string            `json:"zone"`
	// CapacityType: on-demand, spot, reserved, fargate; null when unknown.
	CapacityType *string `json:"capacityType"`
	AutoMode     bool    `json:"autoMode"`
	// State is Deleting, Cordoned, Launching, NotReady or Ready, the first
	// that applies.
	State      string  `json:"state"`
	Ready      bool    `json:"ready"`
	ReadySince *string `json:"readySince"`
	Launching  bool    `json:"launching"`
	Cordoned   bool    `json:"cordoned"`
	Deleting   bool    `json:"deleting"`
	Created    *string `json:"created"`
	NodeClaim  *string `json:"nodeClaim"`
	NodePool   *string `json:"nodePool"`
	Pods       int     `json:"pods"`
	MaxPods    *int64  `json:"maxPods"`
	// Resources has one entry per shown resource.
	Resources map[string]Resource `json:"resources"`
	// Price is null when unknown (or pricing is disabled); PriceUnknown
	// then says why.
	Price        *Price `json:"price"`
	PriceUnknown string `json:"priceUnknown,omitempty"`
	// Usage is the node's latest metrics.k8s.io sample; null without one
	// (or with usage off).
	Usage *NodeUsage `json:"usage"`
}

// Price is a node's hourly price and where it came from.
type Price struct {
	Hourly   float64 `json:"hourly"`
	Currency string  `json:"currency"`
	// Source: live (the AWS APIs), static (the built-in list), override
	// (the node's eks-node-viewer/instance-price label), estimate.
	Source string `json:"source"`
	Reason string `json:"reason,omitempty"`
}

// Build turns a snapshot into its document. Ages are measured at the
// snapshot's own time, so the same snapshot always gives the same document.
func Build(s *cluster.Snapshot) Document {
	d := Document{
		APIVersion:  APIVersion,
		Kind:        KindSnapshot,
		Time:        stamp(s.Taken),
		Overview:    overview(s),
		Resources:   nonNil(s.Resources),
		ExtraLabels: nonNil(s.ExtraLabels),
		Nodes:       make([]Node, len(s.Nodes)),
	}
	for i := range s.Nodes {
		d.Nodes[i] = node(s, s.Nodes[i])
	}
	return d
}

func overview(s *cluster.Snapshot) Overview {
	o := Overview{
		Synced:  s.Synced,
		Notes:   nonNil(s.Notes),
		Summary: summary(s),
		Pods: Pods{
			Total: s.Pods.Total, Pending: s.Pods.Pending, Running: s.Pods.Running,
			Bound: s.Pods.Bound, Unscheduled: s.Pods.Unscheduled, Elsewhere: s.Pods.Elsewhere,
		},
	}
	for _, p := range s.Syncing {
		o.Syncing = append(o.Syncing, Syncing{Resource: p.Resource, Objects: p.Objects})
	}
	if st := s.Stale; st != nil {
		o.Stale = &Stale{Since: stamp(st.Since), Reason: st.Reason, Resources: nonNil(st.Resources)}
	}
	return o
}

func summary(s *cluster.Snapshot) Summary {
	sum := Summary{
		Nodes:           len(s.Nodes),
		Resources:       resources(s.Resources, s.Totals),
		PricingDisabled: s.Cost.Disabled,
		Usage:           summaryUsage(s),
	}
	if s.Cost.Disabled {
		return sum
	}
	sum.UnpricedNodes, sum.EstimatedNodes = s.Cost.Unknown, s.Cost.Estimated
	sum.LowerBound = s.Cost.Unknown > 0
	if len(s.Nodes) == 0 || s.Cost.Unknown < len(s.Nodes) {
		sum.PricePerHour = finite(roundTo(s.Cost.Hourly, 8))
		sum.PricePerMonth = finite(roundTo(s.Cost.Hourly*pricing.HoursPerMonth, 4))
		sum.Currency = optional(s.Cost.Currency)
	}
	return sum
}

func node(s *cluster.Snapshot, n *cluster.Node) Node {
	out := Node{
		Name:         n.Name,
		ExtraLabels:  make(map[string]*string, len(s.ExtraLabels)),
		InstanceType: optional(n.InstanceType),
		Zone:         optional(n.Zone),
		CapacityType: capacityType(n.Capacity),
		AutoMode:     n.AutoMode,
		State:        state(n),
		Ready:        n.Ready,
		ReadySince:   optionalTime(n.ReadySince),
		Launching:    n.Launching,
		Cordoned:     n.Cordoned,
		Deleting:     n.Deleting,
		Created:      optionalTime(n.Created),
		NodeClaim:    optional(n.NodeClaim),
		NodePool:     optional(n.NodePool),
		Pods:         n.Pods,
		Resources:    resources(s.Resources, n.Usage),
		Usage:        nodeUsage(s, n),
	}
	if n.MaxPods > 0 {
		out.MaxPods = &n.MaxPods
	}
	for i, key := range s.ExtraLabels {
		if v, ok := labelValue(s, n, i, key); ok {
			out.ExtraLabels[key] = &v
		} else {
			out.ExtraLabels[key] = nil
		}
	}
	switch p := n.Price; {
	case s.Cost.Disabled:
	case p.Known() && !math.IsInf(p.Hourly, 0) && !math.IsNaN(p.Hourly):
		out.Price = &Price{Hourly: roundTo(p.Hourly, 8), Currency: p.Currency, Source: p.Source.String(), Reason: p.Reason}
	default:
		out.PriceUnknown = p.Reason
		if out.PriceUnknown == "" {
			out.PriceUnknown = "unknown"
		}
	}
	return out
}

// state is the one word for a node: what matters most first.
func state(n *cluster.Node) string {
	switch {
	case n.Deleting:
		return StateDeleting
	case n.Cordoned:
		return StateCordoned
	case n.Launching:
		return StateLaunching
	case !n.Ready:
		return StateNotReady
	}
	return StateReady
}

// labelValue is extra label i of n: a computed label (node age, requested
// or used percentage) as the screen shows it, or the node's label; ok is false
// when there is none.
func labelValue(s *cluster.Snapshot, n *cluster.Node, i int, key string) (string, bool) {
	if key == cluster.LabelNodeAge {
		if n.Created.IsZero() {
			return "", false
		}
		return age(s.Taken, n.Created), true
	}
	if _, ok := options.UsedLabelResource(key); ok {
		if i >= len(n.LabelUsage) || n.LabelUsage[i].Allocatable <= 0 || n.Used == nil {
			return "", false
		}
		return usedPercentText(n.LabelUsage[i].Fraction(), n.UsageStale), true
	}
	if _, ok := options.UsageLabelResource(key); ok {
		if i >= len(n.LabelUsage) || n.LabelUsage[i].Allocatable <= 0 {
			return "", false
		}
		return percentText(n.LabelUsage[i].Fraction()), true
	}
	v, ok := n.Labels[key]
	return v, ok
}

func capacityType(c pricing.Capacity) *string {
	switch c {
	case pricing.OnDemand:
		return optional("on-demand")
	case pricing.Spot:
		return optional("spot")
	case pricing.Reserved:
		return optional("reserved")
	case pricing.Fargate:
		return optional("fargate")
	}
	return nil
}

// stamp is t in RFC 3339, UTC, to the second (what jq's fromdate reads).
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// age is kubectl's age of t at now; never negative.
func age(now, t time.Time) string { return duration.HumanDuration(max(now.Sub(t), 0)) }

// roundTo rounds v to places decimals (float sums of prices carry noise
// like 0.08422000000000001); values too large to scale stay as they are.
func roundTo(v float64, places int) float64 {
	p := math.Pow10(places)
	if r := math.Round(v*p) / p; !math.IsInf(r, 0) && !math.IsNaN(r) {
		return r
	}
	return v
}

// finite is &v, or nil for an infinite or NaN v (JSON has no such number).
func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// percentText is the screen's usage percentage: whole, clamped to 0-999%.
func percentText(frac float64) string {
	if !(frac > 0) {
		frac = 0
	}
	return strconv.Itoa(int(min(frac, 9.99)*100)) + "%"
}

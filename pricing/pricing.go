// Package pricing answers "what does this node cost per hour, and how do we know?".
//
// The cluster model describes each node with a Node (built from its labels by
// Describe) and asks a Provider for its Price. A Price always carries its
// Source; an unknown price is Source == Unknown with a Reason, never a zero.
package pricing

// Source says where a price came from.
type Source int

const (
	// Unknown: no price; Price.Reason says why.
	Unknown Source = iota
	// Live: the AWS APIs' answer, fetched during this session (or played
	// back from a recording of one, NewRecorded).
	Live
	// Static: the embedded list-price table for the node's own region.
	Static
	// Estimate: derived (another region's list price, or the Auto Mode fee as a
	// share of on-demand); shown with a "~".
	Estimate
	// Override: the node's eks-node-viewer/instance-price label.
	Override
)

func (s Source) String() string {
	switch s {
	case Live:
		return "live"
	case Static:
		return "static"
	case Estimate:
		return "estimate"
	case Override:
		return "override"
	}
	return "unknown"
}

// Capacity is how a node was bought.
type Capacity int

const (
	CapacityUnknown Capacity = iota
	OnDemand
	Spot
	Fargate
	Reserved
)

// String is the word shown in the node line's capacity column.
func (c Capacity) String() string {
	switch c {
	case OnDemand:
		return "On-Demand"
	case Spot:
		return "Spot"
	case Fargate:
		return "Fargate"
	case Reserved:
		return "Reserved"
	}
	return "-"
}

// Node is everything a Provider may look at to price one node.
type Node struct {
	Name         string
	InstanceType string   // node.kubernetes.io/instance-type (or beta label)
	Capacity     Capacity // from karpenter.sh/capacity-type, eks.amazonaws.com/capacityType, compute-type
	AutoMode     bool     // eks.amazonaws.com/compute-type=auto: EC2 price + management fee
	Zone         string   // topology.kubernetes.io/zone
	Region       string   // topology.kubernetes.io/region, else zone minus its letter, else ""
	// Override is the raw eks-node-viewer/instance-price label value ("" when absent).
	Override string
	// FargateCapacity is the CapacityProvisioned annotation of the pod on a
	// Fargate node, e.g. "0.25vCPU 0.5GB" ("" when not seen yet).
	FargateCapacity string
}

// Price is an hourly price with its provenance.
type Price struct {
	Hourly   float64
	Currency string // "USD" or "CNY"
	Source   Source
	// Reason explains an Unknown price ("spot price for m5.large in us-east-1z not
	// published") or an Estimate ("us-east-1 list price").
	Reason string
}

// Known reports whether the price may be shown and summed.
func (p Price) Known() bool { return p.Source != Unknown }

// Provider prices nodes. Implementations are safe for concurrent use and
// answer from memory (no I/O on this call): the model calls it for every node
// on every snapshot.
type Provider interface {
	NodePrice(n Node) Price
	// Status is one line for the status bar when something is missing or
	// degraded ("spot prices: AccessDenied for ec2:DescribeSpotPriceHistory"),
	// "" when all is well.
	Status() string
	// Changed delivers a value after the provider may answer NodePrice or
	// Status differently (a fetch finished or failed). Signals are coalesced:
	// the channel has capacity 1 and the provider never blocks on it. A
	// provider whose answers never change returns nil (a receive blocks
	// forever, so a select on it simply never fires).
	Changed() <-chan struct{}
}

// HoursPerMonth converts hourly to monthly prices (365 * 24 / 12).
const HoursPerMonth = 730.0

package pricing

import "strings"

// Node labels read by Describe.
const (
	LabelInstanceType         = "node.kubernetes.io/instance-type"
	LabelInstanceTypeBeta     = "beta.kubernetes.io/instance-type"
	LabelKarpenterCapacity    = "karpenter.sh/capacity-type"     // on-demand | spot | reserved
	LabelEKSCapacity          = "eks.amazonaws.com/capacityType" // ON_DEMAND | SPOT | CAPACITY_BLOCK
	LabelEKSComputeType       = "eks.amazonaws.com/compute-type" // fargate | auto
	LabelZone                 = "topology.kubernetes.io/zone"
	LabelZoneBeta             = "failure-domain.beta.kubernetes.io/zone"
	LabelRegion               = "topology.kubernetes.io/region"
	LabelRegionBeta           = "failure-domain.beta.kubernetes.io/region"
	LabelInstancePrice        = "eks-node-viewer/instance-price" // hourly price override
	FargateCapacityAnnotation = "CapacityProvisioned"            // pod annotation on Fargate, "0.25vCPU 0.5GB"
)

// Describe builds the pricing view of a node from its name and labels.
func Describe(name string, labels map[string]string) Node {
	n := Node{
		Name:         name,
		InstanceType: first(labels, LabelInstanceType, LabelInstanceTypeBeta),
		Zone:         first(labels, LabelZone, LabelZoneBeta),
		Override:     labels[LabelInstancePrice],
	}
	n.Region = first(labels, LabelRegion, LabelRegionBeta)
	if n.Region == "" {
		n.Region = RegionFromZone(n.Zone)
	}
	switch labels[LabelKarpenterCapacity] {
	case "on-demand":
		n.Capacity = OnDemand
	case "spot":
		n.Capacity = Spot
	case "reserved":
		n.Capacity = Reserved
	}
	if n.Capacity == CapacityUnknown {
		switch labels[LabelEKSCapacity] {
		case "ON_DEMAND":
			n.Capacity = OnDemand
		case "SPOT":
			n.Capacity = Spot
		case "CAPACITY_BLOCK":
			n.Capacity = Reserved
		}
	}
	switch labels[LabelEKSComputeType] {
	case "fargate":
		n.Capacity = Fargate
	case "auto":
		n.AutoMode = true
	}
	return n
}

func first(labels map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := labels[k]; v != "" {
			return v
		}
	}
	return ""
}

// RegionFromZone returns the AWS region of an availability, local or
// wavelength zone name ("us-east-1a", "us-west-2-lax-1a",
// "us-east-1-wl1-bos-wlz-1" -> "us-east-1"), or "" when zone does not look
// like an AWS zone (kind, kwok, other clouds).
func RegionFromZone(zone string) string {
	// An AWS region is two or more dash-separated words followed by a number;
	// the zone adds letters to the number, or more dash-separated parts.
	parts := 0
	for i := 0; i < len(zone); {
		j := strings.IndexByte(zone[i:], '-')
		end := len(zone)
		if j >= 0 {
			end = i + j
		}
		word := zone[i:end]
		if word == "" {
			return ""
		}
		if isDigit(word[0]) {
			if parts < 2 {
				return ""
			}
			d := 0
			for d < len(word) && isDigit(word[d]) {
				d++
			}
			if d == len(word) && end == len(zone) {
				// "us-east-1" is a region, not a zone; accept it as one.
				return zone
			}
			return zone[:i+d]
		}
		if !isLower(word) {
			return ""
		}
		parts++
		i = end + 1
		if j < 0 {
			break
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

package pricing

import (
	"math"
	"strconv"
	"strings"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/awsapi"
	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/table"
)

// live is what has been fetched for one region; nil maps and zero rates mean
// "not fetched". The zero value is "nothing live".
type live struct {
	onDemand map[string]float64
	spot     map[awsapi.SpotKey]float64
	// spotTypes are the instance types the last successful spot fetch asked
	// for: a type in it with no price in a zone has no spot market there.
	spotTypes map[string]bool
	// noSpot explains a type with no spot data ("not fetched yet", an error).
	noSpot string
	fee    map[string]float64 // Auto Mode fee by instance type
	// Fargate rates per vCPU-hour and GB-hour.
	fargateVCPU, fargateGB float64
}

// resolve prices n in region from the live data (may be nil) and the static
// table. It is pure: providers memoise its answers.
func resolve(n Node, region string, l *live) Price {
	if l == nil {
		l = &live{noSpot: "spot prices need AWS access (static prices only)"}
	}
	currency := table.Currency(region)
	if n.Override != "" {
		return overridePrice(n.Override, currency)
	}
	switch n.Capacity {
	case Fargate:
		return fargatePrice(n.FargateCapacity, region, l)
	case Reserved:
		return unknown("reserved capacity: no published price")
	case CapacityUnknown:
		return unknown("no capacity-type label (self-managed node group?)")
	}
	if n.InstanceType == "" {
		return unknown("no instance-type label")
	}
	var base Price
	if n.Capacity == Spot {
		base = spotPrice(n, l, currency)
	} else {
		base = onDemandPrice(n.InstanceType, region, l, currency)
	}
	if !n.AutoMode || !base.Known() {
		return base
	}
	fee := autoModeFee(n.InstanceType, region, l, currency)
	if !fee.Known() {
		return fee
	}
	return Price{
		Hourly:   base.Hourly + fee.Hourly,
		Currency: currency,
		Source:   weaker(base.Source, fee.Source),
		Reason:   joinReasons(base.Reason, fee.Reason),
	}
}

func unknown(reason string) Price { return Price{Source: Unknown, Reason: reason} }

func overridePrice(v, currency string) Price {
	p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || p < 0 || math.IsNaN(p) || math.IsInf(p, 0) {
		return unknown("bad " + LabelInstancePrice + " value " + strconv.Quote(v))
	}
	return Price{Hourly: p, Currency: currency, Source: Override}
}

func onDemandPrice(instanceType, region string, l *live, currency string) Price {
	if p, ok := l.onDemand[instanceType]; ok {
		return Price{Hourly: p, Currency: currency, Source: Live}
	}
	p, src, reason := staticOnDemand(region, instanceType)
	if src == Unknown {
		return unknown(reason)
	}
	return Price{Hourly: p, Currency: currency, Source: src, Reason: reason}
}

func spotPrice(n Node, l *live, currency string) Price {
	if n.Zone == "" {
		return unknown("spot node without a zone label")
	}
	if p, ok := l.spot[awsapi.SpotKey{InstanceType: n.InstanceType, Zone: n.Zone}]; ok {
		return Price{Hourly: p, Currency: currency, Source: Live}
	}
	if l.spotTypes[n.InstanceType] {
		return unknown("no spot price for " + n.InstanceType + " in " + n.Zone)
	}
	return unknown(l.noSpot)
}

const feeEstimateReason = "Auto Mode fee estimated at 12% of on-demand"

func autoModeFee(instanceType, region string, l *live, currency string) Price {
	if f, ok := l.fee[instanceType]; ok {
		return Price{Hourly: f, Currency: currency, Source: Live}
	}
	od := onDemandPrice(instanceType, region, l, currency)
	if !od.Known() {
		return unknown("Auto Mode fee unknown: " + od.Reason)
	}
	return Price{Hourly: od.Hourly * AutoModeFeeShare, Currency: currency, Source: Estimate, Reason: feeEstimateReason}
}

func fargatePrice(capacity, region string, l *live) Price {
	if capacity == "" {
		return unknown("Fargate size not known yet")
	}
	vcpu, gb, ok := ParseFargateCapacity(capacity)
	if !ok {
		return unknown("bad Fargate " + FargateCapacityAnnotation + " " + strconv.Quote(capacity))
	}
	currency := table.Currency(region)
	vRate, gRate, src, reason := l.fargateVCPU, l.fargateGB, Live, ""
	if vRate <= 0 || gRate <= 0 {
		switch {
		case region == staticFargateRegion:
			src = Static
		case currency != "USD":
			return unknown("no Fargate rates for " + region)
		default:
			src, reason = Estimate, staticFargateRegion+" Fargate rates"
		}
		vRate, gRate = staticFargateVCPU, staticFargateGB
	}
	return Price{Hourly: vcpu*vRate + gb*gRate, Currency: currency, Source: src, Reason: reason}
}

// ParseFargateCapacity reads a Fargate pod's CapacityProvisioned annotation
// ("0.25vCPU 0.5GB"); ok is false for anything else.
func ParseFargateCapacity(s string) (vcpu, gb float64, ok bool) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return 0, 0, false
	}
	for _, f := range fields {
		var dst *float64
		var num string
		switch {
		case strings.HasSuffix(f, "vCPU"):
			dst, num = &vcpu, strings.TrimSuffix(f, "vCPU")
		case strings.HasSuffix(f, "GB"):
			dst, num = &gb, strings.TrimSuffix(f, "GB")
		default:
			return 0, 0, false
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) || *dst != 0 {
			return 0, 0, false
		}
		*dst = v
	}
	return vcpu, gb, vcpu > 0 && gb > 0
}

// FargateInstanceType is how a Fargate node's size is shown in the instance
// type column: "0.25vCPU 0.5GB" -> "0.25vCPU-0.5GB".
func FargateInstanceType(capacity string) string {
	return strings.Join(strings.Fields(capacity), "-")
}

// weaker is the less certain of two sources (Live < Static < Estimate).
func weaker(a, b Source) Source {
	rank := func(s Source) int {
		switch s {
		case Live, Override:
			return 0
		case Static:
			return 1
		}
		return 2
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

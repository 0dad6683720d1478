package pricing

import (
	"bytes"
	_ "embed"
	"sync"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/table"
)

// The static table: on-demand Linux list prices for a few regions, with the
// date each was captured. Regenerate with `go generate ./pricing` (see
// README-section.md).
//
//go:generate go run ./internal/gen -out ondemand.json
//go:embed ondemand.json
var ondemandJSON []byte

// staticTable decodes the embedded table once, on first use.
var staticTable = sync.OnceValue(func() *table.Table {
	t, err := table.Read(bytes.NewReader(ondemandJSON))
	if err != nil {
		panic("pricing: embedded ondemand.json: " + err.Error()) // caught by tests
	}
	return t
})

// StaticRegions returns the regions of the embedded list-price table and the
// time each was captured.
func StaticRegions() map[string]time.Time {
	out := map[string]time.Time{}
	for name, r := range staticTable().Regions {
		out[name] = r.Captured
	}
	return out
}

// Static Fargate rates (us-east-1, Linux/x86), used until live rates exist.
const (
	staticFargateRegion = "us-east-1"
	staticFargateVCPU   = 0.04048  // USD per vCPU-hour
	staticFargateGB     = 0.004445 // USD per GB-hour
)

// AutoModeFeeShare estimates the EKS Auto Mode management fee as a share of
// the on-demand price until the live fee is known.
const AutoModeFeeShare = 0.12

// staticOnDemand looks up the embedded table: the region's own price, or
// (for a region the table lacks) the partition's reference region's price
// as an estimate.
func staticOnDemand(region, instanceType string) (price float64, src Source, reason string) {
	t := staticTable()
	if r, ok := t.Regions[region]; ok {
		if p, ok := r.Prices[instanceType]; ok {
			return p, Static, ""
		}
		return 0, Unknown, "no list price for " + instanceType + " in " + region
	}
	ref := referenceRegion(region)
	if p, ok := t.Regions[ref].Prices[instanceType]; ok {
		return p, Estimate, ref + " list price"
	}
	return 0, Unknown, "no list price for " + instanceType
}

// referenceRegion is the table region whose prices stand in for a region
// the table lacks: the same currency, the cheapest common region.
func referenceRegion(region string) string {
	if table.Currency(region) == "CNY" {
		return "cn-north-1"
	}
	return "us-east-1"
}

package output

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Units of Resource.Unit.
const (
	UnitMillicores = "millicores"
	UnitBytes      = "bytes"
	UnitCount      = "count"
)

// unit is how a resource is counted: cpu in millicores, memory and storage
// in bytes, anything else (pods, nvidia.com/gpu, ...) as a count.
func unit(name string) string {
	switch {
	case name == "cpu":
		return UnitMillicores
	case name == "memory" || name == "ephemeral-storage" || name == "storage" || strings.HasPrefix(name, "hugepages-"):
		return UnitBytes
	}
	return UnitCount
}

// resources maps each shown resource to its pair (qs has one entry per
// name; a missing one counts as zero).
func resources(names []string, qs []cluster.Quantity) map[string]Resource {
	out := make(map[string]Resource, len(names))
	for i, name := range names {
		var q cluster.Quantity
		if i < len(qs) {
			q = qs[i]
		}
		out[name] = resourceOf(name, q)
	}
	return out
}

func resourceOf(name string, q cluster.Quantity) Resource {
	u := unit(name)
	r := Resource{
		Unit:                u,
		Requested:           baseUnits(u, q.Used),
		Allocatable:         baseUnits(u, q.Allocatable),
		RequestedQuantity:   quantityString(u, q.Used),
		AllocatableQuantity: quantityString(u, q.Allocatable),
	}
	if q.Allocatable > 0 {
		r.Percent = finite(roundTo(q.Fraction()*100, 2))
	}
	return r
}

// baseUnits converts the snapshot's milli-units: millicores stay, others
// are rounded up to whole units (a 0.5 count is 1, as Quantity.Value()).
func baseUnits(u string, milli int64) int64 {
	if u == UnitMillicores || milli <= 0 {
		return max(milli, 0)
	}
	v := milli / 1000
	if milli%1000 != 0 {
		v++
	}
	return v
}

// quantityString is the exact amount as Kubernetes writes it: "1800m", "2",
// "3310Mi", "17". Bytes are binary-suffixed when whole.
func quantityString(u string, milli int64) string {
	milli = max(milli, 0)
	if u == UnitBytes && milli%1000 == 0 {
		return resource.NewQuantity(milli/1000, resource.BinarySI).String()
	}
	if u != UnitMillicores && milli%1000 == 0 {
		return resource.NewQuantity(milli/1000, resource.DecimalSI).String()
	}
	return resource.NewMilliQuantity(milli, resource.DecimalSI).String()
}

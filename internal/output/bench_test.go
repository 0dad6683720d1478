package output

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// bigSnapshot is n nodes with cpu and memory and two extra labels.
func bigSnapshot(n int) cluster.Snapshot {
	s := cluster.Snapshot{
		Taken:       fixtureNow,
		Synced:      true,
		Resources:   []string{"cpu", "memory"},
		ExtraLabels: []string{"topology.kubernetes.io/zone", cluster.LabelNodeAge},
		Totals:      make([]cluster.Quantity, 2),
		Cost:        cluster.Cost{Currency: "USD"},
	}
	for i := range n {
		s.Nodes = append(s.Nodes, &cluster.Node{
			Name:         fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/250, i%250),
			Created:      fixtureNow.Add(-time.Duration(i) * time.Minute),
			InstanceType: "m5.xlarge",
			Capacity:     pricing.Spot,
			Zone:         "us-west-2a",
			NodePool:     "default",
			Price:        pricing.Price{Hourly: 0.0768, Currency: "USD", Source: pricing.Live},
			Ready:        true,
			Pods:         i % 58,
			MaxPods:      58,
			Usage:        []cluster.Quantity{{Used: int64(i%39) * 100, Allocatable: 3920}, {Used: int64(i%15) * gib / 10, Allocatable: 14 * gib}},
			LabelUsage:   make([]cluster.Quantity, 2),
			Labels:       map[string]string{"topology.kubernetes.io/zone": "us-west-2a"},
		})
	}
	return s
}

// BenchmarkWrite5000 writes a 5,000-node snapshot in each format.
func BenchmarkWrite5000(b *testing.B) {
	s := bigSnapshot(5000)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if err := Write(io.Discard, f, &s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiff5000 diffs two 5,000-node documents where one node changed.
func BenchmarkDiff5000(b *testing.B) {
	s := bigSnapshot(5000)
	prev := Build(&s)
	s.Nodes[100].Pods++
	next := Build(&s)
	for b.Loop() {
		if len(Diff(&prev, &next)) != 1 {
			b.Fatal("want one change")
		}
	}
}

package ui

import (
	"fmt"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// testNow is the fixed "now" of every render test.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const gi = 1 << 30 * 1000 // one GiB in milli-units

func cpu(used, alloc int64) cluster.Quantity { return cluster.Quantity{Used: used, Allocatable: alloc} }

func autoNode(name string, used int64, pods int) *cluster.Node {
	return &cluster.Node{
		Name:         name,
		Created:      testNow.Add(-3 * time.Hour),
		InstanceType: "t3a.medium",
		Capacity:     pricing.OnDemand,
		AutoMode:     true,
		Price:        pricing.Price{Hourly: 0.04211, Currency: "USD", Source: pricing.Live},
		Ready:        true,
		Pods:         pods,
		MaxPods:      17,
		Usage:        []cluster.Quantity{cpu(used, 1780)},
		Zone:         "us-east-1a",
		NodePool:     "general-purpose",
		Labels:       map[string]string{"karpenter.sh/nodepool": "general-purpose", "topology.kubernetes.io/zone": "us-east-1a"},
	}
}

// labSnapshot is the seed lab's screen: two EKS Auto Mode nodes.
func labSnapshot() cluster.Snapshot {
	return cluster.Snapshot{
		Taken:     testNow,
		Synced:    true,
		Resources: []string{"cpu"},
		Nodes: []*cluster.Node{
			autoNode("i-0123456789abcdef0", 1600, 8),
			autoNode("i-0123456789abcdef2", 200, 1),
		},
		Totals: []cluster.Quantity{cpu(1800, 3560)},
		Cost:   cluster.Cost{Hourly: 2 * 0.04211, Currency: "USD"},
		Pods:   cluster.PodCounts{Total: 12, Running: 12, Bound: 12},
	}
}

// bigSnapshot has n nodes with cpu and memory.
func bigSnapshot(n int) cluster.Snapshot {
	s := cluster.Snapshot{
		Taken:       testNow,
		Synced:      true,
		Resources:   []string{"cpu", "memory"},
		ExtraLabels: []string{"topology.kubernetes.io/zone", cluster.LabelNodeAge},
		Cost:        cluster.Cost{Currency: "USD"},
	}
	var tot [2]cluster.Quantity
	for i := range n {
		nd := cluster.Node{
			Name:         fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/250, i%250),
			Created:      testNow.Add(-time.Duration(i) * time.Minute),
			InstanceType: "m5.xlarge",
			Capacity:     pricing.Spot,
			Price:        pricing.Price{Hourly: 0.0768, Currency: "USD", Source: pricing.Live},
			Ready:        true,
			Pods:         i % 58,
			MaxPods:      58,
			Usage: []cluster.Quantity{
				{Used: int64(i%39) * 100, Allocatable: 3920},
				{Used: int64(i%15) * gi / 10, Allocatable: 14 * gi},
			},
			Labels: map[string]string{"topology.kubernetes.io/zone": "us-west-2" + string(rune('a'+i%3))},
		}
		for r := range tot {
			tot[r].Used += nd.Usage[r].Used
			tot[r].Allocatable += nd.Usage[r].Allocatable
		}
		s.Cost.Hourly += nd.Price.Hourly
		s.Pods.Total += nd.Pods
		s.Pods.Running += nd.Pods
		s.Pods.Bound += nd.Pods
		s.Nodes = append(s.Nodes, &nd)
	}
	s.Totals = tot[:]
	return s
}

func node(name string, mutate func(*cluster.Node)) *cluster.Node {
	n := &cluster.Node{
		Name:         name,
		Created:      testNow.Add(-26 * time.Hour),
		InstanceType: "m5.large",
		Capacity:     pricing.OnDemand,
		Price:        pricing.Price{Hourly: 0.096, Currency: "USD", Source: pricing.Static},
		Ready:        true,
		Pods:         5,
		MaxPods:      29,
		Usage:        []cluster.Quantity{cpu(950, 1930)},
	}
	if mutate != nil {
		mutate(n)
	}
	return n
}

// totals sums the nodes' usage into s.Totals and their prices into s.Cost.
func totals(s cluster.Snapshot) cluster.Snapshot {
	s.Totals = make([]cluster.Quantity, len(s.Resources))
	for _, n := range s.Nodes {
		for i := range s.Totals {
			if i < len(n.Usage) {
				s.Totals[i].Used += n.Usage[i].Used
				s.Totals[i].Allocatable += n.Usage[i].Allocatable
			}
		}
		switch {
		case !n.Price.Known():
			s.Cost.Unknown++
		default:
			s.Cost.Hourly += n.Price.Hourly
			s.Cost.Currency = n.Price.Currency
			if n.Price.Source == pricing.Estimate {
				s.Cost.Estimated++
			}
		}
		s.Pods.Total += n.Pods
		s.Pods.Running += n.Pods
		s.Pods.Bound += n.Pods
	}
	return s
}

func resourcesSnapshot() cluster.Snapshot {
	usage := func(c, m, p, g int64) []cluster.Quantity {
		return []cluster.Quantity{cpu(c, 7910), {Used: m, Allocatable: 29 * gi}, {Used: p * 1000, Allocatable: 58000}, {Used: g * 1000, Allocatable: 4000}}
	}
	return totals(cluster.Snapshot{
		Taken: testNow, Synced: true,
		Resources: []string{"cpu", "memory", "pods", "nvidia.com/gpu"},
		Nodes: []*cluster.Node{
			node("ip-192-168-10-1.us-west-2.compute.internal", func(n *cluster.Node) {
				n.InstanceType, n.Price.Hourly, n.Pods, n.MaxPods = "g4dn.2xlarge", 0.752, 31, 58
				n.Usage = usage(7500, 25*gi, 31, 4)
			}),
			node("ip-192-168-10-2.us-west-2.compute.internal", func(n *cluster.Node) {
				n.InstanceType, n.Price.Hourly, n.Pods, n.MaxPods = "g4dn.2xlarge", 0.752, 12, 58
				n.Capacity = pricing.Spot
				n.Usage = usage(2100, 123*gi/10, 12, 1)
			}),
		},
	})
}

func labelsSnapshot() cluster.Snapshot {
	s := cluster.Snapshot{
		Taken: testNow, Synced: true,
		Resources:   []string{"cpu"},
		ExtraLabels: []string{"team", "topology.kubernetes.io/zone", cluster.LabelNodeAge},
	}
	for i, team := range []string{"日本", "platform", "", "データ基盤"} {
		s.Nodes = append(s.Nodes, node(fmt.Sprintf("node-%d", i), func(n *cluster.Node) {
			n.Created = testNow.Add(-time.Duration(i*i*7+1) * time.Hour)
			n.Labels = map[string]string{"team": team, "topology.kubernetes.io/zone": "us-east-1" + string(rune('a'+i))}
			n.Usage[0].Used = int64(500 * i)
		}))
	}
	return totals(s)
}

func pricesSnapshot() cluster.Snapshot {
	s := cluster.Snapshot{
		Taken: testNow, Synced: true,
		Resources: []string{"cpu"},
		Nodes: []*cluster.Node{
			node("live", func(n *cluster.Node) { n.InstanceType, n.Price.Hourly = "p5.48xlarge", 98.32 }),
			node("estimate", func(n *cluster.Node) {
				n.Price.Source, n.Price.Reason = pricing.Estimate, "us-east-1 list price"
			}),
			node("unknown", func(n *cluster.Node) {
				n.Capacity, n.InstanceType = pricing.Spot, "m7i.large"
				n.Price = pricing.Price{Reason: "spot price not published"}
			}),
		},
	}
	s = totals(s)
	s.Cost.Hourly *= 12 // make the thousands separators show
	return s
}

func statesSnapshot() cluster.Snapshot {
	return totals(cluster.Snapshot{
		Taken: testNow, Synced: true,
		Resources: []string{"cpu"},
		Nodes: []*cluster.Node{
			node("ready", nil),
			node("cordoned", func(n *cluster.Node) { n.Cordoned = true }),
			node("deleting", func(n *cluster.Node) { n.Deleting = true }),
			node("draining", func(n *cluster.Node) { n.Cordoned, n.Deleting = true, true }),
			node("notready", func(n *cluster.Node) { n.Ready, n.ReadySince = false, testNow.Add(-3*time.Minute) }),
			node("notready-unknown", func(n *cluster.Node) { n.Ready = false }),
			node("default-x7k2p", func(n *cluster.Node) {
				n.Launching, n.Ready, n.Created, n.Pods, n.MaxPods = true, false, testNow.Add(-95*time.Second), 0, 0
				n.Usage[0] = cluster.Quantity{}
			}),
			node("default-stuck", func(n *cluster.Node) {
				n.Launching, n.Ready, n.Pods, n.MaxPods = true, false, 0, 0
				n.Created = testNow.Add(-93 * 24 * time.Hour)
				n.Usage[0] = cluster.Quantity{}
			}),
			node("fargate-ip-192-168-1-1", func(n *cluster.Node) {
				n.InstanceType, n.Capacity, n.Price.Hourly, n.MaxPods = "0.25vCPU-0.5GB", pricing.Fargate, 0.01234, 0
				n.Pods = 1
			}),
			node("untyped", func(n *cluster.Node) {
				n.InstanceType, n.Capacity, n.Price = "", pricing.CapacityUnknown, pricing.Price{}
			}),
		},
	})
}

func statusSnapshot() cluster.Snapshot {
	s := labSnapshot()
	s.Pods.Elsewhere = 7
	s.Notes = []string{"NodeClaims unavailable: karpenter.sh/v1 not installed", "spot prices: AccessDenied"}
	for i, r := range []string{"Nominated", "FailedScheduling", "DisruptionLaunching", "DisruptionTerminating", "Unconsolidatable"} {
		s.Events = append(s.Events, cluster.Event{
			Time:    testNow.Add(-time.Duration(50-10*i) * time.Second),
			Reason:  r,
			Object:  "node/i-0abc" + fmt.Sprint(i),
			Message: "Disrupting Node: Empty\nwith\x1b[31m escapes",
		})
		s.Activity = append(s.Activity, cluster.Activity{
			Time: testNow.Add(-time.Duration(50-10*i) * time.Second), Kind: cluster.ActEvent, Count: 1,
			Object: "node/i-0abc" + fmt.Sprint(i), Reason: r, Message: "Disrupting Node: Empty\nwith\x1b[31m escapes",
		})
	}
	return s
}

// The Karpenter lab mid-story: a scale-up (a NodeClaim registering with 8
// pods waiting for it, a node initializing, a launch that failed for want
// of capacity) while consolidation disrupts one node and a do-not-disrupt
// pod keeps another; a managed node group beside them. Times are before
// testNow; prices are the lab's (t3a.medium $0.0376 + the Auto Mode fee).

const labHourly = 0.0376 + 0.00451

func labStep(typ, status string, at time.Time, reason, msg string) cluster.Step {
	return cluster.Step{Type: typ, Status: status, At: at, Reason: reason, Message: msg}
}

// lifecycle is a NodeClaim created at created whose first done steps are
// True, each a little later, and the rest Unknown (with reason on the
// first of them).
func lifecycle(created time.Time, done int, reason string) *cluster.Lifecycle {
	l := &cluster.Lifecycle{Created: created}
	at := []time.Duration{1200 * time.Millisecond, 2900 * time.Millisecond, 4100 * time.Millisecond, 4300 * time.Millisecond}
	for i, typ := range []string{"Launched", "Registered", "Initialized", "Ready"} {
		switch {
		case i < done || (i == 3 && done == 3):
			l.Steps = append(l.Steps, labStep(typ, "True", created.Add(at[i]), typ, ""))
		case i == done:
			l.Steps = append(l.Steps, labStep(typ, "Unknown", created, reason, ""))
		default:
			l.Steps = append(l.Steps, labStep(typ, "Unknown", created, "", ""))
		}
	}
	return l
}

func karpenterNodes() []*cluster.Node {
	price := pricing.Price{Hourly: labHourly, Currency: "USD", Source: pricing.Live}
	kept := autoNode("i-0123456789abcdef0", 1600, 8)
	kept.Price, kept.NodeClaim = price, "general-purpose-abcde"
	kept.Lifecycle = lifecycle(kept.Created.Add(-30*time.Second), 3, "")
	kept.Disruption = cluster.Disruption{
		BlockingPods:   []string{"my-cool-app/fastapi-deployment-6b5f9d7c4-2bq5x"},
		Consolidatable: testNow.Add(-40 * time.Minute),
		Blocked:        &cluster.Event{Time: testNow.Add(-4 * time.Minute), Reason: "DisruptionBlocked", Object: "node/i-0123456789abcdef0", Message: `Pod "my-cool-app/fastapi-deployment-6b5f9d7c4-2bq5x" has "karpenter.sh/do-not-disrupt" annotation`},
	}
	going := autoNode("i-0123456789abcdef2", 200, 1)
	going.Price, going.NodeClaim = price, "general-purpose-f3k9d"
	going.Lifecycle = lifecycle(going.Created.Add(-30*time.Second), 3, "")
	going.Disruption = cluster.Disruption{Reason: "Underutilized", Tainted: true, Consolidatable: testNow.Add(-20 * time.Minute)}
	initializing := autoNode("i-0fedcba9876543210", 0, 2)
	initializing.Price, initializing.Ready, initializing.Created = price, false, testNow.Add(-5*time.Second)
	initializing.NodeClaim = "general-purpose-q4m8n"
	initializing.Lifecycle = lifecycle(testNow.Add(-8*time.Second), 2, "StartupTaintsExist")
	registering := autoNode("general-purpose-x7k2p", 0, 0)
	registering.Launching, registering.Ready, registering.Price = true, false, price
	registering.NodeClaim, registering.Created, registering.Nominated = "general-purpose-x7k2p", testNow.Add(-5*time.Second), 8
	registering.Lifecycle = lifecycle(registering.Created, 1, "NodeNotFound")
	failed := autoNode("general-purpose-zz9xw", 0, 0)
	failed.Launching, failed.Ready, failed.Price, failed.InstanceType = true, false, pricing.Price{Hourly: 0.0832, Currency: "USD", Source: pricing.Live}, "c6a.large"
	failed.NodeClaim, failed.Created = "general-purpose-zz9xw", testNow.Add(-2*time.Minute)
	failed.Lifecycle = lifecycle(failed.Created, 0, "LaunchFailed")
	failed.Lifecycle.Failed = &cluster.Step{Type: "Launched", Status: "Unknown", At: failed.Created, Reason: "LaunchFailed",
		Message: "creating instance, insufficient capacity, with fleet error(s), InsufficientInstanceCapacity: We currently do not have sufficient c6a.large capacity in the Availability Zone you requested (us-east-1a)."}
	failed.Lifecycle.Problem = &cluster.Event{Time: testNow.Add(-90 * time.Second), Reason: "InsufficientCapacityError", Object: "nodeclaim/general-purpose-zz9xw",
		Message: "NodeClaim general-purpose-zz9xw event: creating instance, insufficient capacity"}
	pinned := autoNode("i-0aaaabbbbccccdddd", 900, 4)
	pinned.Price, pinned.Cordoned, pinned.NodeClaim = price, true, "system-8hd2s"
	pinned.NodePool, pinned.Labels = "system", map[string]string{"karpenter.sh/nodepool": "system"}
	pinned.Lifecycle = lifecycle(pinned.Created.Add(-30*time.Second), 3, "")
	pinned.Disruption = cluster.Disruption{DoNotDisrupt: true, Drifted: "NodePoolDrifted"}
	group := node("ip-10-0-1-5.ec2.internal", func(n *cluster.Node) {
		n.Labels = map[string]string{"eks.amazonaws.com/nodegroup": "ng-1"}
	})
	return []*cluster.Node{kept, going, initializing, registering, failed, pinned, group}
}

// karpenterActivity is the session's timeline up to testNow.
func karpenterActivity() []cluster.Activity {
	at := func(ago time.Duration) time.Time { return testNow.Add(-ago) }
	price := pricing.Price{Hourly: labHourly, Currency: "USD", Source: pricing.Live}
	return []cluster.Activity{
		{Time: at(48 * time.Minute), Kind: cluster.ActLaunch, Object: "nodeclaim/general-purpose-abcde", NodePool: "general-purpose", InstanceType: "t3a.medium", Capacity: pricing.OnDemand, Zone: "us-east-1a", Pods: 8, Price: price, Count: 1},
		{Time: at(48*time.Minute - 4100*time.Millisecond), Kind: cluster.ActReady, Object: "nodeclaim/general-purpose-abcde", Node: "i-0123456789abcdef0", Steps: []time.Duration{1200 * time.Millisecond, 2900 * time.Millisecond, 4100 * time.Millisecond, 4300 * time.Millisecond}, Count: 1},
		{Time: at(31 * time.Minute), Kind: cluster.ActDisrupting, Object: "node/i-0123456789abcdef9", Node: "i-0123456789abcdef9", Reason: "Empty", Count: 1},
		{Time: at(30 * time.Minute), Kind: cluster.ActRemoved, Object: "node/i-0123456789abcdef9", Node: "i-0123456789abcdef9", Reason: "Empty", Price: price, Saving: &cluster.Saving{Time: at(30 * time.Minute), Node: "i-0123456789abcdef9", Reason: "Empty", Price: labHourly}, Count: 1},
		{Time: at(12 * time.Minute), Kind: cluster.ActBlocked, Object: "node/i-0123456789abcdef0", Reason: "Unconsolidatable", Message: "Can't replace with a cheaper node", Count: 3},
		{Time: at(5 * time.Minute), Kind: cluster.ActUnschedulable, Object: "nodepool/system", Pods: 2, Message: `NodePool "system" limits exhausted (cpu 4/4)`, Count: 1},
		{Time: at(2 * time.Minute), Kind: cluster.ActLaunch, Object: "nodeclaim/general-purpose-zz9xw", InstanceType: "c6a.large", Capacity: pricing.OnDemand, Zone: "us-east-1a", Pods: 8, Count: 1},
		{Time: at(90 * time.Second), Kind: cluster.ActLaunchFailed, Object: "nodeclaim/general-purpose-zz9xw", Reason: "InsufficientCapacityError", Message: "creating instance, insufficient capacity", Count: 1},
		{Time: at(60 * time.Second), Kind: cluster.ActDisrupting, Object: "node/i-0123456789abcdef2", Node: "i-0123456789abcdef2", Reason: "Underutilized", Count: 1},
		{Time: at(8 * time.Second), Kind: cluster.ActLaunch, Object: "nodeclaim/general-purpose-q4m8n", InstanceType: "t3a.medium", Capacity: pricing.OnDemand, Zone: "us-east-1b", Count: 1},
		{Time: at(5 * time.Second), Kind: cluster.ActLaunch, Object: "nodeclaim/general-purpose-x7k2p", InstanceType: "t3a.medium", Capacity: pricing.OnDemand, Zone: "us-east-1a", Pods: 8, Count: 1},
	}
}

// karpenterSnapshot is the node list of that moment, with the ledger and an
// hour's history.
func karpenterSnapshot() cluster.Snapshot {
	s := totals(cluster.Snapshot{Taken: testNow, Synced: true, Resources: []string{"cpu"}, Nodes: karpenterNodes()})
	s.Pods.Pending, s.Pods.Total = 10, s.Pods.Total+10
	s.Activity = karpenterActivity()
	s.Savings = cluster.Savings{
		Since: testNow.Add(-50 * time.Minute), Hourly: labHourly, Currency: "USD", SoFar: labHourly / 2,
		Entries: []cluster.Saving{{Time: testNow.Add(-30 * time.Minute), Node: "i-0123456789abcdef9", Reason: "Empty", Price: labHourly}},
	}
	for i := range 60 {
		nodes := []int{3, 3, 4, 4, 3, 3, 3, 2, 2, 2, 3, 5}[i/5]
		hourly := float64(nodes) * labHourly
		if i >= 50 {
			hourly += 0.0832 // a c6a.large for a while
		}
		s.History = append(s.History, cluster.Sample{Time: testNow.Add(-time.Duration(59-i) * time.Minute), Nodes: nodes, Hourly: hourly})
	}
	return s
}

// karpenterPending are the pods of that moment's scale-up: eight replicas
// nominated to the registering NodeClaim, one to a node, a batch pod over
// its NodePool's limits, one Karpenter has not answered.
func karpenterPending() []cluster.Pod {
	const app = "fastapi-deployment-6b5f9d7c4"
	var pods []cluster.Pod
	for i, sfx := range []string{"p9xq2", "r8m4t", "b7k2w", "z5n6c", "h3j9d", "k4d7e", "w2s8a", "m6n3b"} {
		pods = append(pods, cluster.Pod{
			Namespace: "my-cool-app", Name: app + "-" + sfx, Phase: "Pending",
			Created: testNow.Add(-12*time.Second - time.Duration(i)*time.Second), OwnerKind: "ReplicaSet", OwnerName: app,
			Requests: []int64{200}, FailedScheduling: "0/3 nodes are available: 3 Insufficient cpu.",
			Waiting: cluster.Waiting{Scheduler: "Insufficient cpu", Since: testNow.Add(-11 * time.Second),
				Nominated: "nodeclaim/general-purpose-x7k2p", KarpenterAt: testNow.Add(-10 * time.Second)},
		})
	}
	return append(pods,
		cluster.Pod{
			Namespace: "my-cool-app", Name: app + "-q1q1q", Phase: "Pending", Created: testNow.Add(-30 * time.Second),
			Requests: []int64{200},
			Waiting:  cluster.Waiting{Scheduler: "Insufficient cpu", Nominated: "node/i-0fedcba9876543210"},
		},
		cluster.Pod{
			Namespace: "batch", Name: "report-7f9c4", Phase: "Pending", Created: testNow.Add(-5 * time.Minute),
			OwnerKind: "Job", OwnerName: "report", Requests: []int64{4000},
			Waiting: cluster.Waiting{Scheduler: "Insufficient cpu, untolerated taint", Since: testNow.Add(-5 * time.Minute),
				Karpenter: `NodePool "system" limits exhausted (cpu 4/4)`, KarpenterAt: testNow.Add(-5 * time.Minute)},
		},
		cluster.Pod{
			Namespace: "default", Name: "nginx", Phase: "Pending", Created: testNow.Add(-2 * time.Second), Requests: []int64{100},
			FailedScheduling: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
		},
	)
}

// karpenterPools are the NodePools view's rows of that moment.
func karpenterPools() []cluster.NodePool {
	usage := func(used, alloc int64) []cluster.Quantity { return []cluster.Quantity{cpu(used, alloc)} }
	return []cluster.NodePool{
		{
			Name: "general-purpose", Kind: "nodepool", Known: true, Nodes: 3, Claims: 2, Deleting: 1,
			Usage: usage(1800, 5340), Cost: cluster.Cost{Hourly: 3 * labHourly, Currency: "USD"},
			Limits:              []cluster.Limit{{Resource: "cpu", Limit: 20_000, Used: 14_000}, {Resource: "memory", Limit: 100 * gi, Used: 28 * gi}},
			ConsolidationPolicy: "WhenEmptyOrUnderutilized", ConsolidateAfter: "0s",
			Budgets: []cluster.Budget{{Nodes: "10%"}}, Ready: "True",
			Events: []cluster.Event{{Time: testNow.Add(-90 * time.Second), Reason: "NoCompatibleInstanceTypes", Object: "nodepool/general-purpose",
				Message: "NodePool requirements filtered out all compatible available instance types"}},
		},
		{
			Name: "gpu", Kind: "nodepool", Known: true, Usage: usage(0, 0), Cost: cluster.Cost{Currency: "USD"},
			Limits:              []cluster.Limit{{Resource: "nvidia.com/gpu", Limit: 8000, Used: -1}},
			ConsolidationPolicy: "WhenEmpty", ConsolidateAfter: "Never", Weight: 10, Ready: "False", ReadyReason: "NodeClassNotReady",
		},
		{
			Name: "system", Kind: "nodepool", Known: true, Nodes: 1,
			Usage: usage(900, 1780), Cost: cluster.Cost{Hourly: labHourly, Currency: "USD"},
			Limits:              []cluster.Limit{{Resource: "cpu", Limit: 4000, Used: 4000}, {Resource: "nodes", Limit: 3000, Used: 1000}},
			ConsolidationPolicy: "WhenEmpty", ConsolidateAfter: "30s", Ready: "True",
			Budgets: []cluster.Budget{{Nodes: "0", Reasons: []string{"Drifted", "Underutilized"}, Schedule: "0 9 * * 1-5", Duration: "8h"}, {Nodes: "1"}},
			Events: []cluster.Event{{Time: testNow.Add(-4 * time.Minute), Reason: "DisruptionBlocked", Object: "nodepool/system",
				Message: "No allowed disruptions for disruption reason Drifted due to blocking budget"}},
		},
		{
			Name: "ng-1", Kind: "nodegroup", Nodes: 1,
			Usage: usage(950, 1930), Cost: cluster.Cost{Hourly: 0.096, Currency: "USD"},
		},
	}
}

// karpenterAll is the whole story in one snapshot: the node list, the
// pending pods, the NodePools and the session's activity (the fake source
// answers every query with it).
func karpenterAll() cluster.Snapshot {
	s := karpenterSnapshot()
	s.Pending = karpenterPending()
	s.Pods.Pending, s.Pods.Unscheduled = len(s.Pending), len(s.Pending)
	s.NodePools = karpenterPools()
	return s
}

// hugeSnapshot is bigSnapshot at 100,000 nodes and 2,000,000 pods (some
// pending), with a cost in the thousands of dollars an hour.
func hugeSnapshot() cluster.Snapshot {
	s := bigSnapshot(100000)
	s.Pods = cluster.PodCounts{Total: 2012345, Pending: 12345, Running: 2000000, Bound: 2000000, Unscheduled: 12345, Elsewhere: 4321}
	return s
}

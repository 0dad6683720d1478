package cluster

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// bigCluster fills a model with nodes and pods the way the informers would
// (through the transforms and the handlers' mutations), without informers.
func bigCluster(tb testing.TB, nodes, pods int, opts Options) *Cluster {
	tb.Helper()
	c := New(opts)
	types := []string{"m5.xlarge", "c6i.2xlarge", "r6g.large", "t3a.medium"}
	zones := []string{"us-west-2a", "us-west-2b", "us-west-2c"}
	for i := range nodes {
		n := node(bigNodeName(i), "3920m", t0,
			pricing.LabelInstanceType, types[i%len(types)],
			pricing.LabelZone, zones[i%len(zones)],
			pricing.LabelKarpenterCapacity, []string{"spot", "on-demand"}[i%2],
			"karpenter.sh/nodepool", "default",
			"kubernetes.io/arch", "amd64",
			"kubernetes.io/os", "linux",
		)
		n.CreationTimestamp = metav1.NewTime(t0.Add(-bigAge(i)))
		obj, _ := c.res.transformNode(n)
		c.setNode(obj.(*nodeObj).name, obj.(*nodeObj))
	}
	for i := range pods {
		p := pod(fmt.Sprintf("team-%d", i%40), fmt.Sprintf("app-%d-7f9c8d-%05d", i%300, i),
			bigNodeName(i%nodes),
			"150m", corev1.PodRunning)
		obj, _ := c.res.transformPod(p)
		c.podDelta(obj.(*podObj), 1)
	}
	for _, s := range []string{"nodes", "pods", "nodeclaims", "events"} {
		c.addSync(s).synced = true
	}
	return c
}

func bigNodeName(i int) string {
	return fmt.Sprintf("ip-10-%d-%d-%d.us-west-2.compute.internal", i/65536, i/256%256, i%256)
}

// bigAge spreads creation times over days without ties.
func bigAge(i int) time.Duration { return time.Duration(i) * 37 * time.Second }

// BenchmarkSnapshot is the work after a settled change burst: ten pods
// change (on ten nodes), then one Snapshot of the whole cluster (cpu and
// memory, a zone column), priced by the static table. Nodes x 20 pods.
func BenchmarkSnapshot(b *testing.B) {
	for _, nodes := range []int{500, 5000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			c := bigCluster(b, nodes, 20*nodes, Options{
				Resources:   []string{"cpu", "memory"},
				ExtraLabels: []string{pricing.LabelZone},
				Pricing:     pricing.NewStatic("us-west-2"),
				Now:         func() time.Time { return t0 },
			})
			if s := c.Snapshot(); len(s.Nodes) != nodes || s.Pods.Total != 20*nodes {
				b.Fatalf("snapshot has %d nodes, %d pods", len(s.Nodes), s.Pods.Total)
			}
			burstThenSnapshot(b, c, nodes, Query{})
		})
	}
}

// BenchmarkPodAdd is the initial sync's work per pod after decoding: the
// transform, then the add as the handler applies it (under the lock).
// 5,000 nodes; b.N pods spread over them, kept as the informer's store
// keeps them.
func BenchmarkPodAdd(b *testing.B) {
	c := bigCluster(b, 5000, 0, Options{Resources: []string{"cpu", "memory"}})
	pods := make([]*corev1.Pod, 4096)
	for i := range pods {
		pods[i] = pod(fmt.Sprintf("team-%d", i%40), fmt.Sprintf("app-%d-7f9c8d-%05d", i%300, i), bigNodeName(i%5000), "150m", corev1.PodRunning)
	}
	var store []any // the informer's store keeps every transformed pod
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := *pods[i%len(pods)]
		p.Name = fmt.Sprint(p.Name, i)
		obj, _ := c.res.transformPod(&p)
		store = append(store, obj)
		c.mu.Lock()
		c.podDelta(obj.(*podObj), 1)
		c.mu.Unlock()
		i++
	}
}

// karpenterCluster is bigCluster with Karpenter's objects: a NodeClaim per
// node (Ready, Consolidatable), an Unconsolidatable event about every
// node, and two NodePools with limits.
func karpenterCluster(tb testing.TB, nodes, pods int, opts Options) *Cluster {
	tb.Helper()
	c := bigCluster(tb, nodes, pods, opts)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.allSynced = true
	for i := range nodes {
		name := bigNodeName(i)
		u := withConditions(nodeClaim(fmt.Sprintf("default-%05d", i), name, "aws:///us-west-2a/"+name, t0, map[string]string{"karpenter.sh/nodepool": "default"}),
			cond("Launched", "True", "Launched", t0), cond("Registered", "True", "Registered", t0),
			cond("Initialized", "True", "Initialized", t0), cond("Ready", "True", "Ready", t0),
			cond("Consolidatable", "True", "Consolidatable", t0))
		obj, _ := c.res.transformClaim(u)
		c.applyClaim(nil, obj)
		ev, _ := transformEvent(kevent(fmt.Sprintf("uncons-%d", i), "Unconsolidatable", on("Node", "", name), "Can't replace with a cheaper node", t0.Add(time.Hour)))
		c.applyEvent(nil, ev)
	}
	for _, name := range []string{"default", "spot"} {
		obj, _ := transformPool(nodePool(name, map[string]any{"limits": map[string]any{"cpu": "20000"}}, map[string]any{"resources": map[string]any{"cpu": "19000"}}))
		c.applyPool(nil, obj)
	}
	return c
}

// BenchmarkSnapshotKarpenter is BenchmarkSnapshot's burst on a cluster
// where every node has a NodeClaim and a blocked message, with the
// NodePools view and the whole activity asked for.
func BenchmarkSnapshotKarpenter(b *testing.B) {
	c := karpenterCluster(b, 5000, 100000, Options{
		Resources: []string{"cpu", "memory"},
		Pricing:   pricing.NewStatic("us-west-2"),
		Now:       func() time.Time { return t0.Add(time.Hour) },
	})
	q := Query{NodePools: true, Activity: true}
	if s := c.SnapshotFor(q); len(s.Nodes) != 5000 || s.Nodes[0].Disruption.Blocked == nil || len(s.NodePools) != 2 {
		b.Fatalf("snapshot: %d nodes, %d pools", len(s.Nodes), len(s.NodePools))
	}
	burstThenSnapshot(b, c, 5000, q)
}

// burstThenSnapshot times a settled change burst: ten pods come and go on
// ten nodes spread over the cluster's nodes, then one snapshot for q.
func burstThenSnapshot(b *testing.B, c *Cluster, nodes int, q Query) {
	burst := make([]*podObj, 10)
	for i := range burst {
		p := pod("team-x", fmt.Sprintf("burst-%d", i), bigNodeName(i*nodes/len(burst)), "250m", corev1.PodRunning)
		obj, _ := c.res.transformPod(p)
		burst[i] = obj.(*podObj)
	}
	sign := 1
	b.ReportAllocs()
	for b.Loop() {
		c.mu.Lock()
		for _, p := range burst {
			c.podDelta(p, sign)
		}
		c.mu.Unlock()
		sign = -sign
		_ = c.SnapshotFor(q)
	}
}

// BenchmarkKarpenterEvent is one Karpenter event's work after decoding
// (transform, then apply under the lock) on that cluster: a pending pod's
// FailedScheduling and Nomination, and a node's DisruptionBlocked. It does
// not grow with the cluster.
func BenchmarkKarpenterEvent(b *testing.B) {
	c := karpenterCluster(b, 5000, 100000, Options{Now: func() time.Time { return t0.Add(time.Hour) }})
	evs := make([]*corev1.Event, 4096)
	for i := range evs {
		p := fmt.Sprintf("pending-%d", i)
		switch i % 3 {
		case 0:
			evs[i] = kevent("fs-"+p, "FailedScheduling", on("Pod", "app", p), `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`, t0.Add(2*time.Hour))
		case 1:
			evs[i] = kevent("nom-"+p, "Nominated", on("Pod", "app", p), "Pod should schedule on: nodeclaim/default-00001", t0.Add(2*time.Hour))
		default:
			evs[i] = kevent("blk-"+p, "DisruptionBlocked", on("Node", "", bigNodeName(i%5000)), `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=app/x)`, t0.Add(2*time.Hour))
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := *evs[i%len(evs)]
		ev.Name = fmt.Sprint(ev.Name, i)
		obj, _ := transformEvent(&ev)
		c.mu.Lock()
		c.applyEvent(nil, obj)
		c.mu.Unlock()
		i++
	}
}

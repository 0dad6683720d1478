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
				_ = c.Snapshot()
			}
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

package cluster

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The model below is driven through the handlers' mutations directly (as in
// bigCluster), so that each step is exact and no informer timing is involved.

func (c *Cluster) testNode(n *corev1.Node) {
	obj, _ := c.res.transformNode(n)
	c.mu.Lock()
	c.setNode(n.Name, obj.(*nodeObj))
	c.mu.Unlock()
}

func (c *Cluster) testDeleteNode(name string) {
	c.mu.Lock()
	c.setNode(name, nil)
	c.mu.Unlock()
}

func (c *Cluster) testPod(p *corev1.Pod, sign int) {
	obj, _ := c.res.transformPod(p)
	c.mu.Lock()
	c.podDelta(obj.(*podObj), sign)
	c.mu.Unlock()
}

// fullRows is what Snapshot returned before rows were cached: every row
// built afresh, then sorted from scratch.
func fullRows(c *Cluster) []*Node {
	c.mu.Lock()
	var rows []*Node
	for _, e := range c.nodes {
		if e.node != nil {
			row := c.nodeRow(e)
			row.Price = c.opts.Pricing.NodePrice(e.priceDesc())
			row.priceShares()
			rows = append(rows, row)
		}
	}
	c.mu.Unlock()
	sortRows(rows, newSortBy(c.opts.Sort))
	return rows
}

func TestIncrementalSnapshotMatchesAFullRebuild(t *testing.T) {
	for _, spec := range []options.SortSpec{
		{Key: "creation", Descending: true},
		{Key: "eks-node-viewer/node-cpu-usage", Descending: true},
		{Key: "zone"},
	} {
		t.Run(spec.String(), func(t *testing.T) {
			c := New(Options{
				Resources:   []string{"cpu", "memory"},
				ExtraLabels: []string{"zone", "eks-node-viewer/node-cpu-usage"},
				Sort:        spec,
				Pricing:     fixedPrices{},
				Now:         func() time.Time { return t0 },
			})
			rng := rand.New(rand.NewSource(1))
			live := map[int]bool{}
			pods := map[int]*corev1.Pod{}
			for step := range 400 {
				switch op := rng.Intn(10); {
				case op < 2: // add or replace a node
					i := rng.Intn(30)
					c.testNode(node(fmt.Sprintf("node-%d", i), fmt.Sprint(1+rng.Intn(4)),
						t0.Add(-time.Duration(rng.Intn(50))*time.Minute), "zone", fmt.Sprintf("z%d", rng.Intn(3))))
					live[i] = true
				case op < 3: // delete a node (its pods stay, as elsewhere)
					i := rng.Intn(30)
					if live[i] {
						c.testDeleteNode(fmt.Sprintf("node-%d", i))
						delete(live, i)
					}
				case op < 7: // add a pod
					k := rng.Intn(200)
					if pods[k] == nil {
						pods[k] = pod("ns", fmt.Sprintf("p%d", k), fmt.Sprintf("node-%d", rng.Intn(30)),
							fmt.Sprintf("%dm", 50*(1+rng.Intn(10))), corev1.PodRunning)
						c.testPod(pods[k], 1)
					}
				default: // delete a pod
					k := rng.Intn(200)
					if pods[k] != nil {
						c.testPod(pods[k], -1)
						delete(pods, k)
					}
				}
				if step%7 != 0 {
					continue
				}
				got, want := c.Snapshot().Nodes, fullRows(c)
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: incremental rows differ from a full rebuild:\n got %s\nwant %s",
						step, names(Snapshot{Nodes: got}), names(Snapshot{Nodes: want}))
				}
			}
		})
	}
}

func TestEarlierSnapshotsNeverChange(t *testing.T) {
	c := New(Options{Resources: []string{"cpu"}, ExtraLabels: []string{"eks-node-viewer/node-cpu-usage"}, Pricing: fixedPrices{}})
	c.testNode(node("a", "2", t0))
	c.testNode(node("b", "2", t0.Add(time.Minute)))
	p := pod("ns", "p", "a", "500m", corev1.PodRunning)
	c.testPod(p, 1)
	s1 := c.Snapshot()
	before := fmt.Sprintf("%+v", s1.Nodes)

	c.testPod(p, -1)
	c.testPod(pod("ns", "q", "a", "1500m", corev1.PodRunning), 1)
	c.testDeleteNode("b")
	s2 := c.Snapshot()
	if after := fmt.Sprintf("%+v", s1.Nodes); after != before {
		t.Fatalf("an earlier snapshot changed:\nbefore %s\nafter  %s", before, after)
	}
	if len(s2.Nodes) != 1 || s2.Nodes[0].Usage[0].Used != 1500 || s2.Nodes[0].LabelUsage[0] != (Quantity{Used: 1500, Allocatable: 2000}) {
		t.Fatalf("new snapshot: %s", describe(s2))
	}
}

// changingPrices answers with the current price and counts questions.
type changingPrices struct {
	hourly  atomic.Value // float64
	asked   atomic.Int64
	changed chan struct{}
}

func (p *changingPrices) NodePrice(pricing.Node) pricing.Price {
	p.asked.Add(1)
	return pricing.Price{Hourly: p.hourly.Load().(float64), Currency: "USD", Source: pricing.Live}
}
func (p *changingPrices) Status() string           { return "" }
func (p *changingPrices) Changed() <-chan struct{} { return p.changed }

func TestPricesAreAskedAgainAfterPricesChanged(t *testing.T) {
	prices := &changingPrices{}
	prices.hourly.Store(0.1)
	c := New(Options{Pricing: prices})
	c.testNode(node("a", "2", t0, pricing.LabelInstanceType, "m5.large"))
	c.testNode(node("b", "2", t0, pricing.LabelInstanceType, "m5.large"))
	if s := c.Snapshot(); s.Cost.Hourly != 0.2 || prices.asked.Load() != 2 {
		t.Fatalf("cost %v after %d questions", s.Cost.Hourly, prices.asked.Load())
	}
	// Nothing changed: no question asked again.
	prices.hourly.Store(0.3)
	if s := c.Snapshot(); s.Cost.Hourly != 0.2 || prices.asked.Load() != 2 {
		t.Fatalf("cost %v after %d questions", s.Cost.Hourly, prices.asked.Load())
	}
	// A changed node is priced again, the others keep their cached price
	// until the provider says prices changed.
	c.testPod(pod("ns", "p", "a", "100m", corev1.PodRunning), 1)
	if s := c.Snapshot(); s.Cost.Hourly != 0.4 || prices.asked.Load() != 3 {
		t.Fatalf("cost %v after %d questions", s.Cost.Hourly, prices.asked.Load())
	}
	// The provider signals a change: the model follows and notifies.
	prices.changed = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.followPrices(ctx)
	prices.changed <- struct{}{}
	select {
	case <-c.Changed():
	case <-time.After(10 * time.Second):
		t.Fatal("a price change did not notify")
	}
	if s := c.Snapshot(); s.Cost.Hourly != 0.6 || prices.asked.Load() != 5 {
		t.Fatalf("cost %v after %d questions", s.Cost.Hourly, prices.asked.Load())
	}
}

func TestStreamedObjectsShowAsProgressUntilSynced(t *testing.T) {
	c := New(Options{})
	pods := c.addSync("pods")
	nodes := c.addSync("nodes")
	transform := c.counting(pods, c.res.transformPod)
	for i := range progressEvery {
		obj, err := transform(pod("ns", fmt.Sprint(i), "", "1m", corev1.PodRunning))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := transform(obj); err != nil { // already transformed: not counted
			t.Fatal(err)
		}
	}
	select {
	case <-c.Changed():
	default:
		t.Fatal("no notification after progressEvery objects")
	}
	s := c.Snapshot()
	if fmt.Sprint(s.Syncing) != "[{pods 2000} {nodes 0}]" {
		t.Fatalf("syncing %v", s.Syncing)
	}

	c.markSynced(pods)
	select {
	case <-c.Synced():
		t.Fatal("Synced closed before every informer synced")
	default:
	}
	c.markSynced(nodes)
	select {
	case <-c.Synced():
	default:
		t.Fatal("Synced not closed")
	}
	if s := c.Snapshot(); !s.Synced || len(s.Syncing) != 0 {
		t.Fatalf("synced %v, syncing %v", s.Synced, s.Syncing)
	}
	// After the sync, decoded objects are no longer counted.
	_, _ = transform(pod("ns", "late", "", "1m", corev1.PodRunning))
	if pods.streamed.Load() != progressEvery {
		t.Fatalf("streamed %d", pods.streamed.Load())
	}
}

// recordingPrices remembers what it was asked.
type recordingPrices struct{ asked []pricing.Node }

func (p *recordingPrices) NodePrice(n pricing.Node) pricing.Price {
	p.asked = append(p.asked, n)
	return pricing.Price{Hourly: 0.01, Currency: "USD", Source: pricing.Static}
}
func (p *recordingPrices) Status() string           { return "" }
func (p *recordingPrices) Changed() <-chan struct{} { return nil }

func TestFargateNodesArePricedByTheirPodsCapacity(t *testing.T) {
	prices := &recordingPrices{}
	c := New(Options{Pricing: prices})
	c.testNode(node("fargate-ip-10-0-1-2", "2", t0, pricing.LabelEKSComputeType, "fargate", pricing.LabelZone, "us-east-1a"))
	p := pod("ns", "p", "fargate-ip-10-0-1-2", "250m", corev1.PodRunning)
	p.Annotations = map[string]string{pricing.FargateCapacityAnnotation: "0.25vCPU 0.5GB"}
	c.testPod(p, 1)
	s := c.Snapshot()
	if len(prices.asked) != 1 || prices.asked[0].FargateCapacity != "0.25vCPU 0.5GB" || prices.asked[0].Capacity != pricing.Fargate {
		t.Fatalf("asked %+v", prices.asked)
	}
	if s.Nodes[0].InstanceType != "0.25vCPU-0.5GB" || s.Cost.Hourly != 0.01 {
		t.Fatalf("row %+v, cost %+v", s.Nodes[0], s.Cost)
	}
}

func TestTransformSharesRepeatedStrings(t *testing.T) {
	r := newResources([]string{"cpu", "pods"})
	decode := func(name string) *podObj {
		// Separate allocations, as two decoded objects have.
		p := pod(string([]byte("team-a")), name, string([]byte("node-1")), "1m", corev1.PodPhase([]byte("Running")))
		obj, _ := r.transformPod(p)
		return obj.(*podObj)
	}
	a, b := decode("a"), decode("b")
	if unsafe.StringData(a.ns) != unsafe.StringData(b.ns) || unsafe.StringData(a.node) != unsafe.StringData(b.node) {
		t.Error("namespace or node name not shared")
	}
	if unsafe.StringData(string(a.phase)) != unsafe.StringData(string(corev1.PodRunning)) {
		t.Error("phase is not the constant")
	}
	if a.ns != "team-a" || a.node != "node-1" || a.phase != corev1.PodRunning || a.name != "a" {
		t.Errorf("pod %+v", a)
	}
	if intern("") != "" || podPhase("Weird") != "Weird" {
		t.Error("edge cases")
	}
}

package cluster

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// TestSharedRowsMatchAFullRebuild churns nodes, NodeClaims, pods with
// do-not-disrupt and Karpenter's events at random, and checks after every
// few steps that the rows a Snapshot shares from its cache are the rows a
// rebuild of every node gives: every change that shows on a row marks it.
func TestSharedRowsMatchAFullRebuild(t *testing.T) {
	defer func(b int) { rowBlock = b }(rowBlock)
	rowBlock = 3 // several blocks of the few nodes
	rng := rand.New(rand.NewSource(7))
	now := t0
	c := New(Options{Pricing: pricing.NewStatic("us-east-1"), Now: func() time.Time { return now }, UsageInterval: 15 * time.Second})
	c.allSynced = true
	apply := func(f func(old, obj any) bool, old, obj any) {
		c.mu.Lock()
		f(old, obj)
		c.mu.Unlock()
	}
	const nodes = 14
	name := func(i int) string { return fmt.Sprintf("i-%02d", i) }
	provider := func(i int) string { return "aws:///us-east-1a/" + name(i) }
	nodeObjs := map[int]any{}
	claimObjs := map[int]any{}
	pods := map[int]any{}
	events := map[int]any{}
	for step := range 600 {
		now = now.Add(time.Duration(rng.Intn(90)) * time.Second)
		i := rng.Intn(nodes)
		switch op := rng.Intn(7); op {
		case 0: // a node comes or goes
			if old := nodeObjs[i]; old != nil && rng.Intn(2) == 0 {
				apply(c.applyNode, old, nil)
				delete(nodeObjs, i)
				break
			}
			n := node(name(i), "2", t0.Add(time.Duration(i)*time.Minute), pricing.LabelInstanceType, "m5.large", "karpenter.sh/nodepool", "default")
			n.Spec.ProviderID = provider(i)
			if rng.Intn(3) == 0 {
				n.Spec.Taints = []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule}}
			}
			if rng.Intn(4) == 0 {
				n.Annotations = map[string]string{"karpenter.sh/do-not-disrupt": "true"}
			}
			obj, _ := c.res.transformNode(n)
			apply(c.applyNode, nodeObjs[i], obj)
			nodeObjs[i] = obj
		case 1: // its NodeClaim comes, changes or goes
			if old := claimObjs[i]; old != nil && rng.Intn(3) == 0 {
				apply(c.applyClaim, old, nil)
				delete(claimObjs, i)
				break
			}
			nodeName := ""
			if rng.Intn(2) == 0 {
				nodeName = name(i)
			}
			conds := []map[string]any{cond("Ready", "True", "Ready", t0)}
			if rng.Intn(2) == 0 {
				conds = append(conds, cond("Consolidatable", "True", "Consolidatable", now))
			}
			if rng.Intn(3) == 0 {
				conds = append(conds, cond("DisruptionReason", "True", []string{"Underutilized", "Empty", "Drifted"}[rng.Intn(3)], now))
			}
			u := withConditions(nodeClaim(fmt.Sprintf("default-%02d", i), nodeName, provider(i), t0, map[string]string{"karpenter.sh/nodepool": "default"}), conds...)
			if rng.Intn(5) == 0 {
				u.SetDeletionTimestamp(ptrTo(metav1.NewTime(now)))
			}
			obj, _ := c.res.transformClaim(u)
			apply(c.applyClaim, claimObjs[i], obj)
			claimObjs[i] = obj
		case 2, 3: // a pod: pending, bound, protected for a while, gone
			k := rng.Intn(30)
			if old := pods[k]; old != nil && rng.Intn(3) == 0 {
				apply(c.applyPod, old, nil)
				delete(pods, k)
				break
			}
			p := pod("app", fmt.Sprintf("p-%d", k), "", "100m", corev1.PodPending)
			if rng.Intn(3) > 0 {
				p = dndPod(fmt.Sprintf("p-%d", k), name(i), []string{"true", "5m", "90s", "no"}[rng.Intn(4)], now.Add(-time.Duration(rng.Intn(300))*time.Second))
			}
			obj, _ := c.res.transformPod(p)
			apply(c.applyPod, pods[k], obj)
			pods[k] = obj
		case 4, 5: // Karpenter says something about a node, a NodeClaim or a pod
			k := rng.Intn(40)
			if old := events[k]; old != nil && rng.Intn(3) == 0 {
				apply(c.applyEvent, old, nil)
				delete(events, k)
				break
			}
			var ev *corev1.Event
			switch rng.Intn(4) {
			case 0:
				ev = kevent(fmt.Sprintf("e-%d", k), "Unconsolidatable", on("Node", "", name(i)), "Can't replace with a cheaper node", now)
			case 1:
				ev = kevent(fmt.Sprintf("e-%d", k), "DisruptionBlocked", on("NodeClaim", "", fmt.Sprintf("default-%02d", i)), `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=app/x)`, now)
			case 2:
				ev = kevent(fmt.Sprintf("e-%d", k), "DisruptionTerminating", on("Node", "", name(i)), "Disrupting Node: Underutilized/Delete", now)
			default:
				target := fmt.Sprintf("nodeclaim/default-%02d", i)
				if rng.Intn(2) == 0 {
					target = "node/" + name(i)
				}
				ev = kevent(fmt.Sprintf("e-%d", k), "Nominated", on("Pod", "app", fmt.Sprintf("p-%d", rng.Intn(30))), "Pod should schedule on: "+target, now)
			}
			obj, _ := transformEvent(ev)
			apply(c.applyEvent, events[k], obj)
			events[k] = obj
		case 6: // a usage poll
			var samples []NodeUsage
			for j := range nodes {
				if rng.Intn(2) == 0 {
					samples = append(samples, NodeUsage{Name: name(j), CPU: int64(rng.Intn(2000)), Memory: int64(rng.Intn(1 << 30)), At: now, Window: 15 * time.Second})
				}
			}
			c.SetNodeUsage(samples)
		default: // only the clock moves (do-not-disrupt durations run out)
		}
		if step%3 != 0 {
			continue
		}
		snap := c.SnapshotFor(Query{})
		got := snap.Nodes
		// What the blocks sum to is what the rows sum to.
		cost := Cost{}
		var usage UsageTotals
		for _, r := range got {
			addPrice(&cost, &r.Price)
			usage.Add(r)
		}
		if cost != snap.Cost {
			t.Fatalf("step %d: cost %+v, the rows sum to %+v", step, snap.Cost, cost)
		}
		if snap.Usage == nil || !reflect.DeepEqual(snap.Usage.UsageTotals, usage) {
			t.Fatalf("step %d: usage %+v, the rows sum to %+v", step, snap.Usage, usage)
		}
		c.mu.Lock()
		for _, e := range c.nodes {
			c.markDirty(e)
		}
		c.unsorted = true // the full path: every row rebuilt, placed and summed
		c.joins.gen++     // and every NodeClaim's join looked up
		c.mu.Unlock()
		want := c.SnapshotFor(Query{}).Nodes
		if len(got) != len(want) {
			t.Fatalf("step %d: %d rows, a rebuild has %d", step, len(got), len(want))
		}
		for j := range got {
			if !reflect.DeepEqual(*got[j], *want[j]) {
				t.Fatalf("step %d: shared rows differ from a rebuild:\n%s", step, rowDiff(got, want))
			}
		}
	}
}

// A row's Search holds its name and label values in lower case, apart.
func TestRowSearchText(t *testing.T) {
	c := New(Options{})
	c.testNode(node("Ip-10-0-1-1", "2", t0, "team", "Payments", "zone", "us-east-1a"))
	s := c.Snapshot()
	if got, want := s.Nodes[0].Search, "ip-10-0-1-1\x00payments\x00us-east-1a"; got != want {
		t.Errorf("search %q, want %q", got, want)
	}
}

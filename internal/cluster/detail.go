package cluster

import (
	"time"
)

// detail copies one node's row and pods (under c.mu). The row is the
// snapshot's (a shown node's cached row, else a launching row of
// launching), so the detail and the list agree. nil when the node is not
// shown.
func (c *Cluster) detail(name string, launching []*Node) *NodeDetail {
	var row *Node
	if e := c.nodes[name]; e != nil && e.node != nil && e.listed {
		row = e.row
	}
	for i := 0; row == nil && i < len(launching); i++ {
		if launching[i].Name == name {
			row = launching[i]
		}
	}
	if row == nil {
		return nil
	}
	d := &NodeDetail{Node: *row}
	e := c.nodes[name]
	if e == nil || e.node == nil {
		return d // a launching NodeClaim: no node, no pods yet
	}
	d.Taints = e.node.taints
	d.ProviderID = e.node.providerID
	d.Pods = make([]Pod, 0, len(e.podSet))
	for _, p := range e.podSet {
		d.Pods = append(d.Pods, c.withPodUsage(c.pod(p), p))
	}
	return d
}

// pendingPods copies the pods the pod line counts as pending: those without
// a node, with what the scheduler last said about each, and those bound to
// a shown node that have not started yet.
func (c *Cluster) pendingPods() []Pod {
	out := make([]Pod, 0, len(c.pending))
	for _, p := range c.pending {
		if e := c.nodes[p.node]; p.node != "" && (e == nil || e.node == nil) {
			continue // on a node that is not shown: not counted
		}
		pod := c.pod(p)
		if pf := c.podFacts[p.key()]; pf != nil && p.node == "" {
			if pf.failedID != "" {
				pod.FailedScheduling, pod.FailedSchedulingAt = pf.failed.Message, pf.failed.Time
			}
			pod.Waiting = Waiting{Scheduler: pf.sched, Since: pf.schedSince, Nominated: pf.nominated, Karpenter: pf.karp, KarpenterAt: pf.karpAt}
		}
		out = append(out, pod)
	}
	return out
}

// pod is the snapshot record of p, with requests of the shown resources.
func (c *Cluster) pod(p *podObj) Pod {
	out := Pod{
		Namespace:    p.ns,
		Name:         p.name,
		Node:         p.node,
		Phase:        string(p.phase),
		Terminating:  p.deleting,
		OwnerKind:    p.ownerKind,
		OwnerName:    p.ownerName,
		Requests:     make([]int64, len(c.shown)),
		DoNotDisrupt: p.dnd(),
	}
	if p.created != 0 {
		out.Created = time.Unix(0, p.created)
	}
	for i, ri := range c.shown {
		out.Requests[i] = p.req[ri]
	}
	return out
}

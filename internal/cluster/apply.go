package cluster

import (
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The apply functions install one informer object into the model (old is
// nil for an add, obj nil for a delete). They run under c.mu, in O(1), and
// report whether anything shown may have changed.

func (c *Cluster) applyPod(old, obj any) bool {
	o, _ := old.(*podObj)
	p, _ := obj.(*podObj)
	if p == nil && o != nil {
		// A delete carries the object as last seen by the watch, not the
		// one the model counted: take back what was counted.
		o = c.counted(o)
	}
	c.podDelta(o, -1)
	c.podDelta(p, 1)
	c.podBound(o, p)
	switch {
	case p != nil:
		c.podChanged(p.key(), false)
	case o != nil:
		c.podChanged(o.key(), true)
	}
	return true
}

// counted returns the model's record of the pod p names (p if none).
func (c *Cluster) counted(p *podObj) *podObj {
	k := p.key()
	if q := c.pending[k]; q != nil {
		return q
	}
	if e := c.nodes[p.node]; p.node != "" && e != nil {
		if q := e.podSet[k]; q != nil {
			return q
		}
	}
	return p
}

func (c *Cluster) applyNode(old, obj any) bool {
	n, _ := obj.(*nodeObj)
	if n == nil { // deleted
		o, _ := old.(*nodeObj)
		if o == nil {
			return false
		}
		if e := c.nodes[o.name]; e != nil && e.node != nil {
			c.nodeRemoved(e)
			c.setNode(o.name, nil)
		}
		return true
	}
	// Fakes ignore label selectors on watches: re-check here. A node that
	// stops matching leaves the list.
	shown := c.opts.Selector.Matches(labelSet(n.labels))
	if old == nil && !shown {
		return false
	}
	if !shown {
		c.setNode(n.name, nil)
		return true
	}
	var prev *nodeObj
	if e := c.nodes[n.name]; e != nil {
		prev = e.node
	}
	c.setNode(n.name, n)
	if prev != nil {
		switch {
		case n.disrupted && !prev.disrupted:
			c.disruptionBegan(objRef{kind: kindNode, name: n.name}, c.disruptionReasonOf(n.name), c.clock(), false)
		case !n.disrupted && prev.disrupted && c.disruptionReasonOf(n.name) == "":
			delete(c.disrupting, n.name) // the disruption was called off
		}
	}
	return true
}

// claimOf returns the NodeClaim of a shown node, nil when none is known.
func (c *Cluster) claimOf(name, providerID string) *claimEntry {
	if cl := c.claimByNode[name]; cl != "" {
		return c.claims[cl]
	}
	if providerID != "" {
		if cl := c.claimByProvider[providerID]; cl != "" {
			return c.claims[cl]
		}
	}
	return nil
}

// disruptionReasonOf is why Karpenter disrupts a node, as far as known: its
// NodeClaim's DisruptionReason, else the latest DisruptionTerminating said
// of the node or its NodeClaim.
func (c *Cluster) disruptionReasonOf(name string) string {
	var providerID string
	e := c.nodes[name]
	if e != nil && e.node != nil {
		providerID = e.node.providerID
	}
	ce := c.claimOf(name, providerID)
	if ce != nil && ce.obj.disruptionReason != "" {
		return ce.obj.disruptionReason
	}
	if e != nil && e.facts != nil && e.facts.terminating != "" {
		return e.facts.terminating
	}
	if ce != nil && ce.facts != nil {
		return ce.facts.terminating
	}
	return ""
}

// entryPrice is a shown node's hourly price (as last priced, else asked).
func (c *Cluster) entryPrice(e *nodeEntry) pricing.Price {
	if e.priceGen != 0 {
		return e.price
	}
	if c.opts.Pricing == nil {
		return pricing.Price{}
	}
	return c.opts.Pricing.NodePrice(e.priceDesc())
}

// nodeRemoved tells that a shown node went away, and enters it in the
// ledger when Karpenter disrupted it.
func (c *Cluster) nodeRemoved(e *nodeEntry) {
	n := e.node
	now := c.clock()
	reason := c.disruptionReasonOf(e.name)
	a := Activity{Time: now, Kind: ActRemoved, Object: "node/" + e.name, Node: e.name, NodePool: n.labels[labelNodePool],
		InstanceType: n.desc.InstanceType, Capacity: n.desc.Capacity, Zone: n.desc.Zone, Reason: reason, Price: c.entryPrice(e)}
	if reason != "" && a.Price.Known() {
		s := Saving{Time: now, Node: e.name, Reason: reason, Price: a.Price.Hourly}
		if claim, ok := c.ledger.takeReplacement(reason, now); ok {
			if ce := c.claims[claim]; ce != nil && c.opts.Pricing != nil {
				if p := c.opts.Pricing.NodePrice(ce.obj.desc); p.Known() {
					s.Replacement = p.Hourly
				}
			}
		}
		a.Saving = c.ledger.record(s, a.Price.Currency)
	}
	c.addLine(candidate{line: a})
	delete(c.disrupting, e.name)
	c.dropFacts(objRef{kind: kindNode, name: e.name}, true)
}

func (c *Cluster) applyClaim(old, obj any) bool {
	n, _ := obj.(*claimObj)
	if n == nil {
		o, _ := old.(*claimObj)
		if o == nil {
			return false
		}
		if ce := c.claims[o.name]; ce != nil {
			c.claimRemoved(ce)
		}
		return true
	}
	prev := c.claims[n.name]
	if !c.opts.Selector.Matches(labelSet(n.labels)) {
		if prev != nil {
			c.unsetClaim(prev)
			delete(c.claims, n.name)
			delete(c.launchFor, n.name)
		}
		return true
	}
	ce := prev
	if ce == nil {
		ce = &claimEntry{facts: c.facts[objRef{kind: kindClaim, name: n.name}]}
		c.claims[n.name] = ce
	} else {
		c.unsetClaim(ce)
	}
	var was *claimObj
	if prev != nil {
		was = prev.obj
	}
	ce.obj = n
	c.touchClaim(n)
	c.joins.gen++
	if n.nodeName != "" {
		c.claimByNode[n.nodeName] = n.name
	}
	if n.providerID != "" {
		c.claimByProvider[n.providerID] = n.name
	}
	c.countPool(n.labels, 1)
	c.claimActivity(ce, was)
	c.claimJoined(ce, was)
	return true
}

// unsetClaim takes a NodeClaim's record out of the indexes (before it is
// replaced or removed).
func (c *Cluster) unsetClaim(ce *claimEntry) {
	o := ce.obj
	c.touchClaim(o)
	c.joins.gen++
	if c.claimByNode[o.nodeName] == o.name {
		delete(c.claimByNode, o.nodeName)
	}
	if c.claimByProvider[o.providerID] == o.name {
		delete(c.claimByProvider, o.providerID)
	}
	c.countPool(o.labels, -1)
}

// claimRemoved tells that a NodeClaim went away: a node's removal tells it
// for claims that had one; one that never got a node is a launch that
// ended.
func (c *Cluster) claimRemoved(ce *claimEntry) {
	o := ce.obj
	if o.nodeName == "" && (o.providerID == "" || c.byProvider[o.providerID] == "") {
		a := Activity{Time: c.clock(), Kind: ActRemoved, Object: "nodeclaim/" + o.name, NodePool: o.labels[labelNodePool],
			InstanceType: o.desc.InstanceType, Capacity: o.desc.Capacity, Zone: o.desc.Zone, Reason: o.disruptionReason}
		if f := o.life.Failed; f != nil && a.Reason == "" {
			a.Reason = f.Reason
		}
		c.addLine(candidate{line: a, about: objRef{kind: kindClaim, name: o.name}})
	}
	c.unsetClaim(ce)
	delete(c.claims, o.name)
	delete(c.launchLines, o.name)
	delete(c.launchFor, o.name)
	delete(c.disrupting, o.name)
	c.ledger.dropReplacement(o.name)
	c.dropFacts(objRef{kind: kindClaim, name: o.name}, true)
}

// claimActivity tells what changed in a NodeClaim (was: its previous
// version, nil for a new one): its launch, its steps, a failure, a
// disruption. A claim that existed before the viewer started is not news.
func (c *Cluster) claimActivity(ce *claimEntry, was *claimObj) {
	n := ce.obj
	ref := objRef{kind: kindClaim, name: n.name}
	if was == nil {
		if c.beforeStart(n.created) {
			return
		}
		a := Activity{Time: n.created, Kind: ActLaunch, Object: ref.String(), Node: n.nodeName, NodePool: n.labels[labelNodePool],
			Pods: c.startLaunch(ce)}
		c.describeLaunch(&a, n)
		if ce.facts != nil {
			a.Reason = ce.facts.launching
		}
		c.launchLines[n.name] = c.addLine(candidate{line: a, about: ref, launch: n.name})
		return
	}
	if l := c.act.at(c.launchLines[n.name]); l != nil {
		if l.InstanceType == "" {
			c.describeLaunch(l, n)
		}
		if l.Node == "" {
			l.Node = n.nodeName
		}
	}
	now := c.clock()
	steps, before := n.life.Steps, was.life.Steps
	if ready := steps[len(steps)-1]; ready.Status == karpenter.StatusTrue && before[len(before)-1].Status != karpenter.StatusTrue &&
		!c.beforeStart(nonZeroTime(ready.At, now)) {
		a := Activity{Time: nonZeroTime(ready.At, now), Kind: ActReady, Object: ref.String(), Node: n.nodeName,
			NodePool: n.labels[labelNodePool]}
		c.describeLaunch(&a, n)
		d := karpenter.ParseLifecycle(n.conds).Durations(n.created)
		a.Steps = d[:]
		c.addLine(candidate{line: a, about: ref})
	}
	if f := n.life.Failed; f != nil && (was.life.Failed == nil || was.life.Failed.Reason != f.Reason || was.life.Failed.Type != f.Type) {
		a := Activity{Time: nonZeroTime(f.At, now), Kind: ActLaunchFailed, Object: ref.String(), Node: n.nodeName,
			NodePool: n.labels[labelNodePool], Reason: f.Reason, Message: f.Message}
		c.describeLaunch(&a, n)
		c.addLine(candidate{line: a, about: ref})
	}
	if n.disruptionReason != "" && was.disruptionReason == "" {
		c.disruptionBegan(ref, n.disruptionReason, nonZeroTime(n.disruptionAt, now), false)
	}
	if n.disruptionReason == "" && was.disruptionReason != "" && !n.deleting {
		// The command was aborted: a later disruption is news again.
		delete(c.disrupting, n.rowName())
	}
}

// describeLaunch fills in what a NodeClaim launches (once it says).
func (c *Cluster) describeLaunch(a *Activity, n *claimObj) {
	a.InstanceType, a.Capacity, a.Zone = n.desc.InstanceType, n.desc.Capacity, n.desc.Zone
	if c.opts.Pricing != nil && n.desc.InstanceType != "" {
		a.Price = c.opts.Pricing.NodePrice(n.desc)
	}
}

func nonZeroTime(t, otherwise time.Time) time.Time {
	if t.IsZero() {
		return otherwise
	}
	return t
}

func (c *Cluster) applyEvent(old, obj any) bool {
	e, _ := obj.(*eventObj)
	o, _ := old.(*eventObj)
	if e == nil { // deleted: forget what it said
		if o != nil && o.ev != nil {
			c.forgetEvent(o)
			return true
		}
		return false
	}
	if e.ev == nil {
		return false
	}
	if o != nil && o.ev != nil && o.ev.Time.Equal(e.ev.Time) && o.ev.Message == e.ev.Message && o.count == e.count {
		return false // the same event again (a relist): nothing new
	}
	c.addEvent(e.ev)
	c.recordFacts(e)
	if o == nil || o.ev == nil || o.ev.Message != e.ev.Message {
		// A new event; one said again (its count grew) is not a new line.
		c.eventActivity(e)
	}
	return true
}

const reasonFailedScheduling = "FailedScheduling"

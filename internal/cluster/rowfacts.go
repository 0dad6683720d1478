package cluster

import (
	"slices"
	"time"
)

// claimEntry is a shown NodeClaim with its facts (nil: none).
type claimEntry struct {
	obj   *claimObj
	facts *objFacts
}

// explain fills a row's Karpenter facts from its node (e, nil for none),
// its NodeClaim (ce, nil for none) and what the events said of them. It
// costs a few field reads for a node Karpenter says nothing about, and
// allocates only for nodes with protected pods or a launch problem.
func (c *Cluster) explain(row *Node, e *nodeEntry, ce *claimEntry, now time.Time) {
	var nf, cf *objFacts
	d := &row.Disruption
	if e != nil {
		nf = e.facts
		if n := e.node; n != nil {
			d.Tainted, d.DoNotDisrupt = n.disrupted, n.doNotDisrupt
		}
		if len(e.dnd) > 0 {
			d.BlockingPods = blockingPods(e, now)
		}
	}
	var committed time.Time // when the current disruption was committed
	if ce != nil {
		cl := ce.obj
		cf = ce.facts
		row.Lifecycle = cl.life
		if cf != nil && cf.problem != nil && !secondBefore(cf.problem.Time, cl.created) {
			l := *cl.life
			l.Problem = cf.problem
			row.Lifecycle = &l
		}
		d.Reason, committed = cl.disruptionReason, cl.disruptionAt
		d.Consolidatable, d.Drifted = cl.consolidatable, cl.drifted
	}
	if d.Reason == "" && (d.Tainted || row.Deleting) {
		// Karpenter before v1.2 (and the demo) set no DisruptionReason:
		// the DisruptionTerminating event says why.
		for _, f := range []*objFacts{nf, cf} {
			if f != nil && f.terminating != "" && d.Reason == "" {
				d.Reason = f.terminating
			}
		}
	}
	var blocked *Event
	for _, f := range []*objFacts{nf, cf} {
		if f != nil && f.blocked != nil && (blocked == nil || f.blocked.Time.After(blocked.Time)) {
			blocked = f.blocked
		}
	}
	// A word from before this node existed, or from before Karpenter
	// committed to disrupting it, is about another state.
	if blocked != nil && !secondBefore(blocked.Time, row.Created) && (committed.IsZero() || !secondBefore(blocked.Time, committed)) {
		d.Blocked = blocked
	}
	row.Nominated = nominatedTo(nf, cf)
}

// secondBefore reports whether an event's time t is before ref. Events
// carry whole seconds (firstTimestamp, lastTimestamp), so an event of
// ref's own second counts as after it.
func secondBefore(t, ref time.Time) bool { return t.Before(ref.Truncate(time.Second)) }

// blockingPods names the node's pods whose do-not-disrupt holds at now.
func blockingPods(e *nodeEntry, now time.Time) []string {
	var out []string
	for _, p := range e.dnd {
		if in, _ := p.doNotDisruptInForce(now); in {
			out = append(out, p.ns+"/"+p.name)
		}
	}
	slices.Sort(out)
	return out
}

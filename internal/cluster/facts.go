package cluster

import (
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
)

// What the events said, per object: the latest event of each relevant
// reason about every node, NodeClaim, NodePool and pod, kept in O(1) per
// event and forgotten when the event is deleted (events expire after an
// hour), so the memory is bounded by the cluster's own events.

type objKind uint8

const (
	kindNode objKind = iota + 1
	kindClaim
	kindPool
	kindPod
)

// objRef names an object without building a string per lookup.
type objRef struct {
	kind     objKind
	ns, name string
}

// String is the object as the snapshot names it ("node/x", "nodeclaim/x",
// "nodepool/x", "pod/ns/x").
func (r objRef) String() string {
	switch r.kind {
	case kindNode:
		return "node/" + r.name
	case kindClaim:
		return "nodeclaim/" + r.name
	case kindPool:
		return "nodepool/" + r.name
	case kindPod:
		return "pod/" + r.ns + "/" + r.name
	}
	return ""
}

// targetRef reads a nomination's target ("nodeclaim/x", "node/y").
func targetRef(t string) objRef {
	if name, ok := strings.CutPrefix(t, "nodeclaim/"); ok && name != "" {
		return objRef{kind: kindClaim, name: name}
	}
	if name, ok := strings.CutPrefix(t, "node/"); ok && name != "" {
		return objRef{kind: kindNode, name: name}
	}
	return objRef{}
}

// maxPoolEvents is how many recent events the model keeps per NodePool.
const maxPoolEvents = 3

// objFacts is what Karpenter's events last said about one node, NodeClaim
// or NodePool. Each slot remembers the event it came from (its id), so a
// deleted event takes its word back.
type objFacts struct {
	// blocked is the latest Unconsolidatable, DisruptionBlocked or
	// ConsolidationRejected event (Message shortened), problem the latest
	// launch error of a NodeClaim. Read only once stored.
	blocked, problem     *Event
	blockedID, problemID string
	// terminating is the reason of the latest DisruptionTerminating,
	// launching that of DisruptionLaunching (a replacement NodeClaim).
	terminating, terminatingID string
	launching, launchingID     string
	// recent are a NodePool's latest events, oldest first.
	recent    []Event
	recentIDs []string
	// nominated are the pending pods Karpenter nominated here.
	nominated map[podKey]struct{}
}

func (f *objFacts) empty() bool {
	return f.blocked == nil && f.problem == nil && f.terminating == "" && f.launching == "" &&
		len(f.recent) == 0 && len(f.nominated) == 0
}

// podFacts is what the scheduler and Karpenter last said about one pod.
type podFacts struct {
	// failed is the latest FailedScheduling of either (raw message:
	// Pod.FailedScheduling).
	failed   Event
	failedID string
	// sched is the kube-scheduler's reason, shortened, said since
	// schedSince (latest at schedAt).
	sched      string
	schedSince time.Time
	schedAt    time.Time
	schedID    string
	// Karpenter's latest word: a nomination or a reason it cannot place
	// the pod.
	nominated, karp string
	karpAt          time.Time
	karpID          string
	// in is the nominated set the pod is counted in (zero: none).
	in objRef
}

func (p *podFacts) empty() bool {
	return p.failedID == "" && p.schedID == "" && p.karpID == ""
}

// factsFor returns the facts of ref, creating (and linking) them.
func (c *Cluster) factsFor(ref objRef) *objFacts {
	if f := c.facts[ref]; f != nil {
		return f
	}
	f := &objFacts{}
	c.facts[ref] = f
	c.linkFacts(ref, f)
	return f
}

// linkFacts points the node's or NodeClaim's entry at its facts (nil: none).
func (c *Cluster) linkFacts(ref objRef, f *objFacts) {
	c.touchRef(ref)
	switch ref.kind {
	case kindNode:
		if e := c.nodes[ref.name]; e != nil {
			e.facts = f
		}
	case kindClaim:
		if e := c.claims[ref.name]; e != nil {
			e.facts = f
		}
	}
}

// dropFacts forgets ref's facts when nothing is left in them (or always,
// with force: the object is gone).
func (c *Cluster) dropFacts(ref objRef, force bool) {
	f := c.facts[ref]
	if f == nil || (!force && !f.empty()) {
		return
	}
	for k := range f.nominated {
		if pf := c.podFacts[k]; pf != nil && pf.in == ref {
			pf.in = objRef{}
		}
	}
	delete(c.facts, ref)
	c.linkFacts(ref, nil)
}

// recordFacts files what an event says about its object.
func (c *Cluster) recordFacts(e *eventObj) {
	switch e.about.kind {
	case kindPod:
		c.recordPodFacts(e)
	case kindNode, kindClaim, kindPool:
		c.recordObjFacts(e)
	}
}

func (c *Cluster) recordPodFacts(e *eventObj) {
	k := podKey{e.about.ns, e.about.name}
	f := &e.fact
	pf := c.podFacts[k]
	if pf == nil {
		switch f.Kind {
		case karpenter.KindSchedulerFailed, karpenter.KindKarpenterFailed, karpenter.KindNominated:
		default:
			return
		}
		pf = &podFacts{}
		c.podFacts[k] = pf
	}
	id, at := e.id(), e.ev.Time
	if e.ev.Reason == reasonFailedScheduling && !pf.failed.Time.After(at) {
		pf.failed, pf.failedID = *e.ev, id
	}
	switch f.Kind {
	case karpenter.KindSchedulerFailed:
		if !pf.schedAt.After(at) {
			pf.sched, pf.schedAt, pf.schedSince, pf.schedID = f.Short, at, e.first, id
		}
	case karpenter.KindKarpenterFailed:
		if !pf.karpAt.After(at) {
			pf.karp, pf.nominated, pf.karpAt, pf.karpID = f.Short, "", at, id
		}
	case karpenter.KindNominated:
		if !pf.karpAt.After(at) && len(f.Targets) > 0 {
			pf.karp, pf.nominated, pf.karpAt, pf.karpID = "", f.Targets[0], at, id
		}
	}
	c.syncNomination(k, pf)
}

// recordObjFacts files a node's, NodeClaim's or NodePool's event.
func (c *Cluster) recordObjFacts(e *eventObj) {
	f := &e.fact
	id, at := e.id(), e.ev.Time
	short := func() *Event { ev := *e.ev; ev.Message = f.Short; return &ev }
	switch f.Kind {
	case karpenter.KindDisruptionBlocked, karpenter.KindUnconsolidatable, karpenter.KindConsolidationRejected:
		if e.about.kind == kindPool {
			break // a pool's word goes to its recent events
		}
		facts := c.factsFor(e.about)
		if facts.blocked == nil || !facts.blocked.Time.After(at) {
			facts.blocked, facts.blockedID = short(), id
		}
	case karpenter.KindLaunchError, karpenter.KindConsistency:
		facts := c.factsFor(e.about)
		if facts.problem == nil || !facts.problem.Time.After(at) {
			facts.problem, facts.problemID = short(), id
		}
	case karpenter.KindDisruptionTerminating:
		facts := c.factsFor(e.about)
		facts.terminating, facts.terminatingID = nonEmpty(f.Reason, facts.terminating), id
	case karpenter.KindDisruptionLaunching:
		if e.about.kind == kindClaim {
			facts := c.factsFor(e.about)
			facts.launching, facts.launchingID = f.Reason, id
			c.ledger.addReplacement(e.about.name, f.Reason, at)
			if l := c.act.at(c.launchLines[e.about.name]); l != nil && l.Reason == "" {
				l.Reason = f.Reason
			}
		}
	}
	if e.about.kind == kindPool && f.Kind != karpenter.KindTransition && (e.karpenter || f.Warning) {
		c.addPoolEvent(c.factsFor(e.about), short(), id)
	}
	c.touchRef(e.about)
}

// addPoolEvent keeps a NodePool's latest events, oldest first; the same
// event said again replaces its earlier line.
func (c *Cluster) addPoolEvent(f *objFacts, ev *Event, id string) {
	for i := range f.recentIDs {
		if f.recentIDs[i] == id {
			f.recent = append(f.recent[:i:i], f.recent[i+1:]...)
			f.recentIDs = append(f.recentIDs[:i:i], f.recentIDs[i+1:]...)
			break
		}
	}
	i := len(f.recent)
	for i > 0 && f.recent[i-1].Time.After(ev.Time) {
		i--
	}
	// New slices each time: snapshots share the old ones.
	recent := make([]Event, 0, len(f.recent)+1)
	recent = append(append(append(recent, f.recent[:i]...), *ev), f.recent[i:]...)
	ids := make([]string, 0, len(f.recentIDs)+1)
	ids = append(append(append(ids, f.recentIDs[:i]...), id), f.recentIDs[i:]...)
	if len(recent) > maxPoolEvents {
		recent, ids = recent[len(recent)-maxPoolEvents:], ids[len(ids)-maxPoolEvents:]
	}
	f.recent, f.recentIDs = recent, ids
}

// forgetEvent takes back what a deleted event said.
func (c *Cluster) forgetEvent(o *eventObj) {
	id := o.id()
	switch o.about.kind {
	case kindPod:
		k := podKey{o.about.ns, o.about.name}
		pf := c.podFacts[k]
		if pf == nil {
			return
		}
		if pf.failedID == id {
			pf.failed, pf.failedID = Event{}, ""
		}
		if pf.schedID == id {
			pf.sched, pf.schedAt, pf.schedSince, pf.schedID = "", time.Time{}, time.Time{}, ""
		}
		if pf.karpID == id {
			pf.karp, pf.nominated, pf.karpAt, pf.karpID = "", "", time.Time{}, ""
		}
		c.syncNomination(k, pf)
		if pf.empty() {
			delete(c.podFacts, k)
		}
	case kindNode, kindClaim, kindPool:
		f := c.facts[o.about]
		if f == nil {
			return
		}
		c.touchRef(o.about)
		if f.blockedID == id {
			f.blocked, f.blockedID = nil, ""
		}
		if f.problemID == id {
			f.problem, f.problemID = nil, ""
		}
		if f.terminatingID == id {
			f.terminating, f.terminatingID = "", ""
		}
		if f.launchingID == id {
			f.launching, f.launchingID = "", ""
		}
		for i := range f.recentIDs {
			if f.recentIDs[i] == id {
				f.recent = append(f.recent[:i:i], f.recent[i+1:]...)
				f.recentIDs = append(f.recentIDs[:i:i], f.recentIDs[i+1:]...)
				break
			}
		}
		c.dropFacts(o.about, false)
	}
}

// syncNomination counts a pod in the nominated set of its target while it
// is pending without a node, and in none otherwise (a pod Karpenter
// nominated that has since been bound or gone waits for nothing).
func (c *Cluster) syncNomination(k podKey, pf *podFacts) {
	if pf == nil {
		return
	}
	var want objRef
	if pf.nominated != "" {
		if p := c.pending[k]; p != nil && p.node == "" {
			want = targetRef(pf.nominated)
		}
	}
	if pf.in == want {
		return
	}
	c.touchRef(pf.in)
	c.touchRef(want)
	if old := pf.in; old.kind != 0 {
		if f := c.facts[old]; f != nil {
			delete(f.nominated, k)
			c.dropFacts(old, false)
		}
	}
	pf.in = want
	if want.kind == 0 {
		return
	}
	f := c.factsFor(want)
	if f.nominated == nil {
		f.nominated = map[podKey]struct{}{}
	}
	f.nominated[k] = struct{}{}
	if want.kind == kindClaim {
		c.launchPod(want.name, k, false)
	}
}

// podChanged follows a pod's add, update or delete in its facts.
func (c *Cluster) podChanged(k podKey, deleted bool) {
	pf := c.podFacts[k]
	if pf == nil {
		return
	}
	if deleted {
		pf.nominated = ""
		c.syncNomination(k, pf)
		delete(c.podFacts, k)
		return
	}
	c.syncNomination(k, pf)
}

// nominatedTo counts the pending pods nominated to a row: its node and its
// NodeClaim.
func nominatedTo(facts ...*objFacts) int {
	n := 0
	for _, f := range facts {
		if f != nil {
			n += len(f.nominated)
		}
	}
	return n
}

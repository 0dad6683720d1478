package cluster

import "strings"

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
		delete(c.scheduling, o.ns+"/"+o.name)
	}
	c.podDelta(o, -1)
	c.podDelta(p, 1)
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
	if shown {
		c.setNode(n.name, n)
	} else {
		c.setNode(n.name, nil)
	}
	return true
}

func (c *Cluster) applyClaim(old, obj any) bool {
	n, _ := obj.(*claimObj)
	if n == nil {
		o, _ := old.(*claimObj)
		if o == nil {
			return false
		}
		delete(c.claims, o.name)
		return true
	}
	if c.opts.Selector.Matches(labelSet(n.labels)) {
		c.claims[n.name] = n
	} else {
		delete(c.claims, n.name)
	}
	return true
}

// schedulingEvent is the latest FailedScheduling event of one pod.
type schedulingEvent struct {
	event string // the Event's namespace/name, to forget it when it is deleted
	Event
}

func (c *Cluster) applyEvent(old, obj any) bool {
	e, _ := obj.(*eventObj)
	if e == nil { // deleted: forget what it said about a pod
		if o, _ := old.(*eventObj); o != nil && o.ev != nil {
			if pod, ok := podOf(o.ev); ok && c.scheduling[pod].event == o.ns+"/"+o.name {
				delete(c.scheduling, pod)
			}
		}
		return false
	}
	if e.ev == nil {
		return false
	}
	c.addEvent(e.ev)
	if pod, ok := podOf(e.ev); ok && e.ev.Reason == reasonFailedScheduling {
		if prev, seen := c.scheduling[pod]; !seen || !prev.Time.After(e.ev.Time) {
			c.scheduling[pod] = schedulingEvent{event: e.ns + "/" + e.name, Event: *e.ev}
		}
	}
	return true
}

const reasonFailedScheduling = "FailedScheduling"

// podOf returns "ns/name" of an event about a pod.
func podOf(ev *Event) (string, bool) {
	return strings.CutPrefix(ev.Object, "pod/")
}

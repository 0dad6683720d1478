package cluster

// The pods a NodeClaim is launched for: its launch line says "for N pending
// pods". Karpenter's Nominated events alone undercount them: Karpenter
// rate-limits them (a token bucket of 10, 5 a second, across all pods), so
// when one pass launches two NodeClaims for 18 pods, the API gets 10
// events, 9 for one NodeClaim and 1 for the other (seen on the e2e
// cluster). The pods that were waiting when the NodeClaim was created and
// were then bound to its node say it too. Their union would overcount: the
// kube-scheduler does not follow Karpenter's nominations, so a pod
// nominated to one new node often lands on the other. The line says the
// larger of the two counts.

// launchPods are the pods a NodeClaim launched during the session is for:
// those nominated to it, and those bound to its node that existed when it
// was created. Each holds at most the pods that existed at the NodeClaim's
// creation, and goes with the NodeClaim.
type launchPods struct {
	nominated, bound map[podKey]struct{}
}

func (l *launchPods) count() int { return max(len(l.nominated), len(l.bound)) }

// startLaunch opens the record of a NodeClaim whose launch line is being
// made, with the pods nominated to it so far; it returns their count.
func (c *Cluster) startLaunch(ce *claimEntry) int {
	l := &launchPods{nominated: map[podKey]struct{}{}, bound: map[podKey]struct{}{}}
	if ce.facts != nil {
		for k := range ce.facts.nominated {
			l.nominated[k] = struct{}{}
		}
	}
	c.launchFor[ce.obj.name] = l
	return l.count()
}

// launchPod counts pod k for the launch of claim (when it is one of the
// session's), as nominated to it or bound to its node, and brings its
// launch line up to date.
func (c *Cluster) launchPod(claim string, k podKey, bound bool) {
	l := c.launchFor[claim]
	if l == nil {
		return
	}
	set := l.nominated
	if bound {
		set = l.bound
	}
	set[k] = struct{}{}
	if line := c.act.at(c.launchLines[claim]); line != nil && l.count() > line.Pods {
		line.Pods = l.count()
	}
}

// launchCount is how many pods claim's launch is for so far.
func (c *Cluster) launchCount(claim string) int {
	if l := c.launchFor[claim]; l != nil {
		return l.count()
	}
	return 0
}

// podBound counts a pod just bound to a node (was: its previous version,
// nil when first seen) for that node's NodeClaim's launch when it was
// created no later than the NodeClaim: it was waiting when Karpenter
// launched it. DaemonSet pods, and pods made after (a later scale-up,
// replacements of evicted pods), are not what the launch was for.
func (c *Cluster) podBound(was, p *podObj) {
	if p == nil || p.node == "" || (was != nil && was.node != "") || len(c.launchFor) == 0 {
		return
	}
	var providerID string
	if e := c.nodes[p.node]; e != nil && e.node != nil {
		providerID = e.node.providerID
	}
	if ce := c.claimOf(p.node, providerID); ce != nil && launchedFor(ce.obj, p) {
		c.launchPod(ce.obj.name, p.key(), true)
	}
}

// claimJoined counts, when a launching NodeClaim first names its node, the
// pods already bound to that node that it was launched for (the NodeClaim
// informer can be behind the pods'). It costs the node's pods, once.
func (c *Cluster) claimJoined(ce *claimEntry, was *claimObj) {
	n := ce.obj
	if c.launchFor[n.name] == nil || (n.nodeName == "" && n.providerID == "") ||
		(was != nil && (was.nodeName != "" || was.providerID != "")) {
		return
	}
	name := n.nodeName
	if name == "" {
		name = c.byProvider[n.providerID]
	}
	if e := c.nodes[name]; e != nil {
		for k, p := range e.podSet {
			if launchedFor(n, p) {
				c.launchPod(n.name, k, true)
			}
		}
	}
}

// launchedFor reports whether pod p existed when claim n was created (both
// stamped to the second by the API).
func launchedFor(n *claimObj, p *podObj) bool {
	return p.created != 0 && !n.created.IsZero() && p.created <= n.created.UnixNano()
}

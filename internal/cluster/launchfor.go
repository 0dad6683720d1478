package cluster

// The pods a NodeClaim is launched for: its launch line says "for N pending
// pods". Karpenter's Nominated events alone undercount them: Karpenter
// rate-limits them (a token bucket of 10, 5 a second, across all pods), so
// when one pass launches two NodeClaims for 18 pods, the API gets 10
// events, 9 for the first NodeClaim and 1 for the second (seen on the e2e
// cluster). The pods that were waiting when the NodeClaim was created and
// were then bound to its node are the others: the set is both, each pod
// once.

// launchFor holds, per NodeClaim launched during the session, the pods it
// is for. A pod is added once and the set goes with the NodeClaim; it holds
// at most the pods that existed at the NodeClaim's creation.
type launchFor map[string]map[podKey]struct{}

// startLaunch opens the set of a NodeClaim whose launch line is being made,
// with the pods nominated to it so far; it returns their count.
func (c *Cluster) startLaunch(ce *claimEntry) int {
	set := map[podKey]struct{}{}
	if ce.facts != nil {
		for k := range ce.facts.nominated {
			set[k] = struct{}{}
		}
	}
	c.launchFor[ce.obj.name] = set
	return len(set)
}

// launchPod counts pod k for the launch of claim (when it is one of the
// session's) and brings its launch line up to date.
func (c *Cluster) launchPod(claim string, k podKey) {
	set := c.launchFor[claim]
	if set == nil {
		return
	}
	if _, ok := set[k]; ok {
		return
	}
	set[k] = struct{}{}
	if l := c.act.at(c.launchLines[claim]); l != nil && len(set) > l.Pods {
		l.Pods = len(set)
	}
}

// launchPods is how many pods claim's launch is for so far.
func (c *Cluster) launchPods(claim string) int { return len(c.launchFor[claim]) }

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
		c.launchPod(ce.obj.name, p.key())
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
				c.launchPod(n.name, k)
			}
		}
	}
}

// launchedFor reports whether pod p existed when claim n was created (both
// stamped to the second by the API).
func launchedFor(n *claimObj, p *podObj) bool {
	return p.created != 0 && !n.created.IsZero() && p.created <= n.created.UnixNano()
}

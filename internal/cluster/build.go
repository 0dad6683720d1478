package cluster

import (
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

func labelSet(m map[string]string) labels.Set { return labels.Set(m) }

func resourceName(s string) corev1.ResourceName { return corev1.ResourceName(s) }

// Snapshot is SnapshotFor(Query{}): the node list alone.
func (c *Cluster) Snapshot() Snapshot { return c.SnapshotFor(Query{}) }

// SnapshotFor copies the model into rows, prices joined and sorted, plus
// what q asks for. It walks nodes and NodeClaims, never all pods (a node's
// detail walks that node's pods), and rebuilds only the rows of nodes that
// changed since the last Snapshot: the others are copied from a cache, in
// the order kept from the last sort.
func (c *Cluster) SnapshotFor(q Query) Snapshot {
	// Read before asking for any price: a change published after this read
	// bumps the generation again, so the next Snapshot asks anew.
	priceGen := c.priceGen.Load() + 1
	c.mu.Lock()
	// Read under the lock: every change in the snapshot happened before
	// this time and every later one after it (a replay seeking to Taken
	// shows this snapshot).
	now := c.opts.Now()
	s := Snapshot{
		Query:       q,
		Taken:       now,
		Synced:      true,
		Resources:   c.opts.Resources,
		ExtraLabels: c.opts.ExtraLabels,
		Events:      append([]Event(nil), c.events...),
	}
	for _, st := range c.syncs {
		if !st.synced {
			s.Synced = false
			s.Syncing = append(s.Syncing, SyncProgress{Resource: st.name, Objects: max(st.count, int(st.streamed.Load()))})
		}
	}
	s.Stale = c.stale()
	if len(c.syncs) == 0 {
		s.Synced = false
		s.Syncing = []SyncProgress{{Resource: "nodes"}}
	}

	// NodeClaims joined to a shown Node lend it their name and deletion
	// (in its cached row); the others are launching capacity, rebuilt each
	// time (they are few, and their ages move).
	var launching []*Node
	for _, ce := range c.launchingClaims() {
		row := c.claimRow(ce.obj)
		if c.opts.Pricing != nil {
			row.Price = c.opts.Pricing.NodePrice(ce.obj.desc)
		}
		c.explain(row, c.nodes[ce.obj.nodeName], ce, now)
		launching = append(launching, row)
	}

	totals := make([]Quantity, len(c.shown))
	for i, ri := range c.shown {
		totals[i] = Quantity{Used: c.onNodes.used[ri], Allocatable: c.alloc[ri]}
	}
	for i := range launching {
		for j := range c.shown {
			totals[j].Allocatable += launching[i].Usage[j].Allocatable
		}
	}
	s.Totals = totals
	s.Pods = PodCounts{
		Total:       c.onNodes.pods + c.unscheduled.pods,
		Pending:     c.onNodes.pending + c.unscheduled.pending,
		Running:     c.onNodes.running + c.unscheduled.running,
		Bound:       c.onNodes.pods,
		Unscheduled: c.unscheduled.pods,
		Elsewhere:   c.elsewhere,
	}
	for _, topic := range slices.Sorted(maps.Keys(c.notes)) {
		s.Notes = append(s.Notes, c.notes[topic])
	}

	c.ageUsage(now)
	c.noteOpen(q.Node)
	c.refreshOrder(priceGen, now)
	s.Nodes = c.mergeRows(launching)
	shown := len(c.order) // the rows that are not launching
	s.Cost, s.Usage = c.tally(launching)
	if q.Node != "" {
		s.Detail = c.detail(q.Node, launching)
	}
	if q.Pending {
		s.Pending = c.pendingPods()
	}
	if q.NodePools {
		s.NodePools = c.nodePools(s.Nodes)
	}
	tail := activityTail
	if q.Activity {
		tail = -1
	}
	s.Activity = c.act.tail(tail)
	s.Savings = c.ledger.snapshot(now, q.Activity)
	c.mu.Unlock()

	if c.opts.Pricing != nil {
		if st := c.opts.Pricing.Status(); st != "" {
			s.Notes = append(s.Notes, st)
		}
	}
	s.History = c.record(now, &s, shown)
	return s
}

// record samples the snapshot's node count (nodes: its rows that are not
// launching) and $/hour into the history and returns a copy of it.
func (c *Cluster) record(now time.Time, s *Snapshot, nodes int) []Sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The history as it was before this snapshot: the sample it takes is
	// a change of the model after its time, made under the lock (so it is
	// recorded in order with the informers' changes) and seen by the next
	// snapshot. A replay's history is the recorded one, since its
	// snapshots are not taken when the live session's were; at this
	// snapshot's time it is the same.
	var out []Sample
	if len(c.history) > 0 {
		out = slices.Clone(c.history)
	}
	if s.Synced && !c.replaying {
		t := c.opts.Now()
		if !t.After(now) {
			t = now.Add(time.Nanosecond)
		}
		if c.sample(t, nodes, s.Cost.Hourly) {
			c.opts.Record.sample(t, nodes, s.Cost.Hourly)
		}
	}
	return out
}

// finishRow is a shown node's whole row: its own, its price, its
// NodeClaim's name and deletion, its Karpenter facts and what its unused
// capacity costs. Rows handed out are never changed again.
func (c *Cluster) finishRow(e *nodeEntry, now time.Time) *Node {
	row := c.nodeRow(e)
	row.Price = e.price
	ce := c.claimOf(e.name, e.node.providerID)
	if ce != nil && c.joinedNode(ce.obj) != e.name {
		ce = nil // its claim names another shown node
	}
	if ce != nil {
		row.NodeClaim = ce.obj.name
		row.Deleting = row.Deleting || ce.obj.deleting
	}
	c.explain(row, e, ce, now)
	row.priceShares()
	return row
}

// priceShares prices what the row's unused capacity costs (IdleHourly,
// UnusedHourly), once it has a usage sample and a price.
func (n *Node) priceShares() {
	if n.Used != nil && n.Price.Known() && n.hasShares {
		n.IdleHourly, n.UnusedHourly = n.shares.Cost(n.Price.Hourly)
	}
}

// joinedNode is the shown node a NodeClaim belongs to ("" for none: it is
// still launching): the node it names, else the node of its provider ID.
func (c *Cluster) joinedNode(cl *claimObj) string {
	if e := c.nodes[cl.nodeName]; cl.nodeName != "" && e != nil && e.node != nil {
		return cl.nodeName
	}
	if cl.providerID != "" {
		return c.byProvider[cl.providerID]
	}
	return ""
}

// touchNode marks a shown node's row for a rebuild (a change of its
// NodeClaim or of what the events say of it).
func (c *Cluster) touchNode(name string) {
	if e := c.nodes[name]; e != nil && name != "" {
		c.markDirty(e)
	}
}

// touchClaim marks the row of the node a NodeClaim joins.
func (c *Cluster) touchClaim(cl *claimObj) {
	if cl != nil {
		c.touchNode(c.joinedNode(cl))
	}
}

// touchRef marks the row an object's facts show on: a node's own, a
// NodeClaim's node's.
func (c *Cluster) touchRef(ref objRef) {
	switch ref.kind {
	case kindNode:
		c.touchNode(ref.name)
	case kindClaim:
		if ce := c.claims[ref.name]; ce != nil {
			c.touchClaim(ce.obj)
		}
	}
}

// nodeRow builds a shown node's row (mergeRows adds a deleting NodeClaim's
// deletion).
func (c *Cluster) nodeRow(e *nodeEntry) *Node {
	n := e.node
	row := &Node{
		Name:         e.name,
		Created:      n.created,
		InstanceType: n.desc.InstanceType,
		Capacity:     n.desc.Capacity,
		AutoMode:     n.desc.AutoMode,
		Zone:         n.desc.Zone,
		NodePool:     n.labels[labelNodePool],
		Cordoned:     n.cordoned,
		Deleting:     n.deleting,
		Ready:        n.ready,
		ReadySince:   n.readySince,
		Pods:         e.pods.pods,
		MaxPods:      n.alloc[c.podsIndex] / 1000,
		Usage:        make([]Quantity, len(c.shown)),
		Labels:       n.labels,
	}
	if e.searchOf != n {
		e.search, e.searchOf = SearchText(n.name, n.labels), n
	}
	row.Search = e.search
	if row.Capacity == pricing.Fargate && e.fargate != "" {
		row.InstanceType = pricing.FargateInstanceType(e.fargate)
	}
	for i, ri := range c.shown {
		row.Usage[i] = Quantity{Used: e.pods.used[ri], Allocatable: n.alloc[ri]}
	}
	row.LabelUsage = c.labelUsage(e.pods.used, n.alloc)
	if ri := c.sortRes; ri >= 0 && n.alloc[ri] > 0 {
		row.sortUsage, row.hasSortUsage = float64(e.pods.used[ri])/float64(n.alloc[ri]), true
	}
	c.usageRow(e, row)
	return row
}

func (c *Cluster) claimRow(cl *claimObj) *Node {
	row := &Node{
		Name:         cl.rowName(),
		Created:      cl.created,
		Launching:    true,
		InstanceType: cl.desc.InstanceType,
		Capacity:     cl.desc.Capacity,
		AutoMode:     cl.desc.AutoMode,
		Zone:         cl.desc.Zone,
		NodeClaim:    cl.name,
		NodePool:     cl.labels[labelNodePool],
		Search:       SearchText(cl.rowName(), cl.labels),
		Deleting:     cl.deleting,
		MaxPods:      cl.alloc[c.podsIndex] / 1000,
		Usage:        make([]Quantity, len(c.shown)),
		Labels:       cl.labels,
	}
	for i, ri := range c.shown {
		row.Usage[i] = Quantity{Allocatable: cl.alloc[ri]}
	}
	row.LabelUsage = c.labelUsage(make([]int64, len(c.res.names)), cl.alloc)
	return row
}

// priceDesc is what the node's price is asked for: a Fargate node is
// priced by the capacity its pod was given.
func (e *nodeEntry) priceDesc() pricing.Node {
	d := e.node.desc
	if d.Capacity == pricing.Fargate && e.fargate != "" {
		d.FargateCapacity = e.fargate
	}
	return d
}

// labelUsage is the requested/allocatable of each usage-label column.
func (c *Cluster) labelUsage(used, alloc []int64) []Quantity {
	if len(c.opts.ExtraLabels) == 0 {
		return nil
	}
	out := make([]Quantity, len(c.opts.ExtraLabels))
	for i, ri := range c.labelRes {
		if ri >= 0 {
			out[i] = Quantity{Used: used[ri], Allocatable: alloc[ri]}
		}
	}
	return out
}

// addPrice adds one row's price to a sum.
func addPrice(cost *Cost, p *pricing.Price) {
	if !p.Known() {
		cost.Unknown++
		return
	}
	if p.Source == pricing.Estimate {
		cost.Estimated++
	}
	cost.Hourly += p.Hourly
	if cost.Currency == "" {
		cost.Currency = p.Currency
	}
}

// SearchText is a row's Node.Search: its name and label values, lower
// case, each after a NUL (so that no match spans two of them), in key
// order. (For rows made outside the model, as tests make them.)
func SearchText(name string, labels map[string]string) string {
	var b strings.Builder
	n := len(name) + 1
	for _, v := range labels {
		n += len(v) + 1
	}
	b.Grow(n)
	b.WriteString(strings.ToLower(name))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteByte(0)
		b.WriteString(strings.ToLower(labels[k]))
	}
	return b.String()
}

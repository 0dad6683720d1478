package cluster

import (
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// Measured usage: what metrics.k8s.io (metrics-server) says nodes and pods
// use, next to what they request. The poller (internal/usage) hands its
// samples to SetNodeUsage and SetPodUsage; the model keeps the latest per
// node (and per pod of the open node) and the snapshot carries them with
// their age. metrics.k8s.io reports cpu and memory (the working set) only.

// NotMeasured is a Used entry of a resource metrics.k8s.io does not report.
const NotMeasured int64 = -1

// StaleIntervals is how many poll intervals (or sample windows, if longer)
// old a sample may be before it is marked stale.
const StaleIntervals = 3

// NodeUsage is one node's sample, in the model's milli-units (Milli).
type NodeUsage struct {
	Name string
	// At is the sample's timestamp; Window the span its CPU rate covers.
	At          time.Time
	Window      time.Duration
	CPU, Memory int64
}

// PodUsage is one pod's sample (its containers summed), in milli-units.
type PodUsage struct {
	Namespace, Name string
	At              time.Time
	Window          time.Duration
	CPU, Memory     int64
}

// Milli is a quantity in the model's milli-units (1 core = 1000, 1 byte =
// 1000), saturated like every other quantity of the model.
func Milli(q resource.Quantity) int64 { return satMilli(q) }

// UsageTotals sums measured nodes: a cluster's or a NodePool's.
type UsageTotals struct {
	// Nodes counts the nodes with a sample; Stale those whose sample is
	// stale (they are still summed).
	Nodes, Stale int
	// Used, Requested and Allocatable have one entry per
	// Snapshot.Resources entry, summed over those nodes only, so that
	// Used/Allocatable and Used/Requested compare like with like. Used is
	// NotMeasured for resources metrics.k8s.io does not report.
	Used, Requested, Allocatable []int64
	// IdleHourly and UnusedHourly sum the nodes' (see Node.IdleHourly)
	// over those with a known price; Unpriced counts the others.
	IdleHourly, UnusedHourly float64
	Currency                 string
	Unpriced                 int
}

// ClusterUsage is the cluster's measured usage (Snapshot.Usage).
type ClusterUsage struct {
	// Interval is the poll interval; a sample older than StaleIntervals
	// times the larger of it and the sample's window is stale.
	Interval time.Duration
	// Polled is when the last node poll answered (zero: none yet).
	Polled time.Time
	UsageTotals
}

// Add counts a row in the totals (nothing when it has no sample).
// NodePools are summed with it: pool.Measured.Add(&node).
func (t *UsageTotals) Add(n *Node) {
	if n.Used == nil {
		return
	}
	if t.Used == nil {
		t.Used = make([]int64, len(n.Used))
		t.Requested = make([]int64, len(n.Used))
		t.Allocatable = make([]int64, len(n.Used))
	}
	t.Nodes++
	if n.UsageStale {
		t.Stale++
	}
	for i, v := range n.Used {
		if i >= len(t.Used) || i >= len(n.Usage) {
			break
		}
		if v == NotMeasured || t.Used[i] == NotMeasured {
			t.Used[i] = NotMeasured
		} else {
			t.Used[i] = satAdd(t.Used[i], v)
		}
		t.Requested[i] = satAdd(t.Requested[i], n.Usage[i].Used)
		t.Allocatable[i] = satAdd(t.Allocatable[i], n.Usage[i].Allocatable)
	}
	if !n.Price.Known() || !n.hasShares {
		t.Unpriced++
		return
	}
	t.IdleHourly += n.IdleHourly
	t.UnusedHourly += n.UnusedHourly
	if t.Currency == "" {
		t.Currency = n.Price.Currency
	}
}

// UsageTarget is what the pod poll asks for: the open node's pods by
// namespace.
type UsageTarget struct {
	Node       string
	Namespaces []NamespacePods
}

// NamespacePods are the open node's pods in one namespace, and how many
// counted pods the namespace has in the whole cluster (to choose between
// listing the namespace and getting each pod).
type NamespacePods struct {
	Namespace string
	Pods      []string
	Total     int
}

// nodeUsage is a node's latest sample.
type nodeUsage struct {
	cpu, mem int64
	at       time.Time
	window   time.Duration
	ok       bool
}

// usageState is the model's usage bookkeeping (under c.mu).
type usageState struct {
	on       bool
	interval time.Duration
	cpu, mem int // tracked indices of cpu and memory
	// shown, labels and sort say, per shown resource, per extra label and
	// for the sort key, which measured resource they read: usedCPU,
	// usedMemory or unmeasured.
	shown  []measured
	labels []measured
	sort   measured

	polled time.Time
	// now is the clock of the Snapshot being made, for stale marks.
	now time.Time
	// deadline is when the next fresh node sample turns stale (zero:
	// none will).
	deadline time.Time

	// open is the node the latest Snapshot asked for; openCh signals
	// (capacity 1) when it changes. pods are its pods' samples.
	open   string
	openCh chan struct{}
	pods   map[podKey]PodUsage
	// nsPods counts counted pods per namespace.
	nsPods map[string]int
}

type measured int8

const (
	unmeasured measured = iota
	usedCPU
	usedMemory
)

func measuredOf(resource string) measured {
	switch resource {
	case "cpu":
		return usedCPU
	case "memory":
		return usedMemory
	}
	return unmeasured
}

// usageResources are the resources the model must track for usage.
func usageResources(o Options) []string {
	if o.UsageInterval <= 0 {
		return nil
	}
	return []string{"cpu", "memory"}
}

// initUsage prepares the bookkeeping (New, after the resources are known).
func (c *Cluster) initUsage() {
	u := &c.usage
	u.openCh = make(chan struct{}, 1)
	if c.opts.UsageInterval <= 0 {
		return
	}
	u.on, u.interval = true, c.opts.UsageInterval
	u.cpu, u.mem = c.res.index["cpu"], c.res.index["memory"]
	for _, r := range c.opts.Resources {
		u.shown = append(u.shown, measuredOf(r))
	}
	for _, l := range c.opts.ExtraLabels {
		r, _ := options.UsedLabelResource(l)
		u.labels = append(u.labels, measuredOf(r))
	}
	r, _ := options.UsedLabelResource(c.opts.Sort.Key)
	u.sort = measuredOf(r)
	u.nsPods = map[string]int{}
}

// countNamespace keeps the per-namespace pod counts (podDelta, counted
// pods only).
func (c *Cluster) countNamespace(p *podObj, sign int) {
	if c.usage.nsPods == nil {
		return
	}
	if n := c.usage.nsPods[p.ns] + sign; n > 0 {
		c.usage.nsPods[p.ns] = n
	} else {
		delete(c.usage.nsPods, p.ns)
	}
}

// UsageInterval is the poll interval the model was made for (0: usage off).
func (c *Cluster) UsageInterval() time.Duration { return c.usage.interval }

// staleAfter is how old a sample of this window may be.
func (u *usageState) staleAfter(window time.Duration) time.Duration {
	return StaleIntervals * max(u.interval, window)
}

// SetNodeUsage installs a node metrics poll: each listed node that is shown
// takes its sample; the others keep theirs, which ages until it is stale.
// O(nodes in the poll).
func (c *Cluster) SetNodeUsage(nodes []NodeUsage) {
	c.mu.Lock()
	if !c.usage.on {
		c.mu.Unlock()
		return
	}
	at := c.opts.Now()
	if c.opts.Record != nil {
		at = at.Truncate(time.Millisecond) // as the recording has it
		c.opts.Record.nodeUsage(at, nodes)
	}
	changed := c.setNodeUsage(at, nodes)
	c.mu.Unlock()
	if changed {
		c.Notify()
	}
}

// setNodeUsage installs a node poll taken at at (under c.mu); it reports
// whether a row changed.
func (c *Cluster) setNodeUsage(at time.Time, nodes []NodeUsage) bool {
	changed := c.usage.polled.IsZero()
	c.usage.polled = at
	for i := range nodes {
		s := &nodes[i]
		e := c.nodes[s.Name]
		if e == nil || e.node == nil {
			continue // not shown (or not seen yet: the next poll has it)
		}
		nu := nodeUsage{cpu: max(s.CPU, 0), mem: max(s.Memory, 0), at: s.At, window: s.Window, ok: true}
		if nu != e.usage {
			e.usage, changed = nu, true
			c.markDirty(e)
		}
	}
	if changed {
		// Rows say fresh for samples fresh at the last Snapshot's clock.
		c.usage.deadline = c.nextStale(c.usage.now)
	}
	return changed
}

// nextStale is the last moment at which the first of the node samples
// still fresh at now is fresh (zero: none is): a sample is stale once the
// clock is past it.
func (c *Cluster) nextStale(now time.Time) time.Time {
	var next time.Time
	for _, e := range c.order {
		if !e.usage.ok {
			continue
		}
		t := e.usage.at.Add(c.usage.staleAfter(e.usage.window))
		if !t.Before(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// ageUsage sets the clock of the Snapshot being made and, when a sample
// turned stale since the last one, marks those rows for a rebuild. Usually
// O(1): it walks the rows only when the deadline passed.
func (c *Cluster) ageUsage(now time.Time) {
	u := &c.usage
	u.now = now
	if !u.on || u.deadline.IsZero() || !now.After(u.deadline) {
		return
	}
	for _, e := range c.order {
		if e.usage.ok && e.row != nil && !e.row.UsageStale && c.staleAt(e.usage.at, e.usage.window) {
			c.markDirty(e)
		}
	}
	u.deadline = c.nextStale(now)
}

// stale reports whether a sample taken at is stale now (the Snapshot's
// clock).
func (c *Cluster) staleAt(at time.Time, window time.Duration) bool {
	return c.usage.now.Sub(at) > c.usage.staleAfter(window)
}

// usageRow adds the node's sample to its row (nodeRow): Used, the used
// labels and sort key, and its idle and reserved-unused shares.
func (c *Cluster) usageRow(e *nodeEntry, row *Node) {
	u := &c.usage
	if !u.on || !e.usage.ok {
		return
	}
	n := e.node
	row.Used = make([]int64, len(u.shown))
	for i, m := range u.shown {
		row.Used[i] = e.usage.value(m)
	}
	row.UsedAt = e.usage.at
	row.UsageStale = c.staleAt(e.usage.at, e.usage.window)
	for i, m := range u.labels {
		if m != unmeasured && i < len(row.LabelUsage) {
			row.LabelUsage[i] = Quantity{Used: e.usage.value(m), Allocatable: n.alloc[u.index(m)]}
		}
	}
	if m := u.sort; m != unmeasured {
		if a := n.alloc[u.index(m)]; a > 0 {
			row.sortUsage, row.hasSortUsage = float64(e.usage.value(m))/float64(a), true
		}
	}
	row.shares, row.hasShares = NodeShares(
		[]int64{e.pods.used[u.cpu], e.pods.used[u.mem]},
		[]int64{e.usage.cpu, e.usage.mem},
		[]int64{n.alloc[u.cpu], n.alloc[u.mem]})
}

func (nu *nodeUsage) value(m measured) int64 {
	switch m {
	case usedCPU:
		return nu.cpu
	case usedMemory:
		return nu.mem
	}
	return NotMeasured
}

func (u *usageState) index(m measured) int {
	if m == usedMemory {
		return u.mem
	}
	return u.cpu
}

// usageHeader is the snapshot's usage before its rows are summed in
// (tally), under c.mu; nil when usage is off.
func (c *Cluster) usageHeader() *ClusterUsage {
	if !c.usage.on {
		return nil
	}
	return &ClusterUsage{Interval: c.usage.interval, Polled: c.usage.polled}
}

// noteOpen records the node the Snapshot asks for (SnapshotFor): the pod
// poll follows it. Its pods' samples go when another node opens.
func (c *Cluster) noteOpen(node string) {
	u := &c.usage
	if !u.on || node == u.open {
		return
	}
	u.open, u.pods = node, nil
	select {
	case u.openCh <- struct{}{}:
	default:
	}
}

// OpenNodeChanged delivers a value when the node the views ask for changes
// (coalesced), so that the pod poll starts at once.
func (c *Cluster) OpenNodeChanged() <-chan struct{} { return c.usage.openCh }

// UsageTarget is the open node and its pods by namespace, sorted; Node is
// "" when no node is open (or usage is off). O(pods on the node).
func (c *Cluster) UsageTarget() UsageTarget {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := UsageTarget{Node: c.usage.open}
	e := c.nodes[t.Node]
	if t.Node == "" || e == nil {
		return t
	}
	byNS := map[string][]string{}
	for k := range e.podSet {
		byNS[k.ns] = append(byNS[k.ns], k.name)
	}
	for ns, pods := range byNS {
		sort.Strings(pods)
		t.Namespaces = append(t.Namespaces, NamespacePods{Namespace: ns, Pods: pods, Total: c.usage.nsPods[ns]})
	}
	sort.Slice(t.Namespaces, func(i, j int) bool { return t.Namespaces[i].Namespace < t.Namespaces[j].Namespace })
	return t
}

// SetPodUsage installs a pod metrics poll of node: its pods take their
// samples (pods elsewhere are dropped). Ignored unless node is still the
// open node.
func (c *Cluster) SetPodUsage(node string, pods []PodUsage) {
	c.mu.Lock()
	if c.usage.on && node != "" {
		c.opts.Record.podUsage(c.opts.Now(), node, pods)
	}
	changed := c.setPodUsage(node, pods)
	c.mu.Unlock()
	if changed {
		c.Notify()
	}
}

// setPodUsage installs node's pod poll (under c.mu), unless node is not the
// open node; it reports whether it did.
func (c *Cluster) setPodUsage(node string, pods []PodUsage) bool {
	u := &c.usage
	e := c.nodes[node]
	if !u.on || node == "" || node != u.open || e == nil {
		return false
	}
	u.pods = make(map[podKey]PodUsage, len(e.podSet))
	for _, p := range pods {
		if q := e.podSet[podKey{p.Namespace, p.Name}]; q != nil {
			u.pods[q.key()] = p
		}
	}
	return true
}

// withPodUsage adds the pod's sample to its snapshot record (detail).
func (c *Cluster) withPodUsage(pod Pod, p *podObj) Pod {
	u := &c.usage
	s, ok := u.pods[p.key()]
	if !u.on || !ok || p.node != u.open {
		return pod
	}
	pod.Used = make([]int64, len(u.shown))
	for i, m := range u.shown {
		switch m {
		case usedCPU:
			pod.Used[i] = max(s.CPU, 0)
		case usedMemory:
			pod.Used[i] = max(s.Memory, 0)
		default:
			pod.Used[i] = NotMeasured
		}
	}
	pod.UsedAt = s.At
	pod.UsageStale = c.staleAt(s.At, s.Window)
	return pod
}

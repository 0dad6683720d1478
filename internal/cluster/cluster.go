// Package cluster keeps an incremental model of the nodes, pods, NodeClaims
// and events that informers deliver, and hands out immutable Snapshots.
package cluster

import (
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// LaunchStuckAfter is how long a NodeClaim may go without a Node before it
// is shown as a stuck launch.
const LaunchStuckAfter = 15 * time.Minute

// maxEvents is how many recent events the model keeps.
const maxEvents = 5

// Options configure a Cluster.
type Options struct {
	// Selector restricts the shown nodes and NodeClaims (nil: all).
	Selector labels.Selector
	// Resources are shown in this order (default cpu).
	Resources []string
	// ExtraLabels are the label columns.
	ExtraLabels []string
	// Sort orders the node rows.
	Sort options.SortSpec
	// Pricing prices nodes; nil disables prices.
	Pricing pricing.Provider
	// Now is the clock: the API server's (kube.ServerClock), so that ages
	// and stuck launches are measured on the clock that stamped the objects;
	// default time.Now.
	Now func() time.Time
	// Logger records connection failures and recoveries (nil: nowhere).
	Logger *slog.Logger
	// AuthHint returns the exec credential plugin's last message, shown
	// with a credentials failure ("" or nil: none).
	AuthHint func() string
	// UsageInterval is how often usage is polled (SetNodeUsage); 0 turns
	// usage off.
	UsageInterval time.Duration
	// Record receives everything the model is given (nil: not recorded):
	// --record.
	Record *Recorder
}

// Cluster is the model. Informer handlers mutate it under one mutex, in O(1)
// per event; Snapshot copies it out.
type Cluster struct {
	opts      Options
	shown     []int // tracked index of each shown resource
	labelRes  []int // per extra label: tracked index of a usage label, or -1
	sortRes   int   // tracked index of a usage sort key, or -1
	res       resources
	podsIndex int // tracked index of "pods" (-1: not tracked)

	changed chan struct{}
	sortBy  sortBy
	// priceGen counts price changes (PricesChanged); cached row prices are
	// asked again when it moved.
	priceGen atomic.Uint64

	mu    sync.Mutex
	nodes map[string]*nodeEntry // by node name: shown nodes and pods' nodes
	// byProvider maps providerID to node name, to join NodeClaims.
	byProvider map[string]string
	claims     map[string]*claimEntry
	// claimByNode and claimByProvider map a shown NodeClaim's
	// status.nodeName and providerID to its name (a node's claim, O(1)).
	claimByNode     map[string]string
	claimByProvider map[string]string
	// pools are the NodePool objects; poolShown counts the shown nodes
	// and NodeClaims per karpenter.sh/nodepool label.
	pools     map[string]*poolObj
	poolShown map[string]int
	// onNodes sums the pods on shown nodes; alloc their allocatable.
	onNodes     agg
	alloc       []int64
	allocExact  []wide // alloc's exact sums
	unscheduled agg
	// pending holds the counted pods in phase Pending, with or without a
	// node (the pending view).
	pending   map[podKey]*podObj
	elsewhere int // counted pods bound to nodes not shown
	events    []Event
	// facts are what Karpenter's events last said about each node,
	// NodeClaim and NodePool (linked from their entries); podFacts what
	// the scheduler and Karpenter last said about each pod.
	facts    map[objRef]*objFacts
	podFacts map[podKey]*podFacts
	// started is when the viewer started watching: older events are news
	// only while they still apply.
	started time.Time
	// frozen is the model's clock while the handler applies a recorded
	// change (zero otherwise): see clock.
	frozen time.Time
	// replaying: a Player feeds the model (its history comes from the
	// recording).
	replaying bool
	// act is the session's activity; backlog holds the lines made before
	// every informer synced, judged when they have (still news?).
	act     activityLog
	backlog []candidate
	// launchLines and disrupting are the activity lines of each launching
	// NodeClaim and of each node being disrupted (row name), updated in
	// place as more is learnt.
	launchLines map[string]uint64
	launchFor   map[string]*launchPods
	disrupting  map[string]uint64
	ledger      ledger
	history     []Sample
	syncs       []*syncState
	notes       map[string]string // by topic
	// synced is closed once every informer has synced (allSynced).
	synced    chan struct{}
	allSynced bool
	// order holds the entries of shown nodes (plus, until the next
	// Snapshot, ones removed since), sorted as of the last Snapshot.
	order []*nodeEntry
	// unsorted: order needs sorting (an entry was added or a key changed).
	unsorted bool
	// rows is the last Snapshot's rows of order, and what they sum to
	// (rows.go): a Snapshot rebuilds what changed, not the whole list.
	rows rowCache
	// joins caches which NodeClaims are still launching (launchingClaims).
	joins joinCache
	// usage is the measured usage's bookkeeping (usage.go).
	usage usageState
}

type nodeEntry struct {
	name string
	node *nodeObj // nil: only pods have named this node so far (or it is not shown)
	pods agg
	// podSet holds the counted pods bound to this node, so that opening a
	// node costs its pods, not a walk over the cluster's.
	podSet  map[podKey]*podObj
	fargate string
	// dnd holds the counted pods with a valid do-not-disrupt annotation.
	dnd map[podKey]*podObj
	// facts are the node's facts (nil: none), as in Cluster.facts.
	facts *objFacts

	// row is the node's Snapshot row as of the last Snapshot, key its sort
	// key; dirty marks them stale. Snapshots share the row: a rebuild makes
	// a new one, so rows handed out in earlier Snapshots never change.
	row    *Node
	key    sortKey
	dirty  bool
	listed bool // in Cluster.order
	// price is the node's price as asked at priceGen (0: not yet asked).
	price    pricing.Price
	priceGen uint64
	usage    nodeUsage
	// pos is the entry's place in Cluster.order (and its row's in
	// Cluster.base) as of the last Snapshot.
	pos int
	// search is Node.Search of searchOf (rebuilt when the node object
	// changes, not with every row).
	search   string
	searchOf *nodeObj
}

// agg sums counted pods. exact holds the sums of requests (exact, so that a
// pod's saturated requests can be taken back); used their saturated values.
type agg struct {
	used                   []int64
	exact                  []wide
	pods, pending, running int
}

func (a *agg) addPod(p *podObj, sign int) {
	if a.exact == nil {
		a.exact = make([]wide, len(a.used))
	}
	for i, v := range p.req {
		a.exact[i].add(v, sign)
		a.used[i] = a.exact[i].sat()
	}
	a.pods += sign
	switch p.phase {
	case "Pending":
		a.pending += sign
	case "Running":
		a.running += sign
	}
}

func (a *agg) addAgg(b *agg, sign int) {
	if a.exact == nil {
		a.exact = make([]wide, len(a.used))
	}
	for i := range b.exact {
		a.exact[i].addWide(b.exact[i], sign)
		a.used[i] = a.exact[i].sat()
	}
	a.pods += sign * b.pods
	a.pending += sign * b.pending
	a.running += sign * b.running
}

// addSlice adds src*sign to the exact sums and sets dst to their saturated
// values.
func addSlice(dst []int64, exact []wide, src []int64, sign int) {
	for i := range src {
		if i < len(dst) {
			exact[i].add(src[i], sign)
			dst[i] = exact[i].sat()
		}
	}
}

type syncState struct {
	name   string
	synced bool
	count  int
	// streamed counts objects decoded during the initial sync (the
	// transform sees them as they stream in, before any handler does).
	streamed atomic.Int64
	done     atomic.Bool // synced, readable without the lock
	// skipped explains why this informer does not run (e.g. forbidden).
	skipped string
	// conn is whether its calls reach the API server.
	conn connection
}

// New creates an empty model.
func New(opts Options) *Cluster {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Selector == nil {
		opts.Selector = labels.Everything()
	}
	if len(opts.Resources) == 0 {
		opts.Resources = []string{"cpu"}
	}
	tracked := append([]string{}, opts.Resources...)
	tracked = append(tracked, "pods")
	tracked = append(tracked, usageResources(opts)...)
	for _, l := range append([]string{opts.Sort.Key}, opts.ExtraLabels...) {
		if r, ok := options.UsageLabelResource(l); ok {
			tracked = append(tracked, r)
		}
	}
	c := &Cluster{
		opts:       opts,
		res:        newResources(tracked),
		changed:    make(chan struct{}, 1),
		synced:     make(chan struct{}),
		nodes:      map[string]*nodeEntry{},
		byProvider: map[string]string{},
		claims:     map[string]*claimEntry{},
		notes:      map[string]string{},
		pending:    map[podKey]*podObj{},

		claimByNode:     map[string]string{},
		claimByProvider: map[string]string{},
		pools:           map[string]*poolObj{},
		poolShown:       map[string]int{},
		facts:           map[objRef]*objFacts{},
		podFacts:        map[podKey]*podFacts{},
		launchLines:     map[string]uint64{},
		launchFor:       map[string]*launchPods{},
		disrupting:      map[string]uint64{},
		act:             newActivityLog(maxActivity),
		started:         opts.Now(),
	}
	c.ledger.since = c.started
	for _, r := range opts.Resources {
		c.shown = append(c.shown, c.res.index[resourceName(r)])
	}
	c.podsIndex = c.res.index["pods"]
	c.sortBy = newSortBy(opts.Sort)
	c.sortRes = -1
	if r, ok := options.UsageLabelResource(opts.Sort.Key); ok {
		c.sortRes = c.res.index[resourceName(r)]
	}
	for _, l := range opts.ExtraLabels {
		idx := -1
		if r, ok := options.UsageLabelResource(l); ok {
			idx = c.res.index[resourceName(r)]
		}
		c.labelRes = append(c.labelRes, idx)
	}
	c.alloc = make([]int64, len(c.res.names))
	c.allocExact = make([]wide, len(c.res.names))
	c.onNodes.used = make([]int64, len(c.res.names))
	c.unscheduled.used = make([]int64, len(c.res.names))
	c.initUsage()
	if rec := opts.Record; rec != nil {
		if opts.Pricing != nil {
			c.opts.Pricing = &pricesRecorder{Provider: opts.Pricing, rec: rec, answers: map[pricing.Node]pricing.Price{}}
		}
		rec.attach(c)
	}
	return c
}

// Now is the model's clock (the API server's when Options.Now is).
func (c *Cluster) Now() time.Time { return c.opts.Now() }

// clock is the model's time for what an apply stamps (under c.mu): the
// record's time while a recorded change is applied, else now.
func (c *Cluster) clock() time.Time {
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return c.opts.Now()
}

// Changed delivers a value after the model changed (coalesced: capacity 1).
func (c *Cluster) Changed() <-chan struct{} { return c.changed }

// Synced is closed once every informer has completed its initial sync
// (Snapshot.Synced turns true at the same time).
func (c *Cluster) Synced() <-chan struct{} { return c.synced }

// Notify signals a change without blocking (also used by the pricing
// refresher when prices change).
func (c *Cluster) Notify() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// PricesChanged tells the model that the pricing provider may answer
// differently now (its Changed channel, followed by Start): rows are priced anew.
func (c *Cluster) PricesChanged() {
	c.priceGen.Add(1)
	c.Notify()
}

// SetNote sets (or clears, with "") the status-line note for a topic.
func (c *Cluster) SetNote(topic, text string) {
	c.mu.Lock()
	c.setNote(topic, text)
	c.opts.Record.strings(opNote, topic, text)
	c.mu.Unlock()
	c.Notify()
}

func (c *Cluster) setNote(topic, text string) {
	if text == "" {
		delete(c.notes, topic)
	} else {
		c.notes[topic] = text
	}
}

func (c *Cluster) entry(name string) *nodeEntry {
	e := c.nodes[name]
	if e == nil {
		e = &nodeEntry{name: name, pods: agg{used: make([]int64, len(c.res.names))}}
		e.facts = c.facts[objRef{kind: kindNode, name: name}]
		c.nodes[name] = e
	}
	c.markDirty(e) // every caller is about to change it
	return e
}

func (c *Cluster) dropIfEmpty(name string, e *nodeEntry) {
	if e.node == nil && e.pods.pods == 0 {
		delete(c.nodes, name)
	}
}

// podDelta adds (sign 1) or removes (sign -1) a pod's contribution.
func (c *Cluster) podDelta(p *podObj, sign int) {
	if p == nil || !p.counts() {
		return
	}
	c.countNamespace(p, sign)
	if p.phase == corev1.PodPending {
		if sign > 0 {
			c.pending[p.key()] = p
		} else {
			delete(c.pending, p.key())
		}
	}
	if p.node == "" {
		c.unscheduled.addPod(p, sign)
		return
	}
	e := c.entry(p.node)
	e.pods.addPod(p, sign)
	if sign > 0 {
		if e.podSet == nil {
			e.podSet = map[podKey]*podObj{}
		}
		e.podSet[p.key()] = p
	} else {
		delete(e.podSet, p.key())
	}
	if f := p.fargate(); f != "" && sign > 0 {
		e.fargate = f
	}
	if p.dnd() != "" {
		if sign > 0 {
			if e.dnd == nil {
				e.dnd = map[podKey]*podObj{}
			}
			e.dnd[p.key()] = p
		} else {
			delete(e.dnd, p.key())
		}
		c.noteDND(e)
	}
	if e.node != nil {
		c.onNodes.addPod(p, sign)
	} else {
		c.elsewhere += sign
	}
	c.dropIfEmpty(p.node, e)
}

// setNode installs (n != nil) or removes (n == nil) the node called name.
func (c *Cluster) setNode(name string, n *nodeObj) {
	e := c.entry(name)
	if old := e.node; old == nil || n == nil || old.providerID != n.providerID {
		c.joins.gen++ // a NodeClaim may join or leave it
	}
	if old := e.node; old != nil {
		c.countPool(old.labels, -1)
		addSlice(c.alloc, c.allocExact, old.alloc, -1)
		c.onNodes.addAgg(&e.pods, -1)
		if old.providerID != "" && c.byProvider[old.providerID] == name {
			delete(c.byProvider, old.providerID)
		}
	} else {
		c.elsewhere -= e.pods.pods
	}
	e.node = n
	if n != nil {
		if !e.listed {
			c.order = append(c.order, e)
			e.listed, c.unsorted = true, true
		}
		c.countPool(n.labels, 1)
		addSlice(c.alloc, c.allocExact, n.alloc, 1)
		c.onNodes.addAgg(&e.pods, 1)
		if n.providerID != "" {
			c.byProvider[n.providerID] = name
		}
	} else {
		c.elsewhere += e.pods.pods
		c.dropIfEmpty(name, e)
	}
}

// countPool counts a shown node or NodeClaim for its NodePool label.
func (c *Cluster) countPool(labels map[string]string, sign int) {
	pool := labels[labelNodePool]
	if pool == "" {
		return
	}
	if c.poolShown[pool] += sign; c.poolShown[pool] <= 0 {
		delete(c.poolShown, pool)
	}
}

func (c *Cluster) addEvent(ev *Event) {
	if ev == nil {
		return
	}
	for i := range c.events {
		if c.events[i].Object == ev.Object && c.events[i].Reason == ev.Reason && c.events[i].Message == ev.Message {
			c.events = append(c.events[:i], c.events[i+1:]...)
			break
		}
	}
	i := sort.Search(len(c.events), func(i int) bool { return c.events[i].Time.After(ev.Time) })
	c.events = append(c.events, Event{})
	copy(c.events[i+1:], c.events[i:])
	c.events[i] = *ev
	if len(c.events) > maxEvents {
		c.events = c.events[len(c.events)-maxEvents:]
	}
}

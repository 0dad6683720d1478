package cluster

import (
	"slices"
	"sort"
	"time"
)

// The node list a Snapshot carries is kept between Snapshots: the rows of
// c.order as a slice the last Snapshot shares (rows are never changed once
// handed out, and neither is the slice), with what each block of it sums
// to. A Snapshot rebuilds the rows of the entries marked since the last
// one, patches them into a copy of the slice and sums again the blocks
// they are in: at 100,000 nodes a pod change costs a copy of the pointers
// and one block, not a walk over every row (each a cache miss). Adding or
// removing a node, a row that moves in the sort, or new prices take the
// full path: every entry walked, sorted, every block summed.

// rowBlock is how many rows one block sums. (A variable for tests.)
var rowBlock = 512

type rowCache struct {
	// dirty are the entries marked since the last Snapshot (markDirty).
	dirty []*nodeEntry
	// dnd are the entries with do-not-disrupt pods, rebuilt every time:
	// their protection can run out.
	dnd map[*nodeEntry]struct{}
	// base is the last Snapshot's rows of order; nil until the first.
	base []*Node
	// sums are base's blocks' sums (nil: to sum again).
	sums     []*rowSum
	priceGen uint64 // the price generation base was priced at
}

// rowSum is what the rows of a block sum to.
type rowSum struct {
	cost  Cost
	usage UsageTotals
}

// markDirty marks an entry's row for a rebuild at the next Snapshot.
func (c *Cluster) markDirty(e *nodeEntry) {
	if !e.dirty {
		e.dirty = true
		c.rows.dirty = append(c.rows.dirty, e)
	}
}

// noteDND follows whether an entry has do-not-disrupt pods.
func (c *Cluster) noteDND(e *nodeEntry) {
	if len(e.dnd) == 0 {
		delete(c.rows.dnd, e)
		return
	}
	if c.rows.dnd == nil {
		c.rows.dnd = map[*nodeEntry]struct{}{}
	}
	c.rows.dnd[e] = struct{}{}
}

// refreshEntry rebuilds a listed entry's row when it is marked, has
// do-not-disrupt pods or its price changed (priceGen), and reports whether
// the row changed and whether its sort key moved.
func (c *Cluster) refreshEntry(e *nodeEntry, priceGen uint64, now time.Time) (changed, moved bool) {
	rebuild := e.dirty || e.row == nil || len(e.dnd) > 0
	if e.dirty {
		e.priceGen = 0 // a changed node is priced again
	}
	if e.priceGen != priceGen && c.opts.Pricing != nil {
		p := c.opts.Pricing.NodePrice(e.priceDesc())
		rebuild = rebuild || p != e.price
		e.price, e.priceGen = p, priceGen
	}
	e.dirty = false
	if !rebuild {
		return false, false
	}
	old := e.key
	e.row = c.finishRow(e, now)
	e.key = c.sortBy.key(e.row)
	return true, e.key != old
}

// refreshOrder brings c.order and c.rows up to date: incrementally when
// only rows changed in place, else by the full path.
func (c *Cluster) refreshOrder(priceGen uint64, now time.Time) {
	rc := &c.rows
	full := c.unsorted || rc.base == nil || rc.priceGen != priceGen
	var patched []*nodeEntry
	if !full {
		for e := range rc.dnd {
			if !e.dirty {
				rc.dirty = append(rc.dirty, e)
				e.dirty = true
			}
		}
		for _, e := range rc.dirty {
			if !e.dirty {
				continue // seen already (marked twice)
			}
			if e.node == nil || !e.listed {
				e.dirty = false
				full = full || e.listed // a node went away
				continue
			}
			changed, moved := c.refreshEntry(e, priceGen, now)
			if moved {
				full, c.unsorted = true, true
			}
			if changed {
				patched = append(patched, e)
			}
		}
	}
	if full {
		c.refreshAll(priceGen, now)
		for _, e := range rc.dirty {
			e.dirty = false // not listed: its row is built when it is
		}
	}
	rc.dirty = rc.dirty[:0]
	if full {
		return
	}
	if len(patched) == 0 {
		return
	}
	base := slices.Clone(rc.base) // the last Snapshot keeps its slice
	for _, e := range patched {
		base[e.pos] = e.row
		rc.sums[e.pos/rowBlock] = nil
	}
	rc.base = base
}

// refreshAll is the full path: every entry walked (the gone dropped, the
// changed rebuilt, every price asked again when prices changed), sorted,
// placed, and every block summed afresh.
func (c *Cluster) refreshAll(priceGen uint64, now time.Time) {
	live := c.order[:0]
	for _, e := range c.order {
		if e.node == nil {
			e.listed, e.dirty = false, false
			continue
		}
		if _, moved := c.refreshEntry(e, priceGen, now); moved {
			c.unsorted = true
		}
		live = append(live, e)
	}
	clear(c.order[len(live):])
	c.order = live
	// Pod changes alone rarely move a row (only a usage sort key does).
	if c.unsorted {
		slices.SortFunc(c.order, func(a, b *nodeEntry) int { return c.sortBy.compare(&a.key, &b.key) })
		c.unsorted = false
	}
	rc := &c.rows
	base := make([]*Node, len(c.order))
	for i, e := range c.order {
		e.pos = i
		base[i] = e.row
	}
	rc.base, rc.priceGen = base, priceGen
	rc.sums = make([]*rowSum, (len(base)+rowBlock-1)/rowBlock)
}

// mergeRows merges the cached node rows (sorted) and the launching rows
// into one sorted slice of shared rows (the cache's own slice when nothing
// launches).
func (c *Cluster) mergeRows(launching []*Node) []*Node {
	base := c.rows.base
	if len(launching) == 0 {
		return base
	}
	keys := sortRows(launching, c.sortBy)
	rows := make([]*Node, 0, len(base)+len(launching))
	from := 0
	for j := range launching {
		// The launching row goes before the first node row that sorts
		// after it.
		at := from + sort.Search(len(base)-from, func(i int) bool {
			return c.sortBy.compare(&keys[j], &c.order[from+i].key) < 0
		})
		rows = append(append(rows, base[from:at]...), launching[j])
		from = at
	}
	return append(rows, base[from:]...)
}

// tally is what the Snapshot's rows sum to: the blocks' sums (summed
// again where a row changed) and the launching rows'.
func (c *Cluster) tally(launching []*Node) (Cost, *ClusterUsage) {
	rc := &c.rows
	usage := c.usageHeader()
	cost := Cost{Disabled: c.opts.Pricing == nil}
	for b := range rc.sums {
		sum := rc.sums[b]
		if sum == nil {
			sum = &rowSum{}
			for _, r := range rc.base[b*rowBlock : min((b+1)*rowBlock, len(rc.base))] {
				sum.add(r)
			}
			rc.sums[b] = sum
		}
		cost.merge(&sum.cost)
		if usage != nil {
			usage.merge(&sum.usage)
		}
	}
	for _, r := range launching {
		if !cost.Disabled {
			addPrice(&cost, &r.Price)
		}
		if usage != nil && r.Used != nil {
			usage.Add(r)
		}
	}
	return cost, usage
}

func (s *rowSum) add(r *Node) {
	addPrice(&s.cost, &r.Price)
	if r.Used != nil {
		s.usage.Add(r)
	}
}

// merge adds another sum of prices (a block's) to c.
func (c *Cost) merge(o *Cost) {
	if c.Disabled {
		return
	}
	c.Hourly += o.Hourly
	c.Unknown += o.Unknown
	c.Estimated += o.Estimated
	if c.Currency == "" {
		c.Currency = o.Currency
	}
}

// merge adds another block's usage totals to t (as Add would have, row by
// row).
func (t *UsageTotals) merge(o *UsageTotals) {
	if o.Nodes == 0 && o.Unpriced == 0 {
		return
	}
	if t.Used == nil && o.Used != nil {
		t.Used = make([]int64, len(o.Used))
		t.Requested = make([]int64, len(o.Used))
		t.Allocatable = make([]int64, len(o.Used))
	}
	t.Nodes += o.Nodes
	t.Stale += o.Stale
	for i := range min(len(t.Used), len(o.Used)) {
		if o.Used[i] == NotMeasured || t.Used[i] == NotMeasured {
			t.Used[i] = NotMeasured
		} else {
			t.Used[i] = satAdd(t.Used[i], o.Used[i])
		}
		t.Requested[i] = satAdd(t.Requested[i], o.Requested[i])
		t.Allocatable[i] = satAdd(t.Allocatable[i], o.Allocatable[i])
	}
	t.Unpriced += o.Unpriced
	t.IdleHourly += o.IdleHourly
	t.UnusedHourly += o.UnusedHourly
	if t.Currency == "" {
		t.Currency = o.Currency
	}
}

// joinCache is the NodeClaims that join no shown node (they show as
// launching rows), as of gen: a node added or removed, or a NodeClaim
// changed, bumps gen. A node's status update does not, so at 100,000
// nodes a snapshot does not look up every NodeClaim's node.
type joinCache struct {
	gen, built uint64
	launching  []*claimEntry
}

// launchingClaims are the NodeClaims that join no shown node.
func (c *Cluster) launchingClaims() []*claimEntry {
	j := &c.joins
	if j.built == j.gen+1 {
		return j.launching
	}
	j.launching = j.launching[:0]
	for _, ce := range c.claims {
		if c.joinedNode(ce.obj) == "" {
			j.launching = append(j.launching, ce)
		}
	}
	j.built = j.gen + 1
	return j.launching
}

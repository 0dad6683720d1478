package cluster

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

func labelSet(m map[string]string) labels.Set { return labels.Set(m) }

func resourceName(s string) corev1.ResourceName { return corev1.ResourceName(s) }

// Snapshot copies the model into render-ready rows, prices joined and sorted.
// It walks nodes and NodeClaims, never pods.
func (c *Cluster) Snapshot() Snapshot {
	now := c.opts.Now()
	c.mu.Lock()
	s := Snapshot{
		Taken:       now,
		Synced:      true,
		Resources:   c.opts.Resources,
		ExtraLabels: c.opts.ExtraLabels,
		Events:      append([]Event(nil), c.events...),
		Nodes:       make([]Node, 0, len(c.nodes)+len(c.claims)),
	}
	for _, st := range c.syncs {
		if !st.synced {
			s.Synced = false
			if st.count > 0 {
				s.Waiting = append(s.Waiting, fmt.Sprintf("%s (%s so far)", st.name, thousands(st.count)))
			} else {
				s.Waiting = append(s.Waiting, st.name)
			}
		}
	}
	if len(c.syncs) == 0 {
		s.Synced = false
		s.Waiting = []string{"nodes"}
	}

	// NodeClaims joined to a shown Node lend it their deletion; the others
	// are launching capacity.
	claimDeleting := map[string]bool{}
	var launching []*claimObj
	for _, cl := range c.claims {
		name := ""
		if e := c.nodes[cl.nodeName]; cl.nodeName != "" && e != nil && e.node != nil {
			name = cl.nodeName
		} else if n, ok := c.byProvider[cl.providerID]; cl.providerID != "" && ok {
			name = n
		}
		if name == "" {
			launching = append(launching, cl)
		} else if cl.deleting {
			claimDeleting[name] = true
		}
	}

	totals := make([]Quantity, len(c.shown))
	for i, ri := range c.shown {
		totals[i] = Quantity{Used: c.onNodes.used[ri], Allocatable: c.alloc[ri]}
	}
	for name, e := range c.nodes {
		if e.node == nil {
			continue
		}
		s.Nodes = append(s.Nodes, c.nodeRow(name, e, claimDeleting[name]))
	}
	for _, cl := range launching {
		row := c.claimRow(cl, now)
		for i, ri := range c.shown {
			totals[i].Allocatable += cl.alloc[ri]
		}
		s.Nodes = append(s.Nodes, row)
	}
	s.Totals = totals
	s.Pods = PodCounts{
		Total:     c.onNodes.pods + c.unscheduled.pods,
		Pending:   c.onNodes.pending + c.unscheduled.pending,
		Running:   c.onNodes.running + c.unscheduled.running,
		Bound:     c.onNodes.pods,
		Elsewhere: c.elsewhere,
	}
	for _, topic := range sortedKeys(c.notes) {
		s.Notes = append(s.Notes, c.notes[topic])
	}
	c.mu.Unlock()

	s.Cost = c.price(s.Nodes)
	if c.opts.Pricing != nil {
		if st := c.opts.Pricing.Status(); st != "" {
			s.Notes = append(s.Notes, st)
		}
	}
	sortNodes(s.Nodes, c.opts.Sort, c.opts.ExtraLabels)
	return s
}

func (c *Cluster) nodeRow(name string, e *nodeEntry, claimDeleting bool) Node {
	n := e.node
	row := Node{
		Name:         name,
		Created:      n.created,
		InstanceType: n.desc.InstanceType,
		Capacity:     n.desc.Capacity,
		AutoMode:     n.desc.AutoMode,
		Cordoned:     n.cordoned,
		Deleting:     n.deleting || claimDeleting,
		Ready:        n.ready,
		ReadySince:   n.readySince,
		Pods:         e.pods.pods,
		MaxPods:      n.alloc[c.podsIndex] / 1000,
		Usage:        make([]Quantity, len(c.shown)),
		desc:         n.desc,
		labels:       n.labels,
	}
	if row.Capacity == pricing.Fargate && e.fargate != "" {
		row.desc.FargateCapacity = e.fargate
		row.InstanceType = fargateType(e.fargate)
	}
	for i, ri := range c.shown {
		row.Usage[i] = Quantity{Used: e.pods.used[ri], Allocatable: n.alloc[ri]}
	}
	row.Labels = c.labelCells(n.labels, e.pods.used, n.alloc)
	if ri := c.sortRes; ri >= 0 && n.alloc[ri] > 0 {
		row.sortUsage, row.hasSortUsage = float64(e.pods.used[ri])/float64(n.alloc[ri]), true
	}
	return row
}

func (c *Cluster) claimRow(cl *claimObj, now time.Time) Node {
	row := Node{
		Name:         cl.rowName(),
		Created:      cl.created,
		Launching:    true,
		InstanceType: cl.desc.InstanceType,
		Capacity:     cl.desc.Capacity,
		AutoMode:     cl.desc.AutoMode,
		Deleting:     cl.deleting,
		MaxPods:      cl.alloc[c.podsIndex] / 1000,
		Usage:        make([]Quantity, len(c.shown)),
		desc:         cl.desc,
		labels:       cl.labels,
	}
	if !cl.created.IsZero() && now.Sub(cl.created) > LaunchStuckAfter {
		row.LaunchStuck = true
	}
	for i, ri := range c.shown {
		row.Usage[i] = Quantity{Allocatable: cl.alloc[ri]}
	}
	row.Labels = c.labelCells(cl.labels, make([]int64, len(c.res.names)), cl.alloc)
	return row
}

// labelCells fills the extra label columns; node-age is left to LabelValue.
func (c *Cluster) labelCells(lbls map[string]string, used, alloc []int64) []string {
	if len(c.opts.ExtraLabels) == 0 {
		return nil
	}
	cells := make([]string, len(c.opts.ExtraLabels))
	for i, key := range c.opts.ExtraLabels {
		switch ri := c.labelRes[i]; {
		case ri >= 0:
			if alloc[ri] > 0 {
				cells[i] = strconv.Itoa(int(float64(used[ri])*100/float64(alloc[ri]))) + "%"
			}
		case key == LabelNodeAge:
		default:
			cells[i] = lbls[key]
		}
	}
	return cells
}

// price joins prices to rows and sums them.
func (c *Cluster) price(rows []Node) Cost {
	if c.opts.Pricing == nil {
		return Cost{Disabled: true}
	}
	var cost Cost
	for i := range rows {
		p := c.opts.Pricing.NodePrice(rows[i].desc)
		rows[i].Price = p
		if !p.Known() {
			cost.Unknown++
			continue
		}
		if p.Source == pricing.Estimate {
			cost.Estimated++
		}
		cost.Hourly += p.Hourly
		if cost.Currency == "" {
			cost.Currency = p.Currency
		}
	}
	return cost
}

// fargateType turns "0.25vCPU 0.5GB" into "0.25vCPU-0.5GB".
func fargateType(capacity string) string {
	out := []byte(capacity)
	for i, b := range out {
		if b == ' ' {
			out[i] = '-'
		}
	}
	return string(out)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// thousands formats 37000 as "37,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

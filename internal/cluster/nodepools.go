package cluster

import (
	"cmp"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
)

// NodePoolResource is Karpenter's NodePool (karpenter.sh/v1).
var NodePoolResource = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodepools"}

// Kinds of NodePools rows.
const (
	KindNodePool  = "nodepool"
	KindNodeGroup = "nodegroup"
)

// poolObj is a NodePool: its row's spec part, ready to copy (read only).
type poolObj struct {
	name string
	row  NodePool
}

func (p *poolObj) GetObjectMeta() metav1.Object { return &metav1.ObjectMeta{Name: p.name} }

func transformPool(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	np := karpenter.ParseNodePool(u.Object)
	p := &poolObj{name: u.GetName(), row: NodePool{
		Name:                u.GetName(),
		Kind:                KindNodePool,
		Known:               true,
		ConsolidationPolicy: np.ConsolidationPolicy,
		ConsolidateAfter:    np.ConsolidateAfter,
		Weight:              np.Weight,
	}}
	p.row.Ready, p.row.ReadyReason = np.Ready()
	for _, b := range np.Budgets {
		p.row.Budgets = append(p.row.Budgets, Budget(b))
	}
	for _, key := range np.LimitKeys() {
		q, err := parseQuantity(np.Limits[key])
		if err != nil {
			continue
		}
		l := Limit{Resource: key, Limit: satMilli(q), Used: -1}
		if v, ok := np.Resources[key]; ok {
			if q, err := parseQuantity(v); err == nil {
				l.Used = satMilli(q)
			}
		}
		p.row.Limits = append(p.row.Limits, l)
	}
	return p, nil
}

func (c *Cluster) applyPool(old, obj any) bool {
	p, _ := obj.(*poolObj)
	if p == nil {
		o, _ := old.(*poolObj)
		if o == nil {
			return false
		}
		delete(c.pools, o.name)
		c.dropFacts(objRef{kind: kindPool, name: o.name}, true)
		return true
	}
	c.pools[p.name] = p
	return true
}

// groupOf is the NodePools row a node belongs to.
func groupOf(n *Node) (kind, name string) {
	if n.NodePool != "" {
		return KindNodePool, n.NodePool
	}
	if g := n.Labels[labelNodeGroup]; g != "" {
		return KindNodeGroup, g
	}
	return "", ""
}

// nodePools builds the NodePools view's rows from the snapshot's rows and
// the NodePool objects (under c.mu): NodePools first, then node groups,
// then the nodes in neither, each by name.
func (c *Cluster) nodePools(rows []*Node) []NodePool {
	type key struct{ kind, name string }
	groups := map[key]*NodePool{}
	var order []*NodePool
	get := func(kind, name string) *NodePool {
		k := key{kind, name}
		if g := groups[k]; g != nil {
			return g
		}
		g := &NodePool{Name: name, Kind: kind, Usage: make([]Quantity, len(c.shown)), Cost: Cost{Disabled: c.opts.Pricing == nil}}
		if p := c.pools[name]; kind == KindNodePool && p != nil {
			g.Known = true
			spec := p.row
			g.Limits, g.Budgets = spec.Limits, spec.Budgets
			g.ConsolidationPolicy, g.ConsolidateAfter, g.Weight = spec.ConsolidationPolicy, spec.ConsolidateAfter, spec.Weight
			g.Ready, g.ReadyReason = spec.Ready, spec.ReadyReason
		}
		if f := c.facts[objRef{kind: kindPool, name: name}]; kind == KindNodePool && f != nil && len(f.recent) > 0 {
			g.Events = slices.Clone(f.recent)
		}
		groups[k] = g
		order = append(order, g)
		return g
	}
	for _, n := range rows {
		g := get(groupOf(n))
		if n.Launching {
			g.Claims++
		} else {
			g.Nodes++
		}
		if n.Deleting {
			g.Deleting++
		}
		if !g.Cost.Disabled {
			addPrice(&g.Cost, &n.Price)
		}
		g.Measured.Add(n)
		for j := range g.Usage {
			if j < len(n.Usage) {
				g.Usage[j].Used = satAdd(g.Usage[j].Used, n.Usage[j].Used)
				g.Usage[j].Allocatable = satAdd(g.Usage[j].Allocatable, n.Usage[j].Allocatable)
			}
		}
	}
	for name := range c.pools {
		get(KindNodePool, name)
	}
	out := make([]NodePool, 0, len(order))
	for _, g := range order {
		out = append(out, *g)
	}
	rank := func(kind string) int {
		switch kind {
		case KindNodePool:
			return 0
		case KindNodeGroup:
			return 1
		}
		return 2
	}
	slices.SortFunc(out, func(a, b NodePool) int {
		return cmp.Or(cmp.Compare(rank(a.Kind), rank(b.Kind)), naturalCompare(a.Name, b.Name))
	})
	return out
}

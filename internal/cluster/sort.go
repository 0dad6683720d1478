package cluster

import (
	"cmp"
	"sort"
	"strings"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// sortRows orders rows by by and returns their keys in the new order.
// Creation "dsc" lists the oldest first (by age, descending); labels compare
// naturally ("node-2" < "node-10"), usage labels numerically; rows without
// the label go last either way. Ties fall back to the name, so the order is
// stable across snapshots.
func sortRows(rows []*Node, by sortBy) []sortKey {
	keys := make([]sortKey, len(rows))
	for i := range rows {
		keys[i] = by.key(rows[i])
	}
	sort.Sort(&nodeSorter{rows: rows, keys: keys, by: by})
	return keys
}

// sortBy is a parsed sort spec: it makes a row's key and compares keys.
type sortBy struct {
	field string
	usage bool // a usage label: compare the fraction
	desc  bool
}

func newSortBy(spec options.SortSpec) sortBy {
	key := spec.Key
	if key == "" {
		key = options.SortCreation
	}
	_, usage := options.UsageLabelResource(key)
	if _, used := options.UsedLabelResource(key); used {
		usage = true // a fraction too: used/allocatable
	}
	return sortBy{field: key, usage: usage, desc: spec.Descending}
}

// key is what the row sorts by; it depends only on the row.
func (by sortBy) key(n *Node) sortKey {
	k := sortKey{name: n.Name}
	switch {
	case by.field == options.SortCreation || by.field == LabelNodeAge:
		// Age grows as creation goes back: negate for "larger = older".
		k.num, k.ok, k.numeric = -float64(n.Created.UnixNano()), !n.Created.IsZero(), true
	case by.usage:
		k.num, k.ok, k.numeric = n.sortUsage, n.hasSortUsage, true
	default:
		k.str = n.Labels[by.field]
		k.ok = k.str != ""
	}
	return k
}

// compare orders two keys: by value (rows without one last), then by name.
func (by sortBy) compare(a, b *sortKey) int {
	if a.ok != b.ok {
		if a.ok {
			return -1 // rows without a value go last
		}
		return 1
	}
	c := 0
	if a.ok {
		if a.numeric {
			c = cmp.Compare(a.num, b.num)
		} else {
			c = naturalCompare(a.str, b.str)
		}
		if by.desc {
			c = -c
		}
	}
	if c != 0 {
		return c
	}
	return naturalCompare(a.name, b.name)
}

type sortKey struct {
	str     string
	num     float64
	numeric bool
	ok      bool // the row has a value
	name    string
}

type nodeSorter struct {
	rows []*Node
	keys []sortKey
	by   sortBy
}

func (s *nodeSorter) Len() int { return len(s.rows) }
func (s *nodeSorter) Swap(i, j int) {
	s.rows[i], s.rows[j] = s.rows[j], s.rows[i]
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
}
func (s *nodeSorter) Less(i, j int) bool { return s.by.compare(&s.keys[i], &s.keys[j]) < 0 }

// naturalCompare orders strings with embedded numbers by value:
// "ip-10-0-2" < "ip-10-0-10".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return cmp.Compare(len(na), len(nb))
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(int(a[0]), int(b[0]))
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

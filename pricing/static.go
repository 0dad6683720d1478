package pricing

import (
	"maps"
	"sync"
)

// NewStatic returns a Provider that answers from the embedded list-price
// table only and never calls AWS (when the AWS provider cannot start, say).
// Nodes without a region label are priced in defaultRegion.
func NewStatic(defaultRegion string) Provider {
	return &static{region: defaultRegion}
}

// Recorded is a fixed set of prices that the AWS APIs answered once for one
// region, hourly in the region's currency, by instance type.
type Recorded struct {
	// Region the prices are of; it also prices nodes without a region label.
	Region      string
	OnDemand    map[string]float64
	AutoModeFee map[string]float64
}

// NewRecorded returns a Provider that plays back r: it resolves prices the
// way the AWS provider does from what it fetched, so a recorded price is
// Live, and what r lacks (other types, other regions, spot) falls back to
// the static table or is unknown, as it would be live. It never calls AWS.
func NewRecorded(r Recorded) Provider {
	return &static{region: r.Region, live: &live{
		onDemand: maps.Clone(r.OnDemand),
		fee:      maps.Clone(r.AutoModeFee),
		noSpot:   "no spot prices recorded",
	}}
}

// static answers from fixed data, so its answers never change.
type static struct {
	region string
	live   *live // of region; nil: the static table only
	memo   memo
}

func (s *static) NodePrice(n Node) Price {
	key := memoKey(n)
	if p, ok := s.memo.get(key); ok {
		return p
	}
	region := n.Region
	if region == "" {
		region = s.region
	}
	var l *live
	if region == s.region {
		l = s.live
	}
	p := resolve(n, region, l)
	s.memo.put(key, p)
	return p
}

func (s *static) Status() string { return "" }

// Changed implements Provider: nil, fixed data never changes.
func (s *static) Changed() <-chan struct{} { return nil }

// memo remembers prices per distinct node description, so NodePrice is a map
// lookup on the hot path (every node, every snapshot) and reason strings are
// built once.
type memo struct {
	mu sync.RWMutex
	m  map[Node]Price
}

// memoMax bounds the memo; past it the memo restarts (only under churn of
// distinct descriptions, far beyond any cluster's variety).
const memoMax = 1 << 14

func memoKey(n Node) Node {
	n.Name = "" // the name never changes the price
	return n
}

func (m *memo) get(k Node) (Price, bool) {
	m.mu.RLock()
	p, ok := m.m[k]
	m.mu.RUnlock()
	return p, ok
}

func (m *memo) put(k Node, p Price) {
	m.mu.Lock()
	if m.m == nil || len(m.m) >= memoMax {
		m.m = make(map[Node]Price)
	}
	m.m[k] = p
	m.mu.Unlock()
}

func (m *memo) clear() {
	m.mu.Lock()
	clear(m.m)
	m.mu.Unlock()
}

package pricing

import "sync"

// NewStatic returns a Provider that answers from the embedded list-price
// table only and never calls AWS (for --demo, or when the AWS provider
// cannot start). Nodes without a region label are priced in defaultRegion.
func NewStatic(defaultRegion string) Provider {
	return &static{region: defaultRegion}
}

type static struct {
	region string
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
	p := resolve(n, region, nil)
	s.memo.put(key, p)
	return p
}

func (s *static) Status() string { return "" }

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

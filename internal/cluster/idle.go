package cluster

// What a node's unused capacity costs.
//
// A node is paid for whole, but it is sold to pods along several resources
// at once: once its CPU is all requested, its free memory can take no more
// pods, and the other way round. So the share of a node that some demand
// takes is its fraction of the resource it takes most of (the dominant
// resource, as in dominant-resource fairness), and the node's hourly price
// splits into three parts that add up to the price:
//
//	used     = price × u        u = max over cpu, memory of used/allocatable
//	unused   = price × (h − u)  h = max(u, q), q = the same max of requested/allocatable
//	idle     = price × (1 − h)
//
// "idle" is capacity neither requested nor used: a smaller node (or one
// node fewer) would do. "reserved, unused" is capacity held by requests
// that the pods do not use: right-sizing the requests would free it. Each
// fraction is capped at 1 (a node whose pods use more than its allocatable
// is full, not more than full).
//
// Example: a $1.00/hour node with 90% of its CPU and 30% of its memory
// requested, using 8% of its CPU and 20% of its memory: u = 0.20, q = 0.90,
// h = 0.90, so used $0.20, reserved-unused $0.70, idle $0.10.

// Shares are the parts of a node, as fractions that add up to 1.
type Shares struct {
	Used   float64 // taken by use (u)
	Unused float64 // requested but not used (h − u)
	Idle   float64 // neither requested nor used (1 − h)
}

// NodeShares splits a node by its dominant resource. requested, used and
// allocatable are per resource (the same resources in the same order, for
// usage: cpu and memory), in any one unit per resource. Resources without
// allocatable are skipped; ok is false when none is left.
func NodeShares(requested, used, allocatable []int64) (s Shares, ok bool) {
	var q, u float64
	for i, a := range allocatable {
		if a <= 0 || i >= len(requested) || i >= len(used) {
			continue
		}
		ok = true
		q = max(q, fraction(requested[i], a))
		u = max(u, fraction(used[i], a))
	}
	if !ok {
		return Shares{}, false
	}
	h := max(q, u)
	return Shares{Used: u, Unused: h - u, Idle: 1 - h}, true
}

// Cost is what the idle and the reserved-unused shares of a node priced
// hourly cost per hour.
func (s Shares) Cost(hourly float64) (idle, unused float64) {
	return hourly * s.Idle, hourly * s.Unused
}

// fraction is v/of in [0, 1].
func fraction(v, of int64) float64 {
	if v <= 0 {
		return 0
	}
	return min(float64(v)/float64(of), 1)
}

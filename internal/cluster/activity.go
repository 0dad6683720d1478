package cluster

import (
	"maps"
	"slices"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
)

// maxActivity is how many lines the session's activity keeps.
const maxActivity = 1000

// maxBacklog bounds the lines held until the informers have synced.
const maxBacklog = 4 * maxActivity

// activityTail is how many of the newest lines every snapshot carries.
const activityTail = 5

// activityLog is the session's timeline: a bounded list of lines, oldest
// first, each with a sequence number so that a line can be completed in
// place as more is learnt (a launching NodeClaim's type, its nominated pods).
type activityLog struct {
	lines []Activity
	// base is the sequence number of lines[0]; 0 names no line.
	base uint64
	max  int
}

func newActivityLog(max int) activityLog { return activityLog{base: 1, max: max} }

// add appends a line, or folds it into the last line when the two are the
// same (Count counts them). It returns the line's sequence number.
func (l *activityLog) add(a Activity) uint64 {
	if a.Count == 0 {
		a.Count = 1
	}
	if n := len(l.lines); n > 0 && sameLine(&l.lines[n-1], &a) {
		last := &l.lines[n-1]
		last.Count += a.Count
		if foldsPods(a.Kind) {
			last.Pods += a.Pods
		}
		if a.Time.After(last.Time) {
			last.Time = a.Time
		}
		return l.base + uint64(n-1)
	}
	if len(l.lines) >= l.max+l.max/10 {
		// Trim by a tenth at a time: appends stay amortised O(1).
		drop := len(l.lines) - l.max + 1
		l.lines = append(l.lines[:0], l.lines[drop:]...)
		l.base += uint64(drop)
	}
	l.lines = append(l.lines, a)
	return l.base + uint64(len(l.lines)-1)
}

// at returns the line seq names, nil when it is gone (or seq is 0).
func (l *activityLog) at(seq uint64) *Activity {
	if seq < l.base || seq-l.base >= uint64(len(l.lines)) {
		return nil
	}
	return &l.lines[seq-l.base]
}

// tail copies the newest n lines (all with n < 0), at most max.
func (l *activityLog) tail(n int) []Activity {
	lines := l.lines
	if len(lines) > l.max {
		lines = lines[len(lines)-l.max:]
	}
	if n >= 0 && len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return nil
	}
	return slices.Clone(lines)
}

// foldsPods: lines of these kinds count pods across the events they fold
// (one event per pod).
func foldsPods(k ActivityKind) bool { return k == ActUnschedulable || k == ActEvent }

// sameLine reports whether b repeats a (time and count aside; pods too for
// the kinds that count them).
func sameLine(a, b *Activity) bool {
	if a.Kind != b.Kind || a.Object != b.Object || a.Node != b.Node || a.NodePool != b.NodePool ||
		a.Reason != b.Reason || a.Message != b.Message || a.InstanceType != b.InstanceType ||
		a.Capacity != b.Capacity || a.Zone != b.Zone || a.Price != b.Price || a.Saving != nil || b.Saving != nil ||
		len(a.Steps) != 0 || len(b.Steps) != 0 {
		return false
	}
	return foldsPods(a.Kind) || a.Pods == b.Pods
}

// candidate is a line made before every informer synced: judged then.
type candidate struct {
	line Activity
	// about is what must still be shown (or pending, for a pod) for the
	// line to count; zero for no check.
	about objRef
	// old: from before the viewer started (news only if it still applies,
	// and then only the newest per object and reason).
	old bool
	// launch names the NodeClaim whose launch line this is, disrupt the
	// row whose disruption line ("" none).
	launch, disrupt string
}

// addLine adds a line to the activity, or to the backlog before sync.
// It returns the line's sequence number (0 while in the backlog).
func (c *Cluster) addLine(cand candidate) uint64 {
	if !c.allSynced {
		if len(c.backlog) >= maxBacklog {
			// A sync that takes long on a busy cluster: keep the newest.
			c.backlog = append(c.backlog[:0], c.backlog[len(c.backlog)/2:]...)
		}
		c.backlog = append(c.backlog, cand)
		return 0
	}
	return c.act.add(cand.line)
}

// flushBacklog judges the lines made during the initial sync, now that the
// model holds the cluster: old lines count only while what they are about
// is still there (a FailedScheduling for a pod now running is not news),
// the newest per object and reason.
func (c *Cluster) flushBacklog() {
	type key struct {
		about  objRef
		kind   ActivityKind
		reason string
	}
	// Lines still in the backlog have no number yet.
	maps.DeleteFunc(c.launchLines, func(_ string, seq uint64) bool { return seq == 0 })
	maps.DeleteFunc(c.disrupting, func(_ string, seq uint64) bool { return seq == 0 })
	newest := map[key]int{}
	keep := make([]bool, len(c.backlog))
	for i, cand := range c.backlog {
		if cand.about.kind != 0 && !c.concerns(cand.about) {
			continue
		}
		if !cand.old {
			keep[i] = true
			continue
		}
		k := key{cand.about, cand.line.Kind, cand.line.Reason}
		if j, seen := newest[k]; seen {
			if !c.backlog[j].line.Time.After(cand.line.Time) {
				keep[j], keep[i], newest[k] = false, true, i
			}
			continue
		}
		keep[i], newest[k] = true, i
	}
	var lines []candidate
	for i, cand := range c.backlog {
		if keep[i] {
			lines = append(lines, cand)
		}
	}
	slices.SortStableFunc(lines, func(a, b candidate) int { return a.line.Time.Compare(b.line.Time) })
	for _, cand := range lines {
		if cand.launch != "" {
			if c.claims[cand.launch] != nil {
				// Pods nominated or bound while the line waited.
				cand.line.Pods = max(cand.line.Pods, c.launchCount(cand.launch))
			}
		}
		seq := c.act.add(cand.line)
		if cand.launch != "" {
			c.launchLines[cand.launch] = seq
		}
		if cand.disrupt != "" {
			c.disrupting[cand.disrupt] = seq
		}
	}
	c.backlog = nil
}

// concerns reports whether an object is among the shown ones (a pod: one
// that waits for a node; a NodePool: one with shown nodes, or any when all
// nodes are shown).
func (c *Cluster) concerns(ref objRef) bool {
	switch ref.kind {
	case kindNode:
		if e := c.nodes[ref.name]; e != nil && e.node != nil {
			return true
		}
		return c.claimByNode[ref.name] != ""
	case kindClaim:
		return c.claims[ref.name] != nil
	case kindPool:
		return c.poolConcerned(ref.name)
	case kindPod:
		p := c.pending[podKey{ref.ns, ref.name}]
		return p != nil && p.node == ""
	}
	return false
}

// beforeStart reports whether t is from before the viewer started. The API
// stamps objects and events to the second: one stamped in the second the
// viewer started counts as after.
func (c *Cluster) beforeStart(t time.Time) bool { return secondBefore(t, c.started) }

func (c *Cluster) poolConcerned(name string) bool {
	return c.opts.Selector.Empty() || c.poolShown[name] > 0
}

// eventActivity turns a new event into a line of the activity, when it is
// one the timeline tells and concerns what is shown.
func (c *Cluster) eventActivity(e *eventObj) {
	line, ok := c.eventLine(e)
	if !ok {
		return
	}
	about := e.about
	switch e.fact.Kind {
	case karpenter.KindEvicted, karpenter.KindDisrupted, karpenter.KindDoNotDisrupt:
		// About a pod on a node: the pod is not found by name in O(1);
		// Karpenter evicts only from its own nodes.
		about = objRef{}
	case karpenter.KindKarpenterFailed:
		if len(e.fact.NodePools) > 0 && !c.anyPoolConcerned(e.fact.NodePools) {
			return
		}
	}
	cand := candidate{line: line, about: about, old: c.beforeStart(e.ev.Time)}
	if !c.allSynced {
		c.addLine(cand)
		return
	}
	if cand.old || (about.kind != 0 && !c.concerns(about)) {
		return
	}
	c.act.add(line)
}

func (c *Cluster) anyPoolConcerned(pools []string) bool {
	for _, p := range pools {
		if c.poolConcerned(p) {
			return true
		}
	}
	return false
}

// eventLine is the activity line an event makes, if any.
func (c *Cluster) eventLine(e *eventObj) (Activity, bool) {
	f := &e.fact
	a := Activity{Time: e.ev.Time, Object: e.about.String(), Message: f.Short, Reason: e.ev.Reason}
	c.resolve(&a, e.about)
	pair := false // Karpenter says it of a node and of its NodeClaim: told once
	switch f.Kind {
	case karpenter.KindKarpenterFailed:
		a.Kind, a.Object, a.Pods = ActUnschedulable, "", 1
		if len(f.NodePools) > 0 {
			a.NodePool = f.NodePools[0]
		}
	case karpenter.KindNoCompatibleInstanceTypes:
		a.Kind = ActUnschedulable
	case karpenter.KindDisruptionBlocked, karpenter.KindUnconsolidatable, karpenter.KindConsolidationRejected,
		karpenter.KindBudgetBlocked:
		a.Kind, pair = ActBlocked, true
		if f.Kind == karpenter.KindBudgetBlocked {
			a.Reason = f.Reason
		}
	case karpenter.KindLaunchError:
		a.Kind, a.Reason = ActLaunchFailed, f.Reason
	case karpenter.KindEvicted:
		// One event per pod: folded, "8 pods evicted (Underutilized)".
		a.Kind, a.Object, a.Pods, a.Message = ActEvent, "", 1, f.Reason
	case karpenter.KindDisruptionTerminating:
		c.disruptionBegan(e.about, f.Reason, e.ev.Time, c.beforeStart(e.ev.Time))
		return Activity{}, false
	case karpenter.KindConsolidationApproved, karpenter.KindGracePeriodExpiring,
		karpenter.KindAwaitingVolumeDetachment, karpenter.KindConsistency, karpenter.KindDisrupted,
		karpenter.KindFailedDraining: // a drain in progress, not a refusal to disrupt
		a.Kind, pair = ActEvent, f.Kind != karpenter.KindConsistency
	case karpenter.KindDoNotDisrupt:
		if e.ev.Reason != "InvalidDoNotDisruptAnnotation" {
			return Activity{}, false
		}
		a.Kind = ActEvent
	case karpenter.KindOther:
		if !e.karpenter || !f.Warning {
			return Activity{}, false
		}
		a.Kind = ActEvent
	default: // nominations, the scheduler, transitions, launching: told by the objects
		return Activity{}, false
	}
	if pair && e.about.kind == kindClaim && a.Node != "" {
		return Activity{}, false // its node's event tells it
	}
	return a, true
}

// resolve names a line's node and NodePool from what it is about.
func (c *Cluster) resolve(a *Activity, ref objRef) {
	switch ref.kind {
	case kindNode:
		a.Node = ref.name
		if e := c.nodes[ref.name]; e != nil && e.node != nil {
			a.NodePool = e.node.labels[labelNodePool]
		}
	case kindClaim:
		if ce := c.claims[ref.name]; ce != nil {
			a.Node = ce.obj.nodeName
			a.NodePool = ce.obj.labels[labelNodePool]
		}
	case kindPool:
		a.NodePool = ref.name
	}
}

// disruptionBegan tells, once per disruption of a node (or of a NodeClaim
// without one), that Karpenter began disrupting it; a reason learnt later
// completes the line.
func (c *Cluster) disruptionBegan(ref objRef, reason string, at time.Time, old bool) {
	row := ref.name
	if ref.kind == kindClaim {
		if ce := c.claims[ref.name]; ce != nil && ce.obj.nodeName != "" {
			row, ref = ce.obj.nodeName, objRef{kind: kindNode, name: ce.obj.nodeName}
		}
	}
	if seq, told := c.disrupting[row]; told {
		if l := c.act.at(seq); l != nil && l.Reason == "" {
			l.Reason = reason
		}
		return
	}
	if c.allSynced && (old || !c.concerns(ref)) {
		return
	}
	a := Activity{Time: at, Kind: ActDisrupting, Object: ref.String(), Reason: reason}
	c.resolve(&a, ref)
	if e := c.nodes[row]; e != nil && e.node != nil {
		a.InstanceType, a.Capacity, a.Zone = e.node.desc.InstanceType, e.node.desc.Capacity, e.node.desc.Zone
		a.Price = c.entryPrice(e)
	}
	c.disrupting[row] = c.addLine(candidate{line: a, about: ref, old: old, disrupt: row})
}

package karpenter

import (
	"strconv"
	"strings"
)

// Event is what ParseEvent reads of a core/v1 Event.
type Event struct {
	Reason string
	// Type is "Normal" or "Warning".
	Type string
	// Source is the reporting component (source.component, else
	// reportingController): "karpenter", "default-scheduler", "kubelet".
	Source  string
	Message string
}

// FromKarpenter reports whether the event was reported by Karpenter.
func (e Event) FromKarpenter() bool {
	return strings.Contains(strings.ToLower(e.Source), "karpenter")
}

// Kind is what an event tells.
type Kind uint8

const (
	// KindOther: nothing the viewer explains; Short is the message.
	KindOther Kind = iota
	// KindNominated: Karpenter means to place the pod on Targets.
	KindNominated
	// KindSchedulerFailed: the kube-scheduler's FailedScheduling; Short
	// is its reason shortened.
	KindSchedulerFailed
	// KindKarpenterFailed: Karpenter's FailedScheduling; Short is its
	// reason shortened, NodePools the pools a limits message names.
	KindKarpenterFailed
	// KindNoCompatibleInstanceTypes: a NodePool's requirements left no
	// instance type.
	KindNoCompatibleInstanceTypes
	// KindDisruptionLaunching: a replacement NodeClaim for a disruption
	// (Reason).
	KindDisruptionLaunching
	// KindDisruptionWaitingReadiness: a disruption waits for its
	// replacements.
	KindDisruptionWaitingReadiness
	// KindDisruptionTerminating: a node or NodeClaim is being disrupted
	// (Reason).
	KindDisruptionTerminating
	// KindDisruptionBlocked: a node or NodeClaim cannot be disrupted;
	// Short says why, Pod names the pod when the message does.
	KindDisruptionBlocked
	// KindBudgetBlocked: a NodePool's budget allows no disruption (for
	// Reason, "" for all).
	KindBudgetBlocked
	// KindUnconsolidatable: consolidation will not touch a node; Short.
	KindUnconsolidatable
	// KindConsolidationCandidate, Rejected (Short is the reason), Approved:
	// Karpenter's consolidation decisions (v1.9+, v1.14), with Savings when
	// the message has them.
	KindConsolidationCandidate
	KindConsolidationRejected
	KindConsolidationApproved
	// KindLaunchError: a NodeClaim could not launch
	// (InsufficientCapacityError, NodeClassNotReady); Short is the error.
	KindLaunchError
	// KindConsistency: FailedConsistencyCheck on a NodeClaim.
	KindConsistency
	// KindEvicted: Karpenter evicted a pod while draining (Reason).
	KindEvicted
	// KindDisrupted: Karpenter deleted a pod at its node's termination
	// grace period.
	KindDisrupted
	// KindFailedDraining: a node's drain is stuck (Short, Pod).
	KindFailedDraining
	// KindAwaitingVolumeDetachment: a node waits for volumes to detach.
	KindAwaitingVolumeDetachment
	// KindGracePeriodExpiring: a node's termination grace period ends
	// soon; Short is Karpenter's message.
	KindGracePeriodExpiring
	// KindTransition: a status condition changed (Transition).
	KindTransition
	// KindDoNotDisrupt: Karpenter's word on a pod's do-not-disrupt
	// annotation (invalid, protected until, elapsed).
	KindDoNotDisrupt
)

func kindNames() []string {
	return []string{"other", "nominated", "scheduler-failed", "karpenter-failed",
		"no-compatible-instance-types", "disruption-launching", "disruption-waiting-readiness",
		"disruption-terminating", "disruption-blocked", "budget-blocked", "unconsolidatable",
		"consolidation-candidate", "consolidation-rejected", "consolidation-approved",
		"launch-error", "consistency", "evicted", "disrupted", "failed-draining",
		"awaiting-volume-detachment", "grace-period-expiring", "transition", "do-not-disrupt"}
}

func (k Kind) String() string {
	if names := kindNames(); int(k) < len(names) {
		return names[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Fact is what one event says, in the viewer's terms.
type Fact struct {
	Kind Kind
	// Short is the message reduced to what matters (never empty for a
	// message that has words).
	Short string
	// Reason is the disruption reason ("Underutilized", "Empty",
	// "Drifted") of launching, terminating and budget events, the eviction
	// reason of Evicted, the event's reason for launch errors.
	Reason string
	// Targets are a Nomination's "nodeclaim/x" and "node/y", as listed.
	Targets []string
	// Pod is "namespace/name" of the pod a blocking or draining message
	// names.
	Pod string
	// NodePools are the NodePools a limits message names, in order.
	NodePools []string
	// Savings is the consolidation's estimated $/hour (HasSavings).
	Savings    float64
	HasSavings bool
	// Transition is a condition change (KindTransition).
	Transition Transition
	// Warning: the event's type was Warning.
	Warning bool
}

// Transition is a "Status condition transitioned" event.
type Transition struct {
	Type, From, To, Reason, Message string
}

// Short forms the views show.
const (
	NoCompatibleInstanceTypes = "no compatible instance types"
	// LimitsExhausted is formatted with the NodePool's name.
	limitsExhausted = "limits exhausted"
)

// ParseEvent reads one event.
func ParseEvent(e Event) Fact {
	msg := fold(e.Message)
	f := Fact{Kind: KindOther, Short: msg, Warning: e.Type == "Warning"}
	switch e.Reason {
	case "Nominated":
		if rest, ok := strings.CutPrefix(msg, "Pod should schedule on:"); ok {
			f.Kind = KindNominated
			for _, t := range strings.Split(rest, ",") {
				if t = strings.TrimSpace(t); t != "" {
					f.Targets = append(f.Targets, t)
				}
			}
		}
	case "FailedScheduling":
		if rest, ok := strings.CutPrefix(msg, "Failed to schedule pod,"); ok || e.FromKarpenter() {
			if !ok {
				rest = msg
			}
			f.Kind = KindKarpenterFailed
			f.Short, f.NodePools = ShortenKarpenter(rest)
		} else {
			f.Kind = KindSchedulerFailed
			f.Short = ShortenScheduler(msg)
		}
	case "NoCompatibleInstanceTypes":
		f.Kind = KindNoCompatibleInstanceTypes
		f.Short = NoCompatibleInstanceTypes
		if strings.Contains(msg, "minValues") {
			f.Short += " (minValues)"
		}
	case "DisruptionLaunching":
		f.Kind = KindDisruptionLaunching
		f.Reason = DisruptionReason(afterColon(msg, "Launching NodeClaim:"))
	case "DisruptionWaitingReadiness":
		f.Kind = KindDisruptionWaitingReadiness
	case "DisruptionTerminating":
		f.Kind = KindDisruptionTerminating
		f.Reason = DisruptionReason(afterColon(afterColon(msg, "Disrupting Node:"), "Disrupting NodeClaim:"))
	case "DisruptionBlocked":
		parseBlocked(&f, msg)
	case "Unconsolidatable":
		f.Kind = KindUnconsolidatable
	case "ConsolidationCandidate", "ConsolidationRejected", "ConsolidationApproved":
		parseConsolidation(&f, e.Reason, msg)
	case "InsufficientCapacityError", "NodeClassNotReady":
		f.Kind = KindLaunchError
		f.Reason = e.Reason
		f.Short = afterEventPrefix(msg)
	case "FailedConsistencyCheck":
		f.Kind = KindConsistency
	case "Evicted":
		if rest, ok := strings.CutPrefix(msg, "Evicted pod:"); ok {
			f.Kind = KindEvicted
			f.Reason = strings.TrimSpace(rest)
		}
	case "Disrupted":
		if strings.HasPrefix(msg, "Deleting the pod to accommodate") || e.FromKarpenter() {
			f.Kind = KindDisrupted
		}
	case "FailedDraining":
		f.Kind = KindFailedDraining
		f.Short = nonEmpty(afterColon(msg, "Failed to drain node,"), msg)
		f.Pod = podRef(msg)
	case "AwaitingVolumeDetachment":
		f.Kind = KindAwaitingVolumeDetachment
	case "TerminationGracePeriodExpiring":
		f.Kind = KindGracePeriodExpiring
	case "InvalidDoNotDisruptAnnotation", "DoNotDisruptUntil", "DoNotDisruptGracePeriodElapsed":
		f.Kind = KindDoNotDisrupt
	}
	if f.Kind == KindOther {
		if t, ok := ParseTransition(msg); ok {
			f.Kind, f.Transition = KindTransition, t
			f.Reason = t.Reason
		}
	}
	f.Short = nonEmpty(f.Short, msg)
	return f
}

func parseBlocked(f *Fact, msg string) {
	if rest, ok := strings.CutPrefix(msg, "No allowed disruptions"); ok {
		f.Kind = KindBudgetBlocked
		if r, ok := strings.CutPrefix(strings.TrimSpace(rest), "for disruption reason "); ok {
			if i := strings.Index(r, " due to"); i >= 0 {
				r = r[:i]
			}
			f.Reason = DisruptionReason(r)
		}
		return
	}
	f.Kind = KindDisruptionBlocked
	for _, p := range []string{"Cannot disrupt Node:", "Cannot disrupt NodeClaim:"} {
		if rest, ok := strings.CutPrefix(msg, p); ok {
			msg = upperFirst(strings.TrimSpace(rest))
		}
	}
	f.Short = nonEmpty(msg, f.Short)
	f.Pod = podRef(msg)
}

func parseConsolidation(f *Fact, reason, msg string) {
	switch reason {
	case "ConsolidationCandidate":
		f.Kind = KindConsolidationCandidate
	case "ConsolidationRejected":
		f.Kind = KindConsolidationRejected
	default:
		f.Kind = KindConsolidationApproved
	}
	body := msg
	if i := strings.LastIndex(body, "(savings: $"); i >= 0 {
		num := body[i+len("(savings: $"):]
		if j := strings.IndexByte(num, ')'); j >= 0 {
			if v, err := strconv.ParseFloat(num[:j], 64); err == nil && v >= 0 && v < 1e12 {
				f.Savings, f.HasSavings = v, true
			}
		}
		body = strings.TrimSpace(body[:i])
	}
	body = afterColon(afterColon(body, "Consolidation candidate:"), "Consolidation rejected:")
	if f.Kind == KindConsolidationRejected {
		if i := strings.LastIndex(body, ", reason: "); i >= 0 {
			body = body[i+len(", reason: "):]
		}
	}
	f.Short = nonEmpty(body, f.Short)
}

// ParseTransition reads "Status condition transitioned, Type: T, Status: A
// -> B, Reason: R[, Message: M]".
func ParseTransition(msg string) (Transition, bool) {
	rest, ok := strings.CutPrefix(msg, "Status condition transitioned, Type: ")
	if !ok {
		return Transition{}, false
	}
	var t Transition
	if t.Type, rest, ok = strings.Cut(rest, ", Status: "); !ok {
		return Transition{}, false
	}
	var statuses string
	statuses, rest, _ = strings.Cut(rest, ", Reason: ")
	if t.From, t.To, ok = strings.Cut(statuses, " -> "); !ok {
		return Transition{}, false
	}
	t.Reason, t.Message, _ = strings.Cut(rest, ", Message: ")
	t.From, t.To = strings.TrimSpace(t.From), strings.TrimSpace(t.To)
	return t, t.Type != ""
}

// afterColon strips prefix (and the space after it) when msg starts with
// it; else returns msg.
func afterColon(msg, prefix string) string {
	if rest, ok := strings.CutPrefix(msg, prefix); ok {
		return strings.TrimSpace(rest)
	}
	return msg
}

// afterEventPrefix strips "NodeClaim <name> event: " from a launch error.
func afterEventPrefix(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "NodeClaim "); ok {
		if _, err, ok := strings.Cut(rest, " event: "); ok {
			return nonEmpty(strings.TrimSpace(err), msg)
		}
	}
	return msg
}

// podRef finds the pod a message names: "(Pod=ns/name)" (structured
// errors, v1.1+) or `pod "ns/name"` / `Pod "ns/name"` (older messages).
func podRef(msg string) string {
	if i := strings.Index(msg, "Pod="); i >= 0 {
		ref := msg[i+len("Pod="):]
		if j := strings.IndexAny(ref, "), "); j >= 0 {
			ref = ref[:j]
		}
		if strings.Count(ref, "/") == 1 && !strings.HasPrefix(ref, "/") && !strings.HasSuffix(ref, "/") {
			return ref
		}
	}
	for _, p := range []string{`pod "`, `Pod "`} {
		if i := strings.Index(msg, p); i >= 0 {
			ref := msg[i+len(p):]
			if j := strings.IndexByte(ref, '"'); j > 0 {
				ref = ref[:j]
				if strings.Count(ref, "/") == 1 && !strings.HasPrefix(ref, "/") && !strings.HasSuffix(ref, "/") {
					return ref
				}
			}
		}
	}
	return ""
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

package karpenter

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The messages below are Karpenter's and the kube-scheduler's own, as
// recorded from clusters (kwok test bed, EKS) or as their sources format
// them (sigs.k8s.io/karpenter v1.0-v1.14, operatorpkg's status controller).
func TestParseEvent(t *testing.T) {
	k := func(reason, msg string) Event {
		return Event{Reason: reason, Type: "Normal", Source: "karpenter", Message: msg}
	}
	warn := func(reason, msg string) Event {
		return Event{Reason: reason, Type: "Warning", Source: "karpenter", Message: msg}
	}
	tests := []struct {
		name string
		ev   Event
		want Fact
	}{
		{"nominated to a nodeclaim", k("Nominated", "Pod should schedule on: nodeclaim/default-2z8fk"),
			Fact{Kind: KindNominated, Short: "Pod should schedule on: nodeclaim/default-2z8fk", Targets: []string{"nodeclaim/default-2z8fk"}}},
		{"nominated to a nodeclaim and its node", k("Nominated", "Pod should schedule on: nodeclaim/default-2z8fk, node/i-0abc"),
			Fact{Kind: KindNominated, Short: "Pod should schedule on: nodeclaim/default-2z8fk, node/i-0abc", Targets: []string{"nodeclaim/default-2z8fk", "node/i-0abc"}}},
		{"nominated to an existing node", k("Nominated", "Pod should schedule on: node/ip-10-0-1-7.ec2.internal"),
			Fact{Kind: KindNominated, Short: "Pod should schedule on: node/ip-10-0-1-7.ec2.internal", Targets: []string{"node/ip-10-0-1-7.ec2.internal"}}},
		{"karpenter: limits (v1.0 form)", warn("FailedScheduling", `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`),
			Fact{Kind: KindKarpenterFailed, Short: `NodePool "default" limits exhausted`, NodePools: []string{"default"}, Warning: true}},
		{"karpenter: limits (structured form)", warn("FailedScheduling", `Failed to schedule pod, all available instance types exceed limits for nodepool (NodePool=limited)`),
			Fact{Kind: KindKarpenterFailed, Short: `NodePool "limited" limits exhausted`, NodePools: []string{"limited"}, Warning: true}},
		{"karpenter: node limits", warn("FailedScheduling", `Failed to schedule pod, node limits have been exhausted for nodepool: "batch"`),
			Fact{Kind: KindKarpenterFailed, Short: `NodePool "batch" limits exhausted`, NodePools: []string{"batch"}, Warning: true}},
		{"karpenter: two pools full", warn("FailedScheduling", `Failed to schedule pod, all available instance types exceed limits for nodepool (NodePool=a); node limits have been exhausted for nodepool (NodePool=b)`),
			Fact{Kind: KindKarpenterFailed, Short: `NodePools "a", "b" limits exhausted`, NodePools: []string{"a", "b"}, Warning: true}},
		{"karpenter: no instance type", warn("FailedScheduling", `Failed to schedule pod, incompatible with nodepool "default", daemonset overhead={"cpu":"200m","pods":"3"}, no instance type satisfied resources {"cpu":"64200m","pods":"4"} and requirements karpenter.sh/capacity-type In [on-demand spot], karpenter.sh/nodepool In [default] (no instance type has enough resources)`),
			Fact{Kind: KindKarpenterFailed, Short: NoCompatibleInstanceTypes, Warning: true}},
		{"karpenter: v1.14 no instance type", warn("FailedScheduling", `Failed to schedule pod, no instance type has enough resources, requirements=karpenter.sh/nodepool In [default], resources={"cpu":"64"}`),
			Fact{Kind: KindKarpenterFailed, Short: NoCompatibleInstanceTypes, Warning: true}},
		{"karpenter: incompatible requirements", warn("FailedScheduling", `Failed to schedule pod, incompatible requirements, key workload-type, workload-type In [gpu] not in workload-type In [developers-workshop]`),
			Fact{Kind: KindKarpenterFailed, Short: "incompatible requirements", Warning: true}},
		{"karpenter: taint", warn("FailedScheduling", `Failed to schedule pod, did not tolerate taint (taint=dedicated=gpu:NoSchedule)`),
			Fact{Kind: KindKarpenterFailed, Short: "untolerated taint", Warning: true}},
		{"karpenter: no nodepools", warn("FailedScheduling", `Failed to schedule pod, no nodepools found`),
			Fact{Kind: KindKarpenterFailed, Short: "no NodePools", Warning: true}},
		{"karpenter: unknown error kept", warn("FailedScheduling", `Failed to schedule pod, creating node claim, the server was unable to return a response`),
			Fact{Kind: KindKarpenterFailed, Short: "creating node claim, the server was unable to return a response", Warning: true}},
		{"scheduler", Event{Reason: "FailedScheduling", Type: "Warning", Source: "default-scheduler",
			Message: "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."},
			Fact{Kind: KindSchedulerFailed, Short: "Insufficient cpu", Warning: true}},
		{"scheduler, the lab", Event{Reason: "FailedScheduling", Type: "Warning", Source: "default-scheduler",
			Message: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector."},
			Fact{Kind: KindSchedulerFailed, Short: "Insufficient cpu, node affinity", Warning: true}},
		{"no compatible instance types", warn("NoCompatibleInstanceTypes", "NodePool requirements filtered out all compatible available instance types"),
			Fact{Kind: KindNoCompatibleInstanceTypes, Short: NoCompatibleInstanceTypes, Warning: true}},
		{"no compatible instance types, minValues", warn("NoCompatibleInstanceTypes", "NodePool requirements filtered out all compatible available instance types due to minValues incompatibility"),
			Fact{Kind: KindNoCompatibleInstanceTypes, Short: NoCompatibleInstanceTypes + " (minValues)", Warning: true}},
		{"launching", k("DisruptionLaunching", "Launching NodeClaim: Underutilized"),
			Fact{Kind: KindDisruptionLaunching, Short: "Launching NodeClaim: Underutilized", Reason: "Underutilized"}},
		{"launching, lower case", k("DisruptionLaunching", "Launching NodeClaim: drifted"),
			Fact{Kind: KindDisruptionLaunching, Short: "Launching NodeClaim: drifted", Reason: "Drifted"}},
		{"waiting readiness", k("DisruptionWaitingReadiness", "Waiting on readiness to continue disruption"),
			Fact{Kind: KindDisruptionWaitingReadiness, Short: "Waiting on readiness to continue disruption"}},
		{"terminating node", k("DisruptionTerminating", "Disrupting Node: Empty"),
			Fact{Kind: KindDisruptionTerminating, Short: "Disrupting Node: Empty", Reason: "Empty"}},
		{"terminating nodeclaim", k("DisruptionTerminating", "Disrupting NodeClaim: Underutilized"),
			Fact{Kind: KindDisruptionTerminating, Short: "Disrupting NodeClaim: Underutilized", Reason: "Underutilized"}},
		{"terminating, reason/decision (v0.3x)", k("DisruptionTerminating", "Disrupting Node: Empty/Delete"),
			Fact{Kind: KindDisruptionTerminating, Short: "Disrupting Node: Empty/Delete", Reason: "Empty"}},
		{"blocked by a pod", k("DisruptionBlocked", `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=my-cool-app/keeper-0)`),
			Fact{Kind: KindDisruptionBlocked, Short: `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=my-cool-app/keeper-0)`, Pod: "my-cool-app/keeper-0"}},
		{"blocked, before v1.2", k("DisruptionBlocked", `Cannot disrupt Node: pod "my-cool-app/keeper-0" has "karpenter.sh/do-not-disrupt" annotation`),
			Fact{Kind: KindDisruptionBlocked, Short: `Pod "my-cool-app/keeper-0" has "karpenter.sh/do-not-disrupt" annotation`, Pod: "my-cool-app/keeper-0"}},
		{"blocked nodeclaim, before v1.2", k("DisruptionBlocked", `Cannot disrupt NodeClaim: state node is nominated for a pending pod`),
			Fact{Kind: KindDisruptionBlocked, Short: "State node is nominated for a pending pod"}},
		{"blocked, nominated", k("DisruptionBlocked", "Node is nominated for a pending pod"),
			Fact{Kind: KindDisruptionBlocked, Short: "Node is nominated for a pending pod"}},
		{"blocked, node annotation", k("DisruptionBlocked", `Disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation`),
			Fact{Kind: KindDisruptionBlocked, Short: `Disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation`}},
		{"blocked, pdb", k("DisruptionBlocked", `Pdb "my-cool-app/fastapi" prevents pod evictions (Pod=my-cool-app/fastapi-6b5f9d7c4-p2)`),
			Fact{Kind: KindDisruptionBlocked, Short: `Pdb "my-cool-app/fastapi" prevents pod evictions (Pod=my-cool-app/fastapi-6b5f9d7c4-p2)`, Pod: "my-cool-app/fastapi-6b5f9d7c4-p2"}},
		{"budget, a reason", k("DisruptionBlocked", "No allowed disruptions for disruption reason Underutilized due to blocking budget"),
			Fact{Kind: KindBudgetBlocked, Short: "No allowed disruptions for disruption reason Underutilized due to blocking budget", Reason: "Underutilized"}},
		{"budget, all reasons", k("DisruptionBlocked", "No allowed disruptions due to blocking budget"),
			Fact{Kind: KindBudgetBlocked, Short: "No allowed disruptions due to blocking budget"}},
		{"unconsolidatable", k("Unconsolidatable", "Can't replace with a cheaper node"),
			Fact{Kind: KindUnconsolidatable, Short: "Can't replace with a cheaper node"}},
		{"unconsolidatable, policy", k("Unconsolidatable", `NodePool "default" has consolidation disabled`),
			Fact{Kind: KindUnconsolidatable, Short: `NodePool "default" has consolidation disabled`}},
		{"candidate with savings", k("ConsolidationCandidate", "Consolidation candidate: Underutilized/9c1f: delete: nodepools=[default]: [i-0abc] (savings: $0.04)"),
			Fact{Kind: KindConsolidationCandidate, Short: "Underutilized/9c1f: delete: nodepools=[default]: [i-0abc]", Savings: 0.04, HasSavings: true}},
		{"rejected with savings", k("ConsolidationRejected", "Consolidation rejected: Underutilized/9c1f: replace: nodepools=[default]: [i-0abc] -> [1 replacement], reason: a pod would not schedule (savings: $0.02)"),
			Fact{Kind: KindConsolidationRejected, Short: "a pod would not schedule", Savings: 0.02, HasSavings: true}},
		{"approved", k("ConsolidationApproved", "score 1.50 >= threshold 1.00 (k: 2, savings 30.0%, disruption 20.0%)"),
			Fact{Kind: KindConsolidationApproved, Short: "score 1.50 >= threshold 1.00 (k: 2, savings 30.0%, disruption 20.0%)"}},
		{"insufficient capacity", warn("InsufficientCapacityError", "NodeClaim default-2z8fk event: creating instance, insufficient capacity, with fleet error(s), InsufficientInstanceCapacity: We currently do not have sufficient t3a.medium capacity in the Availability Zone you requested (us-east-1a)."),
			Fact{Kind: KindLaunchError, Reason: "InsufficientCapacityError", Warning: true,
				Short: "creating instance, insufficient capacity, with fleet error(s), InsufficientInstanceCapacity: We currently do not have sufficient t3a.medium capacity in the Availability Zone you requested (us-east-1a)."}},
		{"nodeclass not ready", warn("NodeClassNotReady", "NodeClaim default-2z8fk event: resolving node class, EC2NodeClass \"default\" is not ready"),
			Fact{Kind: KindLaunchError, Reason: "NodeClassNotReady", Warning: true, Short: `resolving node class, EC2NodeClass "default" is not ready`}},
		{"evicted", k("Evicted", "Evicted pod: Underutilized"),
			Fact{Kind: KindEvicted, Short: "Evicted pod: Underutilized", Reason: "Underutilized"}},
		{"kubelet's evicted is not karpenter's", Event{Reason: "Evicted", Type: "Warning", Source: "kubelet", Message: "The node was low on resource: memory."},
			Fact{Kind: KindOther, Short: "The node was low on resource: memory.", Warning: true}},
		{"disrupted", k("Disrupted", "Deleting the pod to accommodate the terminationTime 2026-11-01T12:00:00Z of the node. The pod was granted 30 seconds of grace-period of its 30 terminationGracePeriodSeconds. This bypasses the PDB of the pod and the do-not-disrupt annotation."),
			Fact{Kind: KindDisrupted, Short: "Deleting the pod to accommodate the terminationTime 2026-11-01T12:00:00Z of the node. The pod was granted 30 seconds of grace-period of its 30 terminationGracePeriodSeconds. This bypasses the PDB of the pod and the do-not-disrupt annotation."}},
		{"failed draining", warn("FailedDraining", "Failed to drain node, evicting pod violates a PDB (Pod=my-cool-app/fastapi-6b5f9d7c4-p2)"),
			Fact{Kind: KindFailedDraining, Short: "evicting pod violates a PDB (Pod=my-cool-app/fastapi-6b5f9d7c4-p2)", Pod: "my-cool-app/fastapi-6b5f9d7c4-p2", Warning: true}},
		{"grace period", k("TerminationGracePeriodExpiring", "All pods will be deleted by 2026-11-01T12:30:00Z"),
			Fact{Kind: KindGracePeriodExpiring, Short: "All pods will be deleted by 2026-11-01T12:30:00Z"}},
		{"awaiting volumes", k("AwaitingVolumeDetachment", "Awaiting deletion of bound volumeattachments (csi-1234)"),
			Fact{Kind: KindAwaitingVolumeDetachment, Short: "Awaiting deletion of bound volumeattachments (csi-1234)"}},
		{"invalid do-not-disrupt", k("InvalidDoNotDisruptAnnotation", `Invalid karpenter.sh/do-not-disrupt annotation: failed to parse "soon" as a duration: time: invalid duration "soon", ignoring annotation`),
			Fact{Kind: KindDoNotDisrupt, Short: `Invalid karpenter.sh/do-not-disrupt annotation: failed to parse "soon" as a duration: time: invalid duration "soon", ignoring annotation`}},
		{"launched transition", k("Launched", "Status condition transitioned, Type: Launched, Status: Unknown -> True, Reason: Launched"),
			Fact{Kind: KindTransition, Short: "Status condition transitioned, Type: Launched, Status: Unknown -> True, Reason: Launched", Reason: "Launched",
				Transition: Transition{Type: "Launched", From: "Unknown", To: "True", Reason: "Launched"}}},
		{"transition with a message", k("Initialized", "Status condition transitioned, Type: Initialized, Status: Unknown -> Unknown, Reason: NodeNotReady, Message: Node status is NotReady, really"),
			Fact{Kind: KindTransition, Short: "Status condition transitioned, Type: Initialized, Status: Unknown -> Unknown, Reason: NodeNotReady, Message: Node status is NotReady, really", Reason: "NodeNotReady",
				Transition: Transition{Type: "Initialized", From: "Unknown", To: "Unknown", Reason: "NodeNotReady", Message: "Node status is NotReady, really"}}},
		{"finalized (nothing to explain)", k("Finalized", "Finalized karpenter.sh/termination"),
			Fact{Kind: KindOther, Short: "Finalized karpenter.sh/termination"}},
		{"line breaks folded", k("Unconsolidatable", "Can't replace\n  with a cheaper node"),
			Fact{Kind: KindUnconsolidatable, Short: "Can't replace with a cheaper node"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseEvent(tt.ev); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEvent(%q)\n got %+v\nwant %+v", tt.ev.Message, got, tt.want)
			}
		})
	}
}

func TestShortenScheduler(t *testing.T) {
	for _, tt := range []struct{ msg, want string }{
		{"0/3 nodes are available: 3 Insufficient cpu.", "Insufficient cpu"},
		{"0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", "Insufficient cpu, Insufficient memory"},
		{"0/5 nodes are available: 4 node(s) didn't match Pod's node affinity/selector, 1 Insufficient cpu.", "Insufficient cpu, node affinity"},
		{"0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.", "untolerated taint"},
		{"0/4 nodes are available: 1 node(s) had untolerated taint {karpenter.sh/disrupted: }, 3 node(s) had untolerated taint {dedicated: gpu}.", "untolerated taint"},
		{"0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.", "pod anti-affinity"},
		{"0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.", "pod anti-affinity"},
		{"0/3 nodes are available: 3 node(s) didn't match pod affinity rules.", "pod affinity"},
		{"0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.", "topology spread"},
		{"0/2 nodes are available: 2 node(s) were unschedulable.", "node unschedulable"},
		{"0/2 nodes are available: 2 node(s) had volume node affinity conflict.", "volume node affinity"},
		{"0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.", "host ports"},
		{"0/2 nodes are available: 2 Too many pods.", "too many pods"},
		{"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", "unbound PersistentVolumeClaims"},
		{"0/0 nodes are available", "no nodes"},
		{"0/0 nodes are available: .", "no nodes"},
		{"no nodes available to schedule pods", "no nodes"},
		{"0/2 nodes are available: 2 node(s) had no available disk.", "had no available disk"},
		{"running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition", "running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition"},
		{"skip schedule deleting pod: my-cool-app/p1", "skip schedule deleting pod: my-cool-app/p1"},
		{"", ""},
	} {
		if got := ShortenScheduler(tt.msg); got != tt.want {
			t.Errorf("ShortenScheduler(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestDisruptionReason(t *testing.T) {
	for in, want := range map[string]string{
		"underutilized": "Underutilized", "Empty/Delete": "Empty", " drifted ": "Drifted",
		"Expired": "Expired", "": "", "emptiness": "Emptiness", "ébranlé": "Ébranlé", "\xff": "\xff",
	} {
		if got := DisruptionReason(in); got != want {
			t.Errorf("DisruptionReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsDisruptedTaint(t *testing.T) {
	for _, tt := range []struct {
		key, effect string
		want        bool
	}{
		{"karpenter.sh/disrupted", "NoSchedule", true},
		{"karpenter.sh/disruption", "NoSchedule", true},
		{"karpenter.sh/disrupted", "NoExecute", false},
		{"karpenter.sh/unregistered", "NoExecute", false},
		{"node.kubernetes.io/unschedulable", "NoSchedule", false},
	} {
		if got := IsDisruptedTaint(tt.key, tt.effect); got != tt.want {
			t.Errorf("IsDisruptedTaint(%q, %q) = %v", tt.key, tt.effect, got)
		}
	}
}

// FuzzParseEvent: any event parses without panicking into a fact whose short
// form is one line of the message's words, the limits pools and pod named
// come from the message, and the savings are finite and non-negative.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []struct{ reason, source, msg string }{
		{"Nominated", "karpenter", "Pod should schedule on: nodeclaim/default-2z8fk, node/i-0abc"},
		{"FailedScheduling", "karpenter", `Failed to schedule pod, all available instance types exceed limits for nodepool "default"`},
		{"FailedScheduling", "karpenter", `Failed to schedule pod, node limits have been exhausted for nodepool (NodePool=x); all available instance types exceed limits for nodepool: "y"`},
		{"FailedScheduling", "default-scheduler", "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: x"},
		{"DisruptionBlocked", "karpenter", `Cannot disrupt Node: pod "a/b" has "karpenter.sh/do-not-disrupt" annotation`},
		{"DisruptionBlocked", "karpenter", `Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=a/b)`},
		{"DisruptionBlocked", "karpenter", "No allowed disruptions for disruption reason Drifted due to blocking budget"},
		{"ConsolidationCandidate", "karpenter", "Consolidation candidate: x (savings: $1e308)"},
		{"ConsolidationRejected", "karpenter", "Consolidation rejected: x, reason: y (savings: $-1)"},
		{"Ready", "karpenter", "Status condition transitioned, Type: Ready, Status: Unknown -> True, Reason: Ready, Message: m"},
		{"InsufficientCapacityError", "karpenter", "NodeClaim x event: "},
		{"DisruptionTerminating", "karpenter", "Disrupting Node: \xff/x"},
		{"FailedDraining", "karpenter", "Failed to drain node, (Pod=/)"},
		{"Evicted", "karpenter", "Evicted pod:"},
	} {
		f.Add(s.reason, s.source, s.msg)
	}
	f.Fuzz(func(t *testing.T, reason, source, msg string) {
		got := ParseEvent(Event{Reason: reason, Source: source, Message: msg, Type: "Warning"})
		words := fold(msg)
		if words != "" && got.Short == "" && got.Kind != KindNoCompatibleInstanceTypes {
			t.Fatalf("%q/%q: empty short form: %+v", reason, msg, got)
		}
		if strings.ContainsAny(got.Short, "\n\t\r") || strings.Contains(got.Short, "  ") {
			t.Fatalf("%q: short form %q is not folded", msg, got.Short)
		}
		if utf8.ValidString(msg) && !utf8.ValidString(got.Short) {
			t.Fatalf("%q: short form %q is not UTF-8", msg, got.Short)
		}
		for _, p := range got.NodePools {
			if p == "" || !strings.Contains(words, p) {
				t.Fatalf("%q: pool %q not in the message", msg, p)
			}
		}
		if got.Pod != "" && (!strings.Contains(words, got.Pod) || strings.Count(got.Pod, "/") != 1) {
			t.Fatalf("%q: pod %q", msg, got.Pod)
		}
		if got.HasSavings && (got.Savings < 0 || got.Savings >= 1e12 || got.Savings != got.Savings) {
			t.Fatalf("%q: savings %v", msg, got.Savings)
		}
		for _, target := range got.Targets {
			if target == "" || !strings.Contains(words, target) {
				t.Fatalf("%q: target %q", msg, target)
			}
		}
		if got.Kind.String() == "" {
			t.Fatal("unnamed kind")
		}
	})
}

// FuzzShortenScheduler: the scheduler's reasons, however written, shorten
// to a folded line no longer than the message, and a well-formed message's
// reasons each shorten to something.
func FuzzShortenScheduler(f *testing.F) {
	for _, s := range []string{"0/3 nodes are available: 3 Insufficient cpu.", "0/0 nodes are available", "1/ nodes are available: ,,", "0/2 nodes are available: 99999999999999999999 Insufficient cpu", " preemption:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		got := ShortenScheduler(msg)
		if strings.ContainsAny(got, "\n\t\r") {
			t.Fatalf("%q -> %q", msg, got)
		}
		if len(got) > len(fold(msg))+len("unbound PersistentVolumeClaims") {
			t.Fatalf("%q -> %q: longer than the message", msg, got)
		}
		if fold(msg) != "" && got == "" && !strings.HasPrefix(fold(msg), " preemption:") && !strings.HasPrefix(fold(msg), "preemption:") {
			// Only a message that is nothing but the preemption part may
			// shorten to nothing.
			if !strings.Contains(msg, "preemption:") {
				t.Fatalf("%q shortened to nothing", msg)
			}
		}
	})
}

// FuzzShortenKarpenter: a limits message names its pools in the short form.
func FuzzShortenKarpenter(f *testing.F) {
	for _, s := range []string{`all available instance types exceed limits for nodepool "default"`, `node limits have been exhausted for nodepool (NodePool=a,`, `exceed limits for nodepool "`, `exceed limits for nodepool: :: "x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, err string) {
		short, pools := ShortenKarpenter(err)
		for _, p := range pools {
			if !strings.Contains(short, fmt.Sprintf("%q", p)) {
				t.Fatalf("%q -> %q does not name %q", err, short, p)
			}
		}
		if fold(err) != "" && short == "" {
			t.Fatalf("%q shortened to nothing", err)
		}
	})
}

// FuzzParseTransition: a transition message built from any fields (without
// the separators) reads back as those fields.
func FuzzParseTransition(f *testing.F) {
	f.Add("Launched", "Unknown", "True", "Launched", "")
	f.Add("Initialized", "Unknown", "Unknown", "NodeNotReady", "Node status is NotReady, really")
	f.Fuzz(func(t *testing.T, typ, from, to, reason, message string) {
		for _, s := range []string{typ, from, to, reason, message} {
			if strings.Contains(s, ", ") || strings.Contains(s, " -> ") || strings.Contains(s, ": ") || fold(s) != s {
				return
			}
		}
		if typ == "" || strings.Contains(from+to, "->") {
			return
		}
		msg := fmt.Sprintf("Status condition transitioned, Type: %s, Status: %s -> %s, Reason: %s", typ, from, to, reason)
		if message != "" {
			msg += ", Message: " + message
		}
		got, ok := ParseTransition(msg)
		want := Transition{Type: typ, From: from, To: to, Reason: reason, Message: message}
		if !ok || got != want {
			t.Fatalf("%q -> %+v, %v; want %+v", msg, got, ok, want)
		}
	})
}

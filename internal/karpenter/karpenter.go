// Package karpenter turns what Karpenter v1 writes into the cluster (NodeClaim
// and NodePool status, taints, annotations, event messages) into plain facts.
// It only parses: no clients, no informers, no state. Every input is a string
// or an unstructured object nobody validated, so every function accepts any
// value and returns a zero fact for what it does not recognise.
package karpenter

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names Karpenter uses.
const (
	// TaintDisrupted is v1's disruption taint (effect NoSchedule, no value).
	TaintDisrupted = "karpenter.sh/disrupted"
	// TaintDisruption is v1beta1's.
	TaintDisruption = "karpenter.sh/disruption"
	// TaintUnregistered is on a node until Karpenter registers it.
	TaintUnregistered = "karpenter.sh/unregistered"

	// AnnotationDoNotDisrupt protects a pod or a node from voluntary
	// disruption.
	AnnotationDoNotDisrupt = "karpenter.sh/do-not-disrupt"

	LabelNodePool     = "karpenter.sh/nodepool"
	LabelCapacityType = "karpenter.sh/capacity-type"
	// LabelNodeGroup is an EKS managed node group's label.
	LabelNodeGroup = "eks.amazonaws.com/nodegroup"
)

// Disruption reasons (DisruptionReason condition, budgets, events).
const (
	ReasonUnderutilized = "Underutilized"
	ReasonEmpty         = "Empty"
	ReasonDrifted       = "Drifted"
)

// IsDisruptedTaint reports whether a taint is Karpenter's disruption taint
// (v1 or v1beta1) with effect NoSchedule.
func IsDisruptedTaint(key, effect string) bool {
	return (key == TaintDisrupted || key == TaintDisruption) && effect == "NoSchedule"
}

// DisruptionReason canonicalises a disruption reason as events and
// conditions spell it ("underutilized", "Empty/Delete", "drifted") to the
// NodePool API's words ("Underutilized", "Empty", "Drifted"); other reasons
// are returned with their first letter upper-cased, "" stays "".
func DisruptionReason(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i] // "Empty/Delete": the reason, then the decision
	}
	for _, r := range []string{ReasonUnderutilized, ReasonEmpty, ReasonDrifted} {
		if strings.EqualFold(s, r) {
			return r
		}
	}
	return upperFirst(s)
}

// upperFirst upper-cases the first letter of s (as pretty.Sentence does in
// Karpenter, which makes "pod has ..." read "Pod has ...").
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// fold collapses runs of white space (line breaks included) into one space.
func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

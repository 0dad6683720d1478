package ui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The timeline's words: one formatter for the activity view and the node
// list's status lines. A line is "09:14:02 + nodeclaim default-2z8fk
// t3a.medium on-demand us-east-1a for 8 pending pods"; its mark says what
// kind of step it is, so that it reads without colour:
//
//	+ launched   (indented: the launch's progress)   ! failed, unschedulable
//	~ disrupting   - removed   ⊘ blocked   · another event

// activityMark is the one-cell mark of an activity kind.
func activityMark(k cluster.ActivityKind) string {
	switch k {
	case cluster.ActLaunch:
		return "+"
	case cluster.ActReady:
		return " "
	case cluster.ActLaunchFailed, cluster.ActUnschedulable:
		return "!"
	case cluster.ActDisrupting:
		return "~"
	case cluster.ActRemoved:
		return "-"
	case cluster.ActBlocked:
		return glyphProtected
	}
	return "·"
}

// activityStyle colours a mark: launches good, failures bad, disruption
// and blocks ok (they are what consolidation is about).
func activityStyle(k cluster.ActivityKind, st *styles) lipgloss.Style {
	switch k {
	case cluster.ActLaunch, cluster.ActReady:
		return st.good
	case cluster.ActLaunchFailed, cluster.ActUnschedulable:
		return st.bad
	case cluster.ActDisrupting, cluster.ActRemoved, cluster.ActBlocked:
		return st.ok
	}
	return lipgloss.Style{}
}

// activityWords is what one activity line says after its time and mark.
// prev is the line drawn just before it (nil: none): a launch's progress
// under its own launch does not name the NodeClaim again. priced: prices
// are shown (not --disable-pricing).
func activityWords(a, prev *cluster.Activity, priced bool) string {
	obj := objectText(a.Object)
	if obj == "" && a.Node != "" {
		obj = "node " + sanitize(a.Node)
	}
	var s string
	switch a.Kind {
	case cluster.ActLaunch:
		s = joinWords(obj, sanitize(a.InstanceType), capacityWord(a.Capacity), sanitize(a.Zone))
		if a.Pods > 0 {
			s += " for " + plural(a.Pods, "pending pod", "pending pods")
		}
	case cluster.ActReady:
		s = stepsText(a.Steps)
		if prev == nil || prev.Object != a.Object {
			s = joinWords(obj, s)
		}
		if n := sanitize(a.Node); n != "" && !strings.HasSuffix(obj, " "+n) {
			s += " (node " + n + ")"
		}
	case cluster.ActLaunchFailed:
		s = joinWords(obj, sanitize(a.Reason))
		if a.Message != "" {
			s += ": " + folded(a.Message)
		}
	case cluster.ActDisrupting:
		s = obj + reasonParen(a.Reason) + ": disrupting"
	case cluster.ActRemoved:
		s = obj + reasonParen(a.Reason) + ": " + removedVerb(a.Reason)
		if sv := a.Saving; priced && sv != nil && sv.Price != sv.Replacement {
			s += ", saves " + signedMoney(sv.Price-sv.Replacement, a.Price.Currency, 4) + "/hour"
		}
	case cluster.ActBlocked:
		s = obj + ":"
		if a.Reason != "" {
			s += " " + sanitize(a.Reason)
		}
		if a.Message != "" {
			s += quoted(a.Message)
		}
	case cluster.ActUnschedulable:
		s = "pods unschedulable"
		if a.Pods > 0 {
			s = plural(a.Pods, "pod", "pods") + " unschedulable"
		}
		if obj != "" {
			s += " (" + obj + ")"
		}
		if a.Message != "" {
			s += ": " + folded(a.Message)
		}
	default:
		if evictions(a) {
			s = plural(a.Pods, "pod", "pods") + " evicted" + reasonParen(a.Message)
			break
		}
		s = joinWords(obj, sanitize(a.Reason))
		if a.Message != "" {
			s += ": " + folded(a.Message)
		}
	}
	// Unschedulable and eviction lines fold one event per pod: their pod
	// count says how many ("4 pods unschedulable", not "... (x4)" as well).
	if a.Count > 1 && !((a.Kind == cluster.ActUnschedulable || evictions(a)) && a.Pods > 0) {
		s += " (x" + count(a.Count) + ")"
	}
	return s
}

// evictions: a line of Karpenter's Evicted events, one per pod, folded
// (Message is why: "Underutilized").
func evictions(a *cluster.Activity) bool {
	return a.Kind == cluster.ActEvent && a.Reason == "Evicted" && a.Pods > 0
}

// activityLine is a whole timeline line: time, mark, words (the mark in
// its style when st is given).
func activityLine(a, prev *cluster.Activity, now time.Time, priced bool, st *styles) string {
	mark := activityMark(a.Kind)
	if st != nil && st.colour {
		mark = activityStyle(a.Kind, st).Render(mark)
	}
	return clockTime(a.Time, now) + " " + mark + " " + activityWords(a, prev, priced)
}

// newestActivity is the last n lines of the timeline as the node list's
// status lines draw them (plain: the list greys them whole).
func newestActivity(acts []cluster.Activity, n int, now time.Time, priced bool) []string {
	acts = acts[len(acts)-min(n, len(acts)):]
	out := make([]string, len(acts))
	for i := range acts {
		var prev *cluster.Activity
		if i > 0 {
			prev = &acts[i-1]
		}
		out[i] = activityLine(&acts[i], prev, now, priced, nil)
	}
	return out
}

// stepsText is "launched 1.2s · registered 2.9s · initialized 4.1s ·
// Ready": the steps a NodeClaim reported, with their time since its
// creation (Launched, Registered, Initialized, Ready; negative: not
// reported).
func stepsText(steps []time.Duration) string {
	parts := make([]string, 0, 4)
	for i, d := range steps {
		if d < 0 {
			continue
		}
		switch {
		case i < len(launchSteps):
			parts = append(parts, launchSteps[i].done+" "+stepDuration(d))
		case i == len(launchSteps):
			parts = append(parts, "Ready")
		}
	}
	if len(parts) == 0 {
		return "Ready"
	}
	return strings.Join(parts, " · ")
}

// capacityWord is Karpenter's word for a capacity type ("on-demand",
// "spot"), "" unknown.
func capacityWord(c pricing.Capacity) string {
	if c == pricing.CapacityUnknown {
		return ""
	}
	return strings.ToLower(c.String())
}

// removedVerb is what became of a node Karpenter removed for reason.
func removedVerb(reason string) string {
	switch reason {
	case "Empty", "Underutilized":
		return "consolidated"
	case "Drifted":
		return "replaced"
	case "":
		return "removed"
	}
	return "disrupted"
}

func reasonParen(r string) string {
	if r == "" {
		return ""
	}
	return " (" + sanitize(r) + ")"
}

// folded is a message on one line, its whitespace folded.
func folded(msg string) string { return strings.Join(strings.Fields(sanitize(msg)), " ") }

// joinWords joins the non-empty words with spaces.
func joinWords(words ...string) string {
	var sb strings.Builder
	for _, w := range words {
		if w == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// plural is "1 pod", "8 pods".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// signedMoney is "$0.0376", "-$0.0100" (the sign before the symbol).
func signedMoney(v float64, currency string, prec int) string {
	if v < 0 {
		return "-" + currencySymbol(currency) + formatMoney(-v, prec)
	}
	return currencySymbol(currency) + formatMoney(v, prec)
}

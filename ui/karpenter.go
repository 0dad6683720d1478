package ui

import (
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The words for what Karpenter does, shared by the node rows, the node
// view, the pending pods and the activity: one place says "Initializing/8s",
// "Disrupting: Underutilized" or "⊘ protected".

// Karpenter's NodeClaim conditions, in the order a launch goes through them.
const (
	stepLaunched    = "Launched"
	stepRegistered  = "Registered"
	stepInitialized = "Initialized"
	stepReady       = "Ready"
)

// launchSteps are the steps a row reports while it is on its way, with the
// words for the step in progress, done, and failed.
var launchSteps = []struct{ typ, doing, done, failed string }{
	{stepLaunched, "Launching", "launched", "launch failed"},
	{stepRegistered, "Registering", "registered", "registration failed"},
	{stepInitialized, "Initializing", "initialized", "initialization failed"},
}

// glyphProtected marks a node Karpenter will not disrupt (and the pods that
// keep it): a slashed circle, with a word beside it for no-colour screens.
const glyphProtected = "⊘"

// protectedMark is the node row's mark of a node Karpenter will not touch.
const protectedMark = glyphProtected + " protected"

// step is the lifecycle's step of type typ (zero when not reported).
func step(l *cluster.Lifecycle, typ string) cluster.Step {
	for _, s := range l.Steps {
		if s.Type == typ {
			return s
		}
	}
	return cluster.Step{}
}

// claimCreated is when the node's NodeClaim was created: the lifecycle's
// time, else the row's (a launching row's Created is its NodeClaim's).
func claimCreated(n *cluster.Node) time.Time {
	if n.Lifecycle != nil && !n.Lifecycle.Created.IsZero() {
		return n.Lifecycle.Created
	}
	return n.Created
}

// reported: the NodeClaim reported some of its steps (a NodeClaim without
// conditions says nothing about how far it got).
func reported(l *cluster.Lifecycle) bool {
	for _, s := range l.Steps {
		if s.Status != "" {
			return true
		}
	}
	return false
}

// launchProgress is the step a NodeClaim is on ("Launching", ...) while it
// has not initialized, "" once it has (or without a NodeClaim's
// conditions).
func launchProgress(n *cluster.Node) string {
	l := n.Lifecycle
	if l == nil || !reported(l) || step(l, stepReady).Status == "True" {
		return ""
	}
	for _, s := range launchSteps {
		if step(l, s.typ).Status != "True" {
			return s.doing
		}
	}
	return ""
}

// failedHead is the failed step's reason ("LaunchFailed"), else its type
// said as a failure ("Registered failed").
func failedHead(f *cluster.Step) string {
	if r := sanitize(f.Reason); r != "" {
		return r
	}
	return sanitize(f.Type) + " failed"
}

// launchDetail is what went wrong in Karpenter's words: the warning event's
// reason ("InsufficientCapacityError"), else the failed step's message, cut
// to a cell's length.
func launchDetail(l *cluster.Lifecycle, head string) string {
	if p := l.Problem; p != nil && p.Reason != "" && sanitize(p.Reason) != head {
		return sanitize(p.Reason)
	}
	if l.Failed != nil {
		return shortenEnd(sanitize(l.Failed.Message), maxDetail)
	}
	return ""
}

// maxDetail is the most of a message a node row's cell takes.
const maxDetail = 40

// shortenEnd cuts plain text to width cells, ending in "…".
func shortenEnd(s string, width int) string {
	if dispWidth(s) <= width {
		return s
	}
	return truncate(s, width, "…")
}

// readyText says whether the node works: the step a launch is on and for
// how long ("Registering/5s", with Karpenter's warning after it), a failed
// launch by its reason ("LaunchFailed: InsufficientCapacityError"), else
// the readiness ("Ready", "NotReady/3m"). A NodeClaim without a Node and
// without conditions is launching, or after LaunchStuckAfter a launch that
// failed: it never reads "NotReady/93d". compact leaves out the detail.
func readyText(n *cluster.Node, now time.Time, compact bool) string {
	if l := n.Lifecycle; l != nil && step(l, stepReady).Status != "True" {
		if l.Failed != nil {
			head := failedHead(l.Failed)
			if d := launchDetail(l, head); d != "" && !compact {
				return head + ": " + d
			}
			return head
		}
		if doing := launchProgress(n); doing != "" {
			s := doing + "/" + age(now, claimCreated(n))
			if d := launchDetail(l, ""); d != "" && !compact {
				s += ": " + d
			}
			return s
		}
	}
	switch {
	case n.Launching && !n.Created.IsZero() && now.Sub(n.Created) > cluster.LaunchStuckAfter:
		return "NoNode/" + age(now, n.Created)
	case n.Launching:
		return "Launching/" + age(now, n.Created)
	case n.Ready:
		return "Ready"
	case n.ReadySince.IsZero():
		return "NotReady"
	}
	return "NotReady/" + age(now, n.ReadySince)
}

// waitText is " · 8 pods wait" (compact " ·8 wait") for a node pending pods
// were nominated to, "" for none.
func waitText(n int, compact bool) string {
	switch {
	case n <= 0:
		return ""
	case compact:
		return " ·" + count(n) + " wait"
	case n == 1:
		return " · 1 pod waits"
	}
	return " · " + count(n) + " pods wait"
}

// disrupting reports whether Karpenter is disrupting the node.
func disrupting(d *cluster.Disruption) bool { return d.Reason != "" || d.Tainted }

// disruptingText is "Disrupting: Underutilized", then "Deleting:
// Underutilized" once the node's deletion started (draining, terminating);
// without the reason when compact or when there is none (the taint only).
func disruptingText(d *cluster.Disruption, deleting, compact bool) string {
	s := "Disrupting"
	if deleting {
		s = "Deleting"
	}
	if d.Reason == "" || compact {
		return s
	}
	return s + ": " + sanitize(d.Reason)
}

// stepDuration is a lifecycle step's duration: "1.2s" under ten seconds,
// then as kubectl shows ages ("45s", "3m20s"); never negative.
func stepDuration(d time.Duration) string {
	d = max(d, 0)
	if d%time.Second == 0 && d < time.Minute {
		// The API stamps conditions to the second: "2s", not "2.0s".
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	if d < 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return duration.HumanDuration(d)
}

// clockTime is a time of day on the screen's clock: "09:14:02".
func clockTime(t, now time.Time) string {
	return t.In(now.Location()).Format("15:04:05")
}

// shortClock is "09:14" for a time today, "Jun 1 09:14" before.
func shortClock(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// objectText is "nodeclaim/default-2z8fk" said as "nodeclaim default-2z8fk".
func objectText(obj string) string {
	return strings.Replace(sanitize(obj), "/", " ", 1)
}

// quoted is a message after a reason: in double quotes, whitespace folded;
// after a colon when it has quotes of its own.
func quoted(msg string) string {
	m := strings.Join(strings.Fields(sanitize(msg)), " ")
	if strings.Contains(m, `"`) {
		return ": " + m
	}
	return ` "` + m + `"`
}

package ui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The node view's Karpenter lines: how the NodeClaim came up, and why
// Karpenter is or is not disrupting the node, in words.

// karpenterCells is "nodepool general-purpose", "nodeclaim
// general-purpose-abcde: launched 1.2s", "registered 2.9s", "initialized
// 4.1s", and the pods that wait for the node.
func karpenterCells(n *cluster.Node, now time.Time, st *styles) []cell {
	out := []cell{plainCell("nodepool " + orDash(n.NodePool))}
	claim := "nodeclaim " + orDash(n.NodeClaim)
	steps := lifecycleCells(n, now, st)
	if len(steps) > 0 && steps[0].done {
		first := steps[0]
		steps = steps[1:]
		claim += ": " + first.plain
	}
	out = append(out, plainCell(claim))
	for _, s := range steps {
		out = append(out, s.cell)
	}
	if n.Nominated > 0 {
		out = append(out, plainCell(plural(n.Nominated, "pending pod waits", "pending pods wait")+" for it"))
	}
	return out
}

// stepCell is a lifecycle cell with its plain text; done: a step done (it
// may join the NodeClaim's cell).
type stepCell struct {
	cell
	plain string
	done  bool
}

// lifecycleCells are the NodeClaim's steps: the ones done with their time
// since its creation ("launched 1.2s"), then the one in progress for how
// long and why ("registering 5s (NodeNotFound)") or the one that failed
// in Karpenter's words, and the latest warning about it.
func lifecycleCells(n *cluster.Node, now time.Time, st *styles) []stepCell {
	l := n.Lifecycle
	if l == nil {
		return nil
	}
	colour := st.colour
	add := func(out []stepCell, s string, style lipgloss.Style) []stepCell {
		return append(out, stepCell{cell: styledCell(s, style, colour), plain: s})
	}
	created := claimCreated(n)
	var out []stepCell
	failedShown := false
	for _, ls := range launchSteps {
		s := step(l, ls.typ)
		if s.Status == "True" {
			text := ls.done + " " + stepDuration(s.At.Sub(created))
			out = append(out, stepCell{cell: plainCell(text), plain: text, done: true})
			continue
		}
		if !reported(l) {
			break
		}
		doing := strings.ToLower(ls.doing)
		switch {
		case l.Failed != nil && l.Failed.Type == ls.typ:
			out = add(out, ls.failed+": "+failedText(l.Failed), st.bad)
			failedShown = true
		case step(l, stepReady).Status != "True":
			text := doing + " " + age(now, created)
			if s.Reason != "" {
				text += " (" + sanitize(s.Reason) + ")"
			}
			out = add(out, text, st.ok)
		}
		break
	}
	if l.Failed != nil && !failedShown {
		out = add(out, "failed: "+failedText(l.Failed), st.bad)
	}
	if p := l.Problem; p != nil {
		out = add(out, "warning: "+eventWords(p, now), st.bad)
	}
	return out
}

// failedText is a failed step's reason and message: `LaunchFailed
// "insufficient capacity"`.
func failedText(f *cluster.Step) string {
	s := failedHead(f)
	if f.Message != "" {
		s += quoted(f.Message)
	}
	return s
}

// eventWords is `Unconsolidatable "Can't replace with a cheaper node" 3m
// ago`.
func eventWords(e *cluster.Event, now time.Time) string {
	s := sanitize(e.Reason)
	if e.Message != "" {
		s += quoted(e.Message)
	}
	if !e.Time.IsZero() {
		s += " " + age(now, e.Time) + " ago"
	}
	return s
}

// karpenterManaged reports whether the node is Karpenter's to disrupt (or
// Karpenter said something about it).
func karpenterManaged(n *cluster.Node) bool {
	d := &n.Disruption
	return n.NodeClaim != "" || n.NodePool != "" || d.Protected() || disrupting(d) ||
		d.Blocked != nil || d.Drifted != "" || !d.Consolidatable.IsZero()
}

// maxBlockingNamed is how many of the pods that keep a node are named.
const maxBlockingNamed = 3

// disruptionCells say in words what Karpenter does with the node or why it
// will not: disrupting and why; do-not-disrupt on the node or on which of
// its pods; consolidatable since when; drifted and why; the latest
// Unconsolidatable or DisruptionBlocked message.
func disruptionCells(n *cluster.Node, now time.Time, st *styles) []cell {
	if !karpenterManaged(n) {
		return nil
	}
	d := &n.Disruption
	colour := st.colour
	var out []cell
	if disrupting(d) {
		s := "disrupting"
		switch {
		case d.Reason != "":
			s += ": " + sanitize(d.Reason)
		default:
			s += " (karpenter.sh/disrupted taint)"
		}
		out = append(out, styledCell(s, st.bad, colour))
	}
	switch {
	case d.DoNotDisrupt:
		out = append(out, styledCell(glyphProtected+" do-not-disrupt on the node", st.ok, colour))
	case len(d.BlockingPods) > 0:
		out = append(out, styledCell(glyphProtected+" do-not-disrupt: "+blockingText(d.BlockingPods), st.ok, colour))
	case !n.Launching: // nothing to keep before there is a node
		out = append(out, plainCell("do-not-disrupt: no"))
	}
	if len(d.BlockingPods) > 0 && d.DoNotDisrupt {
		out = append(out, plainCell("and "+blockingText(d.BlockingPods)))
	}
	if !d.Consolidatable.IsZero() {
		out = append(out, plainCell("consolidatable since "+shortClock(d.Consolidatable, now)+" ("+age(now, d.Consolidatable)+")"))
	}
	if d.Drifted != "" {
		out = append(out, styledCell("drifted: "+sanitize(d.Drifted), st.ok, colour))
	}
	if d.Blocked != nil {
		out = append(out, plainCell("last: "+eventWords(d.Blocked, now)))
	}
	return out
}

// blockingText names the pods that keep a node: "pod ns/a", "pods ns/a,
// ns/b and 3 more".
func blockingText(pods []string) string {
	named := make([]string, 0, maxBlockingNamed)
	for _, p := range pods[:min(len(pods), maxBlockingNamed)] {
		named = append(named, sanitize(p))
	}
	s := strings.Join(named, ", ")
	if more := len(pods) - len(named); more > 0 {
		s += " and " + count(more) + " more"
	}
	if len(pods) == 1 {
		return "pod " + s
	}
	return "pods " + s
}

// doNotDisruptTail marks a pod with the karpenter.sh/do-not-disrupt
// annotation in the node's pod table: " ⊘ do-not-disrupt" (with its
// duration when it has one) while it keeps the node, " do-not-disrupt 30m
// (inactive)" once it no longer does (elapsed or invalid); "" without.
func doNotDisruptTail(p *cluster.Pod, blocking map[string]bool) string {
	if p.DoNotDisrupt == "" {
		return ""
	}
	s := "do-not-disrupt"
	if v := sanitize(p.DoNotDisrupt); v != "true" {
		s += " " + v
	}
	if blocking[p.Namespace+"/"+p.Name] {
		return " " + glyphProtected + " " + s
	}
	return " " + s + " (inactive)"
}

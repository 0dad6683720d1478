//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestKarpenterExplained walks the story of issue 11 on the real local
// Karpenter cluster, at 160 columns:
//
//  1. With the NodePool's cpu limit at 4 (two t3a.medium), scaling the lab
//     to 30 replicas launches two NodeClaims: the activity names each launch
//     with the pods Karpenter nominated to it and its steps, the node view
//     shows the steps as the API's conditions time them, the pending view
//     says the limits keep the rest waiting, and the NodePools view shows
//     the limit bar full and the consolidation policy.
//  2. A karpenter.sh/do-not-disrupt pod keeps its node through the
//     scale-down to 2 while the other Karpenter node is consolidated; the
//     row says "⊘ protected", the node view names the pod, and the ledger
//     counts the one node removed.
//  3. Removing the annotation lets Karpenter consolidate that node too; the
//     activity says so with the saving, and the ledger counts both.
func TestKarpenterExplained(t *testing.T) {
	c, lab, m := startLab(t)
	m.resize(160, 45)
	ctx := context.Background()
	m.waitFor("the static node with one pod", 60*time.Second, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		return podLine(s, 1, 0, 1, 1)
	})

	// 1. Launches up to the limit.
	lab.setLimits(map[string]any{"cpu": "4"})
	time.Sleep(time.Second) // Karpenter's informer has the new limit first
	start := time.Now()
	const replicas = 30
	scale(t, c, replicas)
	seen := map[string]bool{} // readiness words seen on Karpenter rows
	var claims []string
	var wrong []string   // launches read as failures (Karpenter's waiting reasons)
	var launching string // the first screen with a row on its way
	m.waitFor("two Karpenter nodes Ready and pods pending at the limit", 4*time.Minute, func(s string) error {
		for _, l := range karpenterRows(s) {
			w := readinessWord(l)
			seen[w] = true
			if launching == "" && (w == "Launching" || w == "Registering" || w == "Initializing") {
				launching = s
			}
		}
		wrong = append(wrong, failedLaunches(s)...)
		var err error
		claims, err = lab.readyClaims()
		if err != nil {
			return err
		}
		if len(claims) != 2 {
			return fmt.Errorf("%d NodeClaims with a Ready node, want 2 (cpu limit 4)", len(claims))
		}
		pending, err := limitedPods(c)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return fmt.Errorf("no pod waits with Karpenter's limits message yet")
		}
		if err := podLine(s, replicas, len(pending), replicas-len(pending), replicas-len(pending)); err != nil {
			return err
		}
		if rows := karpenterRows(s); len(rows) != 2 {
			return fmt.Errorf("%d Karpenter rows, want 2", len(rows))
		}
		for _, l := range karpenterRows(s) {
			if readinessWord(l) != "Ready" {
				return fmt.Errorf("not Ready: %q", l)
			}
		}
		return summary(s, 3, "$0.113/hour")
	})
	t.Logf("two NodeClaims Ready %s after the scale-up: %v; readiness words seen on their rows: %v",
		time.Since(start).Round(100*time.Millisecond), claims, keys(seen))
	if len(wrong) > 0 {
		t.Errorf("launches that went well were shown as failed: %q", wrong)
	}
	if launching != "" {
		logLines(t, "the list while launching", launching)
	}
	nodes := map[string]string{} // claim -> node
	for _, cl := range claims {
		nodes[cl] = lab.claimNode(cl, time.Minute)
	}

	// The activity: each launch with the pods Karpenter nominated to it,
	// and its steps as the NodeClaim's conditions time them.
	m.keys("a")
	s := m.waitFor("the activity with both launches and their steps", time.Minute, func(s string) error {
		if !strings.HasPrefix(s, "activity since ") {
			return fmt.Errorf("not the activity view")
		}
		for _, cl := range claims {
			nominated, bound, _ := lab.launchedFor(cl, nodes[cl])
			if err := launchLine(s, cl, max(nominated, bound)); err != nil {
				return err
			}
			if err := readyLine(s, cl, nodes[cl], lab.steps(cl)); err != nil {
				return err
			}
		}
		return nil
	})
	for _, cl := range claims {
		nominated, bound, union := lab.launchedFor(cl, nodes[cl])
		t.Logf("nodeclaim %s: %d Nominated events in the API, %d pods bound to %s that waited before it, %d in their union",
			cl, nominated, bound, nodes[cl], union)
	}
	logLines(t, "activity", s)
	m.keys("Escape")

	// The pending view: every pod the API has waiting says the limits.
	m.keys("p")
	s = m.waitFor("the pending view with the limits reason", time.Minute, func(s string) error {
		pending, err := limitedPods(c)
		if err != nil {
			return err
		}
		return limitsScreen(s, pending)
	})
	logLines(t, "pending view", s)
	m.keys("Escape")

	// The NodePools view: default at its limit, with its policy.
	m.keys("n")
	s = m.waitFor("the NodePools view with default's limit bar", time.Minute, func(s string) error {
		return poolsScreen(s, lab.poolUsedCPU())
	})
	logLines(t, "nodepools view", s)
	m.keys("Escape")

	// The node view of the first claim's node: its steps.
	keeper, other := claims[0], claims[1]
	keepNode := nodes[keeper]
	m.openNode(keepNode)
	s = m.waitFor("the node view with the NodeClaim's steps", time.Minute, func(s string) error {
		head, _ := nodeViewParts(s)
		if len(head) < 2 {
			return fmt.Errorf("not a node view")
		}
		want := fmt.Sprintf("nodepool default · nodeclaim %s: %s", keeper, stepsWords(lab.steps(keeper), false))
		if !strings.HasPrefix(head[1], want) {
			return fmt.Errorf("header line %q, want it to start %q", head[1], want)
		}
		return nil
	})
	head, _ := nodeViewParts(s)
	logLines(t, "node view header", strings.Join(head, "\n"))

	// 2. A do-not-disrupt pod keeps its node through the scale-down. Its
	// deletion cost makes the ReplicaSet keep it.
	pod := lab.podOn(keepNode)
	lab.annotatePod(pod, map[string]any{
		"karpenter.sh/do-not-disrupt":                "true",
		"controller.kubernetes.io/pod-deletion-cost": "1000",
	})
	m.waitFor("the node view naming the do-not-disrupt pod", time.Minute, func(s string) error {
		return contains(s, "⊘ do-not-disrupt: pod "+pod, pod+" ⊘ do-not-disrupt")
	})
	m.closeNode()
	down := time.Now()
	scale(t, c, 2)
	otherNode := nodes[other]
	s = m.waitFor("the other Karpenter node consolidated, the protected one kept", 6*time.Minute, func(s string) error {
		if _, ok := nodeLine(s, otherNode); ok {
			return fmt.Errorf("%s still shown", otherNode)
		}
		l, ok := nodeLine(s, keepNode)
		if !ok {
			return fmt.Errorf("the protected node %s is not shown", keepNode)
		}
		if err := contains(l, "⊘ protected"); err != nil {
			return err
		}
		if err := podLine(s, 2, 0, 2, 2); err != nil {
			return err
		}
		return contains(s, "saved $0.0376/hour")
	})
	t.Logf("%s consolidated %s after the scale-down; %s kept", otherNode, time.Since(down).Round(100*time.Millisecond), keepNode)
	logLines(t, "list after the scale-down", s)
	// Karpenter tells why it keeps the node: wait for its word (it says
	// DisruptionBlocked once per node in 2 minutes: an earlier "Node is
	// nominated for a pending pod" delays it), then check the node is still
	// there.
	blocked := lab.waitEvent(keepNode, "DisruptionBlocked", "karpenter.sh/do-not-disrupt", 3*time.Minute)
	t.Logf("karpenter on %s: DisruptionBlocked %q (%s after the scale-down)", keepNode, blocked, time.Since(down).Round(100*time.Millisecond))
	if _, err := c.Client().CoreV1().Nodes().Get(ctx, keepNode, metav1.GetOptions{}); err != nil {
		t.Fatalf("the protected node: %v", err)
	}
	m.openNode(keepNode)
	s = m.waitFor("the node view saying why the node stays", time.Minute, func(s string) error {
		head, _ := nodeViewParts(s)
		h := strings.Join(head, "\n")
		if err := contains(h, "⊘ do-not-disrupt: pod "+pod, `last: DisruptionBlocked: Pod has "karpenter.sh/do-not-disrupt" annotation`); err != nil {
			return err
		}
		return contains(s, pod+" ⊘ do-not-disrupt")
	})
	head, _ = nodeViewParts(s)
	logLines(t, "protected node view header", strings.Join(head, "\n"))
	m.closeNode()

	// 3. Without the annotation Karpenter consolidates it.
	lab.annotatePod(pod, map[string]any{"karpenter.sh/do-not-disrupt": nil})
	freed := time.Now()
	s = m.waitFor("the protected node consolidated once free", 6*time.Minute, func(s string) error {
		if _, l, ok := karpenterRow(s); ok {
			return fmt.Errorf("karpenter node still shown: %q", l)
		}
		if err := summary(s, 1, "$0.038/hour"); err != nil {
			return err
		}
		if err := podLine(s, 2, 0, 2, 2); err != nil {
			return err
		}
		return contains(s, "saved $0.0752/hour")
	})
	t.Logf("%s consolidated %s after the annotation went", keepNode, time.Since(freed).Round(100*time.Millisecond))
	logLines(t, "list after both consolidations", s)
	m.keys("a")
	s = m.waitFor("the activity with both consolidations and their savings", time.Minute, func(s string) error {
		if err := contains(s, "saved $0.0752/hour"); err != nil {
			return err
		}
		for _, n := range []string{otherNode, keepNode} {
			if err := removedLine(s, n, "$0.0376"); err != nil {
				return err
			}
		}
		return nil
	})
	// The drain is told as it went, not as a refusal or in raw words.
	for _, l := range activityLines(s) {
		if (strings.HasPrefix(l, "⊘") && strings.Contains(l, "FailedDraining")) || strings.Contains(l, "Evicted: Evicted pod") {
			t.Errorf("activity line %q", l)
		}
	}
	if len(failedLaunches(s)) > 0 {
		t.Errorf("the activity names failed launches: %q", failedLaunches(s))
	}
	logLines(t, "activity at the end", s)
	lab.waitNoKarpenterNodes(time.Minute)
}

// resize sets the viewer's pane to width x height.
func (m *term) resize(width, height int) {
	m.t.Helper()
	out, err := exec.Command("tmux", "-L", m.sock, "resize-window", "-t", "v",
		"-x", strconv.Itoa(width), "-y", strconv.Itoa(height)).CombinedOutput()
	if err != nil {
		m.t.Fatalf("resize-window: %v\n%s", err, out)
	}
}

// openNode selects node with the filter and opens its view.
func (m *term) openNode(node string) {
	m.t.Helper()
	m.keys("/")
	m.typeText(node)
	m.keys("Enter")
	m.waitFor("the filter on "+node, time.Minute, func(s string) error { return cursorOn(s, node) })
	m.keys("Enter")
	m.waitFor("the node view of "+node, time.Minute, func(s string) error {
		if !strings.HasPrefix(s, node+"  ") {
			return fmt.Errorf("not %s's view", node)
		}
		return nil
	})
}

// closeNode goes back from a node view opened with openNode and clears the
// filter.
func (m *term) closeNode() {
	m.t.Helper()
	m.keys("Escape")
	m.waitFor("back on the filtered list", time.Minute, func(s string) error { return contains(s, "filter ") })
	m.keys("Escape")
	m.waitFor("the filter cleared", time.Minute, func(s string) error {
		if l, ok := screenLine(s, "filter "); ok {
			return fmt.Errorf("the filter line is still shown: %q", l)
		}
		return nil
	})
}

// setLimits replaces the NodePool default's spec.limits.
func (w *labWatch) setLimits(limits map[string]any) {
	w.t.Helper()
	b, err := json.Marshal(map[string]any{"spec": map[string]any{"limits": limits}})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.dyn.Resource(harness.NodePoolResource).Patch(context.Background(), "default", types.MergePatchType, b, metav1.PatchOptions{}); err != nil {
		w.t.Fatalf("patch nodepool default: %v", err)
	}
	w.t.Logf("nodepool default: limits %s", b)
}

// readyClaims lists the NodeClaims whose node is Ready, sorted.
func (w *labWatch) readyClaims() ([]string, error) {
	ctx := context.Background()
	list, err := w.dyn.Resource(harness.NodeClaimResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, nc := range list.Items {
		name, _, _ := unstructured.NestedString(nc.Object, "status", "nodeName")
		if name == "" {
			continue
		}
		n, err := w.c.Client().CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			continue
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				out = append(out, nc.GetName())
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// launchedFor is what the launch line of claim must count, from the API:
// the pods Karpenter's Nominated events name it for, and the pods bound to
// its node that were created no later than it (Karpenter rate-limits its
// Nominated events, 10 at once, so the events alone undercount; the
// scheduler does not follow the nominations, so the union overcounts).
// It returns both and the size of their union.
func (w *labWatch) launchedFor(claim, node string) (nominated, bound, union int) {
	w.t.Helper()
	ctx := context.Background()
	evs, err := w.c.Client().CoreV1().Events(harness.LabNamespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Pod,reason=Nominated",
	})
	if err != nil {
		w.t.Fatal(err)
	}
	pods := map[string]bool{}
	for _, e := range evs.Items {
		if slices.Contains(nominationTargets(e.Message), "nodeclaim/"+claim) {
			pods[e.InvolvedObject.Name] = true
			nominated++
		}
	}
	nc, err := w.dyn.Resource(harness.NodeClaimResource).Get(ctx, claim, metav1.GetOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	on, err := w.c.Client().CoreV1().Pods(harness.LabNamespace).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range on.Items {
		if !p.CreationTimestamp.After(nc.GetCreationTimestamp().Time) {
			pods[p.Name] = true
			bound++
		}
	}
	return nominated, bound, len(pods)
}

// nominationTargets reads "Pod should schedule on: nodeclaim/a, node/b".
func nominationTargets(msg string) []string {
	_, list, ok := strings.Cut(msg, "Pod should schedule on: ")
	if !ok {
		return nil
	}
	return strings.Split(list, ", ")
}

// steps are a NodeClaim's Launched, Registered and Initialized times since
// its creation, from the API (-1 for a step not True).
func (w *labWatch) steps(claim string) [3]time.Duration {
	w.t.Helper()
	nc, err := w.dyn.Resource(harness.NodeClaimResource).Get(context.Background(), claim, metav1.GetOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	created := nc.GetCreationTimestamp().Time
	conds, _, _ := unstructured.NestedSlice(nc.Object, "status", "conditions")
	out := [3]time.Duration{-1, -1, -1}
	for i, typ := range []string{"Launched", "Registered", "Initialized"} {
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] != typ || m["status"] != "True" {
				continue
			}
			at, err := time.Parse(time.RFC3339, fmt.Sprint(m["lastTransitionTime"]))
			if err != nil {
				w.t.Fatalf("%s %s: %v", claim, typ, err)
			}
			out[i] = max(at.Sub(created), 0)
		}
	}
	return out
}

// stepsWords is how the views say steps, in the API's whole seconds:
// "launched 0s · registered 1s · initialized 2s" (· Ready with ready); a
// step not True (-1) is not said.
func stepsWords(steps [3]time.Duration, ready bool) string {
	var parts []string
	for i, w := range []string{"launched", "registered", "initialized"} {
		if steps[i] >= 0 {
			parts = append(parts, fmt.Sprintf("%s %ds", w, int(steps[i]/time.Second)))
		}
	}
	if ready {
		parts = append(parts, "Ready")
	}
	return strings.Join(parts, " · ")
}

// poolUsedCPU is default's status.resources cpu.
func (w *labWatch) poolUsedCPU() string {
	w.t.Helper()
	np, err := w.dyn.Resource(harness.NodePoolResource).Get(context.Background(), "default", metav1.GetOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	cpu, _, _ := unstructured.NestedString(np.Object, "status", "resources", "cpu")
	return cpu
}

// podOn is a Running fastapi pod on node.
func (w *labWatch) podOn(node string) string {
	w.t.Helper()
	pods, err := w.c.Client().CoreV1().Pods(harness.LabNamespace).List(context.Background(), metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			return p.Namespace + "/" + p.Name
		}
	}
	w.t.Fatalf("no running pod on %s", node)
	return ""
}

// annotatePod merges annotations into a pod's (nil removes one).
func (w *labWatch) annotatePod(pod string, annotations map[string]any) {
	w.t.Helper()
	ns, name, _ := strings.Cut(pod, "/")
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations}})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.c.Client().CoreV1().Pods(ns).Patch(context.Background(), name, types.MergePatchType, b, metav1.PatchOptions{}); err != nil {
		w.t.Fatalf("annotate %s: %v", pod, err)
	}
	w.t.Logf("pod %s: annotations %s", pod, b)
}

// waitEvent waits for an event of reason about node whose message has
// part, and returns the message.
func (w *labWatch) waitEvent(node, reason, part string, timeout time.Duration) string {
	w.t.Helper()
	var msg string
	eventually(w.t, timeout, reason+" on "+node, func() error {
		evs, err := w.c.Client().CoreV1().Events("").List(context.Background(), metav1.ListOptions{
			FieldSelector: "involvedObject.kind=Node,involvedObject.name=" + node + ",reason=" + reason,
		})
		if err != nil {
			return err
		}
		var msgs []string
		for _, e := range evs.Items {
			if strings.Contains(e.Message, part) {
				msg = e.Message
				return nil
			}
			msgs = append(msgs, e.Message)
		}
		return fmt.Errorf("no %s event saying %q (%q)", reason, part, msgs)
	})
	return msg
}

// limitedPods lists the unscheduled pods whose latest Karpenter
// FailedScheduling event says the NodePool's limits stop them.
func limitedPods(c *harness.Cluster) ([]string, error) {
	api, err := unscheduledPods(c)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range api {
		ns, name, _ := strings.Cut(p, "/")
		evs, err := c.Client().CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{
			FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + name + ",reason=FailedScheduling,source=karpenter",
		})
		if err != nil {
			return nil, err
		}
		for _, e := range evs.Items {
			if isLimitsMessage(e.Message) {
				out = append(out, p)
				break
			}
		}
	}
	if len(out) != len(api) {
		return nil, fmt.Errorf("%d of %d unscheduled pods have Karpenter's limits message", len(out), len(api))
	}
	return out, nil
}

// isLimitsMessage: Karpenter's two ways of saying a NodePool is full, of
// default ("... for nodepool (NodePool=default)" in v1.14, "... for
// nodepool \"default\"" before).
func isLimitsMessage(msg string) bool {
	return (strings.Contains(msg, "exceed limits for nodepool") || strings.Contains(msg, "limits have been exhausted for nodepool")) &&
		(strings.Contains(msg, "NodePool=default") || strings.Contains(msg, `"default"`))
}

// failedLaunches are the screen's rows and activity lines that say a
// launch failed: none should, on this cluster.
func failedLaunches(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "ReconcilingDependents") || strings.Contains(l, "LaunchFailed") || strings.Contains(l, " ! nodeclaim ") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// karpenterRows are the node rows other than the static node's.
func karpenterRows(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = rowText(l)
		if f := strings.Fields(l); len(f) >= 2 && f[1] == "cpu" && f[0] != harness.LabNode {
			out = append(out, l)
		}
	}
	return out
}

var readinessRe = regexp.MustCompile(`\b(Launching/\S+|Registering/\S+|Initializing/\S+|NotReady(/\S+)?|Ready)\b`)

// readinessWord is a row's readiness ("Launching/1s", "Ready").
func readinessWord(l string) string {
	m := readinessRe.FindAllString(l, -1)
	if len(m) == 0 {
		return "other"
	}
	w := m[len(m)-1]
	if i := strings.Index(w, "/"); i > 0 && w != "NotReady" {
		return w[:i] // the step, not its age
	}
	return w
}

// activityLines are the activity view's lines without their time.
func activityLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if len(l) > 9 && l[2] == ':' && l[5] == ':' && l[8] == ' ' {
			out = append(out, l[9:])
		}
	}
	return out
}

// launchLine checks the "+ nodeclaim X t3a.medium on-demand us-east-1a
// for N pending pods" line of claim.
func launchLine(s, claim string, pods int) error {
	re := regexp.MustCompile(`^\+ nodeclaim ` + regexp.QuoteMeta(claim) + ` t3a\.medium on-demand us-east-1[ab]( for (\d+) pending pods?)?$`)
	for _, l := range activityLines(s) {
		m := re.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		got := 0
		if m[2] != "" {
			got, _ = strconv.Atoi(m[2])
		}
		if got != pods {
			return fmt.Errorf("%q: the API has %d pods nominated to %s", l, pods, claim)
		}
		return nil
	}
	return fmt.Errorf("no launch line for %s", claim)
}

// readyLine checks the launch's progress line: its steps as the API times
// them and its node.
func readyLine(s, claim, node string, steps [3]time.Duration) error {
	want := stepsWords(steps, true) + " (node " + node + ")"
	for _, l := range activityLines(s) {
		l = strings.TrimPrefix(l, "  ")
		l = strings.TrimPrefix(l, "nodeclaim "+claim+" ")
		if l == want {
			return nil
		}
	}
	return fmt.Errorf("no line %q for %s", want, claim)
}

// removedLine checks "- node X (Empty|Underutilized): consolidated, saves
// $0.0376/hour".
func removedLine(s, node, price string) error {
	re := regexp.MustCompile(`^- node ` + regexp.QuoteMeta(node) + ` \((Empty|Underutilized)\): consolidated, saves ` + regexp.QuoteMeta(price) + `/hour$`)
	for _, l := range activityLines(s) {
		if re.MatchString(l) {
			return nil
		}
	}
	return fmt.Errorf("no consolidation line for %s", node)
}

// limitsScreen checks the pending view lists exactly the pods and that
// each one's KARPENTER cell says the limits.
func limitsScreen(s string, pods []string) error {
	first, _, _ := strings.Cut(s, "\n")
	if want := fmt.Sprintf("%d pending pod", len(pods)); !strings.HasPrefix(first, want) {
		return fmt.Errorf("title %q, want %q", first, want)
	}
	karp := -1
	var names []string
	for _, l := range strings.Split(s, "\n") {
		if karp < 0 {
			if strings.HasPrefix(strings.TrimPrefix(l, "  "), "POD ") {
				if karp = strings.Index(l, "KARPENTER"); karp < 0 {
					return fmt.Errorf("no KARPENTER column: %q", l)
				}
			}
			continue
		}
		f := strings.Fields(strings.TrimPrefix(l, "> "))
		if len(f) < 3 || !strings.Contains(f[0], "/") {
			break
		}
		names = append(names, f[0])
		rs := []rune(l)
		if karp >= len(rs) {
			return fmt.Errorf("row %q has no KARPENTER cell", l)
		}
		if cell := strings.TrimSpace(string(rs[karp:])); !strings.HasPrefix(cell, `NodePool "default" limits exhausted`) {
			return fmt.Errorf("%s: KARPENTER %q", f[0], cell)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, pods) {
		return fmt.Errorf("the pending view lists %v, the API has %v waiting", names, pods)
	}
	return nil
}

// poolsScreen checks the NodePools view's default row: 2 nodes, the cpu
// limit against the API's use with its bar, and the consolidation policy.
func poolsScreen(s, usedCPU string) error {
	first, _, _ := strings.Cut(s, "\n")
	if !strings.HasPrefix(first, "1 NodePool") {
		return fmt.Errorf("title %q", first)
	}
	for _, l := range strings.Split(s, "\n") {
		r := rowText(l)
		if !strings.HasPrefix(r, "default ") {
			continue
		}
		f := strings.Fields(r)
		if len(f) < 2 || f[1] != "2" {
			return fmt.Errorf("default row %q: want 2 nodes", r)
		}
		q, err := resource.ParseQuantity(usedCPU)
		if err != nil {
			return fmt.Errorf("nodepool status cpu %q: %v", usedCPU, err)
		}
		cores := strconv.FormatFloat(float64(q.MilliValue())/1000, 'f', -1, 64)
		return contains(r, "cpu "+cores+"/4 █", "WhenEmptyOrUnderutilized 0s")
	}
	return fmt.Errorf("no default row")
}

// logLines logs a screen (or part of one) line by line under a heading.
func logLines(t *testing.T, what, s string) {
	t.Helper()
	t.Logf("%s:\n%s", what, s)
}

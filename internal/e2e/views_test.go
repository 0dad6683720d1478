//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestLabNodeView walks the viewer's views through the seed lab on the real
// Karpenter cluster: the pending pods view while the 9th pod waits, the
// node view of the node Karpenter launches for it (its pods exactly as the
// scheduler bound them, its NodeClaim and NodePool), back to the list on the
// same node, and the node view saying the node is gone after the scale-down.
func TestLabNodeView(t *testing.T) {
	c, lab, m := startLab(t)
	ctx := context.Background()
	m.waitFor("the static node with one pod", 60*time.Second, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		if err := podLine(s, 1, 0, 1, 1); err != nil {
			return err
		}
		return cursorOn(s, harness.LabNode)
	})

	// Karpenter launches the node within ~2 s of the scale-up, too short to
	// read two screens in. A NodePool cpu limit of 0 leaves it no instance
	// type that fits, so the 9th pod waits until the limit is put back.
	restore := lab.holdLaunches()
	start := time.Now()
	scale(t, c, 9)
	var unscheduled []string
	list := m.waitFor("the pod line's pending pods", 2*time.Minute, func(s string) error {
		// Settled: the scheduler has tried every pod without a node (and
		// bound the others), so the count stays while the hold lasts.
		api, err := unscheduledPods(c)
		if err != nil {
			return err
		}
		if len(api) == 0 {
			return fmt.Errorf("no unscheduled pods in the API yet")
		}
		if err := allUnschedulable(c, api); err != nil {
			return err
		}
		if err := podLine(s, 9, len(api), 9-len(api), 9-len(api)); err != nil {
			return err
		}
		if want := fmt.Sprintf("p pending (%d)", len(api)); !strings.Contains(s, want) {
			return fmt.Errorf("the footer lacks %q", want)
		}
		unscheduled = api
		return nil
	})
	pending, _ := podLineCounts(list)
	t.Logf("pending on the list: %d (%s)", pending, strings.Join(unscheduled, ", "))
	// The scheduler says why within a second or so; its event is then on
	// the view too (the check below only asks for it once the API has it).
	if err := waitEvents(c, unscheduled, 30*time.Second); err != nil {
		t.Logf("note: %v", err)
	} else {
		t.Logf("the API has FailedScheduling events for the pending pods: the view must show one")
	}

	m.keys("p")
	s := m.waitFor("the pending pods view", time.Minute, func(s string) error {
		return pendingScreen(c, s, pending)
	})
	for _, r := range pendingRows(s) {
		t.Logf("pending view: %s waiting %s, scheduler: %s", r.name, r.waiting, r.scheduler)
	}
	m.keys("Escape")
	m.waitFor("back on the list", time.Minute, func(s string) error {
		if err := podLine(s, 9, pending, 9-pending, 9-pending); err != nil {
			return err
		}
		return cursorOn(s, harness.LabNode)
	})

	// The screens above were read while the hold held (else they raced
	// the launch).
	if list, err := lab.dyn.Resource(harness.NodeClaimResource).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) > 0 {
		t.Fatalf("karpenter launched during the hold (cpu limit 0): %v", err)
	}
	restore()
	released := time.Now()
	claim := lab.waitNewClaim(2 * time.Minute)
	node := lab.claimNode(claim, 2*time.Minute)
	t.Logf("karpenter launched nodeclaim %s, node %s Ready %s after the limit was put back (%s after the scale-up)",
		claim, node, time.Since(released).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
	m.waitFor("the new node Ready, no pod pending", 3*time.Minute, func(s string) error {
		l, ok := nodeLine(s, node)
		if !ok {
			return fmt.Errorf("no %s row", node)
		}
		if err := contains(l, "t3a.medium/$0.0376", " Ready"); err != nil {
			return err
		}
		if strings.Contains(l, "NotReady") {
			return fmt.Errorf("%s not Ready yet: %q", node, l)
		}
		return podLine(s, 9, 0, 9, 9)
	})

	// Select it with the filter, open it.
	m.keys("/")
	m.typeText(node)
	m.waitFor("the filter typed", time.Minute, func(s string) error {
		if err := cursorOn(s, node); err != nil {
			return err
		}
		if _, ok := nodeLine(s, harness.LabNode); ok {
			return fmt.Errorf("%s does not match the filter but is listed", harness.LabNode)
		}
		// Not "1 of 2 nodes": while typing, the input's padding to the
		// screen's width pushes the count off the line.
		return contains(s, "/"+node, "enter apply filter")
	})
	m.keys("Enter")
	m.waitFor("the filter kept", time.Minute, func(s string) error {
		if err := cursorOn(s, node); err != nil {
			return err
		}
		return contains(s, fmt.Sprintf("filter %q: 1 of 2 nodes (esc clears)", node), "enter open")
	})
	m.keys("Enter")
	s = m.waitFor("the node view with the scheduler's pods", time.Minute, func(s string) error {
		return nodeScreen(c, s, node, claim)
	})
	head, rows := nodeViewParts(s)
	t.Logf("node view header:\n%s", strings.Join(head, "\n"))
	for _, r := range rows {
		t.Logf("node view pod: %s %s %s %s", r.name, r.request, r.phase, r.owner)
	}

	m.keys("Escape")
	m.waitFor("back on the filtered list, on the node", time.Minute, func(s string) error {
		if err := cursorOn(s, node); err != nil {
			return err
		}
		return contains(s, fmt.Sprintf("filter %q", node))
	})
	m.keys("Escape")
	m.waitFor("the filter cleared, still on the node", time.Minute, func(s string) error {
		if err := cursorOn(s, node); err != nil {
			return err
		}
		if l, ok := screenLine(s, "filter "); ok {
			return fmt.Errorf("the filter line is still shown: %q", l)
		}
		if _, ok := nodeLine(s, harness.LabNode); !ok {
			return fmt.Errorf("no %s row", harness.LabNode)
		}
		return summary(s, 2, "$0.075/hour")
	})

	// Open it again and scale down: Karpenter consolidates the node away
	// (~40 s) while its view is open.
	m.keys("Enter")
	m.waitFor("the node view again", time.Minute, func(s string) error {
		return nodeScreen(c, s, node, claim)
	})
	gone := time.Now()
	scale(t, c, 1)
	seen := map[string]bool{}
	m.waitFor("the node view saying the node is gone", 6*time.Minute, func(s string) error {
		if strings.Contains(s, "node "+node+" is gone") {
			return contains(s, "(deleted or no longer matches the selector)", "esc: back to the list")
		}
		head, rows := nodeViewParts(s)
		if len(head) == 0 {
			return fmt.Errorf("neither the node's view nor that it is gone")
		}
		h := strings.Join(head, "\n")
		if strings.Contains(h, "Deleting") {
			seen["deleting"] = true
		}
		if strings.Contains(s, "\nno pods") {
			seen["no pods"] = true
		}
		for _, r := range rows {
			if r.phase == "Terminating" {
				seen["terminating pod"] = true
			}
		}
		return fmt.Errorf("%s still shown", node)
	})
	t.Logf("the node went %s after the scale-down; seen on its view before: %v", time.Since(gone).Round(100*time.Millisecond), keys(seen))
	m.keys("Escape")
	m.waitFor("the list without the node, on the static node", time.Minute, func(s string) error {
		if _, l, ok := karpenterRow(s); ok {
			return fmt.Errorf("karpenter node still shown: %q", l)
		}
		if err := summary(s, 1, "$0.038/hour"); err != nil {
			return err
		}
		if err := podLine(s, 1, 0, 1, 1); err != nil {
			return err
		}
		return cursorOn(s, harness.LabNode)
	})
	lab.waitNoKarpenterNodes(time.Minute)
}

// holdLaunches sets the NodePool's cpu limit to 0 and returns a function
// putting the old limits back.
func (w *labWatch) holdLaunches() (restore func()) {
	w.t.Helper()
	ctx := context.Background()
	pools := w.dyn.Resource(harness.NodePoolResource)
	np, err := pools.Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	old, _, _ := unstructured.NestedFieldCopy(np.Object, "spec", "limits")
	patch := func(limits any) {
		w.t.Helper()
		b, err := json.Marshal(map[string]any{"spec": map[string]any{"limits": limits}})
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := pools.Patch(ctx, "default", types.MergePatchType, b, metav1.PatchOptions{}); err != nil {
			w.t.Fatalf("patch nodepool default: %v", err)
		}
		w.t.Logf("nodepool default: limits %s", b)
	}
	patch(map[string]any{"cpu": "0"})
	// Karpenter's informer has it long before the pods' first batch (1 s
	// idle) is scheduled; the pause only makes that certain.
	time.Sleep(time.Second)
	return func() { patch(old) }
}

// claimNode waits until the NodeClaim names its Node and that Node is
// Ready in the API.
func (w *labWatch) claimNode(claim string, timeout time.Duration) string {
	w.t.Helper()
	var node string
	eventually(w.t, timeout, "nodeclaim "+claim+" with a Ready node", func() error {
		nc, err := w.dyn.Resource(harness.NodeClaimResource).Get(context.Background(), claim, metav1.GetOptions{})
		if err != nil {
			return err
		}
		name, _, _ := unstructured.NestedString(nc.Object, "status", "nodeName")
		if name == "" {
			return fmt.Errorf("no status.nodeName yet")
		}
		n, err := w.c.Client().CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				node = name
				return nil
			}
		}
		return fmt.Errorf("node %s not Ready", name)
	})
	return node
}

// cursorOn checks that the node list's cursor row ("> ") is node's.
func cursorOn(s, node string) error {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "> ") {
			if strings.HasPrefix(l, "> "+node+" ") {
				return nil
			}
			return fmt.Errorf("the cursor is on %q, not %s", l, node)
		}
	}
	return fmt.Errorf("no cursor row")
}

// podLineCounts reads the pending count off the pod line.
func podLineCounts(s string) (pending int, ok bool) {
	for _, l := range strings.Split(s, "\n") {
		if m := podLineRe.FindStringSubmatch(l); m != nil {
			n, err := strconv.Atoi(m[2])
			return n, err == nil
		}
	}
	return 0, false
}

// unscheduledPods lists the non-terminal pods without a node, as
// namespace/name, sorted.
func unscheduledPods(c *harness.Cluster) ([]string, error) {
	pods, err := c.Client().CoreV1().Pods("").List(context.Background(), metav1.ListOptions{FieldSelector: "spec.nodeName="})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			out = append(out, p.Namespace+"/"+p.Name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// allUnschedulable checks that the scheduler has marked each pod
// (namespace/name) PodScheduled=False, Unschedulable.
func allUnschedulable(c *harness.Cluster, pods []string) error {
	for _, pod := range pods {
		ns, name, _ := strings.Cut(pod, "/")
		p, err := c.Client().CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		tried := false
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Reason == corev1.PodReasonUnschedulable {
				tried = true
			}
		}
		if !tried {
			return fmt.Errorf("the scheduler has not tried %s yet", pod)
		}
	}
	return nil
}

// schedulingMessages are the messages of the API's FailedScheduling events
// about a pod ("namespace/name").
func schedulingMessages(c *harness.Cluster, pod string) ([]string, error) {
	ns, name, _ := strings.Cut(pod, "/")
	evs, err := c.Client().CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + name + ",reason=FailedScheduling",
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range evs.Items {
		out = append(out, e.Message)
	}
	return out, nil
}

// waitEvents waits until the API has a FailedScheduling event for each pod.
func waitEvents(c *harness.Cluster, pods []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var missing []string
		for _, p := range pods {
			msgs, err := schedulingMessages(c, p)
			if err != nil || len(msgs) == 0 {
				missing = append(missing, p)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no FailedScheduling event in the API after %s for %s", timeout, strings.Join(missing, ", "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var pendingTitleRe = regexp.MustCompile(`^(\d+) pending pods?$`)

// pendingScreen checks the pending pods view: its count is the pod line's,
// it lists exactly the API's unscheduled pods with their 200m, and a
// scheduler message is one of the pod's FailedScheduling events (once the
// API has one).
func pendingScreen(c *harness.Cluster, s string, want int) error {
	first, _, _ := strings.Cut(s, "\n")
	m := pendingTitleRe.FindStringSubmatch(first)
	if m == nil {
		return fmt.Errorf("title %q", first)
	}
	if m[1] != strconv.Itoa(want) {
		return fmt.Errorf("title %q, the pod line said %d pending", first, want)
	}
	api, err := unscheduledPods(c)
	if err != nil {
		return err
	}
	rows := pendingRows(s)
	var names []string
	for _, r := range rows {
		names = append(names, r.name)
		if !strings.HasPrefix(r.name, harness.LabNamespace+"/"+harness.LabDeployment+"-") {
			return fmt.Errorf("pending row %q is not a fastapi pod", r.name)
		}
		if r.request != "200m" {
			return fmt.Errorf("pending row %s requests %q, want 200m", r.name, r.request)
		}
		msgs, err := schedulingMessages(c, r.name)
		if err != nil {
			return err
		}
		if err := schedulerShows(r.scheduler, msgs); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, api) {
		return fmt.Errorf("pending view lists %v, the API %v", names, api)
	}
	return nil
}

// schedulerShows checks the SCHEDULER cell against the API's messages: "-"
// while there are none, else one of them as the view says it ("0/2 nodes
// are available: " as "0/2 nodes: "), or a reason shortened from one
// ("Insufficient cpu"), possibly cut with "…".
func schedulerShows(cell string, msgs []string) error {
	if len(msgs) == 0 {
		if cell != "-" {
			return fmt.Errorf("scheduler %q, but the API has no FailedScheduling event", cell)
		}
		return nil
	}
	prefix, cut := strings.CutSuffix(cell, "…")
	for _, msg := range msgs {
		if cell != "-" && reasonsOf(msg, prefix) {
			return nil // the shortened reasons
		}
		msg = strings.ReplaceAll(msg, " nodes are available: ", " nodes: ")
		if msg == cell || cut && strings.HasPrefix(msg, prefix) {
			return nil
		}
	}
	return fmt.Errorf("scheduler %q is none of the API's FailedScheduling messages %q", cell, msgs)
}

// reasonsOf reports whether each of the comma-separated reasons is in msg
// ("Insufficient cpu, untolerated taint").
func reasonsOf(msg, reasons string) bool {
	for _, r := range strings.Split(reasons, ", ") {
		if r = strings.TrimSpace(r); r == "" || !strings.Contains(msg, r) {
			return false
		}
	}
	return true
}

type pendingRow struct{ name, waiting, request, scheduler string }

// pendingRows parses the pending view's table (a cursor column, then POD
// WAITING CPU SCHEDULER and, when Karpenter said something, KARPENTER).
func pendingRows(s string) []pendingRow {
	lines := strings.Split(s, "\n")
	var out []pendingRow
	sched, karp := -1, -1
	for _, l := range lines {
		if sched < 0 {
			if strings.HasPrefix(strings.TrimPrefix(l, "  "), "POD ") {
				sched = strings.Index(l, "SCHEDULER") // the header is ASCII
				karp = strings.Index(l, "KARPENTER")
			}
			continue
		}
		f := strings.Fields(strings.TrimPrefix(l, "> "))
		if len(f) < 3 || !strings.Contains(f[0], "/") {
			break
		}
		r := pendingRow{name: f[0], waiting: f[1], request: f[2]}
		if rs := []rune(l); sched >= 0 && sched < len(rs) {
			end := len(rs)
			if karp > sched && karp < end {
				end = karp
			}
			r.scheduler = strings.TrimSpace(string(rs[sched:end]))
		}
		out = append(out, r)
	}
	return out
}

type nodePodRow struct{ name, request, phase, owner string }

// nodeViewParts splits the node view into its header lines (above the pod
// table) and its pod rows; no header when the screen is not a node view.
func nodeViewParts(s string) (head []string, rows []nodePodRow) {
	lines := strings.Split(s, "\n")
	i := 0
	for ; i < len(lines) && lines[i] != ""; i++ {
		head = append(head, lines[i])
	}
	if len(head) < 2 || !strings.HasPrefix(head[1], "nodepool ") {
		return nil, nil
	}
	for i++; i < len(lines) && !strings.HasPrefix(lines[i], "POD"); i++ {
	}
	for i++; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) > 1 && f[1] == "(ds)" {
			f = append(f[:1], f[2:]...)
		}
		if len(f) < 4 || !strings.Contains(f[0], "/") {
			break
		}
		r := nodePodRow{name: f[0], request: f[1], owner: f[len(f)-1]}
		for _, p := range f[2:] {
			if p == "Running" || p == "Pending" || p == "Terminating" {
				r.phase = p
			}
		}
		rows = append(rows, r)
	}
	return head, rows
}

// nodeScreen checks the node view of node against the API: the header's
// facts, its NodeClaim and NodePool, and exactly the pods bound to it with
// their requests, phases and owners.
func nodeScreen(c *harness.Cluster, s, node, claim string) error {
	head, rows := nodeViewParts(s)
	if len(head) == 0 {
		return fmt.Errorf("not a node view")
	}
	ctx := context.Background()
	n, err := c.Client().CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return err
	}
	h := strings.Join(head, "\n")
	if !strings.HasPrefix(head[0], node+"  ") {
		return fmt.Errorf("header %q does not start with %s", head[0], node)
	}
	zone := n.Labels["topology.kubernetes.io/zone"]
	if err := contains(h, "t3a.medium", "  "+zone+"  ", "On-Demand", "$0.0376/hour", "  Ready",
		fmt.Sprintf("nodepool %s · nodeclaim %s", n.Labels["karpenter.sh/nodepool"], claim)); err != nil {
		return err
	}
	pods, err := c.Client().CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return err
	}
	want := map[string]nodePodRow{}
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		r := nodePodRow{name: p.Namespace + "/" + p.Name, phase: string(p.Status.Phase), owner: "-"}
		if p.DeletionTimestamp != nil {
			r.phase = "Terminating"
		}
		cpu := resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})[corev1.ResourceCPU]
		r.request = fmt.Sprintf("%dm", cpu.MilliValue())
		if ref := metav1.GetControllerOf(p); ref != nil {
			r.owner = ref.Kind + "/" + ref.Name
		}
		want[r.name] = r
	}
	if len(want) == 0 {
		return fmt.Errorf("the API has no pods on %s yet", node)
	}
	if !regexp.MustCompile(fmt.Sprintf(`pods %d(/\d+)?\b`, len(want))).MatchString(h) {
		return fmt.Errorf("header lacks \"pods %d\": %q", len(want), h)
	}
	got := map[string]nodePodRow{}
	for _, r := range rows {
		got[r.name] = r
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			return fmt.Errorf("node view lacks %s (has %v)", name, keysOf(got))
		}
		if g != w {
			return fmt.Errorf("node view row %+v, the API says %+v", g, w)
		}
		if w.request != "200m" || !strings.HasPrefix(w.owner, "ReplicaSet/"+harness.LabDeployment+"-") {
			return fmt.Errorf("the API's pod %+v is not a 200m fastapi replica", w)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("node view lists %v, the API %v", keysOf(got), keysOf(want))
	}
	return nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

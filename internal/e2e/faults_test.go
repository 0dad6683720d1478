//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestStaleWhileTheAPIServerIsCut runs the viewer through a TCP proxy and
// cuts it for 30 s: the first line says STALE with the reason within 5 s;
// nodes added and removed and pods changed meanwhile (by the admin, not
// through the proxy) are on screen once the proxy is back, the mark gone and
// the summary equal to the API's objects; the log says "connection
// failing" and "connection recovered" once per resource, not per retry.
func TestStaleWhileTheAPIServerIsCut(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := nodeClaimAPI(t, ctx, c)
	for i := 1; i <= 3; i++ {
		a.node(readyNode(fmt.Sprintf("cut-node-%d", i), "t3a.medium", "1930m", "3388Mi"))
	}
	for i, cpu := range []string{"200m", "300m", "250m", "400m", "150m"} {
		a.pod(boundPod("default", fmt.Sprintf("web-%d", i+1), fmt.Sprintf("cut-node-%d", i%3+1), cpu))
	}

	p := startProxy(t, c.Server)
	kc, err := c.KubeconfigVia("proxy", p.URL())
	if err != nil {
		t.Fatal(err)
	}
	m := startViewer(t, "--kubeconfig", kc, "--disable-pricing")
	before := m.waitFor("three nodes, five pods, as the API has them", time.Minute, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		if l := firstLine(s); strings.HasPrefix(l, "STALE") {
			return fmt.Errorf("stale before any cut: %q", l)
		}
		return a.summaryAgrees(s)
	})
	beforeSummary, _ := screenLine(before, "3 nodes")

	// Cut: the watches' connections close, every reconnect is refused.
	p.cut()
	cutAt := time.Now()
	s := m.waitFor("STALE with the reason on the first line", 5*time.Second, func(s string) error {
		l := firstLine(s)
		if !strings.HasPrefix(l, "STALE ") {
			return fmt.Errorf("first line %q does not start with STALE", l)
		}
		if !regexp.MustCompile(`^STALE \d+:\d\d · API server (unreachable \(connection refused\)|connection reset), retrying`).MatchString(l) {
			return fmt.Errorf("first line %q lacks the reason (refused or reset)", l)
		}
		return nil
	})
	t.Logf("stale %s after the cut: %q", time.Since(cutAt).Round(100*time.Millisecond), firstLine(s))

	// Meanwhile, straight to the API server: two nodes join, one leaves
	// with its pods, pods come and go.
	a.node(readyNode("cut-node-4", "t3a.medium", "1930m", "3388Mi"))
	a.node(readyNode("cut-node-5", "m5.large", "1930m", "7200Mi"))
	for _, name := range []string{"web-1", "web-4"} { // cut-node-1's
		a.deletePod("default", name)
	}
	if err := a.kube.CoreV1().Nodes().Delete(ctx, "cut-node-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	a.deletePod("default", "web-2")
	a.pod(boundPod("default", "web-6", "cut-node-4", "500m"))
	a.pod(boundPod("default", "web-7", "cut-node-5", "700m"))
	a.pod(boundPod("default", "web-8", "cut-node-3", "100m"))
	a.pod(boundPod("default", "web-9", "", "300m")) // pending
	if err := a.summaryAgrees(before); err == nil {
		t.Fatal("the changes made while cut leave the summary as it was: they test nothing")
	}

	// Still cut 25 s on: still marked, the clock running, the data as last seen.
	time.Sleep(time.Until(cutAt.Add(25 * time.Second)))
	s = m.capture()
	if l := firstLine(s); !regexp.MustCompile(`^STALE 0:(2\d|3\d) · `).MatchString(l) {
		t.Errorf("25 s into the cut the first line is %q, want STALE 0:2x", l)
	}
	if l, ok := screenLine(s, "3 nodes"); !ok || l != beforeSummary {
		t.Errorf("while cut the summary changed from %q to %q", beforeSummary, l)
	}
	time.Sleep(time.Until(cutAt.Add(30 * time.Second)))

	p.restore()
	restoredAt := time.Now()
	// The reflectors back off up to [30, 60) s between retries, so the last
	// informer may take that long to try again after the restore.
	s = m.waitFor("the mark gone, the summary equal to the API's objects", 90*time.Second, func(s string) error {
		if l := firstLine(s); strings.HasPrefix(l, "STALE") {
			return fmt.Errorf("still stale: %q", l)
		}
		return a.summaryAgrees(s)
	})
	t.Logf("recovered %s after the restore:\n%s", time.Since(restoredAt).Round(100*time.Millisecond), head(s, 8))
	for _, n := range []string{"cut-node-4", "cut-node-5"} {
		if _, ok := nodeLine(s, n); !ok {
			t.Errorf("no %s row after the restore", n)
		}
	}
	if _, ok := nodeLine(s, "cut-node-1"); ok {
		t.Errorf("cut-node-1 was deleted while cut but is still listed")
	}

	// One failing and one recovered line per resource, however many retries.
	time.Sleep(time.Second) // the log is written as it happens; let the last line land
	failing, recovered := connectionLog(t, m.logFile)
	t.Logf("log: connection failing %v, connection recovered %v", failing, recovered)
	for _, res := range []string{"nodes", "pods"} {
		if failing[res] == 0 {
			t.Errorf("no \"connection failing\" line for %s", res)
		}
	}
	for res, n := range failing {
		if n != 1 || recovered[res] != 1 {
			t.Errorf("%s: %d \"connection failing\" and %d \"connection recovered\" lines, want 1 and 1", res, n, recovered[res])
		}
	}
	for res := range recovered {
		if failing[res] == 0 {
			t.Errorf("%s recovered without failing", res)
		}
	}
	t.Logf("the proxy accepted %d connections", p.connections())
}

// TestCredentialsRejectedMidSession runs the viewer with a ServiceAccount
// token, deletes the ServiceAccount (its tokens are rejected from then on)
// and drops the connections so that the watches ask again: the banner names
// the credentials, and the token is nowhere in the log.
func TestCredentialsRejectedMidSession(t *testing.T) {
	v := startSAViewer(t, "sa-viewer")
	ctx := context.Background()
	if err := v.c.Client().CoreV1().ServiceAccounts("default").Delete(ctx, v.name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the API server rejects the token", func() error {
		if err := v.direct(); !apierrors.IsUnauthorized(err) {
			return fmt.Errorf("a list with the token: %v, want 401", err)
		}
		return nil
	})
	dropped := v.p.dropConns()
	at := time.Now()
	s := v.m.waitFor("the credentials reason on the first line", 15*time.Second, func(s string) error {
		l := firstLine(s)
		if !strings.HasPrefix(l, "STALE ") {
			return fmt.Errorf("first line %q does not start with STALE", l)
		}
		return contains(l, "credentials expired or rejected (401)")
	})
	t.Logf("%d connections dropped; %s later: %q", dropped, time.Since(at).Round(100*time.Millisecond), firstLine(s))
	v.checkLog(t, "credentials expired or rejected (401)")
}

// TestForbiddenMidSession is TestCredentialsRejectedMidSession with the
// ClusterRoleBinding deleted instead: the banner says what is forbidden.
func TestForbiddenMidSession(t *testing.T) {
	v := startSAViewer(t, "rbac-viewer")
	ctx := context.Background()
	if err := v.c.Client().RbacV1().ClusterRoleBindings().Delete(ctx, v.name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the API server forbids the list", func() error {
		if err := v.direct(); !apierrors.IsForbidden(err) {
			return fmt.Errorf("a list with the token: %v, want 403", err)
		}
		return nil
	})
	dropped := v.p.dropConns()
	at := time.Now()
	reason := regexp.MustCompile(`forbidden: needs get, list, watch on (nodes|pods|events|nodeclaims)\b`)
	s := v.m.waitFor("forbidden on the first line", 15*time.Second, func(s string) error {
		l := firstLine(s)
		if !strings.HasPrefix(l, "STALE ") {
			return fmt.Errorf("first line %q does not start with STALE", l)
		}
		if !reason.MatchString(l) {
			return fmt.Errorf("first line %q lacks %q", l, reason)
		}
		return nil
	})
	t.Logf("%d connections dropped; %s later: %q", dropped, time.Since(at).Round(100*time.Millisecond), firstLine(s))
	v.checkLog(t, "forbidden: needs get, list, watch on")
}

// TestEscapeSequencesDoNotReachTheTerminal puts escape sequences where
// anyone who may annotate a pod or write an event or a NodeClaim's status
// can: a Fargate pod's CapacityProvisioned annotation, an event message, a
// NodeClaim's status.nodeName. They set the pane title (OSC 0), clear the
// screen (CSI 2J) and write the clipboard (OSC 52, which tmux turns into a
// paste buffer with set-clipboard on). The pane's title stays, no buffer
// appears and the screen keeps its summary, on the list, the node's view
// and the pending view.
func TestEscapeSequencesDoNotReachTheTerminal(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := nodeClaimAPI(t, ctx, c)
	a.node(readyNode("esc-node-1", "t3a.medium", "1930m", "3388Mi"))
	a.pod(boundPod("default", "plain", "esc-node-1", "200m"))

	m := startViewer(t, "--kubeconfig", c.Kubeconfig, "--disable-pricing")
	m.waitFor("the plain node", time.Minute, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		if _, ok := nodeLine(s, "esc-node-1"); !ok {
			return fmt.Errorf("no esc-node-1 row")
		}
		return summary(s, 1, "")
	})
	m.tmux("set-option", "-g", "set-clipboard", "on")
	m.tmux("select-pane", "-t", "v", "-T", "known")
	m.noLeak(t, "before the objects exist")
	m.canary(t)

	const evil = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07"
	fargate := readyNode("fargate-ip-10-0-1-7.ec2.internal", "", "2", "4Gi")
	fargate.Labels = map[string]string{
		"eks.amazonaws.com/compute-type": "fargate",
		"topology.kubernetes.io/zone":    "us-east-1a",
		"topology.kubernetes.io/region":  "us-east-1",
	}
	fargate.Spec.ProviderID = ""
	a.node(fargate)
	pod := boundPod("default", "fargate-web", fargate.Name, "250m")
	pod.Annotations = map[string]string{"CapacityProvisioned": "0.25vCPU 0.5GB" + evil}
	a.pod(pod)
	a.pod(boundPod("default", "waiting", "", "300m"))
	now := metav1.Now()
	for _, e := range []*corev1.Event{{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "default", Name: "evil-launched"},
		InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: fargate.Name},
		// Unconsolidatable makes a line of the activity (the status lines
		// show the activity, not raw events).
		Reason: "Unconsolidatable", Message: "cannot" + evil + " evil-event", Type: corev1.EventTypeNormal,
		Source: corev1.EventSource{Component: "karpenter"}, FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, {
		ObjectMeta:     metav1.ObjectMeta{Namespace: "default", Name: "evil-scheduling"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "waiting"},
		Reason:         "FailedScheduling", Message: "0/2 nodes are available: " + evil + " evil-scheduling", Type: corev1.EventTypeWarning,
		Source: corev1.EventSource{Component: "default-scheduler"}, FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}} {
		if _, err := a.kube.CoreV1().Events("default").Create(ctx, e, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// A newline would put text of the attacker's on a line of its own.
	a.claim("evil-claim", "evil-claim-node"+evil+"\nSPOOFED", "")

	list := m.waitFor("the Fargate node, the evil claim and the event on the list", time.Minute, func(s string) error {
		if _, ok := nodeLine(s, fargate.Name); !ok {
			return fmt.Errorf("no %s row", fargate.Name)
		}
		if !strings.Contains(s, "evil-claim-node") {
			return fmt.Errorf("no evil-claim-node row")
		}
		if err := notSpoofed(s); err != nil {
			return err
		}
		if !strings.Contains(s, "evil-event") {
			return fmt.Errorf("no evil event line")
		}
		if _, ok := nodeLine(s, "esc-node-1"); !ok {
			return fmt.Errorf("no esc-node-1 row (screen cleared?)")
		}
		return summary(s, 3, "")
	})
	l, _ := nodeLine(list, fargate.Name)
	t.Logf("fargate row: %q", l)
	time.Sleep(time.Second) // any redraw after the objects arrived has happened
	m.noLeak(t, "on the list")
	m.summaryStays(t, 3)
	if err := notSpoofed(m.capture()); err != nil {
		t.Error(err)
	}

	m.keys("/")
	m.typeText("fargate-ip")
	m.waitFor("the filter on the Fargate node", time.Minute, func(s string) error { return cursorOn(s, fargate.Name) })
	m.keys("Enter")
	m.waitFor("the filter kept", time.Minute, func(s string) error { return cursorOn(s, fargate.Name) })
	m.keys("Enter")
	node := m.waitFor("the Fargate node's view", time.Minute, func(s string) error {
		if err := contains(s, fargate.Name, "default/fargate-web"); err != nil {
			return err
		}
		if _, ok := nodeLine(s, "esc-node-1"); ok {
			return fmt.Errorf("still the list")
		}
		return nil
	})
	t.Logf("node view:\n%s", head(node, 12))
	time.Sleep(time.Second)
	m.noLeak(t, "on the node view")
	if s := m.capture(); !strings.Contains(s, "default/fargate-web") || !strings.Contains(s, fargate.Name) {
		t.Errorf("the node view lost its lines (screen cleared?):\n%s", s)
	}

	m.keys("Escape")
	m.keys("Escape")
	m.waitFor("back on the unfiltered list", time.Minute, func(s string) error {
		if _, ok := nodeLine(s, "esc-node-1"); !ok {
			return fmt.Errorf("no esc-node-1 row")
		}
		return summary(s, 3, "")
	})
	m.keys("p")
	pending := m.waitFor("the pending view with the scheduler's message", time.Minute, func(s string) error {
		return contains(s, "default/waiting", "evil-scheduling")
	})
	t.Logf("pending view:\n%s", head(pending, 8))
	time.Sleep(time.Second)
	m.noLeak(t, "on the pending view")
	m.keys("Escape")
	m.summaryStays(t, 3)
	m.noLeak(t, "at the end")
}

// summaryAgrees checks the screen's summary (node count, cpu pair) and pod
// line against the objects listed from the API.
func (a *api) summaryAgrees(s string) error {
	want, err := a.expected()
	if err != nil {
		return err
	}
	nodes, cpu, ok := summaryParts(s)
	if !ok {
		return fmt.Errorf("no summary line")
	}
	if nodes != len(want.Rows) {
		return fmt.Errorf("summary shows %d nodes, the API has %d", nodes, len(want.Rows))
	}
	if w := cpuPair(want.Totals[0].Used, want.Totals[0].Allocatable); cpu != w {
		return fmt.Errorf("summary cpu %q, the API's objects give %q", cpu, w)
	}
	return podLine(s, want.Total, want.Pending, want.Running, want.Bound)
}

var summaryCPURe = regexp.MustCompile(`^(\d+) nodes? \(\s*([^)]*)\)\s+[\d.]+% cpu`)

// summaryParts reads the node count and the cpu pair off the summary line.
func summaryParts(s string) (nodes int, cpu string, ok bool) {
	for _, l := range strings.Split(s, "\n") {
		if m := summaryCPURe.FindStringSubmatch(l); m != nil {
			_, err := fmt.Sscan(m[1], &nodes)
			return nodes, m[2], err == nil
		}
	}
	return 0, "", false
}

// cpuPair is the summary's "1800m/3560m" (the tests stay under 10 cores,
// where the viewer switches to "12.5/20 cores").
func cpuPair(used, alloc int64) string {
	if max(used, alloc) >= 10_000 {
		return fmt.Sprintf("(%dm/%dm: over 10 cores, not formatted by this test)", used, alloc)
	}
	return fmt.Sprintf("%dm/%dm", used, alloc)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func head(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// connectionLog counts the log's "connection failing" and "connection
// recovered" lines per resource.
func connectionLog(t *testing.T, path string) (failing, recovered map[string]int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	failing, recovered = map[string]int{}, map[string]int{}
	res := regexp.MustCompile(`\bresource=(\S+)`)
	for _, l := range strings.Split(string(b), "\n") {
		m := res.FindStringSubmatch(l)
		switch {
		case m == nil:
		case strings.Contains(l, `msg="connection failing"`):
			failing[m[1]]++
		case strings.Contains(l, `msg="connection recovered"`):
			recovered[m[1]]++
		}
	}
	return failing, recovered
}

// saViewer is the viewer running as a ServiceAccount with read rights,
// through a proxy, its first screen complete.
type saViewer struct {
	c     *harness.Cluster
	p     *proxy
	m     *term
	name  string // of the ServiceAccount, its ClusterRole and binding
	token string
}

func startSAViewer(t *testing.T, name string) *saViewer {
	t.Helper()
	c := startCluster(t, harness.SizeAPIServer)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := nodeClaimAPI(t, ctx, c)
	a.node(readyNode(name+"-1", "t3a.medium", "1930m", "3388Mi"))
	a.node(readyNode(name+"-2", "t3a.medium", "1930m", "3388Mi"))
	a.pod(boundPod("default", "web-1", name+"-1", "250m"))
	a.pod(boundPod("default", "web-2", name+"-2", "500m"))

	kube := c.Client()
	if _, err := kube.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	read := []string{"get", "list", "watch"}
	if _, err := kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"nodes", "pods", "events"}, Verbs: read},
		{APIGroups: []string{"karpenter.sh"}, Resources: []string{"nodeclaims"}, Verbs: read},
	}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "default", Name: name}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := c.CreateToken(ctx, "default", name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v := &saViewer{c: c, p: startProxy(t, c.Server), name: name, token: token}
	eventually(t, 30*time.Second, "the token may list nodes", v.direct)
	kc, err := c.TokenKubeconfig(name, v.p.URL(), token)
	if err != nil {
		t.Fatal(err)
	}
	v.m = startViewer(t, "--kubeconfig", kc, "--disable-pricing")
	v.m.waitFor("two nodes, two pods, nothing stale or forbidden", time.Minute, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		if l := firstLine(s); strings.HasPrefix(l, "STALE") {
			return fmt.Errorf("stale already: %q", l)
		}
		if strings.Contains(strings.ToLower(s), "forbidden") {
			return fmt.Errorf("a forbidden note on screen")
		}
		return a.summaryAgrees(s)
	})
	return v
}

// direct lists nodes with the token straight from the API server.
func (v *saViewer) direct() error {
	kc, err := v.c.TokenKubeconfig(v.name+"-direct", "", v.token)
	if err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	_, err = kube.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{Limit: 1})
	return err
}

// checkLog: each failing resource is logged once, with the reason, and the
// token never.
func (v *saViewer) checkLog(t *testing.T, reason string) {
	t.Helper()
	time.Sleep(time.Second)
	b, err := os.ReadFile(v.m.logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if strings.Contains(log, v.token) {
		t.Errorf("the token is in the log file %s", v.m.logFile)
	}
	if !strings.Contains(log, reason) {
		t.Errorf("the log lacks %q", reason)
	}
	failing, recovered := connectionLog(t, v.m.logFile)
	t.Logf("log: connection failing %v, connection recovered %v", failing, recovered)
	for r, n := range failing {
		if n != 1 {
			t.Errorf("%s: %d \"connection failing\" lines, want 1", r, n)
		}
	}
	if len(failing) == 0 {
		t.Errorf("no \"connection failing\" line in the log")
	}
	if len(recovered) > 0 {
		t.Errorf("recovered without new rights: %v", recovered)
	}
}

// tmux runs a tmux command on the viewer's server and returns its output.
func (m *term) tmux(args ...string) string {
	m.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", m.sock}, args...)...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

// noLeak checks the viewer's pane title is still "known" and no paste
// buffer exists.
func (m *term) noLeak(t *testing.T, when string) {
	t.Helper()
	if title := m.tmux("display-message", "-p", "-t", "v", "#{pane_title}"); title != "known" {
		t.Errorf("%s: the pane title is %q, want %q: an OSC 0 from the cluster reached the terminal", when, title, "known")
	}
	if bufs := m.tmux("list-buffers"); bufs != "" {
		t.Errorf("%s: tmux has paste buffers (OSC 52 from the cluster reached the terminal): %s", when, bufs)
	}
}

// canary proves the checks can fail: the same sequences written raw in
// another pane of this tmux server change that pane's title and make a
// paste buffer.
func (m *term) canary(t *testing.T) {
	t.Helper()
	m.tmux("new-window", "-d", "-n", "canary", `printf '\033]0;pwned\007\033]52;c;cHduZWQ=\007'; sleep 60`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		title := m.tmux("display-message", "-p", "-t", "v:canary", "#{pane_title}")
		bufs := m.tmux("list-buffers")
		if title == "pwned" && strings.Contains(bufs, "pwned") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("canary: raw sequences in a pane give title %q and buffers %q: the checks could not see a leak", title, bufs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.tmux("kill-window", "-t", "v:canary")
	for m.tmux("list-buffers") != "" {
		m.tmux("delete-buffer")
	}
	t.Logf("canary: raw OSC 0 and OSC 52 in a pane change its title and make a paste buffer")
}

// notSpoofed fails when the text after the newline in the NodeClaim's
// status.nodeName got a line of its own.
func notSpoofed(s string) error {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "SPOOFED") && !strings.Contains(l, "evil-claim-node") {
			return fmt.Errorf("a NodeClaim's nodeName drew a line of its own: %q", l)
		}
	}
	return nil
}

// summaryStays checks that the list view still shows its summary line (a
// CSI 2J reaching the terminal would blank the lines the renderer does
// not redraw).
func (m *term) summaryStays(t *testing.T, nodes int) {
	t.Helper()
	m.waitFor("the summary still on screen", 10*time.Second, func(s string) error {
		if err := summary(s, nodes, ""); err != nil {
			return err
		}
		if !slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool { return podLineRe.MatchString(l) }) {
			return fmt.Errorf("no pod line")
		}
		return nil
	})
}

//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// TestFleet runs the viewer on two local clusters at once (issue 15): `lab`
// (Karpenter, seeded with the workshop lab) and `other` (an API server with
// three nodes in another region, of other instance types), priced by the
// local AWS server. The fleet line sums the clusters' nodes, cpu and $/hour
// as each cluster alone reports them (-o json --context X); there is one
// block per cluster, titled by context and API server. Stopping other's API
// server marks its block stale within 5 s while the lab's block keeps
// following the lab. -o json with both contexts prints one FleetSnapshot
// whose fleet totals are the sums.
func TestFleet(t *testing.T) {
	fl := startFleetLab(t)
	lab, other := fl.contextDoc(t, "lab"), fl.contextDoc(t, "other")
	// The other cluster is priced in its own region (eu-west-1's prices
	// differ from us-east-1's for the same types).
	if h := lab.Summary.PricePerHour; h == nil || !nearly(*h, labHourly) {
		t.Fatalf("lab alone: %v/hour, want %.4f (t3a.medium + t3a.large, us-east-1)", deref2(h), labHourly)
	}
	if h := other.Summary.PricePerHour; h == nil || !nearly(*h, otherHourly) {
		t.Fatalf("other alone: %v/hour, want %.4f (2 m5.large + c5.large, eu-west-1)", deref2(h), otherHourly)
	}
	for name, d := range map[string]*output.Document{"lab": lab, "other": other} {
		if d.Summary.LowerBound || d.Summary.EstimatedNodes > 0 {
			t.Fatalf("%s alone: lower bound %v, %d estimated nodes; want every price live", name, d.Summary.LowerBound, d.Summary.EstimatedNodes)
		}
	}
	figs := []figures{docFigures(t, lab), docFigures(t, other)}
	sum := sumFigures(figs...)
	t.Logf("lab alone: %s; other alone: %s; sum: %s", figs[0], figs[1], sum)

	t.Run("json lists both with the fleet totals", func(t *testing.T) {
		r := runOutputEnv(t, 90*time.Second, fl.env, "-o", "json", "--kubeconfig", fl.Kubeconfig, "--context", "lab,other", "--timeout", "60s")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
		}
		doc, _ := outputSchemas(t)
		validateJSON(t, doc, r.stdout)
		var d fleetDocument
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatal(err)
		}
		if err := d.agrees(fl, sum, figs); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		t.Logf("FleetSnapshot: %d clusters, %d nodes, %.4f/hour", d.Fleet.Clusters, d.Fleet.Nodes, deref2(d.Fleet.Hourly))
	})

	m := startViewerEnv(t, fl.env, "--kubeconfig", fl.Kubeconfig, "--context", "lab,other")
	s := m.waitFor("the fleet line with the sums, a block per cluster", 90*time.Second, func(s string) error {
		f, err := parseFleet(s)
		if err != nil {
			return err
		}
		if err := f.line.is(2, 2, 0, sum); err != nil {
			return err
		}
		if names := f.contexts(); !slices.Equal(names, []string{"lab", "other"}) {
			return fmt.Errorf("blocks %v, want [lab other] in that order", names)
		}
		for i, name := range []string{"lab", "other"} {
			if err := f.block(name).is(fl.Cluster(name).Server, "ok", figs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	t.Logf("fleet screen:\n%s", head(s, 12))

	// other's API server goes: its block says stale, the lab's stays ok.
	stopAt := time.Now()
	if err := fl.other.StopComponent(harness.BinAPIServer); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	t.Logf("other's API server stopped in %s", stopped.Sub(stopAt).Round(10*time.Millisecond))
	s = m.waitFor("other's block stale, the lab's ok", 5*time.Second, func(s string) error {
		f, err := parseFleet(s)
		if err != nil {
			return err
		}
		if b := f.block("other"); b == nil || !staleState.MatchString(b.state) {
			return fmt.Errorf("other's block is not stale: %+v", b)
		}
		if b := f.block("lab"); b == nil || !stateIs(b.state, "ok") {
			return fmt.Errorf("lab's block is not ok: %+v", b)
		}
		return f.line.states(2, 1, 1)
	})
	t.Logf("stale %s after other's API server exited:\n%s", time.Since(stopped).Round(100*time.Millisecond), head(s, 12))
	if f, _ := parseFleet(s); !f.line.lowerBound {
		t.Errorf("with a cluster stale the fleet's cost is not marked a lower bound: %q", f.line.text)
	}

	// The lab moves on: one more replica. Its block follows, as the lab
	// alone reports it, while other's stays stale.
	scale(t, fl.lab, 2)
	var moved *output.Document
	eventually(t, 60*time.Second, "the lab alone reports the new pod", func() error {
		d := fl.contextDoc(t, "lab")
		if d.Pods.Total != lab.Pods.Total+1 || d.Pods.Running != lab.Pods.Running+1 {
			return fmt.Errorf("lab pods %+v, want %d total, %d running", d.Pods, lab.Pods.Total+1, lab.Pods.Running+1)
		}
		moved = d
		return nil
	})
	after := docFigures(t, moved)
	if after.cpu == figs[0].cpu {
		t.Fatalf("the new pod left the lab's cpu at %v: it tests nothing", after.cpu)
	}
	s = m.waitFor("the lab's block with the new pod, other's still stale", 60*time.Second, func(s string) error {
		f, err := parseFleet(s)
		if err != nil {
			return err
		}
		if err := f.block("lab").is(fl.lab.Server, "ok", after); err != nil {
			return err
		}
		if b := f.block("other"); b == nil || !staleState.MatchString(b.state) {
			return fmt.Errorf("other's block is not stale: %+v", b)
		}
		return f.line.states(2, 1, 1)
	})
	t.Logf("the lab moved on (%s):\n%s", after, head(s, 12))
}

// TestFleetClusters checks the harness's fleet: two clusters, each its own
// etcd and API server, one kubeconfig with a context per cluster that
// client-go, kubectl (when installed) and the viewer (-o json --context)
// all follow; stopping one API server leaves the other cluster answering.
func TestFleetClusters(t *testing.T) {
	fl := startFleet(t,
		harness.FleetMember{Context: "lab", Options: harness.Options{Size: harness.SizeAPIServer}},
		harness.FleetMember{Context: "other", Options: harness.Options{Size: harness.SizeAPIServer}})
	ctx := context.Background()
	lab, other := fl.Cluster("lab"), fl.Cluster("other")
	if lab.Server == other.Server || lab.Dir == other.Dir {
		t.Fatalf("the clusters share a server (%s, %s) or a directory (%s, %s)", lab.Server, other.Server, lab.Dir, other.Dir)
	}
	for _, name := range fl.Contexts {
		kube, err := fl.Client(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kube.CoreV1().Nodes().Create(ctx, readyNode("only-in-"+name, "m5.large", "2", "8Gi"), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create a node through context %s: %v", name, err)
		}
	}
	for _, name := range fl.Contexts {
		// Through each cluster's own kubeconfig: each has only its node.
		nodes, err := fl.Cluster(name).Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes.Items) != 1 || nodes.Items[0].Name != "only-in-"+name {
			t.Errorf("cluster %s has %d nodes (%v), want only only-in-%s", name, len(nodes.Items), nodeNames(nodes.Items), name)
		}
		if kubectl, err := exec.LookPath("kubectl"); err == nil {
			out, err := exec.Command(kubectl, "--kubeconfig", fl.Kubeconfig, "--context", name, "get", "nodes", "-o", "name").CombinedOutput()
			if got := strings.TrimSpace(string(out)); err != nil || got != "node/only-in-"+name {
				t.Errorf("kubectl --context %s get nodes: %q, %v", name, got, err)
			}
		} else {
			t.Logf("no kubectl: the contexts are checked through client-go and the viewer only")
		}
		r := runOutput(t, 60*time.Second, "-o", "json", "--disable-pricing", "--kubeconfig", fl.Kubeconfig, "--context", name, "--timeout", "30s")
		var d output.Document
		if r.code != 0 {
			t.Fatalf("viewer -o json --context %s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Nodes) != 1 || d.Nodes[0].Name != "only-in-"+name {
			t.Errorf("viewer -o json --context %s: %d nodes, want only only-in-%s", name, len(d.Nodes), name)
		}
	}

	stopAt := time.Now()
	if err := other.StopComponent(harness.BinAPIServer); err != nil {
		t.Fatal(err)
	}
	t.Logf("other's API server stopped in %s", time.Since(stopAt).Round(10*time.Millisecond))
	if dead := other.Dead(); !slices.Equal(dead, []string{harness.BinAPIServer}) {
		t.Errorf("after stopping other's API server, dead components %v, want only it", dead)
	}
	otherKube, err := fl.Client("other")
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := otherKube.CoreV1().Nodes().List(cctx, metav1.ListOptions{}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("other's API after its stop: %v, want connection refused", err)
	}
	labKube, err := fl.Client("lab")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := labKube.CoreV1().Nodes().Get(ctx, "only-in-lab", metav1.GetOptions{}); err != nil {
		t.Errorf("lab's API after other's stop: %v", err)
	}
}

func nodeNames(ns []corev1.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

// The fleet of TestFleet's prices, from testdata/aws.
const (
	labHourly   = 0.0376 + 0.0752          // t3a.medium + t3a.large, us-east-1
	otherHourly = 0.1070 + 0.0960 + 0.1070 // m5.large + c5.large + m5.large, eu-west-1
)

// fleetLab is TestFleet's two clusters and the AWS server pricing them.
type fleetLab struct {
	*harness.Fleet
	lab, other *harness.Cluster
	aws        *awsfake.Server
	env        []string // the viewer's, to reach the local AWS server
}

// startFleetLab starts `lab` (Karpenter, with the seed lab) and `other` (an
// API server with three Running pods on three nodes in eu-west-1) and the
// local AWS server.
func startFleetLab(t *testing.T) *fleetLab {
	t.Helper()
	f := startFleet(t,
		harness.FleetMember{Context: "lab", Options: harness.Options{Size: harness.SizeKarpenter}},
		harness.FleetMember{Context: "other", Options: harness.Options{Size: harness.SizeAPIServer}})
	fl := &fleetLab{Fleet: f, lab: f.Cluster("lab"), other: f.Cluster("other"), aws: startAWS(t)}
	fl.env = fl.aws.Env("us-east-1")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := fl.lab.CreateLab(ctx); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	a := nodeClaimAPI(t, ctx, fl.other)
	for i, n := range []struct{ typ, zone, cpu string }{
		{"m5.large", "eu-west-1a", "500m"},
		{"c5.large", "eu-west-1b", "250m"},
		{"m5.large", "eu-west-1c", "750m"},
	} {
		name := fmt.Sprintf("other-node-%d", i+1)
		node := readyNode(name, n.typ, "1930m", "7200Mi")
		node.Labels["topology.kubernetes.io/region"] = "eu-west-1"
		node.Labels["topology.kubernetes.io/zone"] = n.zone
		node.Spec.ProviderID = "aws:///" + n.zone + "/i-" + name
		a.node(node)
		pod := fmt.Sprintf("api-%d", i+1)
		a.pod(boundPod("other-app", pod, name, n.cpu))
		a.setPhase("other-app", pod, corev1.PodRunning)
	}
	return fl
}

// startFleet starts the fleet for one test and stops it when the test
// ends; on failure it logs the members' component logs and keeps their run
// directories.
func startFleet(t *testing.T, members ...harness.FleetMember) *harness.Fleet {
	t.Helper()
	var names []string
	for _, m := range members {
		names = append(names, m.Options.Size.Binaries()...)
	}
	missing, err := harness.MissingBinaries(names)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 && harness.BuildDisabled() {
		t.Skipf("E2E_BUILD=0 and control-plane binaries missing: %s (run make e2e-binaries)", strings.Join(missing, ", "))
	}
	start := time.Now()
	f, err := harness.StartFleet(context.Background(), harness.FleetOptions{
		Members: members, Progress: testWriter{t}, NoBuild: harness.BuildDisabled(),
	})
	if errors.Is(err, harness.ErrMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("start the fleet: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range f.Contexts {
				t.Logf("%s: component logs:\n%s", name, f.Cluster(name).LogTails(60))
			}
			f.Stop()
			t.Logf("fleet directory kept: %s", f.Dir)
			return
		}
		if err := f.Remove(); err != nil {
			t.Logf("remove %s: %v", f.Dir, err)
		}
	})
	t.Logf("fleet %v up in %s: KUBECONFIG=%s", f.Contexts, time.Since(start).Round(100*time.Millisecond), f.Kubeconfig)
	return f
}

// contextDoc is `-o json --context name` of the single-cluster viewer:
// that cluster alone, priced by the local AWS server.
func (fl *fleetLab) contextDoc(t *testing.T, name string) *output.Document {
	t.Helper()
	r := runOutputEnv(t, 90*time.Second, fl.env, "-o", "json", "--kubeconfig", fl.Kubeconfig, "--context", name, "--timeout", "60s")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("-o json --context %s: exit %d, stderr %q", name, r.code, r.stderr)
	}
	var d output.Document
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Synced || d.Stale != nil {
		t.Fatalf("-o json --context %s: synced %v, stale %+v", name, d.Synced, d.Stale)
	}
	return &d
}

// figures are what the fleet screen shows of a cluster, or of the fleet.
type figures struct {
	nodes      int
	cpu        cluster.Quantity // milli-CPU requested and allocatable
	hourly     float64
	lowerBound bool
	pods       output.Pods
}

func (f figures) String() string {
	return fmt.Sprintf("%d nodes, cpu %s, %s, %d pods", f.nodes, ui.FormatPair("cpu", f.cpu), f.cost(), f.pods.Total)
}

// cost is the summary's cost text ("$0.113/hour | $82.344/month"), as the
// viewer formats a sum under $1,000.
func (f figures) cost() string {
	prefix := ""
	if f.lowerBound {
		prefix = ">="
	}
	return fmt.Sprintf("%s$%.3f/hour | %s$%.3f/month", prefix, f.hourly, prefix, f.hourly*pricing.HoursPerMonth)
}

func docFigures(t *testing.T, d *output.Document) figures {
	t.Helper()
	cpu, ok := d.Summary.Resources["cpu"]
	if !ok || cpu.Unit != output.UnitMillicores {
		t.Fatalf("no cpu in millicores in %+v", d.Summary.Resources)
	}
	if d.Summary.PricePerHour == nil {
		t.Fatalf("no price: %+v", d.Summary)
	}
	return figures{
		nodes: d.Summary.Nodes, cpu: cluster.Quantity{Used: cpu.Requested, Allocatable: cpu.Allocatable},
		hourly: *d.Summary.PricePerHour, lowerBound: d.Summary.LowerBound, pods: d.Pods,
	}
}

func sumFigures(fs ...figures) figures {
	var s figures
	for _, f := range fs {
		s.nodes += f.nodes
		s.cpu.Used += f.cpu.Used
		s.cpu.Allocatable += f.cpu.Allocatable
		s.hourly += f.hourly
		s.lowerBound = s.lowerBound || f.lowerBound
		s.pods.Total += f.pods.Total
	}
	return s
}

func nearly(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// fleetDocument is -o json's FleetSnapshot (the fleet contract, issue 15).
type fleetDocument struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Fleet      struct {
		Clusters   int                        `json:"clusters"`
		OK         int                        `json:"ok"`
		Stale      int                        `json:"stale"`
		Nodes      int                        `json:"nodes"`
		Resources  map[string]output.Resource `json:"resources"`
		Hourly     *float64                   `json:"hourly"`
		Monthly    *float64                   `json:"monthly"`
		Currency   *string                    `json:"currency"`
		LowerBound bool                       `json:"lowerBound"`
	} `json:"fleet"`
	Clusters []struct {
		Context string `json:"context"`
		Server  string `json:"server"`
		output.Document
	} `json:"clusters"`
}

// agrees checks the document against the clusters alone (figs, in the
// fleet's order) and their sum.
func (d *fleetDocument) agrees(fl *fleetLab, sum figures, figs []figures) error {
	if d.APIVersion != "eks-node-viewer/v1" || d.Kind != "FleetSnapshot" {
		return fmt.Errorf("apiVersion %q, kind %q", d.APIVersion, d.Kind)
	}
	f := d.Fleet
	if f.Clusters != 2 || f.OK != 2 || f.Stale != 0 || f.Nodes != sum.nodes {
		return fmt.Errorf("fleet: %d clusters, %d ok, %d stale, %d nodes; want 2, 2, 0, %d", f.Clusters, f.OK, f.Stale, f.Nodes, sum.nodes)
	}
	if cpu := f.Resources["cpu"]; cpu.Requested != sum.cpu.Used || cpu.Allocatable != sum.cpu.Allocatable {
		return fmt.Errorf("fleet cpu %d/%d, the clusters' sum %d/%d", cpu.Requested, cpu.Allocatable, sum.cpu.Used, sum.cpu.Allocatable)
	}
	if f.Hourly == nil || !nearly(*f.Hourly, sum.hourly) || f.Monthly == nil || math.Abs(*f.Monthly-sum.hourly*pricing.HoursPerMonth) > 1e-6 {
		return fmt.Errorf("fleet %v/hour, %v/month; the clusters' sum %.6f/hour", deref2(f.Hourly), deref2(f.Monthly), sum.hourly)
	}
	if f.Currency == nil || *f.Currency != "USD" || f.LowerBound != sum.lowerBound {
		return fmt.Errorf("fleet currency %v, lower bound %v (want USD, %v)", deref(f.Currency), f.LowerBound, sum.lowerBound)
	}
	if len(d.Clusters) != 2 {
		return fmt.Errorf("%d clusters listed, want 2", len(d.Clusters))
	}
	for i, name := range []string{"lab", "other"} {
		c := d.Clusters[i]
		if c.Context != name || c.Server != fl.Cluster(name).Server {
			return fmt.Errorf("cluster %d: context %q at %q, want %s at %s", i, c.Context, c.Server, name, fl.Cluster(name).Server)
		}
		got, want := c.Summary, figs[i]
		if got.Nodes != want.nodes || got.PricePerHour == nil || !nearly(*got.PricePerHour, want.hourly) || c.Pods != want.pods {
			return fmt.Errorf("%s: %d nodes, %v/hour, pods %+v; alone it reports %s, pods %+v", name, got.Nodes, deref2(got.PricePerHour), c.Pods, want, want.pods)
		}
		if len(c.Nodes) != want.nodes {
			return fmt.Errorf("%s: %d node entries for %d nodes", name, len(c.Nodes), want.nodes)
		}
	}
	return nil
}

// fleetScreen is the fleet view read off the screen.
type fleetScreen struct {
	line   fleetLine
	blocks []*fleetBlock
}

// fleetLine is the fleet line: "2 clusters (1 ok, 1 stale) · 5 nodes · cpu
// 3200m/9500m 33.7% · >=$0.423/hour | >=$308.644/month".
type fleetLine struct {
	text                string
	clusters, ok, stale int
	nodes               int
	lowerBound          bool
	hourly, monthly     string // as shown, without ">="
	resources           string // between the node count and the cost
}

// fleetBlock is one cluster's block: its title "▾ lab  https://127.0.0.1:6443  ok"
// and the lines under it (leading blanks trimmed).
type fleetBlock struct {
	expanded               bool
	context, server, state string
	lines                  []string
}

var (
	fleetLineRe  = regexp.MustCompile(`^(\d+) clusters? \((\d+) ok(?:, (\d+) stale)?[^)]*\) · ([\d,]+) nodes? · (.*?)\s*(>=)?[$]([\d,.]+)/hour \| (?:>=)?[$]([\d,.]+)/month`)
	fleetTitleRe = regexp.MustCompile(`^[>\s]*([▾▸]) (\S+)\s+(https://\S+)\s+(\S.*?)\s*$`)
	// staleState is a block title's state while its API server is gone:
	// "stale 3s" and the reason.
	staleState = regexp.MustCompile(`^stale \d`)
)

func parseFleet(s string) (fleetScreen, error) {
	var f fleetScreen
	var cur *fleetBlock
	for _, l := range strings.Split(s, "\n") {
		if m := fleetLineRe.FindStringSubmatch(l); m != nil && f.line.text == "" {
			f.line = fleetLine{text: l, clusters: atoi(m[1]), ok: atoi(m[2]), stale: atoi(m[3]),
				nodes: atoi(m[4]), resources: m[5], lowerBound: m[6] != "", hourly: m[7], monthly: m[8]}
			continue
		}
		if m := fleetTitleRe.FindStringSubmatch(l); m != nil {
			cur = &fleetBlock{expanded: m[1] == "▾", context: m[2], server: m[3], state: m[4]}
			f.blocks = append(f.blocks, cur)
			continue
		}
		if cur != nil {
			cur.lines = append(cur.lines, strings.TrimLeft(l, " "))
		}
	}
	if f.line.text == "" {
		return f, fmt.Errorf("no fleet line")
	}
	return f, nil
}

// stateIs: a block title's state is the word want ("ok"), maybe with more
// after it.
func stateIs(state, want string) bool {
	return state == want || strings.HasPrefix(state, want+" ")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n
}

func (f fleetScreen) contexts() []string {
	var out []string
	for _, b := range f.blocks {
		out = append(out, b.context)
	}
	return out
}

func (f fleetScreen) block(context string) *fleetBlock {
	for _, b := range f.blocks {
		if b.context == context {
			return b
		}
	}
	return nil
}

// states checks the fleet line's cluster counts.
func (l fleetLine) states(clusters, ok, stale int) error {
	if l.clusters != clusters || l.ok != ok || l.stale != stale {
		return fmt.Errorf("fleet line %q: want %d clusters, %d ok, %d stale", l.text, clusters, ok, stale)
	}
	return nil
}

// is checks the fleet line against the sum of the clusters' figures.
func (l fleetLine) is(clusters, ok, stale int, sum figures) error {
	if err := l.states(clusters, ok, stale); err != nil {
		return err
	}
	if l.nodes != sum.nodes {
		return fmt.Errorf("fleet line %q: %d nodes, the clusters have %d", l.text, l.nodes, sum.nodes)
	}
	if cpu := "cpu " + ui.FormatPair("cpu", sum.cpu) + " "; !strings.Contains(l.resources+" ", cpu) {
		return fmt.Errorf("fleet line %q lacks %q", l.text, strings.TrimSpace(cpu))
	}
	want := sum.cost()
	got := fmt.Sprintf("$%s/hour | $%s/month", l.hourly, l.monthly)
	if l.lowerBound {
		got = fmt.Sprintf(">=$%s/hour | >=$%s/month", l.hourly, l.monthly)
	}
	if got != want {
		return fmt.Errorf("fleet line %q: cost %q, the clusters' sum %q", l.text, got, want)
	}
	return nil
}

// is checks a cluster's block: its title (server, state) and its summary
// lines against the cluster's figures.
func (b *fleetBlock) is(server, state string, want figures) error {
	if b == nil {
		return fmt.Errorf("no block")
	}
	if b.server != server || !stateIs(b.state, state) || !b.expanded {
		return fmt.Errorf("block %s: server %s, state %q, expanded %v; want %s, %q, expanded", b.context, b.server, b.state, b.expanded, server, state)
	}
	s := strings.Join(b.lines, "\n")
	nodes, cpu, ok := summaryParts(s)
	if !ok {
		return fmt.Errorf("block %s: no summary line in %q", b.context, b.lines)
	}
	if nodes != want.nodes || cpu != ui.FormatPair("cpu", want.cpu) {
		return fmt.Errorf("block %s: %d nodes, cpu %s; the cluster alone: %s", b.context, nodes, cpu, want)
	}
	if l, _ := screenLine(s, fmt.Sprintf("%d node", nodes)); !strings.Contains(l, want.cost()) {
		return fmt.Errorf("block %s: summary %q lacks %q", b.context, l, want.cost())
	}
	if err := podLine(s, want.pods.Total, want.pods.Pending, want.pods.Running, want.pods.Bound); err != nil {
		return fmt.Errorf("block %s: %w", b.context, err)
	}
	return nil
}

// TestFleetScreenParsing checks the readers of the fleet view above on the
// contract's screen text (no cluster needed).
func TestFleetScreenParsing(t *testing.T) {
	lab := figures{nodes: 2, cpu: cluster.Quantity{Used: 700, Allocatable: 3710}, hourly: labHourly,
		pods: output.Pods{Total: 2, Running: 2, Bound: 2}}
	other := figures{nodes: 3, cpu: cluster.Quantity{Used: 1500, Allocatable: 5790}, hourly: otherHourly,
		pods: output.Pods{Total: 3, Running: 3, Bound: 3}}
	sum := sumFigures(lab, other)
	screen := `2 clusters (2 ok, 0 stale) · 5 nodes · cpu 2200m/9500m 23.2% · $0.423/hour | $308.644/month

> ▾ lab  https://127.0.0.1:41717  ok
    2 nodes (700m/3710m)  18.9% cpu ████░░░░░░░░░░░░░░░░░░░░░ $0.113/hour | $82.344/month
    2 pods (0 pending 2 running 2 bound)
  ▾ other  https://127.0.0.1:41579  stale 3s · API server unreachable (connection refused), retrying
    3 nodes (1500m/5790m)  25.9% cpu ██████░░░░░░░░░░░░░░░░░░░ $0.310/hour | $226.300/month
    3 pods (0 pending 3 running 3 bound)
  ▸ third  https://127.0.0.1:1  connecting

↑/↓ cluster · enter nodes · space collapse · q quit · ? help`
	f, err := parseFleet(screen)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.line.is(2, 2, 0, sum); err != nil {
		t.Error(err)
	}
	if names := f.contexts(); !slices.Equal(names, []string{"lab", "other", "third"}) {
		t.Errorf("blocks %v", names)
	}
	if err := f.block("lab").is("https://127.0.0.1:41717", "ok", lab); err != nil {
		t.Error(err)
	}
	if b := f.block("other"); !staleState.MatchString(b.state) {
		t.Errorf("other's state %q is not stale", b.state)
	}
	if err := f.block("other").is("https://127.0.0.1:41579", "ok", other); err == nil {
		t.Error("a stale block passed for ok")
	}
	if b := f.block("third"); b.expanded || b.state != "connecting" {
		t.Errorf("third: %+v", b)
	}
	// What must fail does.
	off := sum
	off.hourly += 0.001
	if err := f.line.is(2, 2, 0, off); err == nil {
		t.Error("a wrong sum passed")
	}
	if err := f.block("lab").is("https://127.0.0.1:41717", "ok", other); err == nil {
		t.Error("other's figures passed for the lab's")
	}
	lb, err := parseFleet(`2 clusters (1 ok, 1 stale) · 5 nodes · cpu 2200m/9500m 23.2% · >=$0.423/hour | >=$308.644/month`)
	if err != nil || !lb.line.lowerBound || lb.line.states(2, 1, 1) != nil {
		t.Errorf("lower bound line: %+v, %v", lb.line, err)
	}
	if _, err := parseFleet("2 nodes (700m/3710m)  18.9% cpu $0.113/hour | $82.344/month"); err == nil {
		t.Error("a single-cluster screen read as a fleet")
	}
}

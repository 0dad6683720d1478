//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
)

// newHog is the pod that uses more than it requests: 100m and 64Mi
// requested, kwok's usage annotations say hogCPU and hogMemory, on the
// lab's database node.
func newHog() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: hogNS, Name: hogName, Annotations: map[string]string{
			"kwok.x-k8s.io/usage-cpu": hogCPU, "kwok.x-k8s.io/usage-memory": hogMemory,
		}},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"workload-type": "database"},
			Tolerations:  []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Containers: []corev1.Container{{Name: "hog", Image: "hog:1", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi"),
			}}}},
		},
	}
}

// TestUsageOnScreen runs the viewer binary against the test bed's real
// metrics-server: -o json --once prints each node's used CPU and memory as
// the metrics API has them for the same sample (compared by its
// timestamp), and on the screen the hog's node carries the used marker and
// the node view marks the hog, which uses nine times its request.
func TestUsageOnScreen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := startCluster(t, harness.SizeFull)
	if err := c.CreateLab(ctx); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	if _, err := c.Client().CoreV1().Pods(hogNS).Create(ctx, newHog(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	clients, err := kube.NewClients(cfg, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	api := clients.Metrics.MetricsV1beta1()
	args := []string{"--kubeconfig", c.Kubeconfig, "--disable-pricing", "--resources", "cpu,memory,pods", "-o", "json", "--once"}

	// -o json = the metrics API, sample for sample: the samples must not
	// move while the viewer runs (else try again), and every node must
	// have one with the hog's in it.
	var doc output.Document
	eventually(t, 4*time.Minute, "-o json = the metrics API", func() error {
		before, err := api.NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		r := runOutput(t, 90*time.Second, args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		after, err := api.NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		_, err = sameSamples(before, after, "the viewer")
		if err != nil {
			return err
		}
		var d output.Document
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		if len(after.Items) < 2 || len(d.Nodes) != len(after.Items) {
			return fmt.Errorf("%d node metrics, %d nodes in the document", len(after.Items), len(d.Nodes))
		}
		byName := map[string]*output.Node{}
		for i := range d.Nodes {
			byName[d.Nodes[i].Name] = &d.Nodes[i]
		}
		var cpuSum int64
		for _, nm := range after.Items {
			n := byName[nm.Name]
			if n == nil || n.Usage == nil {
				return fmt.Errorf("no usage of %s in the document", nm.Name)
			}
			if want := nm.Timestamp.UTC().Format(time.RFC3339); n.Usage.UsedAt != want {
				return fmt.Errorf("%s: the document's sample is of %s, the API's of %s", nm.Name, n.Usage.UsedAt, want)
			}
			cpu, mem := nm.Usage.Cpu().MilliValue(), nm.Usage.Memory().Value()
			got := n.Usage.Resources
			if got["cpu"].Used != cpu || got["memory"].Used != mem || got["cpu"].Unit != output.UnitMillicores {
				t.Fatalf("%s at %s: the document says cpu %dm memory %d bytes, the metrics API cpu %dm memory %d", nm.Name, n.Usage.UsedAt, got["cpu"].Used, got["memory"].Used, cpu, mem)
			}
			if _, ok := got["pods"]; ok || n.Usage.Stale {
				t.Fatalf("%s: pods measured or the sample stale: %+v", nm.Name, n.Usage)
			}
			cpuSum += cpu
		}
		u := d.Summary.Usage
		if u == nil || u.Nodes != len(after.Items) || u.Resources["cpu"].Used != cpuSum {
			t.Fatalf("summary usage %+v, want %d nodes and %dm cpu", u, len(after.Items), cpuSum)
		}
		if hog := byName[hogNode].Usage.Resources["cpu"].Used; hog < 800 {
			return fmt.Errorf("%s uses %dm: not the hog's sample yet", hogNode, hog)
		}
		doc = d
		return nil
	})
	for _, n := range doc.Nodes {
		t.Logf("-o json = metrics API: %s cpu %dm memory %d bytes at %s", n.Name, n.Usage.Resources["cpu"].Used, n.Usage.Resources["memory"].Used, n.Usage.UsedAt)
	}

	// On the screen: the hog's node with its marker, then its node view
	// with the hog marked and the calm pods not.
	m := startViewer(t, "--kubeconfig", c.Kubeconfig, "--disable-pricing", "--usage-interval", "10s")
	usedCell := regexp.MustCompile(`┃ +\d+% used`)
	m.waitFor("the nodes' used percentages", 2*time.Minute, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		l, ok := nodeLine(s, hogNode)
		if !ok {
			return fmt.Errorf("no %s row", hogNode)
		}
		if !usedCell.MatchString(l) {
			return fmt.Errorf("%s row without its used cell: %q", hogNode, l)
		}
		return nil
	})
	for range 10 {
		if s := m.capture(); cursorOn(s, hogNode) == nil {
			break
		}
		m.keys("Down")
	}
	m.waitFor("the cursor on "+hogNode, 10*time.Second, func(s string) error { return cursorOn(s, hogNode) })
	m.keys("Enter")
	over := regexp.MustCompile(`(\d+)% ` + regexp.QuoteMeta("!"))
	s := m.waitFor("the hog marked in the node view", 2*time.Minute, func(s string) error {
		hog, calm := "", ""
		for _, l := range strings.Split(s, "\n") {
			switch {
			case strings.HasPrefix(l, hogNS+"/"+hogName+" "):
				hog = l
			case strings.HasPrefix(l, hogNS+"/postgres"):
				calm = l
			}
		}
		mm := over.FindStringSubmatch(hog)
		if mm == nil {
			return fmt.Errorf("the hog's row is not marked: %q", hog)
		}
		if !strings.Contains(hog, "100m") {
			return fmt.Errorf("the hog's row lacks its 100m request: %q", hog)
		}
		if calm == "" || strings.Contains(calm, "!") {
			return fmt.Errorf("postgres (below its request) should be there, unmarked: %q", calm)
		}
		return nil
	})
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, hogNS+"/") || strings.HasPrefix(l, "POD") || strings.HasPrefix(l, "cpu ") || strings.Contains(l, "sampled") {
			t.Logf("node view: %s", l)
		}
	}
	if !strings.Contains(s, "USED") || !strings.Contains(s, "%CPU/R") {
		t.Errorf("the node view lacks its usage columns:\n%s", s)
	}
}

//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	typedmetrics "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/internal/usage"
)

// The hog: it requests 100m and 64Mi, and its kwok usage annotations say
// it uses 900m and 200Mi, on the lab's database node.
const (
	hogNS, hogName, hogNode = "database", "usage-hog", "static-node-2"
	hogCPU, hogMemory       = "900m", "200Mi"
)

// usageModel is the viewer's model and poller, in process, on the cluster as
// the kubeconfig's user sees it (polling every 2 s, so that each
// metrics-server sample is seen soon; samples are stale after 45 s).
func usageModel(t *testing.T, ctx context.Context, kubeconfig string) *cluster.Cluster {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	clients, err := kube.NewClients(cfg, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	m := cluster.New(cluster.Options{
		Resources:     []string{"cpu", "memory", "pods"},
		ExtraLabels:   []string{options.LabelCPUUsed},
		Sort:          options.SortSpec{Key: options.LabelCPUUsed, Descending: true},
		Now:           clients.Clock.Now,
		UsageInterval: 15 * time.Second,
	})
	m.Start(ctx, clients.Kube, clients.Dynamic)
	go func() {
		<-m.Synced()
		usage.Run(ctx, m, usage.Options{Client: clients.Metrics, Interval: 2 * time.Second})
	}()
	return m
}

func usageRow(s cluster.Snapshot, name string) *cluster.Node {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return s.Nodes[i]
		}
	}
	return nil
}

// TestUsage runs the viewer's model and poller against the test bed's real
// metrics-server: each node's used CPU and memory are the metrics API's
// from the same sample (and kubectl top's), the open node's pods get
// theirs (the hog above its request), metrics-server answers in protobuf,
// a user without metrics RBAC gets a note, and once the APIService is gone
// a note says so and the samples turn stale.
func TestUsage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := startCluster(t, harness.SizeFull)
	if err := c.CreateLab(ctx); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	hog := newHog()
	if _, err := c.Client().CoreV1().Pods(hogNS).Create(ctx, hog, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	grant(t, c, "no-metrics", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes", "pods", "events"}, Verbs: []string{"get", "list", "watch"}}})
	m := usageModel(t, ctx, c.Kubeconfig)
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	clients, err := kube.NewClients(cfg, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	api := clients.Metrics.MetricsV1beta1()

	// Every node's used values are the API's, sample for sample.
	var last string
	eventually(t, 4*time.Minute, "the model's samples = the metrics API's", func() error {
		list, err := api.NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		s := m.Snapshot()
		if len(list.Items) < 2 {
			return fmt.Errorf("%d node metrics", len(list.Items))
		}
		for _, nm := range list.Items {
			row := usageRow(s, nm.Name)
			if row == nil || row.Used == nil {
				return fmt.Errorf("no sample of %s in the model", nm.Name)
			}
			if !row.UsedAt.Equal(nm.Timestamp.Time) {
				return fmt.Errorf("%s: model sample of %s, API's of %s", nm.Name, row.UsedAt, nm.Timestamp.Time)
			}
			cpu, mem := cluster.Milli(*nm.Usage.Cpu()), cluster.Milli(*nm.Usage.Memory())
			if row.Used[0] != cpu || row.Used[1] != mem || row.Used[2] != cluster.NotMeasured {
				t.Fatalf("%s at %s: model used %v, API cpu %d memory %d", nm.Name, row.UsedAt, row.Used, cpu, mem)
			}
			if row.LabelUsage[0] != (cluster.Quantity{Used: cpu, Allocatable: row.Usage[0].Allocatable}) || row.UsageStale {
				t.Fatalf("%s: used label %v, stale %v", nm.Name, row.LabelUsage[0], row.UsageStale)
			}
			last = fmt.Sprintf("%s cpu %dm memory %dMi at %s", nm.Name, cpu/1000, mem/1000>>20, row.UsedAt.Format(time.TimeOnly))
		}
		if s.Usage.Nodes != len(list.Items) {
			return fmt.Errorf("usage totals over %d nodes, API has %d", s.Usage.Nodes, len(list.Items))
		}
		return nil
	})
	t.Logf("model = metrics API (e.g. %s)", last)

	// The rows sort by used CPU.
	s := m.Snapshot()
	for i := 1; i < len(s.Nodes); i++ {
		a, b := s.Nodes[i-1].LabelUsage[0], s.Nodes[i].LabelUsage[0]
		if b.Allocatable > 0 && (a.Allocatable == 0 || a.Fraction() < b.Fraction()) {
			t.Errorf("rows not sorted by used cpu: %s %v before %s %v", s.Nodes[i-1].Name, a, s.Nodes[i].Name, b)
		}
	}
	compareKubectlTop(t, ctx, c.Kubeconfig, m, api)

	// The node view opens the hog's node: its pods get their samples.
	var hogRow cluster.Pod
	eventually(t, 2*time.Minute, "the hog's sample in the node view", func() error {
		s := m.SnapshotFor(cluster.Query{Node: hogNode})
		if s.Detail == nil {
			return fmt.Errorf("no detail of %s", hogNode)
		}
		for _, p := range s.Detail.Pods {
			if p.Name == hogName && p.Used != nil {
				hogRow = p
				return nil
			}
		}
		return fmt.Errorf("no sample of %s", hogName)
	})
	pm, err := api.PodMetricses(hogNS).Get(ctx, hogName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := near(resource.NewMilliQuantity(hogRow.Used[0], resource.DecimalSI), resource.MustParse(hogCPU), 0.03); err != nil {
		t.Errorf("hog cpu: %v", err)
	}
	if want := cluster.Milli(resource.MustParse(hogMemory)); hogRow.Used[1] != want {
		t.Errorf("hog memory %d, want %d", hogRow.Used[1], want)
	}
	if hogRow.Used[0] <= hogRow.Requests[0] {
		t.Errorf("hog uses %dm, requests %dm: should be above", hogRow.Used[0], hogRow.Requests[0])
	}
	t.Logf("hog: requests %dm, uses %dm (API %s at %s)", hogRow.Requests[0], hogRow.Used[0], pm.Containers[0].Usage.Cpu(), pm.Timestamp.Format(time.TimeOnly))
	eventually(t, 2*time.Minute, hogNode+" uses at least what its hog does", func() error {
		if row := usageRow(m.Snapshot(), hogNode); row.Used[0] < hogRow.Used[0] {
			return fmt.Errorf("%s uses %dm, its hog %dm", hogNode, row.Used[0], hogRow.Used[0])
		}
		return nil
	})

	// metrics-server speaks protobuf (what the viewer asks for first).
	var contentType string
	if err := api.RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/nodes").
		SetHeader("Accept", "application/vnd.kubernetes.protobuf,application/json").
		Do(ctx).ContentType(&contentType).Error(); err != nil {
		t.Fatal(err)
	}
	t.Logf("node metrics content type: %s", contentType)
	if !strings.HasPrefix(contentType, "application/vnd.kubernetes.protobuf") {
		t.Errorf("metrics-server answered %q, not protobuf", contentType)
	}

	// A user who may list nodes and pods but not their metrics: a note.
	path, err := c.UserKubeconfig("no-metrics")
	if err != nil {
		t.Fatal(err)
	}
	denied := usageModel(t, ctx, path)
	eventually(t, time.Minute, "the forbidden note", func() error {
		if s := denied.Snapshot(); !slices.Contains(s.Notes, usage.NoteNodeForbidden) {
			return fmt.Errorf("notes %q", s.Notes)
		}
		return nil
	})

	// metrics.k8s.io goes away: a note, and the samples turn stale after
	// three intervals.
	dyn, err := c.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	gone := time.Now()
	if err := dyn.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}).
		Delete(ctx, harness.MetricsAPIService, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the not-served note", func() error {
		if s := m.Snapshot(); !slices.Contains(s.Notes, usage.NoteNotServed) {
			return fmt.Errorf("notes %q", s.Notes)
		}
		return nil
	})
	eventually(t, 2*time.Minute, "stale samples", func() error {
		s := m.Snapshot()
		if row := usageRow(s, hogNode); !row.UsageStale || s.Usage.Stale != s.Usage.Nodes {
			return fmt.Errorf("%d of %d stale", s.Usage.Stale, s.Usage.Nodes)
		}
		return nil
	})
	t.Logf("not served noted and samples stale %s after the APIService went", time.Since(gone).Round(time.Second))
}

// compareKubectlTop checks kubectl top nodes against the model, on a sample
// the metrics API kept while kubectl ran (the same sample). kubectl prints
// CPU as MilliValue()m and memory as Value()/2^20 Mi.
func compareKubectlTop(t *testing.T, ctx context.Context, kubeconfig string, m *cluster.Cluster, api typedmetrics.MetricsV1beta1Interface) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Log("kubectl is not installed: kubectl top not compared (the metrics API was)")
		return
	}
	var lines int
	eventually(t, 2*time.Minute, "kubectl top nodes = the model", func() error {
		before, err := api.NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, kubectl, "--kubeconfig", kubeconfig, "top", "nodes", "--no-headers").CombinedOutput()
		if err != nil {
			return fmt.Errorf("kubectl top nodes: %v: %s", err, out)
		}
		after, err := api.NodeMetricses().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		at, err := sameSamples(before, after, "kubectl")
		if err != nil {
			return err
		}
		s := m.Snapshot()
		lines = 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) != 5 {
				return fmt.Errorf("kubectl top line %q", line)
			}
			row := usageRow(s, f[0])
			if row == nil || row.Used == nil || !row.UsedAt.Equal(at[f[0]]) {
				return fmt.Errorf("the model has not seen %s's sample of %s yet", f[0], at[f[0]])
			}
			cpu, err1 := strconv.ParseInt(strings.TrimSuffix(f[1], "m"), 10, 64)
			mi, err2 := strconv.ParseInt(strings.TrimSuffix(f[3], "Mi"), 10, 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("kubectl top line %q", line)
			}
			if row.Used[0] != cpu || row.Used[1]/1000>>20 != mi {
				t.Fatalf("%s: kubectl top %s %s, model cpu %dm memory %dMi", f[0], f[1], f[3], row.Used[0], row.Used[1]/1000>>20)
			}
			lines++
		}
		return nil
	})
	t.Logf("kubectl top nodes = the model for %d nodes", lines)
}

// sameSamples fails when a node was sampled again between two lists of
// node metrics (while who ran): their figures are then not comparable. It
// returns each node's sample time.
func sameSamples(before, after *metricsv1beta1.NodeMetricsList, who string) (map[string]time.Time, error) {
	at := map[string]time.Time{}
	for _, nm := range before.Items {
		at[nm.Name] = nm.Timestamp.Time
	}
	for _, nm := range after.Items {
		if !at[nm.Name].Equal(nm.Timestamp.Time) {
			return nil, fmt.Errorf("%s sampled again while %s ran", nm.Name, who)
		}
	}
	return at, nil
}

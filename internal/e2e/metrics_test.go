//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
	typedmetrics "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// The probe pod: it requests 100m and its kwok usage annotations say it
// uses 800m and 300Mi, on the lab's database node.
const (
	probeNS     = "database"
	probeName   = "usage-probe"
	probeNode   = "static-node-2"
	probeCPU    = "800m"
	probeMemory = "300Mi"
)

// TestMetrics checks the test bed's metrics-server: real samples scraped
// from kwok's emulated kubelets for the lab's static nodes and for a node
// Karpenter launches, a pod's usage as its annotations say, each node's
// usage the sum of its pods', and metrics.k8s.io authorised per user.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	c := startCluster(t, harness.SizeKarpenter)
	ready := time.Now()
	if err := c.CreateLab(ctx); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	mc, err := metricsclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := mc.MetricsV1beta1()

	probe := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: probeNS, Name: probeName, Annotations: map[string]string{
			"kwok.x-k8s.io/usage-cpu":    probeCPU,
			"kwok.x-k8s.io/usage-memory": probeMemory,
		}},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"workload-type": "database"},
			Tolerations:  []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Containers: []corev1.Container{{
				Name: "probe", Image: "probe:1",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi"),
				}},
			}},
		},
	}
	if _, err := c.Client().CoreV1().Pods(probeNS).Create(ctx, probe, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	created := time.Now()

	// The first samples: metrics-server needs two scrapes of a counter
	// (15 s apart) for a CPU rate.
	eventually(t, 3*time.Minute, "node metrics for the lab's nodes", func() error {
		for _, n := range []string{harness.LabNode, probeNode} {
			if _, err := m.NodeMetricses().Get(ctx, n, metav1.GetOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	t.Logf("first node samples %s after the cluster was ready", time.Since(ready).Round(time.Second))
	var pm *metricsv1beta1.PodMetrics
	eventually(t, 3*time.Minute, "pod metrics for the probe", func() error {
		pm, err = m.PodMetricses(probeNS).Get(ctx, probeName, metav1.GetOptions{})
		return err
	})
	t.Logf("first probe pod sample %s after it was created (window %s)", time.Since(created).Round(time.Second), pm.Window.Duration)

	// The probe's usage is what its annotations say.
	if len(pm.Containers) != 1 || pm.Containers[0].Name != "probe" {
		t.Fatalf("probe containers: %+v", pm.Containers)
	}
	u := pm.Containers[0].Usage
	if err := near(u.Cpu(), resource.MustParse(probeCPU), 0.03); err != nil {
		t.Errorf("probe cpu: %v", err)
	}
	if want := resource.MustParse(probeMemory); u.Memory().Cmp(want) != 0 {
		t.Errorf("probe memory %s, want %s", u.Memory(), &want)
	}

	// Each node's usage is the sum of its pods' (once one window has passed
	// since the last pod arrived: kwok's node counter grows by the current
	// sum over the whole interval between two scrapes).
	for _, n := range []string{harness.LabNode, probeNode} {
		nodeIsSumOfPods(t, c, m, n)
	}

	// A node Karpenter launches gets its metrics path from our kwok stage,
	// its InternalIP and kubelet port from kwok's, and is scraped too.
	scale(t, c, 9)
	var karpenterNode string
	eventually(t, 2*time.Minute, "a Karpenter node", func() error {
		nodes, err := c.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "karpenter.sh/nodepool"})
		if err != nil {
			return err
		}
		for _, n := range nodes.Items {
			if strings.HasPrefix(n.Spec.ProviderID, "kwok://") {
				karpenterNode = n.Name
				return nil
			}
		}
		return fmt.Errorf("%d nodepool nodes, none from kwok", len(nodes.Items))
	})
	launched := time.Now()
	eventually(t, 3*time.Minute, "node metrics for "+karpenterNode, func() error {
		_, err := m.NodeMetricses().Get(ctx, karpenterNode, metav1.GetOptions{})
		return err
	})
	t.Logf("first sample of Karpenter's node %s %s after it appeared", karpenterNode, time.Since(launched).Round(time.Second))
	node, err := c.Client().CoreV1().Nodes().Get(ctx, karpenterNode, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := node.Annotations["metrics.k8s.io/resource-metrics-path"], "/metrics/nodes/"+karpenterNode+"/metrics/resource"; got != want {
		t.Errorf("%s resource-metrics-path %q, want %q", karpenterNode, got, want)
	}
	if !hasAddress(node, corev1.NodeInternalIP, "127.0.0.1") || node.Status.DaemonEndpoints.KubeletEndpoint.Port == 0 {
		t.Errorf("%s addresses %v, kubelet port %d", karpenterNode, node.Status.Addresses, node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	}
	nodeIsSumOfPods(t, c, m, karpenterNode)

	// metrics.k8s.io is authorised per user, end to end: the API server
	// checks the user, then passes it on to metrics-server (front-proxy
	// headers), which asks the API server again.
	grant(t, c, "metrics-reader", []rbacv1.PolicyRule{{APIGroups: []string{"metrics.k8s.io"}, Resources: []string{"nodes", "pods"}, Verbs: []string{"get", "list"}}})
	grant(t, c, "nodes-only", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list"}}})
	if list, err := userMetrics(t, c, "metrics-reader").NodeMetricses().List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) < 3 {
		t.Errorf("metrics-reader lists node metrics: %v (%d items)", err, itemCount(list))
	}
	if _, err := userMetrics(t, c, "nodes-only").NodeMetricses().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("nodes-only lists node metrics: %v, want Forbidden", err)
	}
}

// nodeIsSumOfPods waits until node's CPU is within 3% (or 2m) of the sum
// of its pods' CPU and its memory equals theirs, every Running pod on it
// having metrics.
func nodeIsSumOfPods(t *testing.T, c *harness.Cluster, m typedmetrics.MetricsV1beta1Interface, node string) {
	t.Helper()
	ctx := context.Background()
	var last string
	eventually(t, 2*time.Minute, node+" usage = sum of its pods'", func() error {
		pods, err := c.Client().CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
		if err != nil {
			return err
		}
		all, err := m.PodMetricses("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		byPod := map[string]metricsv1beta1.PodMetrics{}
		for _, pm := range all.Items {
			byPod[pm.Namespace+"/"+pm.Name] = pm
		}
		var cpu, mem resource.Quantity
		n := 0
		for _, p := range pods.Items {
			if p.Status.Phase != corev1.PodRunning {
				continue
			}
			pm, ok := byPod[p.Namespace+"/"+p.Name]
			if !ok {
				return fmt.Errorf("no metrics for pod %s/%s", p.Namespace, p.Name)
			}
			for _, ct := range pm.Containers {
				cpu.Add(*ct.Usage.Cpu())
				mem.Add(*ct.Usage.Memory())
			}
			n++
		}
		nm, err := m.NodeMetricses().Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		last = fmt.Sprintf("node cpu %s memory %s, %d pods cpu %s memory %s", nm.Usage.Cpu(), nm.Usage.Memory(), n, &cpu, &mem)
		if n == 0 {
			return fmt.Errorf("no running pods on %s", node)
		}
		if err := near(nm.Usage.Cpu(), cpu, 0.03); err != nil {
			return fmt.Errorf("cpu: %v (%s)", err, last)
		}
		if nm.Usage.Memory().Cmp(mem) != 0 {
			return fmt.Errorf("memory: %s", last)
		}
		return nil
	})
	t.Logf("%s: %s", node, last)
}

// near wants got within frac of want, or 2m for tiny values.
func near(got *resource.Quantity, want resource.Quantity, frac float64) error {
	g, w := got.MilliValue(), want.MilliValue()
	tol := int64(float64(w) * frac)
	if tol < 2 {
		tol = 2
	}
	if d := g - w; d > tol || d < -tol {
		return fmt.Errorf("%dm, want %dm ± %dm", g, w, tol)
	}
	return nil
}

func hasAddress(n *corev1.Node, t corev1.NodeAddressType, addr string) bool {
	for _, a := range n.Status.Addresses {
		if a.Type == t && a.Address == addr {
			return true
		}
	}
	return false
}

// userMetrics is a metrics client for a user with a client certificate.
func userMetrics(t *testing.T, c *harness.Cluster, user string) typedmetrics.MetricsV1beta1Interface {
	t.Helper()
	path, err := c.UserKubeconfig(user)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := metricsclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mc.MetricsV1beta1()
}

func itemCount(l *metricsv1beta1.NodeMetricsList) int {
	if l == nil {
		return 0
	}
	return len(l.Items)
}

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
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestReadOnly runs the viewer as users with only read rights: get, list and
// watch on nodes, pods, events and nodeclaims is all it needs; without pods
// it says so on screen and keeps running.
func TestReadOnly(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	ctx := context.Background()
	installNodeClaims(t, ctx, c)
	kube := c.Client()
	for i, it := range []string{"t3a.medium", "t3a.large"} {
		n := readyNode(fmt.Sprintf("ro-node-%d", i+1), it, "2", "4Gi")
		if _, err := kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		p := boundPod("default", fmt.Sprintf("web-%d", i), "ro-node-1", "300m")
		if _, err := kube.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	read := []string{"get", "list", "watch"}
	grant(t, c, "e2e-viewer", []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"nodes", "pods", "events"}, Verbs: read},
		{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: read},
		{APIGroups: []string{"karpenter.sh"}, Resources: []string{"nodeclaims"}, Verbs: read},
	})
	grant(t, c, "e2e-nopods", []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"nodes", "events"}, Verbs: read},
		{APIGroups: []string{"karpenter.sh"}, Resources: []string{"nodeclaims"}, Verbs: read},
	})

	t.Run("read-only rights suffice", func(t *testing.T) {
		kc, err := c.UserKubeconfig("e2e-viewer")
		if err != nil {
			t.Fatal(err)
		}
		m := startViewer(t, "--kubeconfig", kc, "--disable-pricing")
		m.waitFor("two nodes, three pods", time.Minute, func(s string) error {
			if err := summary(s, 2, ""); err != nil {
				return err
			}
			if err := podLine(s, 3, 3, 0, 3); err != nil {
				return err
			}
			l, ok := nodeLine(s, "ro-node-1")
			if !ok {
				return fmt.Errorf("no ro-node-1 row")
			}
			if err := contains(l, "45%", "t3a.medium", "Ready"); err != nil {
				return err
			}
			if err := podsCell(l, 3); err != nil {
				return err
			}
			if strings.Contains(strings.ToLower(s), "forbidden") {
				return fmt.Errorf("a forbidden note on screen")
			}
			return synced(s)
		})
	})

	t.Run("pods forbidden", func(t *testing.T) {
		kc, err := c.UserKubeconfig("e2e-nopods")
		if err != nil {
			t.Fatal(err)
		}
		m := startViewer(t, "--kubeconfig", kc, "--disable-pricing")
		s := m.waitFor("nodes and a clear note about pods", time.Minute, func(s string) error {
			if err := summary(s, 2, ""); err != nil {
				return err
			}
			low := strings.ToLower(s)
			if !strings.Contains(low, "forbidden") || !strings.Contains(low, "pods") {
				return fmt.Errorf("no note saying pods are forbidden")
			}
			return synced(s)
		})
		t.Logf("screen:\n%s", s)
		// Still alive after a while.
		time.Sleep(3 * time.Second)
		if s := m.capture(); strings.Contains(s, exitMarker) {
			t.Fatalf("the viewer exited:\n%s", s)
		}
	})
}

// grant binds a new ClusterRole with the rules to the user of that name.
func grant(t *testing.T, c *harness.Cluster, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	ctx := context.Background()
	rbac := c.Client().RbacV1()
	if _, err := rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: user}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rbac.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// readyNode is a node object with capacity and a Ready condition (there is
// no kubelet or kwok at the apiserver size: the status is what we write).
func readyNode(name, instanceType, cpu, memory string) *corev1.Node {
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory),
		corev1.ResourcePods:   resource.MustParse("17"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"node.kubernetes.io/instance-type": instanceType,
			"karpenter.sh/capacity-type":       "on-demand",
			"topology.kubernetes.io/zone":      "us-east-1a",
			"topology.kubernetes.io/region":    "us-east-1",
		}},
		Spec: corev1.NodeSpec{ProviderID: "aws:///us-east-1a/i-" + name},
		Status: corev1.NodeStatus{
			Capacity:    res,
			Allocatable: res,
			Conditions: []corev1.NodeCondition{{
				Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
			}},
		},
	}
}

// boundPod is a pod already bound to node (no scheduler needed).
func boundPod(ns, name, node, cpu string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{
			NodeName: node,
			Containers: []corev1.Container{{
				Name: "web", Image: "web:1",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}},
			}},
		},
	}
}

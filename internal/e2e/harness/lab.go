package harness

import (
	"context"
	"fmt"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Lab objects (testdata/e2e/lab.yaml).
const (
	LabNamespace  = "my-cool-app"
	LabDeployment = "fastapi-deployment"
	LabNode       = "static-node-1"
	LabSelector   = "workload-type=developers-workshop"
)

// CreateLab creates the seed lab's nodes, namespaces, deployment and the
// database pod, and waits until the first replica and the database run.
// It needs a full or karpenter cluster.
func (c *Cluster) CreateLab(ctx context.Context) error {
	if !c.Size.atLeast(SizeFull) {
		return fmt.Errorf("the lab needs a full or karpenter cluster, not %s", c.Size)
	}
	data, err := DataDir()
	if err != nil {
		return err
	}
	if _, err := c.ApplyFiles(ctx, filepath.Join(data, "lab.yaml")); err != nil {
		return err
	}
	return c.waitFor(ctx, "lab pods", nil, func(ctx context.Context) error {
		for _, w := range []struct{ ns, sel, node string }{
			{LabNamespace, "app=fastapi", LabNode},
			{"database", "app=postgres", "static-node-2"},
		} {
			pods, err := c.client.CoreV1().Pods(w.ns).List(ctx, metav1.ListOptions{LabelSelector: w.sel})
			if err != nil {
				return err
			}
			if len(pods.Items) == 0 {
				return fmt.Errorf("no %s pod in %s", w.sel, w.ns)
			}
			for _, p := range pods.Items {
				if p.Spec.NodeName != w.node || p.Status.Phase != corev1.PodRunning {
					return fmt.Errorf("pod %s/%s on %q is %s", p.Namespace, p.Name, p.Spec.NodeName, p.Status.Phase)
				}
			}
		}
		return nil
	})
}

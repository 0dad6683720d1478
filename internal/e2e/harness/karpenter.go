package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NodePoolResource and NodeClaimResource are Karpenter's v1 resources.
var (
	NodePoolResource  = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodepools"}
	NodeClaimResource = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodeclaims"}
)

// DataDir is testdata/e2e in the repository.
func DataDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "testdata", "e2e"), nil
}

// startKarpenter installs the CRDs, runs Karpenter's kwok cloud provider and
// creates the KWOKNodeClass and the NodePool of testdata/e2e/nodepool.yaml.
func (c *Cluster) startKarpenter(ctx context.Context) error {
	crds, err := karpenterCRDFiles(ctx)
	if err != nil {
		return err
	}
	if err := c.InstallCRDs(ctx, crds...); err != nil {
		return err
	}
	data, err := DataDir()
	if err != nil {
		return err
	}
	health := c.ports["karpenter-health"]
	p, err := c.run(BinKarpenter, nil, []string{
		"KUBECONFIG=" + c.Kubeconfig,
		"SYSTEM_NAMESPACE=kube-system",
		"DISABLE_LEADER_ELECTION=true",
		"METRICS_PORT=" + strconv.Itoa(c.ports["karpenter-metrics"]),
		"HEALTH_PROBE_PORT=" + strconv.Itoa(health),
		"INSTANCE_TYPES_FILE_PATH=" + filepath.Join(data, "instance-types.json"),
	})
	if err != nil {
		return err
	}
	if err := c.waitFor(ctx, "karpenter", p, func(ctx context.Context) error {
		return httpOK(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", health), "")
	}); err != nil {
		return err
	}
	if _, err := c.ApplyFiles(ctx, filepath.Join(data, "nodepool.yaml")); err != nil {
		return err
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "nodepool default", p, func(ctx context.Context) error {
		np, err := dyn.Resource(NodePoolResource).Get(ctx, "default", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !conditionTrue(np, "Ready") {
			return fmt.Errorf("nodepool not Ready: %v", np.Object["status"])
		}
		return nil
	})
}

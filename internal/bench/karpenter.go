package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// The bench runs with Karpenter's side of a cluster present, so that the
// viewer's NodeClaim and NodePool informers and its activity timeline are
// part of what is measured: the NodePool and NodeClaim CRDs, a few
// NodePools with limits, and a NodeClaim for every claimEvery-th node
// (joined to its node by status.nodeName, as Karpenter's are).

// claimEvery: one node in ten is backed by a NodeClaim.
const claimEvery = 10

// nodePools are the bench's NodePools; node i belongs to nodePools[i%3].
var nodePools = []string{"default", "batch", "system"}

func poolOf(i int) string { return nodePools[i%len(nodePools)] }

func claimName(i int) string { return fmt.Sprintf("%s-%06d", poolOf(i), i) }

// loadKarpenterSide installs the CRDs and creates the NodePools and
// NodeClaims of s.
func loadKarpenterSide(ctx context.Context, c *harness.Cluster, s size) error {
	if err := installKarpenter(ctx, c); err != nil {
		return err
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	return loadKarpenter(ctx, dyn, s, os.Stderr)
}

// installKarpenter installs the NodePool and NodeClaim CRDs from the
// Karpenter module the test bed builds.
func installKarpenter(ctx context.Context, c *harness.Cluster) error {
	dir, err := harness.ModuleDir(ctx, "sigs.k8s.io/karpenter")
	if err != nil {
		return err
	}
	crds := filepath.Join(dir, "pkg/apis/crds")
	return c.InstallCRDs(ctx, filepath.Join(crds, "karpenter.sh_nodepools.yaml"), filepath.Join(crds, "karpenter.sh_nodeclaims.yaml"))
}

// loadKarpenter creates the NodePools and the NodeClaims of s (what exists
// is kept).
func loadKarpenter(ctx context.Context, dyn dynamic.Interface, s size, progress io.Writer) error {
	for k, name := range nodePools {
		if err := createWithStatus(ctx, dyn.Resource(harness.NodePoolResource), makeNodePool(name, k, s)); err != nil {
			return fmt.Errorf("nodepool %s: %w", name, err)
		}
	}
	claims := (s.nodes + claimEvery - 1) / claimEvery
	created := time.Now()
	return parallel(ctx, "nodeclaims", claims, progress, func(ctx context.Context, j int) error {
		return createWithStatus(ctx, dyn.Resource(harness.NodeClaimResource), makeNodeClaim(j*claimEvery, created))
	})
}

// createWithStatus creates obj, then writes its status (a create ignores
// the status of a resource with a status subresource).
func createWithStatus(ctx context.Context, r dynamic.NamespaceableResourceInterface, obj *unstructured.Unstructured) error {
	status := obj.Object["status"]
	got, err := r.Create(ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	got.Object["status"] = status
	_, err = r.UpdateStatus(ctx, got, metav1.UpdateOptions{})
	return err
}

func makeNodePool(name string, k int, s size) *unstructured.Unstructured {
	limits := map[string]any{"cpu": fmt.Sprint(s.nodes * 40)}
	if k == 1 {
		limits["nodes"] = fmt.Sprint(s.nodes)
	}
	policy := "WhenEmptyOrUnderutilized"
	if k == 2 {
		policy = "WhenEmpty"
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1",
		"kind":       "NodePool",
		"metadata":   map[string]any{"name": name},
		"spec": map[string]any{
			"template": map[string]any{
				"spec": map[string]any{
					"nodeClassRef": map[string]any{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
					"requirements": []any{map[string]any{
						"key": "karpenter.sh/capacity-type", "operator": "In", "values": []any{"spot", "on-demand"},
					}},
				},
			},
			"disruption": map[string]any{
				"consolidationPolicy": policy,
				"consolidateAfter":    "30s",
				"budgets":             []any{map[string]any{"nodes": "10%"}},
			},
			"limits": limits,
		},
		"status": map[string]any{
			"resources":  map[string]any{"cpu": fmt.Sprint(s.nodes * 16 / len(nodePools)), "nodes": fmt.Sprint(s.nodes / len(nodePools))},
			"conditions": []any{condition("Ready", "True", "Ready", time.Now())},
		},
	}}
}

// makeNodeClaim is the NodeClaim of node i, launched and Ready.
func makeNodeClaim(i int, created time.Time) *unstructured.Unstructured {
	n := makeNode(i, created)
	labels := map[string]any{}
	for k, v := range n.Labels {
		labels[k] = v
	}
	res := map[string]any{}
	for k, q := range n.Status.Allocatable {
		res[string(k)] = q.String()
	}
	var conds []any
	for k, t := range []string{"Launched", "Registered", "Initialized", "Ready", "Consolidatable"} {
		conds = append(conds, condition(t, "True", t, created.Add(time.Duration(k+1)*time.Second)))
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1",
		"kind":       "NodeClaim",
		"metadata":   map[string]any{"name": claimName(i), "labels": labels},
		"spec": map[string]any{
			"nodeClassRef": map[string]any{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
			"requirements": []any{map[string]any{
				"key": "node.kubernetes.io/instance-type", "operator": "In", "values": []any{n.Labels["node.kubernetes.io/instance-type"]},
			}},
		},
		"status": map[string]any{
			"nodeName":    n.Name,
			"providerID":  n.Spec.ProviderID,
			"capacity":    res,
			"allocatable": res,
			"conditions":  conds,
		},
	}}
}

func condition(t, status, reason string, at time.Time) map[string]any {
	return map[string]any{
		"type": t, "status": status, "reason": reason, "message": "",
		"lastTransitionTime": at.UTC().Format(time.RFC3339),
	}
}

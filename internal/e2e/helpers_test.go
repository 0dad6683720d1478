//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// testWriter sends harness progress to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startCluster starts a cluster of the given size for one test and stops it
// when the test ends. On failure it logs the component logs' tails and keeps
// the run directory.
func startCluster(t *testing.T, size harness.Size) *harness.Cluster {
	t.Helper()
	return startClusterWith(t, harness.Options{Size: size})
}

// startClusterWith starts a cluster of opts.Size with opts' extras.
func startClusterWith(t *testing.T, opts harness.Options) *harness.Cluster {
	t.Helper()
	size := opts.Size
	missing, err := harness.MissingBinaries(size.Binaries())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 && harness.BuildDisabled() {
		t.Skipf("E2E_BUILD=0 and control-plane binaries missing: %s (run make e2e-binaries)", strings.Join(missing, ", "))
	}
	start := time.Now()
	opts.Progress, opts.NoBuild = testWriter{t}, harness.BuildDisabled()
	c, err := harness.Start(context.Background(), opts)
	if errors.Is(err, harness.ErrMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("start %s cluster: %v", size, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("component logs:\n%s", c.LogTails(60))
			c.Stop()
			t.Logf("run directory kept: %s", c.Dir)
			return
		}
		if err := c.Remove(); err != nil {
			t.Logf("remove %s: %v", c.Dir, err)
		}
	})
	t.Logf("%s cluster up in %s", size, time.Since(start).Round(100*time.Millisecond))
	return c
}

var viewer struct {
	once sync.Once
	path string
	err  error
}

// viewerBinary is $E2E_VIEWER (make e2e sets it to bin/eks-node-viewer) or
// a fresh build of ./cmd/eks-node-viewer.
func viewerBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("E2E_VIEWER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("E2E_VIEWER: %v", err)
		}
		return p
	}
	viewer.once.Do(func() {
		root, err := harness.RepoRoot()
		if err != nil {
			viewer.err = err
			return
		}
		dir, err := os.MkdirTemp("", "e2e-viewer-")
		if err != nil {
			viewer.err = err
			return
		}
		viewer.path = filepath.Join(dir, "eks-node-viewer")
		cmd := exec.Command("go", "build", "-o", viewer.path, "./cmd/eks-node-viewer")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			viewer.err = fmt.Errorf("build the viewer: %v\n%s", err, out)
		}
	})
	if viewer.err != nil {
		t.Fatal(viewer.err)
	}
	return viewer.path
}

// eventually polls cond until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %s: %v", what, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// scale sets the lab deployment's replicas.
func scale(t *testing.T, c *harness.Cluster, replicas int) {
	t.Helper()
	patch := fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, replicas)
	if _, err := c.Client().AppsV1().Deployments(harness.LabNamespace).Patch(context.Background(), harness.LabDeployment, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("scale to %d: %v", replicas, err)
	}
	t.Logf("scaled %s to %d", harness.LabDeployment, replicas)
}

// installNodeClaims installs Karpenter's NodeClaim CRD in c.
func installNodeClaims(t *testing.T, ctx context.Context, c *harness.Cluster) {
	t.Helper()
	crd, err := harness.NodeClaimCRDFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InstallCRDs(ctx, crd); err != nil {
		t.Fatal(err)
	}
}

// nodeClaimAPI installs the NodeClaim CRD in c and returns the admin's
// clients, ready to create objects and compare the model with the API.
func nodeClaimAPI(t *testing.T, ctx context.Context, c *harness.Cluster) *api {
	t.Helper()
	installNodeClaims(t, ctx, c)
	dyn, err := c.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, ctx: ctx, kube: c.Client(), dyn: dyn}
}

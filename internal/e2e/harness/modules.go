package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleDir returns the directory of a tool module's dependency in the module
// cache (downloading it if needed), e.g. ModuleDir(ctx, "sigs.k8s.io/kwok").
// The version is the one the tool module pins.
func ModuleDir(ctx context.Context, module string) (string, error) {
	return moduleDirIn(ctx, ".", module)
}

// moduleDirIn is ModuleDir for a dependency of the tool module in sub
// (relative to internal/e2e/tools).
func moduleDirIn(ctx context.Context, sub, module string) (string, error) {
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, goBinary(), "mod", "download", "-json", module)
	cmd.Dir = filepath.Join(tools, sub)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", module, err, strings.TrimSpace(stderr.String()))
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("go mod download %s: %w", module, err)
		}
		if m.Error != "" {
			return "", fmt.Errorf("go mod download %s: %s", module, m.Error)
		}
		if m.Path == module && m.Dir != "" {
			return m.Dir, nil
		}
	}
	return "", fmt.Errorf("go mod download %s: no directory reported", module)
}

// kwokStages are the stage files kwok v0.8.0 needs (it has no built-in
// stages): nodes become Ready fast and keep a lease, pods become Ready fast,
// complete and are deleted.
var kwokStages = []string{
	"kustomize/stage/node/fast/node-initialize.yaml",
	"kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
	"kustomize/stage/pod/fast/pod-ready.yaml",
	"kustomize/stage/pod/fast/pod-complete.yaml",
	"kustomize/stage/pod/fast/pod-delete.yaml",
}

// kwokMetrics are kwok's emulation of the kubelet's resource metrics: the
// Metric behind /metrics/nodes/{nodeName}/metrics/resource and the
// ClusterResourceUsage that gives each container the usage of its pod's
// kwok.x-k8s.io/usage-cpu and kwok.x-k8s.io/usage-memory annotations (else
// 1m and 1Mi).
var kwokMetrics = []string{
	"kustomize/metrics/resource/metrics-resource.yaml",
	"kustomize/metrics/usage/usage-from-annotation.yaml",
}

// kwokMetricsPathStage (in testdata/e2e) is our stage that points
// metrics-server at each node's path on kwok's port.
const kwokMetricsPathStage = "kwok-node-metrics-path.yaml"

// writeKwokConfig concatenates kwok's configuration documents: the stage
// files from the kwok module and, with metrics, its metrics files and our
// metrics-path stage.
func writeKwokConfig(ctx context.Context, path string, metrics bool) error {
	dir, err := ModuleDir(ctx, "sigs.k8s.io/kwok")
	if err != nil {
		return err
	}
	var files []string
	for _, s := range kwokStages {
		files = append(files, filepath.Join(dir, s))
	}
	if metrics {
		for _, s := range kwokMetrics {
			files = append(files, filepath.Join(dir, s))
		}
		data, err := DataDir()
		if err != nil {
			return err
		}
		files = append(files, filepath.Join(data, kwokMetricsPathStage))
	}
	var buf bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("kwok config: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimPrefix(b, []byte("---\n")))
		if !bytes.HasSuffix(b, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// karpenterCRDFiles are the CRDs for the kwok flavour of Karpenter.
func karpenterCRDFiles(ctx context.Context) ([]string, error) {
	dir, err := ModuleDir(ctx, "sigs.k8s.io/karpenter")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, pattern := range []string{"kwok/charts/crds/*.yaml", "kwok/apis/crds/*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	return files, nil
}

// NodeClaimCRDFile is Karpenter's NodeClaim CRD (for the apiserver size).
func NodeClaimCRDFile(ctx context.Context) (string, error) {
	dir, err := ModuleDir(ctx, "sigs.k8s.io/karpenter")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "pkg/apis/crds/karpenter.sh_nodeclaims.yaml"), nil
}

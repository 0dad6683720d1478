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
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, goBinary(), "mod", "download", "-json", module)
	cmd.Dir = tools
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

// writeKwokStages concatenates the stage documents from the kwok module.
func writeKwokStages(ctx context.Context, path string) error {
	dir, err := ModuleDir(ctx, "sigs.k8s.io/kwok")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, s := range kwokStages {
		b, err := os.ReadFile(filepath.Join(dir, s))
		if err != nil {
			return fmt.Errorf("kwok stages: %w", err)
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

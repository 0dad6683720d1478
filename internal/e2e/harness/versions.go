// Package harness runs a real Kubernetes control plane on 127.0.0.1 for the
// end-to-end tests and for people who want to try the viewer without AWS:
// etcd and kube-apiserver, optionally the scheduler, the controller-manager,
// kwok (fake nodes that stay Ready, with emulated kubelet resource metrics),
// metrics-server (scraping them) and Karpenter's kwok cloud provider.
// StartFleet runs several such clusters at once, each on its own ports with
// its own data, and writes one kubeconfig with a context per cluster.
//
// The binaries are built from the Go module proxy by the tool modules under
// internal/e2e/tools and cached outside the clone (see EnsureBinaries).
package harness

import (
	"fmt"
	"os"
	"path/filepath"
)

// Versions of the components. They must match internal/e2e/tools/go.mod,
// internal/e2e/tools/etcd/go.mod and internal/e2e/tools/metrics-server/go.mod
// (a unit test checks this).
const (
	EtcdVersion          = "v3.6.16"
	KubernetesVersion    = "v1.37.2"
	KwokVersion          = "v0.8.0"
	KarpenterVersion     = "v1.14.1"
	MetricsServerVersion = "v0.8.0"
)

// VersionsKey names the control plane's binary cache directory: a new
// version of any of its components gets a fresh directory, so stale
// binaries are never reused.
func VersionsKey() string {
	return fmt.Sprintf("etcd%s-k8s%s-kwok%s-karpenter%s",
		EtcdVersion[1:], KubernetesVersion[1:], KwokVersion[1:], KarpenterVersion[1:])
}

// MetricsServerKey names metrics-server's cache directory. metrics-server
// shares no module with the control plane (its own tool module), so it has
// a directory of its own, keyed by its version alone: bumping it rebuilds
// only it, and bumping the control plane leaves it cached.
func MetricsServerKey() string {
	return "metrics-server" + MetricsServerVersion[1:]
}

// CacheDir is ${XDG_CACHE_HOME:-$HOME/.cache}/eks-node-viewer/e2e.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cache dir: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "eks-node-viewer", "e2e"), nil
}

// BinDir is where the control plane's binaries of the pinned versions live.
func BinDir() (string, error) {
	return keyBinDir(VersionsKey())
}

func keyBinDir(key string) (string, error) {
	c, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, key, "bin"), nil
}

package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// A component is one binary built from a tool module.
type component struct {
	name     string // binary file name
	module   string // tool module directory, relative to internal/e2e/tools
	pkg      string // main package
	ldflags  []string
	cacheKey string // cache directory under CacheDir (VersionsKey or its own)
}

func kubeLDFlags() []string {
	v := KubernetesVersion
	minor := strings.Split(v, ".")[1]
	return []string{
		"-X k8s.io/component-base/version.gitVersion=" + v,
		"-X k8s.io/component-base/version.gitMajor=1",
		"-X k8s.io/component-base/version.gitMinor=" + minor,
		"-X k8s.io/component-base/version.gitTreeState=clean",
	}
}

// Binary names.
const (
	BinEtcd          = "etcd"
	BinAPIServer     = "kube-apiserver"
	BinCM            = "kube-controller-manager"
	BinScheduler     = "kube-scheduler"
	BinKwok          = "kwok"
	BinKarpenter     = "karpenter-kwok"
	BinMetricsServer = "metrics-server"
	toolsRelative    = "internal/e2e/tools"
)

// components in build order: the apiserver first (the largest; the CM and
// the scheduler then reuse most of its compiled packages); metrics-server,
// from its own module, last.
var components = []component{
	{BinEtcd, "etcd", "go.etcd.io/etcd/server/v3",
		[]string{"-X go.etcd.io/etcd/api/v3/version.GitSHA=" + EtcdVersion}, VersionsKey()},
	{BinAPIServer, ".", "k8s.io/kubernetes/cmd/kube-apiserver", kubeLDFlags(), VersionsKey()},
	{BinCM, ".", "k8s.io/kubernetes/cmd/kube-controller-manager", kubeLDFlags(), VersionsKey()},
	{BinScheduler, ".", "k8s.io/kubernetes/cmd/kube-scheduler", kubeLDFlags(), VersionsKey()},
	{BinKwok, ".", "sigs.k8s.io/kwok/cmd/kwok",
		[]string{"-X sigs.k8s.io/kwok/pkg/consts.Version=" + KwokVersion[1:]}, VersionsKey()},
	{BinKarpenter, ".", "sigs.k8s.io/karpenter/kwok",
		[]string{"-X sigs.k8s.io/karpenter/pkg/operator.Version=" + KarpenterVersion}, VersionsKey()},
	// metrics-server stamps its version through client-go's version package.
	{BinMetricsServer, "metrics-server", "sigs.k8s.io/metrics-server/cmd/metrics-server",
		[]string{"-X k8s.io/client-go/pkg/version.gitVersion=" + MetricsServerVersion}, MetricsServerKey()},
}

// AllBinaries are the names of every binary, for the largest cluster size.
func AllBinaries() []string {
	names := make([]string, len(components))
	for i, c := range components {
		names[i] = c.name
	}
	return names
}

// ErrMissing is returned by EnsureBinaries when binaries are missing and
// building was not allowed.
var ErrMissing = errors.New("e2e binaries missing")

// BuildOptions configure EnsureBinaries.
type BuildOptions struct {
	// Names are the binaries wanted (default all).
	Names []string
	// NoBuild reports ErrMissing instead of building.
	NoBuild bool
	// Progress receives progress lines (default os.Stderr).
	Progress io.Writer
}

// BuildDisabled tells whether the environment forbids building (E2E_BUILD=0).
func BuildDisabled() bool { return os.Getenv("E2E_BUILD") == "0" }

// Missing lists the wanted binaries that are not in dir.
func Missing(dir string, names []string) []string {
	var out []string
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode()&0o111 == 0 {
			out = append(out, n)
		}
	}
	return out
}

// BinPath is where binary name is cached: in BinDir for the control plane,
// in a directory keyed by its own version for metrics-server.
func BinPath(name string) (string, error) {
	c, ok := componentByName(name)
	if !ok {
		return "", fmt.Errorf("unknown binary %q", name)
	}
	dir, err := keyBinDir(c.cacheKey)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// MissingBinaries lists the wanted binaries that are not built yet, each
// looked for in its own cache directory, as "name (path)".
func MissingBinaries(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		p, err := BinPath(n)
		if err != nil {
			return nil, err
		}
		if len(Missing(filepath.Dir(p), []string{n})) > 0 {
			out = append(out, fmt.Sprintf("%s (%s)", n, p))
		}
	}
	return out, nil
}

// EnsureBinaries builds the wanted binaries that are missing from their
// cache directories, one at a time (a kube-apiserver link takes ~2.5 GB),
// and returns BinDir (BinPath tells where each binary is). Each binary is
// written under a temporary name and renamed, so an interrupted build never
// leaves a broken binary behind.
func EnsureBinaries(ctx context.Context, opts BuildOptions) (string, error) {
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	names := opts.Names
	if len(names) == 0 {
		names = AllBinaries()
	}
	core, err := BinDir()
	if err != nil {
		return "", err
	}
	missing, err := MissingBinaries(names)
	if err != nil {
		return "", err
	}
	if len(missing) == 0 {
		return core, nil
	}
	if opts.NoBuild {
		return core, fmt.Errorf("%w: %s", ErrMissing, strings.Join(missing, ", "))
	}
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	// Build in the order of components, grouped by cache directory: each
	// directory is locked while its binaries are built.
	var order []component
	for _, c := range components {
		if slices.Contains(names, c.name) {
			order = append(order, c)
		}
	}
	start := time.Now()
	built := 0
	for i := 0; i < len(order); {
		key := order[i].cacheKey
		j := i
		for j < len(order) && order[j].cacheKey == key {
			j++
		}
		n, err := ensureDir(ctx, tools, order[i:j], opts.Progress)
		built += n
		if err != nil {
			return "", err
		}
		i = j
	}
	fmt.Fprintf(opts.Progress, "e2e: built %d binaries in %s\n", built, time.Since(start).Round(time.Second))
	return core, nil
}

// ensureDir builds the missing binaries of comps, which share one cache
// directory, under that directory's lock. It returns how many it built.
func ensureDir(ctx context.Context, tools string, comps []component, progress io.Writer) (int, error) {
	dir, err := keyBinDir(comps[0].cacheKey)
	if err != nil {
		return 0, err
	}
	names := make([]string, len(comps))
	for i, c := range comps {
		names[i] = c.name
	}
	if len(Missing(dir, names)) == 0 {
		return 0, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("create bin dir: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return 0, err
	}
	defer unlock()
	// Another process may have built them while we waited for the lock.
	missing := Missing(dir, names)
	for i, name := range missing {
		c, _ := componentByName(name)
		fmt.Fprintf(progress, "e2e: building %s (%s) [%d/%d] into %s\n", name, c.pkg, i+1, len(missing), dir)
		t0 := time.Now()
		if err := buildOne(ctx, tools, dir, c, progress); err != nil {
			return i, err
		}
		fmt.Fprintf(progress, "e2e: built %s in %s\n", name, time.Since(t0).Round(time.Second))
	}
	return len(missing), nil
}

func componentByName(name string) (component, bool) {
	for _, c := range components {
		if c.name == name {
			return c, true
		}
	}
	return component{}, false
}

func buildOne(ctx context.Context, tools, dir string, c component, progress io.Writer) error {
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d", c.name, os.Getpid()))
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, goBinary(), "build", "-ldflags", strings.Join(c.ldflags, " "), "-o", tmp, c.pkg)
	cmd.Dir = filepath.Join(tools, c.module)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stdout = progress
	cmd.Stderr = progress
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(progress, "e2e: still building %s (%s)\n", c.name, time.Since(start).Round(time.Second))
			}
		}
	}()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", c.name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, c.name)); err != nil {
		return fmt.Errorf("install %s: %w", c.name, err)
	}
	return nil
}

// lockDir serialises builders (tests and `cluster up` may race).
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock bin dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock bin dir: %w", err)
	}
	return func() { f.Close() }, nil
}

// goBinary prefers the go that runs us ($GOROOT/bin/go), then PATH.
func goBinary() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ToolsDir finds internal/e2e/tools by walking up from the working
// directory (tests run in their package directory, `go run` in the root).
func ToolsDir() (string, error) {
	if d := os.Getenv("E2E_TOOLS_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, toolsRelative)
		if fileExists(filepath.Join(p, "go.mod")) {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s/go.mod above %s", toolsRelative, wd)
		}
	}
}

// RepoRoot is the directory that holds internal/e2e/tools.
func RepoRoot() (string, error) {
	t, err := ToolsDir()
	if err != nil {
		return "", err
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(t))), nil
}

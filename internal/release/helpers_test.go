package release

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repoRoot is the clone's top level (this package is internal/release).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".goreleaser.yaml")); err != nil {
		t.Fatalf("no .goreleaser.yaml at the top level: %v", err)
	}
	return root
}

// tool is the binary named by the environment variable env ($GORELEASER,
// $ACTIONLINT), which make exports; without it the test is skipped.
func tool(t *testing.T, env string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		t.Skipf("$%s is not set: `make test` builds it (make tools) and sets it", env)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("$%s: %v (run make tools)", env, err)
	}
	return path
}

// cmd is one command to run in a directory with extra environment.
type cmd struct {
	dir     string
	env     []string
	timeout time.Duration
}

// run runs name with args and returns its combined output; a failure or
// timeout fails the test with the output.
func (c cmd) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	timeout := c.timeout
	if timeout == 0 {
		timeout = 9 * time.Minute // a cold build of the whole graph on 2 busy cores
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	x := exec.CommandContext(ctx, name, args...)
	x.Dir = c.dir
	x.Env = append(os.Environ(), c.env...)
	x.Stdin = nil
	var out bytes.Buffer
	x.Stdout, x.Stderr = &out, &out
	start := time.Now()
	err := x.Run()
	t.Logf("%s %s: %.1fs", filepath.Base(name), strings.Join(args, " "), time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// git runs git in the repository and returns its trimmed output.
func git(t *testing.T, root string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(cmd{dir: root}.run(t, "git", args...))
}

// commitTime is HEAD's commit time, in UTC as goreleaser's .CommitDate.
func commitTime(t *testing.T, root string) time.Time {
	t.Helper()
	sec, err := strconv.ParseInt(git(t, root, "log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(sec, 0).UTC()
}

// originEnv names an origin remote through git's environment config for a
// checkout without one (goreleaser's snapshot otherwise stamps commit "none"
// and a zero date); a clone's own origin is left alone.
func originEnv(t *testing.T, root string) []string {
	t.Helper()
	if git(t, root, "remote") != "" {
		return nil
	}
	return []string{
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=remote.origin.url",
		"GIT_CONFIG_VALUE_0=https://github.com/eksnodeviewer/eks-node-viewer.git",
	}
}

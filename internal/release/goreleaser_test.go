package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

func TestGoreleaserCheck(t *testing.T) {
	g := tool(t, "GORELEASER")
	cmd{dir: repoRoot(t)}.run(t, g, "check")
}

// config is .goreleaser.yaml as a generic map, to derive the test configs from.
func config(t *testing.T, root string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return c
}

// writeConfig writes c to dir/goreleaser.yaml and returns the path.
func writeConfig(t *testing.T, dir string, c map[string]any) string {
	t.Helper()
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "goreleaser.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// artifact is one entry of goreleaser's dist/artifacts.json.
type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

func artifacts(t *testing.T, dist string) []artifact {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dist, "artifacts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var as []artifact
	if err := json.Unmarshal(b, &as); err != nil {
		t.Fatalf("artifacts.json: %v", err)
	}
	for i, a := range as {
		if !filepath.IsAbs(a.Path) { // relative to where goreleaser ran, the dist's parent here
			as[i].Path = filepath.Join(filepath.Dir(dist), a.Path)
		}
	}
	return as
}

// meta is goreleaser's dist/metadata.json: the version it gave the build and
// the tag its download URLs name (v0.0.0 in a snapshot of an untagged tree).
type meta struct{ Version, Tag string }

func metadata(t *testing.T, dist string) meta {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil || m.Version == "" || m.Tag == "" {
		t.Fatalf("metadata.json: no version or tag (%v): %s", err, b)
	}
	return m
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hostBuild is `goreleaser build --single-target --snapshot` of the real
// config into its own dist, without the before hooks (they only make the
// completions and man page for the archives). It returns the dist and the
// host binary.
func hostBuild(t *testing.T, g, root string) (dist, bin string) {
	t.Helper()
	tmp := t.TempDir()
	c := config(t, root)
	dist = filepath.Join(tmp, "dist")
	c["dist"] = dist
	cfg := writeConfig(t, tmp, c)
	cmd{dir: root, env: originEnv(t, root)}.run(t, g, "build", "--config", cfg, "--single-target", "--snapshot", "--clean", "--skip=before")
	for _, a := range artifacts(t, dist) {
		if a.Type == "Binary" && a.Goos == runtime.GOOS && a.Goarch == runtime.GOARCH {
			return dist, a.Path
		}
	}
	t.Fatalf("no %s/%s binary in %s/artifacts.json", runtime.GOOS, runtime.GOARCH, dist)
	return "", ""
}

// The host's snapshot binary prints the snapshot version and the commit it was
// built from, stamped by the config's ldflags; a second build from the same
// commit is the same bytes.
func TestSnapshotBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	g := tool(t, "GORELEASER")
	root := repoRoot(t)
	treeState0 := treeState(t, root)
	dist, bin := hostBuild(t, g, root)

	version := metadata(t, dist).Version
	if !strings.HasSuffix(version, "-next") {
		t.Errorf("snapshot version %q, want the version_template's ...-next", version)
	}
	commit := git(t, root, "rev-parse", "HEAD")
	date := commitTime(t, root).Format(time.RFC3339)
	out := strings.TrimSpace(cmd{dir: root, timeout: 30 * time.Second}.run(t, bin, "--version"))
	for _, want := range []string{" v" + version + " ", commit, date} {
		if !strings.Contains(out, want) {
			t.Errorf("--version printed %q, want it to contain %q", out, want)
		}
	}

	before := treeState(t, root)
	_, again := hostBuild(t, g, root)
	a, b := sha256File(t, bin), sha256File(t, again)
	switch {
	case a == b:
	case treeState(t, root) != before || before != treeState0:
		t.Logf("the work tree changed during the builds: not comparing them (%s vs %s)", a, b)
	default:
		t.Errorf("two snapshot builds of one tree differ: %s vs %s", a, b)
	}
}

// treeState is a hash of the work tree's changes from HEAD, tracked and
// untracked, to tell whether someone edited files between two builds.
func treeState(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	io.WriteString(h, cmd{dir: root}.run(t, "git", "diff", "HEAD", "--binary"))
	for _, name := range strings.Fields(cmd{dir: root}.run(t, "git", "ls-files", "--others", "--exclude-standard")) {
		b, _ := os.ReadFile(filepath.Join(root, name)) // gone meanwhile: hashed as empty
		io.WriteString(h, name+"\x00"+string(b))
	}
	return hex.EncodeToString(h.Sum(nil))
}

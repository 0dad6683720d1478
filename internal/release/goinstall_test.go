package release

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

const modulePath = "github.com/eksnodeviewer/eks-node-viewer"

// `go install <module>/cmd/eks-node-viewer@<version>` needs go.mod to name the
// import path and to have no replace or exclude directives (go install
// refuses a module that has them).
func TestGoModInstallable(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseLax("go.mod", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Module == nil || f.Module.Mod.Path != modulePath {
		t.Errorf("module path %v, want %s", f.Module, modulePath)
	}
	for _, r := range f.Replace {
		t.Errorf("go.mod:%d: replace %s: go install ...@version refuses a module with replace directives", r.Syntax.Start.Line, r.Old.Path)
	}
	for _, x := range f.Exclude {
		t.Errorf("go.mod:%d: exclude %s: go install ...@version refuses a module with exclude directives", x.Syntax.Start.Line, x.Mod.Path)
	}
}

// goEnv is one `go env` value.
func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

// fileProxy lays out a GOPROXY directory serving the work tree as
// modulePath@version: the files a commit would hold (tracked or not ignored,
// as they are on disk), zipped by golang.org/x/mod/zip as a proxy zips a tag.
// In a clean clone that is HEAD.
func fileProxy(t *testing.T, root, dir, version string) {
	t.Helper()
	v := filepath.Join(dir, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := json.Marshal(map[string]string{"Version": version, "Time": commitTime(t, root).Format("2006-01-02T15:04:05Z")})
	if err != nil {
		t.Fatal(err)
	}
	gomod := readFile(t, filepath.Join(root, "go.mod"))
	for name, body := range map[string]string{"list": version + "\n", version + ".info": string(info), version + ".mod": gomod} {
		if err := os.WriteFile(filepath.Join(v, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	z, err := os.Create(filepath.Join(v, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if err := modzip.Create(z, module.Version{Path: modulePath, Version: version}, treeFiles(t, root)); err != nil {
		t.Fatal(err)
	}
}

// treeFile is one work tree file for modzip.Create.
type treeFile struct{ root, name string }

func (f treeFile) Path() string                 { return f.name }
func (f treeFile) Lstat() (os.FileInfo, error)  { return os.Lstat(filepath.Join(f.root, f.name)) }
func (f treeFile) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.name)) }

// treeFiles are the work tree's files that are tracked or not ignored.
func treeFiles(t *testing.T, root string) []modzip.File {
	t.Helper()
	out := cmd{dir: root}.run(t, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var files []modzip.File
	for _, name := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		if _, err := os.Lstat(filepath.Join(root, name)); err != nil {
			continue // deleted, not yet committed
		}
		files = append(files, treeFile{root, name})
	}
	return files
}

// The module installs with go install from a module proxy into a clean GOPATH
// and GOBIN, and the binary's --version is the version installed (from its
// build info).
//
// The proxy chain is the file proxy, then this machine's module cache read as
// a proxy (nothing already downloaded is fetched again; it is never written),
// then the default GOPROXY. The module cache the install writes is a private
// one outside the clone, kept between runs so the dependencies are extracted
// once; each run installs a version of its own and removes it afterwards, so
// no run sees another's module. -trimpath and CGO_ENABLED=0 (as the release
// builds) keep the build cache's entries for the dependencies valid.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	version := fmt.Sprintf("v0.0.0-test.%d", time.Now().UnixNano())
	root := repoRoot(t)
	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	fileProxy(t, root, proxy, version)

	userCache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	modcache := filepath.Join(userCache, "eks-node-viewer", "release", "gomodcache")
	t.Cleanup(func() { forget(t, modcache, version) })
	gopath, gobin := filepath.Join(tmp, "gopath"), filepath.Join(tmp, "bin")
	chain := "file://" + filepath.ToSlash(proxy) +
		",file://" + filepath.ToSlash(filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download")) +
		"," + goEnv(t, "GOPROXY")
	env := []string{
		"GOPATH=" + gopath,
		"GOBIN=" + gobin,
		"GOMODCACHE=" + modcache,
		"GOPROXY=" + chain,
		"GONOSUMDB=" + modulePath,
		"GOPRIVATE=",
		"GOFLAGS=-mod=mod -trimpath -modcacherw",
		"GOTOOLCHAIN=local",
		"CGO_ENABLED=0",
		"GOWORK=off",
	}
	// Outside any module, as a user would run it.
	cmd{dir: tmp, env: env}.run(t, "go", "install", modulePath+"/cmd/eks-node-viewer@"+version)

	bin := filepath.Join(gobin, "eks-node-viewer")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out := cmd{dir: tmp}.run(t, bin, "--version")
	if !strings.Contains(out, " "+version+" ") {
		t.Errorf("--version printed %q, want the installed version %s", out, version)
	}
	m := cmd{dir: tmp}.run(t, "go", "version", "-m", bin)
	if !strings.Contains(m, "mod\t"+modulePath+"\t"+version) {
		t.Errorf("build info does not name %s %s:\n%s", modulePath, version, m)
	}
}

// forget removes version of this module from the module cache (extracted and
// downloaded), leaving the dependencies for the next run.
func forget(t *testing.T, modcache, version string) {
	dirs, _ := filepath.Glob(filepath.Join(modcache, filepath.FromSlash(modulePath)+"@"+version))
	files, _ := filepath.Glob(filepath.Join(modcache, "cache", "download", filepath.FromSlash(modulePath), "@v", version+".*"))
	for _, p := range append(dirs, files...) {
		if err := os.RemoveAll(p); err != nil {
			t.Errorf("module cache: %v", err)
		}
	}
}

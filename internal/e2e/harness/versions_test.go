package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The version constants name the binary cache; they must be what the tool
// modules actually build.
func TestVersionsMatchToolModules(t *testing.T) {
	for _, c := range []struct{ gomod, module, version string }{
		{"../tools/etcd/go.mod", "go.etcd.io/etcd/server/v3", EtcdVersion},
		{"../tools/go.mod", "k8s.io/kubernetes", KubernetesVersion},
		{"../tools/go.mod", "sigs.k8s.io/kwok", KwokVersion},
		{"../tools/go.mod", "sigs.k8s.io/karpenter", KarpenterVersion},
		{"../tools/metrics-server/go.mod", "sigs.k8s.io/metrics-server", MetricsServerVersion},
	} {
		b, err := os.ReadFile(filepath.FromSlash(c.gomod))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\t"+c.module+" "+c.version) {
			t.Errorf("%s does not require %s %s", c.gomod, c.module, c.version)
		}
	}
}

// Every k8s.io staging module must be pinned to the matching v0 version.
func TestStagingReplaces(t *testing.T) {
	b, err := os.ReadFile(filepath.FromSlash("../tools/go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	want := "v0." + strings.TrimPrefix(KubernetesVersion, "v1.")
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && f[1] == "=>" && strings.HasPrefix(f[0], "k8s.io/") {
			n++
			if f[2] != f[0] || f[3] != want {
				t.Errorf("replace %q: want %s => %s %s", l, f[0], f[0], want)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d k8s.io replaces", n)
	}
}

func TestVersionsKey(t *testing.T) {
	if got, want := VersionsKey(), "etcd3.6.16-k8s1.37.2-kwok0.8.0-karpenter1.14.1"; got != want {
		t.Errorf("VersionsKey() = %q, want %q", got, want)
	}
	if got, want := MetricsServerKey(), "metrics-server0.8.0"; got != want {
		t.Errorf("MetricsServerKey() = %q, want %q", got, want)
	}
}

// Each binary is cached under the key of the versions it is built from.
func TestBinPath(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	for name, want := range map[string]string{
		BinAPIServer:     "/cache/eks-node-viewer/e2e/etcd3.6.16-k8s1.37.2-kwok0.8.0-karpenter1.14.1/bin/kube-apiserver",
		BinKwok:          "/cache/eks-node-viewer/e2e/etcd3.6.16-k8s1.37.2-kwok0.8.0-karpenter1.14.1/bin/kwok",
		BinMetricsServer: "/cache/eks-node-viewer/e2e/metrics-server0.8.0/bin/metrics-server",
	} {
		got, err := BinPath(name)
		if err != nil || got != want {
			t.Errorf("BinPath(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := BinPath("kubelet"); err == nil {
		t.Error("BinPath(kubelet): no error")
	}
	missing, err := MissingBinaries([]string{BinEtcd, BinMetricsServer})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 2 || !strings.HasPrefix(missing[1], "metrics-server (/cache/eks-node-viewer/e2e/metrics-server0.8.0/bin/") {
		t.Errorf("MissingBinaries in an empty cache: %q", missing)
	}
}

func TestParseSize(t *testing.T) {
	for _, s := range []string{"apiserver", "full", "karpenter"} {
		if _, err := ParseSize(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseSize("huge"); err == nil || !strings.Contains(err.Error(), `unknown cluster size "huge"`) {
		t.Errorf("ParseSize(huge) = %v", err)
	}
	if got := SizeFull.Binaries(); strings.Join(got, ",") != "etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok,metrics-server" {
		t.Errorf("full binaries: %v", got)
	}
	if got := SizeKarpenter.Binaries(); strings.Join(got, ",") != "etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok,metrics-server,karpenter-kwok" {
		t.Errorf("karpenter binaries: %v", got)
	}
	if got := SizeAPIServer.Binaries(); strings.Join(got, ",") != "etcd,kube-apiserver" {
		t.Errorf("apiserver binaries: %v", got)
	}
}

func TestDecodeYAMLLab(t *testing.T) {
	b, err := os.ReadFile(filepath.FromSlash("../../../testdata/e2e/lab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := DecodeYAML(b)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind()+"/"+o.GetName())
	}
	want := "Node/static-node-1,Node/static-node-2,Namespace/my-cool-app,Namespace/database,Deployment/fastapi-deployment,Pod/postgres"
	if strings.Join(kinds, ",") != want {
		t.Errorf("lab objects %v, want %s", kinds, want)
	}
}

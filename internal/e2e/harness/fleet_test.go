package harness

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

// Two clusters' kubeconfigs name their cluster and user alike ("e2e",
// "e2e-admin"), as Start writes them: the fleet's kubeconfig keeps each
// context on its own server, CA and credentials.
func TestWriteFleetKubeconfig(t *testing.T) {
	dir := t.TempDir()
	members := []struct {
		name, server string
		ca, crt, key []byte
	}{
		{"lab", "https://127.0.0.1:6443", []byte("ca-lab"), []byte("crt-lab"), []byte("key-lab")},
		{"other", "https://127.0.0.1:7443", []byte("ca-other"), []byte("crt-other"), []byte("key-other")},
	}
	var named []NamedKubeconfig
	for _, m := range members {
		p := filepath.Join(dir, m.name, "kubeconfig")
		if err := writeKubeconfig(p, m.server, m.ca, m.crt, m.key, "e2e-admin"); err != nil {
			t.Fatal(err)
		}
		named = append(named, NamedKubeconfig{Context: m.name, Path: p})
	}
	path := filepath.Join(dir, "fleet", "kubeconfig")
	if err := WriteFleetKubeconfig(path, named); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "lab" || len(cfg.Contexts) != 2 || len(cfg.Clusters) != 2 || len(cfg.AuthInfos) != 2 {
		t.Fatalf("current %q, %d contexts, %d clusters, %d users", cfg.CurrentContext, len(cfg.Contexts), len(cfg.Clusters), len(cfg.AuthInfos))
	}
	for _, m := range members {
		rc, err := ContextRESTConfig(path, m.name)
		if err != nil {
			t.Fatal(err)
		}
		if rc.Host != m.server || !bytes.Equal(rc.CAData, m.ca) || !bytes.Equal(rc.CertData, m.crt) || !bytes.Equal(rc.KeyData, m.key) {
			t.Errorf("context %s: host %s, CA %q, cert %q, key %q", m.name, rc.Host, rc.CAData, rc.CertData, rc.KeyData)
		}
	}
	if _, err := ContextRESTConfig(path, "nope"); err == nil {
		t.Error("an unknown context loaded")
	}
}

func TestWriteFleetKubeconfigRejects(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "one")
	if err := writeKubeconfig(p, "https://127.0.0.1:6443", []byte("ca"), []byte("crt"), []byte("key"), "u"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		members []NamedKubeconfig
		want    string
	}{
		{nil, "at least one"},
		{[]NamedKubeconfig{{"lab", p}, {"lab", p}}, "twice"},
		{[]NamedKubeconfig{{"a,b", p}}, "context name"},
		{[]NamedKubeconfig{{"", p}}, "context name"},
		{[]NamedKubeconfig{{"lab", filepath.Join(dir, "missing")}}, "lab"},
	} {
		err := WriteFleetKubeconfig(filepath.Join(dir, "out"), tc.members)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one saying %q", tc.members, err, tc.want)
		}
	}
}

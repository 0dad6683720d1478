package kube

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

const clusterA = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://a.example:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: ctx-a
  context: {cluster: a, user: u}
current-context: ctx-a
`

const clusterB = `apiVersion: v1
kind: Config
clusters:
- name: b
  cluster: {server: "https://b.example:6443"}
users:
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, b]
contexts:
- name: ctx-b
  context: {cluster: b, user: eks}
`

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFromAListOfFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := write(t, dir, "a", clusterA), write(t, dir, "b", clusterB)
	list := strings.Join([]string{a, b}, string(filepath.ListSeparator))

	cfg, where, err := Config(list, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://a.example:6443" || where != "context ctx-a (https://a.example:6443)" {
		t.Errorf("current context: %s %q", cfg.Host, where)
	}
	cfg, _, err = Config(list, "ctx-b")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://b.example:6443" || cfg.ExecProvider == nil || cfg.ExecProvider.Command != "aws" {
		t.Errorf("--context ctx-b with an exec plugin: %+v", cfg)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a", clusterA)
	if _, _, err := Config(a, "nope"); err == nil || !strings.Contains(err.Error(), `context "nope" does not exist`) {
		t.Errorf("unknown context: %v", err)
	}
	if _, _, err := Config(filepath.Join(dir, "missing"), ""); err == nil || !strings.HasPrefix(err.Error(), "kubeconfig: ") {
		t.Errorf("missing file: %v", err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(dir, "none"))
	t.Setenv("HOME", dir)
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, _, err := Config("", ""); err == nil || !strings.Contains(err.Error(), "try --demo") {
		t.Errorf("no config at all: %v", err)
	}
}

func TestQuietLogsKeepsTheTerminalClean(t *testing.T) {
	// Point the process's stderr at a file to see what would reach the terminal.
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = f
	defer func() { os.Stderr = saved }()

	var log strings.Builder
	QuietLogs(&log)
	klog.Errorf("reflector failed: %s", "boom")
	klog.Flush()
	os.Stderr = saved

	term, _ := os.ReadFile(f.Name())
	if len(term) != 0 {
		t.Errorf("printed to stderr: %q", term)
	}
	if !strings.Contains(log.String(), "reflector failed: boom") {
		t.Errorf("log file lacks the message: %q", log.String())
	}
	QuietLogs(nil)
	klog.Errorf("nowhere")
	klog.Flush()
	if strings.Contains(log.String(), "nowhere") {
		t.Error("QuietLogs(nil) must discard")
	}
}

// TestListContexts: every context of the kubeconfig list, sorted, with its
// server; one naming a cluster that is not there has none (and Config
// says why); nothing is asked of an exec plugin.
func TestListContexts(t *testing.T) {
	dir := t.TempDir()
	a, b := write(t, dir, "a", clusterA), write(t, dir, "b", clusterB)
	c := write(t, dir, "c", `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: kind-lab
  context: {cluster: lab, user: u}
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  context: {cluster: gone, user: u}
`)
	list := strings.Join([]string{a, b, c}, string(filepath.ListSeparator))
	got, err := ListContexts(list)
	if err != nil {
		t.Fatal(err)
	}
	want := []Context{
		{Name: "arn:aws:eks:eu-west-1:111122223333:cluster/prod"},
		{Name: "ctx-a", Server: "https://a.example:6443"},
		{Name: "ctx-b", Server: "https://b.example:6443"},
		{Name: "kind-lab", Server: "https://127.0.0.1:6443"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListContexts:\n got %+v\nwant %+v", got, want)
	}
	names, err := Contexts(list)
	if err != nil || strings.Join(names, " ") != "arn:aws:eks:eu-west-1:111122223333:cluster/prod ctx-a ctx-b kind-lab" {
		t.Errorf("Contexts: %q %v", names, err)
	}
	if _, _, err := Config(list, "arn:aws:eks:eu-west-1:111122223333:cluster/prod"); err == nil {
		t.Error("Config of a context without its cluster: no error")
	}
	if _, err := ListContexts(filepath.Join(dir, "missing")); err == nil || !strings.HasPrefix(err.Error(), "kubeconfig: ") {
		t.Errorf("missing file: %v", err)
	}
	empty := write(t, dir, "empty", "apiVersion: v1\nkind: Config\n")
	if got, err := ListContexts(empty); err != nil || len(got) != 0 {
		t.Errorf("no contexts: %+v %v", got, err)
	}
}

// TestClientsPerContext: each context of a fleet gets clients of its own:
// its server, its clock.
func TestClientsPerContext(t *testing.T) {
	dir := t.TempDir()
	list := strings.Join([]string{write(t, dir, "a", clusterA), write(t, dir, "b", clusterB)}, string(filepath.ListSeparator))
	var got []*Clients
	for _, name := range []string{"ctx-a", "ctx-b"} {
		cfg, where, err := Config(list, name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewClients(cfg, where)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if got[0].Server != "https://a.example:6443" || got[1].Server != "https://b.example:6443" {
		t.Errorf("servers %q %q", got[0].Server, got[1].Server)
	}
	if got[0].Where != "context ctx-a (https://a.example:6443)" || got[1].Where != "context ctx-b (https://b.example:6443)" {
		t.Errorf("where %q %q", got[0].Where, got[1].Where)
	}
	if got[0].Clock == got[1].Clock || got[0].Kube == got[1].Kube {
		t.Error("two contexts share a clock or a client")
	}
}

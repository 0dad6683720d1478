package kube

import (
	"os"
	"path/filepath"
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

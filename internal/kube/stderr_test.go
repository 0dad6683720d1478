//go:build unix

package kube

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/syncbuf"
)

// fakeTerminal points file descriptor 2 at a file for the test, as if it
// were the user's terminal, and returns a function reading what reached it.
func fakeTerminal(t *testing.T) func() string {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "terminal"))
	if err != nil {
		t.Fatal(err)
	}
	saved, undo, err := redirectStderr(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = undo()
		saved.Close()
		f.Close()
	})
	return func() string {
		b, _ := os.ReadFile(f.Name())
		return string(b)
	}
}

// plugin writes an exec credential plugin: a shell script that says
// something on stderr and prints a token, or fails when $FAIL is set.
func plugin(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "get-token")
	script := `#!/bin/sh
if [ -n "$FAIL" ]; then
  echo "Error loading SSO Token: Token for sso-session dev has expired" >&2
  echo "   " >&2
  exit 255
fi
printf 'refreshing token for \033[31mcluster\033[0m (Authorization: Bearer tok-12345678)\n' >&2
cat <<JSON
{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok-12345678"}}
JSON
`
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// execKubeconfig is a kubeconfig for srv (client-go runs exec plugins only
// over TLS) whose user is the plugin at command.
func execKubeconfig(t *testing.T, dir string, srv *httptest.Server, command, fail string) string {
	t.Helper()
	ca := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return write(t, dir, "kubeconfig-"+fail, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q, certificate-authority-data: %s}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: %s
      interactiveMode: Never
      env: [{name: FAIL, value: %q}]
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, srv.URL, ca, command, fail))
}

// TestExecPluginStderrGoesToTheLog: the plugin runs at the first request
// (the API server checks its token); what it writes on stderr reaches the
// log and LastAuthMessage, never the terminal.
func TestExecPluginStderrGoesToTheLog(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-12345678" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"major":"1","minor":"34","gitVersion":"v1.34.0"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cmd := plugin(t, dir)
	terminal := fakeTerminal(t)

	var log syncbuf.Buffer
	capture, err := CaptureStderr(&log)
	if err != nil {
		t.Fatal(err)
	}
	capture.ScreenOn(true)
	check := func(fail string) error {
		cfg, where, err := Config(execKubeconfig(t, dir, srv, cmd, fail), "")
		if err != nil {
			t.Fatal(err)
		}
		clients, err := NewClients(cfg, where)
		if err != nil {
			t.Fatal(err)
		}
		return clients.Check(context.Background(), 20*time.Second)
	}
	if err := check(""); err != nil {
		t.Fatalf("the server refused the plugin's token: %v\nlog:\n%s", err, log.String())
	}
	waitFor(t, func() bool { return strings.Contains(log.String(), "refreshing token") }, "the plugin's line in the log")
	if got, want := LastAuthMessage(), "refreshing token for cluster (Authorization: Bearer <redacted>)"; got != want {
		t.Errorf("LastAuthMessage() = %q, want %q", got, want)
	}
	if err := check("yes"); err == nil {
		t.Fatal("a failing plugin let the request through")
	}
	waitFor(t, func() bool { return strings.Contains(log.String(), "has expired") }, "the failing plugin's line in the log")
	if got, want := LastAuthMessage(), "Error loading SSO Token: Token for sso-session dev has expired"; got != want {
		t.Errorf("LastAuthMessage() after the plugin failed = %q, want %q", got, want)
	}
	// Turning the screen off waits for what was written while it was up.
	fmt.Fprint(os.Stderr, "the last word under the screen\n   \n")
	capture.ScreenOn(false)
	for _, want := range []string{"has expired\n", "the last word under the screen\n", " stderr:    \n"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	// The last line is blank: LastAuthMessage keeps the one before.
	if got, want := LastAuthMessage(), "the last word under the screen"; got != want {
		t.Errorf("LastAuthMessage() = %q, want %q", got, want)
	}
	if s := terminal(); s != "" {
		t.Errorf("reached the terminal while the screen was on: %q", s)
	}
	for _, bad := range []string{"tok-12345678", "flush", "\x1b"} {
		if strings.Contains(log.String(), bad) {
			t.Errorf("%q in the log:\n%s", bad, log.String())
		}
	}

	// With the screen off, stderr passes through again (and is still logged).
	fmt.Fprintln(os.Stderr, "after the screen")
	if err := capture.Restore(); err != nil {
		t.Fatal(err)
	}
	if s := terminal(); s != "after the screen\n" {
		t.Errorf("terminal after the screen: %q", s)
	}
	if !strings.Contains(log.String(), " stderr: after the screen\n") {
		t.Errorf("log lacks the line after the screen:\n%s", log.String())
	}
	fmt.Fprintln(os.Stderr, "restored")
	if s := terminal(); !strings.HasSuffix(s, "restored\n") {
		t.Errorf("stderr not restored: %q", s)
	}
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("never saw %s", what)
}

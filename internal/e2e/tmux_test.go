//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// term is the viewer running in a detached tmux session on a private tmux
// server (-L), read with capture-pane.
type term struct {
	t       *testing.T
	sock    string
	logFile string
	recent  []string // the last distinct screens, for failure reports
}

// exitMarker is printed by the wrapper shell when the viewer exits.
const exitMarker = "[viewer exited:"

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// viewerEnv keeps the viewer's AWS SDK off the network: no instance
// metadata (169.254.169.254), no credentials or config from this machine,
// and every endpoint on a closed loopback port.
var viewerEnv = []string{
	"AWS_EC2_METADATA_DISABLED=true",
	"AWS_CONFIG_FILE=/dev/null",
	"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	"AWS_ENDPOINT_URL=http://127.0.0.1:9",
	"AWS_REGION=us-east-1",
	"TERM=xterm-256color",
	"COLORTERM=truecolor",
}

// startViewer runs the viewer binary with args in a 200x50 tmux pane.
func startViewer(t *testing.T, args ...string) *term {
	t.Helper()
	return startViewerEnv(t, nil, args...)
}

// startViewerEnv is startViewer with env added to (and overriding) viewerEnv.
func startViewerEnv(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required for the screen tests: apt-get install -y tmux")
	}
	bin := viewerBinary(t)
	m := &term{t: t, sock: fmt.Sprintf("e2e-%d-%s", os.Getpid(), unsafeChars.ReplaceAllString(t.Name(), "-"))}
	m.logFile = filepath.Join(t.TempDir(), "viewer.log")
	args = append([]string{"--log-file", m.logFile}, args...)
	script := `"$0" "$@"; echo "` + exitMarker + ` $?]"; sleep 86400`
	cmdArgs := []string{"-L", m.sock, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "-s", "v"}
	env = append(append([]string{}, viewerEnv...), env...)
	for _, e := range env {
		cmdArgs = append(cmdArgs, "-e", e)
	}
	cmdArgs = append(cmdArgs, "sh", "-c", script, bin)
	cmdArgs = append(cmdArgs, args...)
	cmd := exec.Command("tmux", cmdArgs...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Logf("viewer: %s %s", bin, strings.Join(args, " "))
	t.Cleanup(func() {
		if t.Failed() {
			m.dump()
		}
		_ = exec.Command("tmux", "-L", m.sock, "kill-server").Run()
	})
	return m
}

// capture returns the pane's text (trailing blanks trimmed).
func (m *term) capture() string {
	out, err := exec.Command("tmux", "-L", m.sock, "capture-pane", "-p", "-t", "v").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(capture-pane: %v: %s)", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	s := strings.TrimRight(strings.Join(lines, "\n"), "\n")
	if len(m.recent) == 0 || m.recent[len(m.recent)-1] != s {
		m.recent = append(m.recent, s)
		if len(m.recent) > 6 {
			m.recent = m.recent[1:]
		}
	}
	return s
}

// keys presses keys in the viewer, as tmux send-keys names them ("p",
// "Enter", "Escape", "Down"), one send-keys each with a pause after it: an
// Escape followed at once by a letter reads as alt+letter.
func (m *term) keys(k ...string) {
	m.t.Helper()
	for _, key := range k {
		m.send(key)
	}
}

// typeText types text literally (send-keys -l), as for a filter.
func (m *term) typeText(text string) {
	m.t.Helper()
	m.send("-l", text)
}

func (m *term) send(args ...string) {
	m.t.Helper()
	cmd := append([]string{"-L", m.sock, "send-keys", "-t", "v"}, args...)
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		m.t.Fatalf("send-keys %q: %v\n%s", args, err, out)
	}
	time.Sleep(200 * time.Millisecond)
}

// waitFor polls the screen until check returns nil; it fails the test after
// timeout (or at once when the viewer has exited).
func (m *term) waitFor(what string, timeout time.Duration, check func(screen string) error) string {
	m.t.Helper()
	start := time.Now()
	for {
		s := m.capture()
		err := check(s)
		if err == nil {
			m.t.Logf("screen: %s (%s)", what, time.Since(start).Round(100*time.Millisecond))
			return s
		}
		if strings.Contains(s, exitMarker) {
			m.t.Fatalf("%s: the viewer exited:\n%s", what, s)
		}
		if time.Since(start) > timeout {
			m.t.Fatalf("%s: not on screen after %s: %v\nlast screen:\n%s", what, timeout, err, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dump logs the last distinct screens and the viewer's log.
func (m *term) dump() {
	for i, s := range m.recent {
		m.t.Logf("screen %d/%d:\n%s", i+1, len(m.recent), s)
	}
	if b, err := os.ReadFile(m.logFile); err == nil {
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		m.t.Logf("viewer log (%s), last lines:\n%s", m.logFile, strings.Join(lines, "\n"))
	}
}

// screenLine returns the first line that starts with prefix.
func screenLine(screen, prefix string) (string, bool) {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

// nodeLine returns the row of the node called name (without the cursor
// marker "> " or its blank in front).
func nodeLine(screen, name string) (string, bool) {
	for _, l := range strings.Split(screen, "\n") {
		if r := rowText(l); strings.HasPrefix(r, name+" ") {
			return r, true
		}
	}
	return "", false
}

// rowText is a screen line without the node list's cursor column.
func rowText(l string) string {
	if strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "  ") {
		return l[2:]
	}
	return l
}

// podsCell checks a node row's pod count: "(n pods)" or "(n/max pods)".
func podsCell(line string, n int) error {
	if !regexp.MustCompile(fmt.Sprintf(`\(%d(/\d+)? pods\)`, n)).MatchString(line) {
		return fmt.Errorf("%q does not show %d pods", line, n)
	}
	return nil
}

// synced fails while the viewer still says it waits for an initial list.
func synced(screen string) error {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "Waiting for") {
			return fmt.Errorf("still waiting: %q", strings.TrimSpace(l))
		}
	}
	return nil
}

// contains checks that every want is on the line.
func contains(line string, want ...string) error {
	for _, w := range want {
		if !strings.Contains(line, w) {
			return fmt.Errorf("%q lacks %q", line, w)
		}
	}
	return nil
}

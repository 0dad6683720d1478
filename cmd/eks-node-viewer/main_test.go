package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestExitCodesAndMessages(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // no config file
	notARecording := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notARecording, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"--version"}, 0, "eks-node-viewer ", ""},
		{[]string{"-v"}, 0, "(commit ", ""},
		{[]string{"--help"}, 0, "Examples:", ""},
		{[]string{"--node-selector", "a in (b"}, 2, "", `eks-node-viewer: invalid --node-selector "a in (b": `},
		{[]string{"--style", "#fff"}, 2, "", `eks-node-viewer: invalid --style "#fff": want three colours`},
		{[]string{"--nope"}, 2, "", "eks-node-viewer: unknown flag: --nope (see --help)\n"},
		{[]string{"--kubeconfig", "/does/not/exist"}, 1, "", "eks-node-viewer: kubeconfig: "},
		{[]string{"--replay", "/does/not/exist.rec"}, 2, "", "eks-node-viewer: replay: open /does/not/exist.rec: no such file or directory\n"},
		{[]string{"--replay", notARecording}, 2, "", "eks-node-viewer: replay " + notARecording + ": not a recording (not gzip-compressed)\n"},
		{[]string{"--replay", "a.rec", "--demo"}, 2, "", "eks-node-viewer: --replay and --demo: a replay shows its recording"},
		{[]string{"--replay", "a.rec", "--record", "./a.rec"}, 2, "", `eks-node-viewer: --record and --replay name the same file "./a.rec"` + "\n"},
		{[]string{"--replay", "a.rec", "--record", "b.rec"}, 2, "", "eks-node-viewer: --record with --replay: a replay has nothing new to record\n"},
		{[]string{"--replay", "a.rec", "--replay-speed", "0"}, 2, "", "eks-node-viewer: invalid --replay-speed 0: must be above 0\n"},
		{[]string{"--demo", "--record", "/does/not/exist/x.rec"}, 2, "", "eks-node-viewer: record: open /does/not/exist/x.rec: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.HasPrefix(errb.String(), tt.err) {
				t.Errorf("stdout %q, stderr %q; want %q / %q", out.String(), errb.String(), tt.out, tt.err)
			}
			if strings.Count(errb.String(), "\n") > 1 || strings.Contains(errb.String(), "goroutine") {
				t.Errorf("error must be one line: %q", errb.String())
			}
		})
	}
}

func TestConfigFileErrorNamesTheLine(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, ".eks-node-viewer"), []byte("node-selector=x\ncolour=red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 2 {
		t.Fatalf("exit %d", code)
	}
	want := fmt.Sprintf("eks-node-viewer: %s:2: unknown key \"colour\"\n", filepath.Join(home, ".eks-node-viewer"))
	if errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

// tmuxScreen runs the built binary in a detached tmux session on a private
// server and returns a function reading the screen.
func tmuxScreen(t *testing.T, width, height int, args ...string) func() string {
	t.Helper()
	screen, _ := tmuxSession(t, width, height, args...)
	return screen
}

// tmuxSession is tmuxScreen plus a function typing keys (tmux send-keys
// names: "Down", "Enter", "Escape", or literal text).
func tmuxSession(t *testing.T, width, height int, args ...string) (screen func() string, keys func(...string)) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required (make test installs it)")
	}
	bin := filepath.Join(t.TempDir(), "eks-node-viewer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sock := fmt.Sprintf("env-%d-%s", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	tmux := func(a ...string) ([]byte, error) {
		return exec.Command("tmux", append([]string{"-L", sock}, a...)...).CombinedOutput()
	}
	home := t.TempDir()
	cmd := fmt.Sprintf("HOME=%s %s %s; sleep 600", home, bin, strings.Join(args, " "))
	if out, err := tmux("new-session", "-d", "-s", "v", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), cmd); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = tmux("kill-server") })
	screen = func() string {
		out, _ := tmux("capture-pane", "-p", "-t", "v")
		return string(out)
	}
	keys = func(k ...string) {
		t.Helper()
		if out, err := tmux(append([]string{"send-keys", "-t", "v"}, k...)...); err != nil {
			t.Fatalf("send-keys %q: %v\n%s", k, err, out)
		}
	}
	return screen, keys
}

// waitScreen polls the screen until re matches, with a generous deadline.
func waitScreen(t *testing.T, screen func() string, re *regexp.Regexp, what string) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if last = screen(); re.MatchString(last) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("screen never showed %s; last screen:\n%s", what, last)
	return ""
}

func TestDemoInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	screen := tmuxScreen(t, 160, 45, "--demo", "--demo-speed", "3", "--extra-labels", "topology.kubernetes.io/zone")
	// The lab's live prices, exactly: no "~" marks an estimate anywhere.
	first := waitScreen(t, screen, regexp.MustCompile(`(?m)^1 nodes .*cpu .*\$0\.042/hour \| \$30\.740/month\n1 pods `), "the lab's first screen")
	for _, want := range []string{"DEMO", "i-0123456789abcdef0", "t3a.medium/", "$0.0421", "On-Demand/Auto", "Ready", "us-east-1a", "1 pods (0 pending 1 running 1 bound) + 3 on other nodes"} {
		if !strings.Contains(first, want) {
			t.Errorf("first screen lacks %q:\n%s", want, first)
		}
	}
	two := waitScreen(t, screen, regexp.MustCompile(`(?m)^2 nodes \(\s*1800m/3560m\) 50\.6% cpu .*\$0\.084/hour \| \$61\.481/month(.|\n)*9 pods \(0 pending 9 running 9 bound\)`), "two nodes")
	if !strings.Contains(two, "(8/17 pods)") || !strings.Contains(two, "(1/17 pods)") {
		t.Errorf("two-node screen:\n%s", two)
	}
	for _, s := range []string{first, two} {
		if strings.Contains(s, "~") {
			t.Errorf("an estimate on the demo's screen:\n%s", s)
		}
	}
	// The demo's usage: the busy node's bar carries the used marker, its
	// line the used percentage (its eight pods' annotations: 505m of
	// 1780m), the pod line the idle cost.
	used := waitScreen(t, screen, regexp.MustCompile(`(?m)^> i-0123456789abcdef0 +cpu █*┃█*░* +90% ◐ ┃ 28% used `), "the busy node's usage")
	if !regexp.MustCompile(`(?m)^\d+ pods .* · idle \$0\.\d{3}/hour`).MatchString(used) {
		t.Errorf("no idle cost on the pod line:\n%s", used)
	}
	waitScreen(t, screen, regexp.MustCompile(`Deleting`), "the empty node deleting")
	waitScreen(t, screen, regexp.MustCompile(`(?m)^1 nodes \(\s*200m/1780m\)`), "one node again")
}

// TestDemoNodeViewInTmux: after the scale-up, select the node Karpenter
// launched, open it, read its pod, go back.
func TestDemoNodeViewInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	// 140 columns: the pods' owners beside their usage columns.
	screen, keys := tmuxSession(t, 140, 40, "--demo")
	waitScreen(t, screen, regexp.MustCompile(`(?m)^2 nodes \(\s*1800m/3560m\)`), "two nodes after the scale-up")
	keys("Down")
	waitScreen(t, screen, regexp.MustCompile(`(?m)^> i-0123456789abcdef2 `), "the cursor on the new node")
	keys("Enter")
	node := waitScreen(t, screen, regexp.MustCompile(`my-cool-app/fastapi-deployment-6b5f9d7c4-p9 +200m`), "the new node's pod with its 200m request")
	for _, want := range []string{"i-0123456789abcdef2", "t3a.medium", "us-east-1a", "$0.0421/hour (live)", "nodeclaim general-purpose-x7k2p", "ReplicaSet/fastapi-deployment-6b5f9d7c4"} {
		if !strings.Contains(node, want) {
			t.Errorf("node view lacks %q:\n%s", want, node)
		}
	}
	keys("Escape")
	waitScreen(t, screen, regexp.MustCompile(`(?m)^> i-0123456789abcdef2 `), "back on the list, on the same node")
}

// TestDemoAt80Columns: the lab's node line keeps its price and readiness at
// the width most terminals open with.
func TestDemoAt80Columns(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	screen := tmuxScreen(t, 80, 24, "--demo", "--demo-speed", "3")
	// (With usage, "┃ 28%" after the requested percentage.)
	s := waitScreen(t, screen, regexp.MustCompile(`(?m)^> i-0123…cdef0 .*% . (┃ *\d+% )?\(\d+/17\) t3a\.medium/\$0\.0421 OD/Auto - Ready$`), "the lab's node line whole at 80 columns")
	if !regexp.MustCompile(`(?m)^1 nodes .* \$0\.042/hour`).MatchString(s) && !regexp.MustCompile(`(?m)^2 nodes .* \$0\.084/hour`).MatchString(s) {
		t.Errorf("the summary lost its hourly cost at 80 columns:\n%s", s)
	}
}

func TestTinyTerminalsDoNotCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	screen := tmuxScreen(t, 20, 6, "--demo")
	time.Sleep(2 * time.Second)
	if s := screen(); strings.Contains(s, "panic") || strings.Contains(s, "goroutine") {
		t.Fatalf("crashed:\n%s", s)
	}
}

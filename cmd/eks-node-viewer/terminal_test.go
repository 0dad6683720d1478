//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
)

// shellPane is a tmux pane running an interactive bash, in which the test
// types command lines, as a user would.
type shellPane struct {
	t      *testing.T
	tmux   func(...string) ([]byte, error)
	bin    string
	home   string
	pidOut string
}

func newShellPane(t *testing.T, width, height int) *shellPane {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required (make test installs it)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "eks-node-viewer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sock := fmt.Sprintf("term-%d-%s", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	s := &shellPane{t: t, bin: bin, home: t.TempDir(), pidOut: filepath.Join(dir, "pid")}
	s.tmux = func(a ...string) ([]byte, error) {
		return exec.Command("tmux", append([]string{"-L", sock, "-f", "/dev/null"}, a...)...).CombinedOutput()
	}
	if out, err := s.tmux("new-session", "-d", "-s", "v", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height),
		"env", "-i", "PATH="+os.Getenv("PATH"), "TERM=xterm-256color", "HOME="+s.home, "PS1=$ ", "bash", "--norc", "--noprofile", "-i"); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })
	s.waitFor(regexp.MustCompile(`(?m)^\$`), "the shell's prompt")
	return s
}

func (s *shellPane) screen() string {
	out, _ := s.tmux("capture-pane", "-p", "-t", "v")
	return string(out)
}

func (s *shellPane) format(f string) string {
	out, _ := s.tmux("display", "-p", "-t", "v", f)
	return strings.TrimSpace(string(out))
}

func (s *shellPane) keys(k ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", "v"}, k...)...); err != nil {
		s.t.Fatalf("send-keys %q: %v\n%s", k, err, out)
	}
}

func (s *shellPane) line(text string) { s.keys("-l", text); s.keys("Enter") }

func (s *shellPane) waitFor(re *regexp.Regexp, what string) string {
	s.t.Helper()
	return waitScreen(s.t, s.screen, re, what)
}

// start runs the viewer (its pid in a file, the process keeps it through
// exec) and waits for its first screen in the alternate screen.
func (s *shellPane) start(args ...string) int {
	s.t.Helper()
	os.Remove(s.pidOut)
	s.line(fmt.Sprintf("sh -c 'echo $$ > %s; exec %s %s'", s.pidOut, s.bin, strings.Join(args, " ")))
	s.waitFor(regexp.MustCompile(`DEMO`), "the viewer's screen")
	if on := s.format("#{alternate_on}"); on != "1" {
		s.t.Errorf("alternate screen while running: %q", on)
	}
	b, err := os.ReadFile(s.pidOut)
	if err != nil {
		s.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		s.t.Fatal(err)
	}
	return pid
}

// checkRestored: the viewer is gone, the shell's screen is back with
// the cursor shown, and the terminal in cooked mode; the exit code as want.
func (s *shellPane) checkRestored(want int) string {
	s.t.Helper()
	// Type only once the shell has the terminal again: the viewer would
	// read the keys while it ends.
	for deadline := time.Now().Add(30 * time.Second); s.format("#{pane_current_command}") != "bash"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the viewer did not end:\n%s", s.screen())
		}
	}
	time.Sleep(200 * time.Millisecond)
	s.line(`echo "exit=$?"; stty -a | tr ';' '\n' | grep -Eo -- '(^| )-?(icanon|echo)( |$)' | tr -d ' ' | tr '\n' ,; echo`)
	sc := s.waitFor(regexp.MustCompile(`(?m)^exit=\d+\n.*(icanon|echo),`), "the exit code and stty's modes")
	if !strings.Contains(sc, fmt.Sprintf("exit=%d\n", want)) {
		s.t.Errorf("exit code, want %d:\n%s", want, sc)
	}
	modes := regexp.MustCompile(`(?m)^[-a-z,]*(icanon|echo),[-a-z,]*$`).FindString(sc)
	for _, m := range strings.Split(strings.Trim(modes, ","), ",") {
		if strings.HasPrefix(m, "-") {
			s.t.Errorf("terminal left in raw mode (%s): %s", m, modes)
		}
	}
	if !strings.Contains(modes, "icanon") || !strings.Contains(modes, "echo") {
		s.t.Errorf("stty modes: %q", modes)
	}
	if on := s.format("#{alternate_on}"); on != "0" {
		s.t.Errorf("alternate screen still on: %q", on)
	}
	if c := s.format("#{cursor_flag}"); c != "1" {
		s.t.Errorf("cursor hidden: cursor_flag=%q", c)
	}
	return sc
}

// TestSignalsRestoreTheTerminal: SIGHUP, SIGTERM and SIGQUIT end the
// viewer with the terminal as it was and an exit code of 128+n.
func TestSignalsRestoreTheTerminal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			s := newShellPane(t, 100, 30)
			pid := s.start("--demo")
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			sc := s.checkRestored(128 + int(sig))
			if !strings.Contains(sc, "eks-node-viewer: stopped by SIG") {
				t.Errorf("no line saying which signal:\n%s", sc)
			}
			if strings.Contains(sc, "goroutine") || strings.Contains(sc, "DEMO") {
				t.Errorf("a dump or the viewer's screen on the shell:\n%s", sc)
			}
		})
	}
}

// TestSuspendAndResume: ctrl+z gives the shell back; fg redraws the whole
// screen; q then quits with exit 0.
func TestSuspendAndResume(t *testing.T) {
	s := newShellPane(t, 100, 30)
	s.start("--demo")
	s.keys("C-z")
	s.waitFor(regexp.MustCompile(`Stopped`), "the shell's job stopped message")
	if on := s.format("#{alternate_on}"); on != "0" {
		t.Errorf("alternate screen while suspended: %q", on)
	}
	s.line("clear; fg")
	sc := s.waitFor(regexp.MustCompile(`(?s)^\d+ nodes \(.*DEMO.*q quit`), "the whole screen redrawn after fg")
	if strings.Contains(sc, "Stopped") || strings.Contains(sc, "clear; fg") {
		t.Errorf("the shell shows through the redrawn screen:\n%s", sc)
	}
	s.keys("q")
	s.checkRestored(0)
}

// TestQuitAfterResizesLeavesTheShell: the viewer draws in the alternate
// screen, so the shell's lines are back as they were after quitting.
func TestQuitAfterResizesLeavesTheShell(t *testing.T) {
	s := newShellPane(t, 100, 30)
	s.line("echo before-the-viewer")
	s.start("--demo")
	for _, size := range [][2]int{{70, 20}, {140, 40}, {90, 25}} {
		if out, err := s.tmux("resize-window", "-t", "v", "-x", fmt.Sprint(size[0]), "-y", fmt.Sprint(size[1])); err != nil {
			t.Fatalf("resize: %v %s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	s.keys("q")
	sc := s.checkRestored(0)
	if !strings.Contains(sc, "before-the-viewer") {
		t.Errorf("the shell's lines are gone:\n%s", sc)
	}
	if strings.Contains(sc, "DEMO") || strings.Contains(sc, "nodes (") {
		t.Errorf("the viewer's lines are left on the shell:\n%s", sc)
	}
}

// TestStdoutNotATerminal: redirected to a file, the viewer prints the node
// table (as kubectl does) and exits 0, with nothing on standard error.
func TestStdoutNotATerminal(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "eks-node-viewer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := os.Create(filepath.Join(dir, "x"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--demo")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("exit: %v (stderr %q)", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME ") || !strings.HasPrefix(lines[1], "i-0123456789abcdef0 ") {
		t.Errorf("the file holds %q, want the demo's node table", b)
	}
	if strings.ContainsRune(string(b), 0x1b) {
		t.Errorf("escape codes in the file: %q", b)
	}
}

type panicModel struct{}

func (panicModel) Init() tea.Cmd { return func() tea.Msg { return "boom" } }
func (panicModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if msg == "boom" {
		panic("the model broke")
	}
	return panicModel{}, nil
}
func (panicModel) View() tea.View { return tea.NewView("") }

// TestPanicGoesToTheLog: a panic in the model is exit 1 with one line, its
// value and stack in the log, not on the terminal (Bubble Tea restores the
// terminal first, as for the signals above).
func TestPanicGoesToTheLog(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	log, err := kube.OpenLog(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	capture, err := kube.CaptureStderr(log)
	if err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	err = runScreen(context.Background(), panicModel{}, capture, logPath, tea.WithInput(nil), tea.WithOutput(&screen))
	capture.Restore()
	var stderr bytes.Buffer
	if code := exitCode(program{prog: "eks-node-viewer"}, err, &stderr); code != 1 {
		t.Errorf("exit %d, want 1 (%v)", code, err)
	}
	want := "eks-node-viewer: internal error (a panic; a bug): the panic and its stack are in " + logPath + "; please report them\n"
	if stderr.String() != want {
		t.Errorf("stderr %q\nwant %q", stderr.String(), want)
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "the model broke") || !strings.Contains(string(b), "goroutine") {
		t.Errorf("log lacks the panic and its stack:\n%s", b)
	}
	if strings.Contains(screen.String(), "the model broke") {
		t.Errorf("the panic reached the screen: %q", screen.String())
	}
}

package harness

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// proc is one component process. It runs in its own session (so it has its
// own process group, which we signal as a whole, and a Ctrl-C in the
// terminal reaches only us, not it).
type proc struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	Binary  string `json:"binary"`
	LogPath string `json:"log"`

	done chan struct{} // closed when the child exits (nil: not our child)
	err  error
}

// startProc starts bin with args, stdout and stderr to logPath. Unless
// detached, the child is killed if this process dies (so an interrupted or
// timed-out test never leaks a control plane).
func startProc(name, bin string, args, env []string, logPath string, detached bool) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "# %s %s\n", bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = filepath.Dir(logPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if !detached {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{Name: name, PID: cmd.Process.Pid, Binary: bin, LogPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// alive tells whether the process still runs (and is still ours: the pid
// may have been reused since a state file was written).
func (p *proc) alive() bool {
	if p.done != nil {
		select {
		case <-p.done:
			return false
		default:
			return true
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == 'Z' {
		return false
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.PID))
	return err == nil && filepath.Base(strings.TrimSuffix(exe, " (deleted)")) == filepath.Base(p.Binary)
}

// exitErr describes how a process ended, for error messages.
func (p *proc) exitErr() string {
	if p.err != nil {
		return p.err.Error()
	}
	return "exited"
}

// stop sends SIGTERM to the process group, a second SIGTERM after grace
// (the apiserver needs it when etcd is already gone) and SIGKILL after
// another grace.
func (p *proc) stop(grace time.Duration) {
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGKILL} {
		if !p.alive() {
			return
		}
		_ = syscall.Kill(-p.PID, sig)
		_ = syscall.Kill(p.PID, sig)
		wait := grace
		if i == 2 {
			wait = 5 * time.Second
		}
		if p.waitExit(wait) {
			return
		}
	}
}

func (p *proc) waitExit(d time.Duration) bool {
	if p.done != nil {
		select {
		case <-p.done:
			return true
		case <-time.After(d):
			return false
		}
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !p.alive() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return !p.alive()
}

// tail returns the last n lines of the process log.
func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePorts asks the kernel for n distinct free TCP ports on 127.0.0.1
// (all listeners stay open until every port is chosen, so none repeats).
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

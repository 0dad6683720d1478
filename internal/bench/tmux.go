package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pane runs a program in a detached tmux session on a private server and
// reads its screen and types keys through one control-mode client, so that
// polling the screen does not fork a tmux process per look (which would
// steal CPU from the program measured on a small machine), and a key timed
// reaches the program without a process start in between.
type pane struct {
	sock string
	pid  int // the program's pid (tmux execs it directly)

	mu    sync.Mutex
	ctl   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

// paneWidth and paneHeight are the terminal size the viewer gets.
const paneWidth, paneHeight = 200, 50

// startPane runs argv in a new tmux server with env added.
func startPane(sock string, env, argv []string) (*pane, error) {
	args := []string{"-L", sock, "-f", "/dev/null", "new-session", "-d",
		"-x", strconv.Itoa(paneWidth), "-y", strconv.Itoa(paneHeight), "-s", "v"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, argv...)
	args = append(args, ";", "set-option", "-t", "v", "remain-on-exit", "on")
	cmd := exec.Command("tmux", args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tmux new-session: %v: %s", err, out)
	}
	p := &pane{sock: sock, lines: make(chan string, 256)}
	out, err := exec.Command("tmux", "-L", sock, "display-message", "-p", "-t", "v", "#{pane_pid}").Output()
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("tmux pane pid: %w", err)
	}
	if p.pid, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
		p.kill()
		return nil, fmt.Errorf("tmux pane pid %q: %w", out, err)
	}
	// Not read-only: tmux silently drops the send-keys of a read-only client.
	p.ctl = exec.Command("tmux", "-L", sock, "-C", "attach-session", "-f", "no-output,ignore-size", "-t", "v")
	if p.in, err = p.ctl.StdinPipe(); err != nil {
		p.kill()
		return nil, err
	}
	stdout, err := p.ctl.StdoutPipe()
	if err != nil {
		p.kill()
		return nil, err
	}
	if err := p.ctl.Start(); err != nil {
		p.kill()
		return nil, fmt.Errorf("tmux control client: %w", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	return p, nil
}

// capture returns the visible screen as text, trailing blanks trimmed.
func (p *pane) capture() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.send("capture-pane -p -t v"); err != nil {
		return "", err
	}
	for {
		body, err := p.reply("capture-pane")
		if err != nil {
			return "", err
		}
		// Replies come in order; an empty one is not a capture but one
		// still due before it: the attach's own (which may come after our
		// first commands), or that of a send-keys that took the attach's.
		if len(body) > 0 {
			return trimScreen(body), nil
		}
	}
}

// keys types keys into the program, as tmux send-keys names them ("Enter",
// "Home", "Escape", "q"), and returns once tmux has answered.
func (p *pane) keys(keys ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.send("send-keys -t v " + strings.Join(keys, " ")); err != nil {
		return err
	}
	_, err := p.reply("send-keys")
	return err
}

// send writes one command to the control client. The caller holds p.mu.
func (p *pane) send(cmd string) error {
	if _, err := io.WriteString(p.in, cmd+"\n"); err != nil {
		return fmt.Errorf("tmux control: %w", err)
	}
	return nil
}

// reply returns the body of the next reply block (what names the command
// in errors). The caller holds p.mu.
func (p *pane) reply(what string) ([]string, error) {
	timeout := time.After(10 * time.Second)
	var body []string
	inBlock := false
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return nil, fmt.Errorf("tmux control client ended")
			}
			switch {
			case !inBlock && strings.HasPrefix(line, "%begin "):
				inBlock, body = true, body[:0]
			case inBlock && strings.HasPrefix(line, "%end "):
				return body, nil
			case inBlock && strings.HasPrefix(line, "%error "):
				return nil, fmt.Errorf("tmux %s: %s", what, strings.Join(body, "\n"))
			case inBlock:
				body = append(body, line)
			}
		case <-timeout:
			return nil, fmt.Errorf("tmux control: no reply to %s in 10s", what)
		}
	}
}

func trimScreen(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// alive reports whether the program still runs.
func (p *pane) alive() bool {
	out, err := exec.Command("tmux", "-L", p.sock, "display-message", "-p", "-t", "v", "#{pane_dead}").Output()
	return err == nil && strings.TrimSpace(string(out)) == "0"
}

// kill ends the tmux server this pane started, and with it the program.
func (p *pane) kill() {
	if p.in != nil {
		p.in.Close()
	}
	_ = exec.Command("tmux", "-L", p.sock, "kill-server").Run()
	if p.ctl != nil && p.ctl.Process != nil {
		_ = p.ctl.Wait()
	}
}

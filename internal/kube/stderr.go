package kube

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Stderr holds the process's standard error while the viewer runs, so that
// what exec credential plugins (aws eks get-token, SSO and OIDC helpers),
// the Go runtime or a library write there never draws over the screen.
//
// client-go's exec authenticator gives its plugin os.Stderr, fixed when the
// client is built, with no option to pass another writer; so the capture
// replaces standard error itself: on unix, file descriptor 2 becomes a pipe
// (dup2), and the real stderr is kept as a dup; on Windows, os.Stderr and
// the process's standard error handle become the pipe, which reaches a
// plugin only if the capture starts before the clients are built (do
// that on every OS).
//
// Each line read is written, scrubbed (see Scrub), to the log; while the
// screen is off (ScreenOn(false), the initial state) the bytes also pass
// through to the terminal as they come, so a prompt before the screen opens
// is still seen. The last non-empty line is LastAuthMessage.
type Stderr struct {
	terminal *os.File
	r        *os.File
	log      io.Writer
	screen   atomic.Bool
	done     chan struct{}
	flushed  chan struct{}
	undo     func() error
	once     sync.Once
}

// lastLine is the last non-empty line seen on a captured stderr: the one
// process-wide standard error, hence package state.
var lastLine atomic.Pointer[string]

// LastAuthMessage is the last non-empty line written to standard error
// while it is captured (CaptureStderr), in practice an exec credential
// plugin's last word ("Error loading SSO Token: Token for sso-session
// has expired"), with escape sequences and control characters removed,
// credentials redacted and at most 200 characters; "" when there is none.
// The connection state shows it as the reason when authentication fails.
func LastAuthMessage() string {
	if p := lastLine.Load(); p != nil {
		return *p
	}
	return ""
}

// CaptureStderr starts capturing standard error; lines go to log (nil:
// nowhere). Call Restore when done.
func CaptureStderr(log io.Writer) (*Stderr, error) {
	if log == nil {
		log = io.Discard
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	terminal, undo, err := redirectStderr(w)
	w.Close() // standard error holds the write end now
	if err != nil {
		r.Close()
		return nil, err
	}
	s := &Stderr{terminal: terminal, r: r, log: ScrubWriter(log), done: make(chan struct{}), flushed: make(chan struct{}, 1), undo: undo}
	go s.copy()
	return s, nil
}

// ScreenOn says whether the screen is up: while it is, nothing read passes
// through to the terminal. Turning it off first waits (up to a second) for
// what was written before to be read, so that what was meant for the log
// while the screen was up (a panic's stack) stays there.
func (s *Stderr) ScreenOn(on bool) {
	if !on && s.screen.Load() {
		s.drain()
	}
	s.screen.Store(on)
}

// flushMark is a line written through standard error to learn when all
// written before it has been read; it is neither logged nor shown.
const flushMark = "\x00eks-node-viewer:flush\x00"

func (s *Stderr) drain() {
	_, _ = io.WriteString(os.Stderr, flushMark+"\n")
	select {
	case <-s.flushed:
	case <-s.done:
	case <-time.After(time.Second):
	}
}

// Restore gives standard error back and waits (briefly: a plugin still
// running in the background may hold the pipe open) for the pipe to drain.
func (s *Stderr) Restore() error {
	var err error
	s.once.Do(func() {
		err = s.undo()
		select {
		case <-s.done:
		case <-time.After(time.Second):
			s.r.Close()
			<-s.done
		}
		s.r.Close()
		s.terminal.Close()
	})
	return err
}

// maxPending bounds a line without its newline (a prompt, or binary junk).
const maxPending = 4 << 10

func (s *Stderr) copy() {
	defer close(s.done)
	buf := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := s.r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if !s.screen.Load() {
				_, _ = s.terminal.Write(chunk)
			}
			pending = append(pending, chunk...)
			for {
				i := bytes.IndexByte(pending, '\n')
				if i < 0 {
					break
				}
				s.line(string(pending[:i]))
				pending = pending[i+1:]
			}
			if len(pending) > maxPending {
				s.line(string(pending))
				pending = nil
			}
			pending = append([]byte(nil), pending...)
		}
		if err != nil {
			if len(pending) > 0 {
				s.line(string(pending))
			}
			return
		}
	}
}

func (s *Stderr) line(l string) {
	l = strings.TrimRight(l, "\r")
	if l == flushMark {
		select {
		case s.flushed <- struct{}{}:
		default:
		}
		return
	}
	plain := plainLine(l)
	// LastAuthMessage first: once the line is in the log, it is the last.
	if clean := cleanLine(plain); clean != "" {
		lastLine.Store(&clean)
	}
	// Plain in the log too: `cat` or `tail -f` of it must not recolour or
	// retitle a terminal.
	_, _ = io.WriteString(s.log, time.Now().Format(time.RFC3339)+" stderr: "+plain+"\n")
}

// plainLine is l without escape sequences or control characters but tabs
// (a stack trace's indentation).
func plainLine(l string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, ansi.Strip(l))
}

// cleanLine is a line fit for the screen: no escape sequences or control
// characters, no credentials, at most 200 characters.
func cleanLine(l string) string {
	l = strings.TrimSpace(Scrub(strings.ReplaceAll(plainLine(l), "\t", " ")))
	if r := []rune(l); len(r) > 200 {
		l = string(r[:199]) + "…"
	}
	return l
}

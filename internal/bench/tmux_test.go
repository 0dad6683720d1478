package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The pane types keys through the same control client that reads the
// screen, and a capture after a send-keys is of that capture, not the
// reply of the command before it.
func TestPaneKeys(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux")
	}
	p, err := startPane(fmt.Sprintf("bench-test-%d", os.Getpid()), nil, []string{"cat"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.kill()
	for _, word := range []string{"first", "second"} {
		if err := p.keys(word, "Enter"); err != nil {
			t.Fatal(err)
		}
		var screen string
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(screen, word) {
			if time.Now().After(deadline) {
				t.Fatalf("%q not on screen:\n%s", word, screen)
			}
			time.Sleep(10 * time.Millisecond)
			if screen, err = p.capture(); err != nil {
				t.Fatal(err)
			}
		}
		// cat echoes the line, then prints it: twice on screen.
		deadline = time.Now().Add(5 * time.Second)
		for strings.Count(screen, word) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("%q once on screen:\n%s", word, screen)
			}
			if screen, err = p.capture(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

type nopCloser struct{ *strings.Builder }

func (nopCloser) Close() error { return nil }

// A control client's replies come in order, and an empty one (the attach's,
// possibly late) is skipped by reading on, not by asking again.
func TestPaneReplies(t *testing.T) {
	block := func(n int, body ...string) []string {
		return append(append([]string{fmt.Sprintf("%%begin 1796114658 %d 1", n)}, body...), fmt.Sprintf("%%end 1796114658 %d 1", n))
	}
	fake := func(lines ...[]string) (*pane, *strings.Builder) {
		var sent strings.Builder
		p := &pane{in: nopCloser{&sent}, lines: make(chan string, 64)}
		p.lines <- "%session-changed $0 v" // a notification between blocks
		for _, b := range lines {
			for _, l := range b {
				p.lines <- l
			}
		}
		return p, &sent
	}

	p, sent := fake(block(1), block(2, "screen line", "", ""))
	got, err := p.capture()
	if err != nil || got != "screen line" || sent.String() != "capture-pane -p -t v\n" {
		t.Fatalf("capture = %q, %v after sending %q", got, err, sent.String())
	}

	// The send-keys took the attach's reply; its own is read by the capture.
	p, sent = fake(block(1), block(2), block(3, "after the keys"))
	if err := p.keys("End"); err != nil {
		t.Fatal(err)
	}
	if got, err := p.capture(); err != nil || got != "after the keys" {
		t.Fatalf("capture after keys = %q, %v", got, err)
	}
	if want := "send-keys -t v End\ncapture-pane -p -t v\n"; sent.String() != want {
		t.Fatalf("sent %q, want %q", sent.String(), want)
	}

	p, _ = fake([]string{"%begin 1796114658 4 1", "unknown key: Nope", "%error 1796114658 4 1"})
	if err := p.keys("Nope"); err == nil || !strings.Contains(err.Error(), "unknown key: Nope") {
		t.Fatalf("keys error %v", err)
	}
}

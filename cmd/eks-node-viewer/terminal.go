package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync/atomic"
	"syscall"

	tea "charm.land/bubbletea/v2"
)

// exitError is an error with its own exit code (a signal's 128+n, 3 for a
// timeout); msg, when not empty, is the one line main prints.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// stopSignals end the viewer with the terminal restored: SIGINT and SIGTERM
// (Bubble Tea quits on them too), SIGHUP (the terminal closed) and SIGQUIT,
// which by Go's default would exit at once and leave the terminal raw in
// the alternate screen.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// catchSignals returns a context that ends at the first of stopSignals,
// and a function telling which one it was (nil for none).
func catchSignals(parent context.Context) (ctx context.Context, caught func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	var got atomic.Value
	go func() {
		select {
		case s := <-ch:
			got.Store(s)
			cancel()
		case <-ctx.Done():
		}
	}()
	caught = func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}
	return ctx, caught, func() { signal.Stop(ch); cancel() }
}

// signalExit is the exit for a signal: 128+n, as a shell reports it, and a
// line saying which (none for an interrupt: the user pressed ^C). A SIGQUIT
// writes the goroutines to the log, as Go would have to the terminal.
func signalExit(s os.Signal, log io.Writer) error {
	n, ok := s.(syscall.Signal)
	if !ok {
		return &exitError{code: 1, msg: fmt.Sprintf("stopped by %v", s)}
	}
	if n == syscall.SIGQUIT && log != nil {
		fmt.Fprintln(log, "SIGQUIT: goroutines follow")
		_ = pprof.Lookup("goroutine").WriteTo(log, 2)
	}
	msg := fmt.Sprintf("stopped by %s", signalName(n))
	if n == syscall.SIGINT {
		msg = ""
	}
	return &exitError{code: 128 + int(n), msg: msg}
}

func signalName(n syscall.Signal) string {
	switch n {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP (the terminal closed)"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return n.String()
}

// programError is the error for what Program.Run returned. Bubble Tea
// recovers a panic in the model or a command, restores the terminal and
// writes the panic and its stack to standard error, which is the log
// while the screen is up (kube.CaptureStderr).
func programError(err error, logFile string) error {
	if !errors.Is(err, tea.ErrProgramPanic) {
		return fmt.Errorf("terminal: %w", err)
	}
	if logFile == "" {
		return &exitError{code: 1, msg: "internal error (a panic; a bug): run again with --log-file FILE to keep the panic and its stack, and report them"}
	}
	return &exitError{code: 1, msg: fmt.Sprintf("internal error (a panic; a bug): the panic and its stack are in %s; please report them", logFile)}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// exitTimedOut is the exit code when --timeout passed before the data was
// complete (what was known is printed).
const exitTimedOut = 3

// streamSettle lets a burst of changes settle before the stream takes its
// snapshot, as the screen does (ui's settleDelay).
const streamSettle = 50 * time.Millisecond

// scriptFormat says whether this run prints for scripts instead of drawing
// the screen, and in which format: -o, or a table for --once or for a
// standard output that is not a terminal (as kubectl does). A writer that
// is not a file (tests) counts as a terminal.
func scriptFormat(o *options.Options, stdout io.Writer) (output.Format, bool) {
	switch {
	case o.Output != "":
		return output.Format(o.Output), true
	case o.Once:
		return output.Table, true
	}
	if f, ok := stdout.(*os.File); ok && !term.IsTerminal(int(f.Fd())) {
		return output.Table, true
	}
	return "", false
}

// script is one run for scripts: what to print, in which format, where.
type script struct {
	o      *options.Options
	format output.Format
	prog   string // for the messages on stderr
	stdout io.Writer
	stderr io.Writer
	// fleet are the contexts of a fleet (nil: one cluster).
	fleet []kube.Context
}

// run connects, waits for the initial sync and the prices (bounded by
// --timeout once connected), and prints one snapshot; with --watch it then
// streams a line per change until interrupted. No screen, nothing on
// standard error but the one-line messages. A reader that went away (a
// broken pipe: `| head -1`) ends it quietly.
func (sc *script) run() error {
	ctx, caught, stop := catchSignals(context.Background())
	defer stop()
	// A write to a closed pipe returns EPIPE instead of killing the process.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	logger, _, closeLog, err := openLog(sc.o.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	rec, err := openRecord(sc.o)
	if err != nil {
		return err
	}
	var m scriptModel
	var fleet []*member
	switch {
	case len(sc.fleet) > 1:
		fleet, err = startFleet(ctx, sc.o, logger, sc.fleet)
	case sc.o.Record.Replay != "":
		m, _, err = startReplay(ctx, sc.o)
	case sc.o.Demo:
		m, err = startDemo(ctx, sc.o, logger, rec)
	default:
		m, err = startCluster(ctx, sc.o, logger, rec)
	}
	switch {
	case err == nil && fleet != nil:
		err = sc.printFleet(ctx, fleet)
	case err == nil:
		err = sc.print(ctx, m)
	}
	err = closeRecord(rec, err)
	if s := caught(); s != nil {
		return signalExit(s, nil)
	}
	return err
}

// scriptModel is what the outputs read: a live cluster's model, or a
// replayed recording's.
type scriptModel interface {
	model
	Snapshot() cluster.Snapshot
	PricesSettled() bool
	SetNote(topic, text string)
}

// print prints m's first snapshot once it is complete (or at the timeout),
// then with --watch the changes.
func (sc *script) print(ctx context.Context, m scriptModel) error {
	s, missing := whenComplete(ctx, m, sc.o.Timeout)
	if ctx.Err() != nil {
		return nil
	}
	var timedOut *exitError
	if missing != "" {
		note := fmt.Sprintf("timed out after %v waiting for %s", sc.o.Timeout, missing)
		m.SetNote("output", note)
		s = m.Snapshot()
		timedOut = &exitError{code: exitTimedOut, msg: note + "; the output is partial"}
	}
	if !sc.o.Watch {
		if err := output.Write(sc.stdout, sc.format, &s); err != nil {
			return writeError(err)
		}
		if timedOut != nil {
			return timedOut
		}
		return nil
	}
	if timedOut != nil { // say so now: the stream goes on, filling in
		fmt.Fprintf(sc.stderr, "%s: %s; streaming on\n", sc.prog, strings.TrimSuffix(timedOut.msg, "; the output is partial"))
	}
	return writeError(stream(ctx, m, streamTo{output.NewStream(sc.stdout), sc.stdout}, &s, timedOut != nil, nil))
}

// whenComplete waits until the model has synced, the prices of its rows
// have settled and (with usage) the first usage poll answered, then
// returns its snapshot; at the timeout it returns what
// is known and names what was missing.
func whenComplete(ctx context.Context, m scriptModel, timeout time.Duration) (cluster.Snapshot, string) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case <-m.Synced():
	case <-deadline.C:
		s := m.Snapshot()
		return s, syncing(&s)
	case <-ctx.Done():
		return cluster.Snapshot{}, ""
	}
	for {
		// Settled both before and after: the snapshot's own pricing may ask
		// for something new, and nothing was published in between.
		before := m.PricesSettled()
		s := m.Snapshot()
		priced := pricesDone(&s) || (before && m.PricesSettled())
		if priced && usageDone(&s) {
			return s, ""
		}
		select {
		case <-m.Changed():
		case <-deadline.C:
			if s = m.Snapshot(); !priced {
				return s, "the prices (static or unknown ones shown)"
			}
			return s, "the first usage sample (metrics.k8s.io)"
		case <-ctx.Done():
			return s, ""
		}
	}
}

// usageDone: usage is off, or the first node metrics poll answered, or it
// failed and said why (a "usage: ..." note of internal/usage: not served,
// forbidden, unavailable).
func usageDone(s *cluster.Snapshot) bool {
	if s.Usage == nil || !s.Usage.Polled.IsZero() {
		return true
	}
	for _, n := range s.Notes {
		if strings.HasPrefix(n, "usage: ") {
			return true
		}
	}
	return false
}

// pricesDone: nothing more to wait for (no nodes, pricing off, or every
// node priced from the AWS APIs or its own label).
func pricesDone(s *cluster.Snapshot) bool {
	if s.Cost.Disabled {
		return true
	}
	for i := range s.Nodes {
		if src := s.Nodes[i].Price.Source; src != pricing.Live && src != pricing.Override {
			return false
		}
	}
	return true
}

// syncing names what the initial sync still lacks ("the initial list of
// pods (1200 so far)").
func syncing(s *cluster.Snapshot) string {
	var parts []string
	for _, p := range s.Syncing {
		parts = append(parts, fmt.Sprintf("%s (%d so far)", p.Resource, p.Objects))
	}
	if len(parts) == 0 {
		return "the initial list"
	}
	return "the initial list of " + strings.Join(parts, ", ")
}

// streamTo is a change stream and the standard output it writes to.
type streamTo struct {
	*output.Stream
	out io.Writer
}

// pipeCheck is how often a quiet stream checks that its reader is there.
const pipeCheck = time.Second

// stream prints the change records after first until ctx ends or the
// reader goes away, paced like the screen: a burst of changes settles for
// streamSettle, a stream of them is paced by framePace. After
// a timeout its note goes once the data is complete. quiet stops the
// refresh of an unsynced model early (paceUntil; nil: at the sync).
func stream(ctx context.Context, m scriptModel, st streamTo, first *cluster.Snapshot, timedOut bool, quiet <-chan struct{}) error {
	if err := st.Write(first); err != nil {
		return err
	}
	p := paceUntil(ctx, m, framePace, syncRefresh, realClock, quiet)
	check := time.NewTicker(pipeCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-check.C:
			if readerGone(st.out) {
				return nil
			}
			continue
		case <-p.Changed():
		}
		settle := time.NewTimer(streamSettle)
		select {
		case <-ctx.Done():
			settle.Stop()
			return nil
		case <-settle.C:
		}
		select { // the snapshot below has it
		case <-p.Changed():
		default:
		}
		s := m.Snapshot()
		if timedOut && s.Synced && m.PricesSettled() {
			timedOut = false
			m.SetNote("output", "") // its own change follows
		}
		if err := st.Write(&s); err != nil {
			return err
		}
	}
}

// writeError is nil for a reader that went away (EPIPE), else the write's
// error as a runtime failure.
func writeError(err error) error {
	if err == nil || brokenPipe(err) {
		return nil
	}
	var exit *exitError
	if errors.As(err, &exit) {
		return err
	}
	return fmt.Errorf("write standard output: %w", err)
}

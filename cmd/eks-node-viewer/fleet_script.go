package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
	"github.com/eksnodeviewer/eks-node-viewer/internal/termtext"
)

// -o, --once and --watch with several contexts.

// waited is what waiting for one cluster gave: its snapshot, and what it
// still lacked at the timeout ("" when complete).
type waited struct {
	snap    cluster.Snapshot
	missing string
}

// printFleet waits for every cluster at once (each bounded by --timeout)
// and prints them in one document; with --watch it streams each
// cluster's changes, tagged with its context, as soon as that cluster is
// complete. A cluster that timed out is printed with what is known and
// named on stderr (exit 3 without --watch).
func (sc *script) printFleet(ctx context.Context, members []*member) error {
	if sc.o.Watch {
		return sc.streamFleet(ctx, members)
	}
	got := make([]waited, len(members))
	var wg sync.WaitGroup
	for i, mem := range members {
		wg.Go(func() { got[i] = waitMember(ctx, mem, sc.o.Timeout) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	out := make([]output.Member, len(members))
	for i, mem := range members {
		out[i] = output.Member{Context: mem.Name, Server: mem.Server, Snapshot: &got[i].snap}
	}
	if err := output.WriteFleet(sc.stdout, sc.format, out); err != nil {
		return writeError(err)
	}
	if msg := incomplete(members, got, sc.o.Timeout); msg != "" {
		return &exitError{code: exitTimedOut, msg: msg + "; the output is partial"}
	}
	return nil
}

// waitMember is whenComplete for one cluster of a fleet: at the timeout
// the cluster's note says what it lacked. A cluster that was not started
// (setupErr) is not waited for.
func waitMember(ctx context.Context, mem *member, timeout time.Duration) waited {
	if mem.setupErr != nil {
		return waited{snap: mem.m.Snapshot()}
	}
	s, missing := whenComplete(ctx, mem.m, timeout)
	if missing != "" && ctx.Err() == nil {
		mem.m.SetNote("output", fmt.Sprintf("timed out after %v waiting for %s", timeout, missing))
		s = mem.m.Snapshot()
	}
	return waited{snap: s, missing: missing}
}

// incomplete names the clusters that timed out and those that could not
// be started, in one line ("" when every cluster is complete).
func incomplete(members []*member, got []waited, timeout time.Duration) string {
	var late, broken []string
	for i, mem := range members {
		switch {
		case mem.setupErr != nil:
			broken = append(broken, fmt.Sprintf("%s (%s)", mem.Name, oneLine(mem.setupErr.Error())))
		case got[i].missing != "":
			why := got[i].missing
			if st := got[i].snap.Stale; st != nil {
				why = st.Reason + "; " + why
			}
			late = append(late, fmt.Sprintf("%s (%s)", mem.Name, why))
		}
	}
	var parts []string
	if len(late) > 0 {
		parts = append(parts, fmt.Sprintf("timed out after %v waiting for %d of %d clusters: %s", timeout, len(late), len(members), strings.Join(late, ", ")))
	}
	if len(broken) > 0 {
		parts = append(parts, fmt.Sprintf("could not start %d of %d clusters: %s", len(broken), len(members), strings.Join(broken, ", ")))
	}
	return termtext.Clean(strings.Join(parts, "; "))
}

// streamFleet streams every cluster's lines into one standard output,
// each line whole: a cluster's first line once it is complete (or at the
// timeout), then its changes. It ends when ctx does or the reader goes
// away.
func (sc *script) streamFleet(ctx context.Context, members []*member) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := &lineWriter{w: sc.stdout}
	got := make([]waited, len(members))
	var waiting sync.WaitGroup
	ended := make(chan error, len(members))
	for i, mem := range members {
		waiting.Add(1)
		go func() {
			got[i] = waitMember(ctx, mem, sc.o.Timeout)
			waiting.Done()
			if ctx.Err() != nil {
				ended <- nil
				return
			}
			st := streamTo{output.NewClusterStream(out, mem.Name, mem.Server), sc.stdout}
			s := got[i].snap
			ended <- stream(ctx, mem.m, st, &s, got[i].missing != "", mem.settled)
		}()
	}
	said := make(chan struct{})
	go func() { // one line for all that timed out, as --watch does for one
		defer close(said)
		waiting.Wait()
		if msg := incomplete(members, got, sc.o.Timeout); msg != "" && ctx.Err() == nil {
			fmt.Fprintf(sc.stderr, "%s: %s; streaming on\n", sc.prog, msg)
		}
	}()
	var first error
	for range members {
		err := <-ended
		cancel() // one ended: the reader is gone, or ctx ended
		if first == nil {
			first = err
		}
	}
	<-said
	return writeError(first)
}

// lineWriter serialises the writes of several streams: each Write of a
// Stream is whole lines, which then never interleave.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

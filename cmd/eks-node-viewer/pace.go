package main

import (
	"context"
	"time"
)

// framePace is how frames follow changes once the initial sync is done. A
// change after a calm spell (no change for the first interval) is passed on
// at once, so a single change still shows within the screen's settle
// delay. A stream of changes (say 200 pod changes a second on a big
// cluster) is drawn five times a second, and once it has gone on for a
// second, twice a second while it lasts: a frame costs a few milliseconds
// of a core whatever changed, and under steady churn the frames, not the
// changes, were most of the viewer's CPU.
var framePace = pacing{interval: 200 * time.Millisecond, stream: 500 * time.Millisecond, streamAfter: 5}

// pacing is the least time between two signals of a stream: interval, or
// stream once streamAfter signals in a row had to wait for it.
type pacing struct {
	interval, stream time.Duration
	streamAfter      int
}

// next is the interval after a signal that followed busy waiting ones.
func (p pacing) next(busy int) time.Duration {
	if busy >= p.streamAfter {
		return p.stream
	}
	return p.interval
}

// clock is what pacing reads time from (tests replace it).
type clock struct {
	after func(time.Duration) <-chan time.Time
	now   func() time.Time
}

var realClock = clock{after: time.After, now: time.Now}

// syncRefresh is how often the screen is refreshed while the initial sync
// runs, changes or not: the progress counts move, and the screen keeps
// taking snapshots, so the first complete one follows the end of the sync
// within a frame or so rather than a whole settle delay later.
const syncRefresh = 50 * time.Millisecond

// paced is the model as the screen sees it: the same snapshots, with change
// signals paced (see pacing).
type paced struct {
	model
	out chan struct{}
}

func (p *paced) Changed() <-chan struct{} { return p.out }

// pace forwards m's change signals until ctx ends, and signals every
// refresh until m has synced.
func pace(ctx context.Context, m model, pc pacing, refresh time.Duration, clk clock) *paced {
	return paceUntil(ctx, m, pc, refresh, clk, nil)
}

// paceUntil is pace whose refresh also stops when quiet is closed (nil:
// never): a fleet's cluster known to be unreachable has no progress to
// show, and must not redraw the fleet's screen for nothing.
func paceUntil(ctx context.Context, m model, pc pacing, refresh time.Duration, clk clock, quiet <-chan struct{}) *paced {
	p := &paced{model: m, out: make(chan struct{}, 1)}
	go func() {
		t := time.NewTicker(refresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-m.Synced():
				return
			case <-quiet:
				return
			case <-t.C:
				m.Notify()
			}
		}
	}()
	go func() {
		var quietUntil <-chan time.Time // nil: no interval runs
		var last time.Time              // when the latest change came
		busy := 0                       // signals in a row that waited
		for {
			select {
			case <-ctx.Done():
				return
			case <-m.Changed():
			}
			now := clk.now()
			calm := last.IsZero() || now.Sub(last) >= pc.interval
			last = now
			if calm || quietUntil == nil {
				busy = 0
			} else {
				// A stream: wait for the interval; the changes that come
				// meanwhile ride along with this signal.
				busy++
			wait:
				for {
					select {
					case <-quietUntil:
						break wait
					case <-m.Changed():
						last = clk.now()
					case <-ctx.Done():
						return
					}
				}
			}
			select {
			case p.out <- struct{}{}:
			default: // one is pending already
			}
			// Until the initial sync is done, every signal passes at once:
			// the complete first screen must not wait for a pace interval.
			select {
			case <-m.Synced():
				quietUntil = clk.after(pc.next(busy))
			default:
			}
		}
	}()
	return p
}

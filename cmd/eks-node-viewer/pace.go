package main

import (
	"context"
	"time"
)

// framePace is the least time between two frames while changes keep coming
// (say 200 pod changes a second on a big cluster) once the initial sync is
// done. The first change after a quiet spell is passed on at once, so a
// single change still shows within the screen's settle delay; a stream of
// changes is drawn five times a second instead of after every settle, which
// is what a frame costs.
const framePace = 200 * time.Millisecond

// syncRefresh is how often the screen is refreshed while the initial sync
// runs, changes or not: the progress counts move, and the screen keeps
// taking snapshots, so the first complete one follows the end of the sync
// within a frame or so rather than a whole settle delay later.
const syncRefresh = 50 * time.Millisecond

// paced is the model as the screen sees it: the same snapshots, with change
// signals passed on at most every interval.
type paced struct {
	model
	out chan struct{}
}

func (p *paced) Changed() <-chan struct{} { return p.out }

// pace forwards m's change signals until ctx ends, and signals every
// refresh until m has synced. after is time.After (tests replace it).
func pace(ctx context.Context, m model, interval, refresh time.Duration, after func(time.Duration) <-chan time.Time) *paced {
	return paceUntil(ctx, m, interval, refresh, after, nil)
}

// paceUntil is pace whose refresh also stops when quiet is closed (nil:
// never): a fleet's cluster known to be unreachable has no progress to
// show, and must not redraw the fleet's screen for nothing.
func paceUntil(ctx context.Context, m model, interval, refresh time.Duration, after func(time.Duration) <-chan time.Time, quiet <-chan struct{}) *paced {
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
		var quietUntil <-chan time.Time // nil: the last signal is old enough
		for {
			select {
			case <-ctx.Done():
				return
			case <-m.Changed():
			}
			if quietUntil != nil {
				select {
				case <-quietUntil:
				case <-ctx.Done():
					return
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
				quietUntil = after(interval)
			default:
			}
		}
	}()
	return p
}

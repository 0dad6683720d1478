package demo

import (
	"context"
	"time"
)

// Setup plays the script's setup steps now, once (Run then goes straight to
// the loop). Called before the informers start, it makes their initial list
// the lab's first screen: a synced model already shows the lab, which a
// one-shot output (-o json) needs. Not safe to call concurrently with Run.
func (c *Cluster) Setup(ctx context.Context) error {
	if c.setUp {
		return nil
	}
	c.setUp = true
	return c.play(ctx, c.script.Setup)
}

// SetClock replaces the clock that stamps "$now" and creation times (tests
// use a fixed one, so that what the demo shows is the same on every run).
// Call it before Setup or Run.
func (c *Cluster) SetClock(now func() time.Time) { c.now = now }

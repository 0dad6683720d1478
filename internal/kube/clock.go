package kube

import (
	"net/http"
	"sync/atomic"
	"time"
)

// ServerClock follows the API server's clock from the Date header of its
// answers, so that ages and "stuck launch" checks measure from the clock
// that stamped the objects, not from a laptop's that runs ahead or behind.
// The zero value reads the local clock until a Date is seen.
type ServerClock struct {
	offset atomic.Int64 // server minus local, in nanoseconds
	seen   atomic.Bool
}

// Now is the local time corrected by the server's offset.
func (c *ServerClock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Offset is how far the server's clock is ahead of ours (negative: behind).
func (c *ServerClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Known reports whether an answer with a Date has been seen.
func (c *ServerClock) Known() bool { return c.seen.Load() }

// observe takes one answer: Date has a resolution of a second, so the
// offset is only updated when it moves by more than that, which keeps ages
// from jittering between answers.
func (c *ServerClock) observe(date string, sent, received time.Time) {
	server, err := http.ParseTime(date)
	if err != nil {
		return
	}
	// The server stamped Date somewhere between sending and receiving; its
	// second was truncated, so the middle of that second is the best guess.
	local := sent.Add(received.Sub(sent) / 2)
	off := server.Add(500 * time.Millisecond).Sub(local)
	if prev := c.Offset(); c.seen.Load() && (off-prev).Abs() <= time.Second {
		return
	}
	c.offset.Store(int64(off))
	c.seen.Store(true)
}

// wrap returns a RoundTripper that observes every answer's Date.
func (c *ServerClock) wrap(rt http.RoundTripper) http.RoundTripper {
	return clockTripper{rt: rt, clock: c}
}

type clockTripper struct {
	rt    http.RoundTripper
	clock *ServerClock
}

func (t clockTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := t.rt.RoundTrip(req)
	if err == nil {
		if d := resp.Header.Get("Date"); d != "" {
			t.clock.observe(d, sent, time.Now())
		}
	}
	return resp, err
}

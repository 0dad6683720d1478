package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Every list and watch call of every informer reports its outcome here. The
// first failure marks the resource's data stale (since then, with the reason
// in words); the next success clears it. The reflector retries with its own
// exponential backoff (up to 30 s), also after a 401, and relists after a
// relist-worthy error (410 Gone), which replaces its cache: nothing is added
// twice.

// Stale says that what a snapshot shows may be out of date.
type Stale struct {
	// Since is when the first of the current failures happened.
	Since time.Time
	// Reason is the oldest failing resource's reason in words
	// ("API server unreachable (connection refused)").
	Reason string
	// Resources are the informers that cannot reach the API server.
	Resources []string
}

// connection is one informer's state (under c.mu).
type connection struct {
	failing bool
	since   time.Time
	reason  string
}

// observe records the outcome of a list or watch call of s.
func (c *Cluster) observe(s *syncState, err error) {
	if errors.Is(err, context.Canceled) {
		return // shutting down, or the informer stopped on purpose
	}
	c.mu.Lock()
	if s.skipped != "" { // not running: its note says why
		c.mu.Unlock()
		return
	}
	conn := &s.conn
	changed := false
	switch {
	case err == nil && conn.failing:
		c.log().Info("connection recovered", "resource", s.name, "after", c.opts.Now().Sub(conn.since).Round(time.Second))
		*conn = connection{}
		changed = true
	case err != nil:
		reason := c.reasonFor(s.name, err)
		if !conn.failing {
			c.log().Warn("connection failing", "resource", s.name, "reason", reason, "err", err)
			*conn = connection{failing: true, since: c.opts.Now()}
			changed = true
		}
		if conn.reason != reason {
			conn.reason, changed = reason, true
		}
	}
	if changed {
		c.opts.Record.conn(s.name, *conn)
	}
	c.mu.Unlock()
	if changed {
		c.Notify()
	}
}

// stale is the snapshot's Stale (under c.mu): nil when every informer
// reaches the API server.
func (c *Cluster) stale() *Stale {
	var st *Stale
	for _, s := range c.syncs {
		if !s.conn.failing {
			continue
		}
		if st == nil || s.conn.since.Before(st.Since) {
			if st == nil {
				st = &Stale{}
			}
			st.Since, st.Reason = s.conn.since, s.conn.reason
		}
		st.Resources = append(st.Resources, s.name)
	}
	return st
}

func (c *Cluster) log() *slog.Logger {
	if c.opts.Logger != nil {
		return c.opts.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// reasonFor puts a list or watch error in words a user can act on.
func (c *Cluster) reasonFor(resource string, err error) string {
	switch {
	case apierrors.IsUnauthorized(err):
		msg := "credentials expired or rejected (401): log in again (e.g. aws sso login) or refresh the kubeconfig"
		if c.opts.AuthHint != nil {
			if hint := c.opts.AuthHint(); hint != "" {
				msg += ": " + hint
			}
		}
		return msg
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("forbidden: needs get, list, watch on %s", resource)
	case strings.Contains(err.Error(), "getting credentials"):
		// The exec credential plugin failed (no 401: no request was sent).
		msg := "credentials: the exec plugin failed"
		if c.opts.AuthHint != nil {
			if hint := c.opts.AuthHint(); hint != "" {
				return msg + ": " + hint
			}
		}
		return msg + ": " + lastLine(err.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return "API server unreachable (connection refused)"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "API server connection reset"
	case isTimeout(err):
		return "API server not answering (timeout)"
	case isDNS(err):
		return "cannot resolve the API server's host name"
	case apierrors.IsTooManyRequests(err):
		return "API server overloaded (429), backing off"
	case apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err):
		return "API server error: " + lastLine(err.Error())
	}
	return "API server error: " + lastLine(err.Error())
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err)
}

func isDNS(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de)
}

// lastLine is the end of a long, nested error message, which says what
// happened ("dial tcp 127.0.0.1:6443: connect: connection refused").
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[len(s)-200:]
	}
	return s
}

package cluster

import (
	"slices"
	"time"
)

// The savings ledger: each node Karpenter removed or replaced this session
// (a disruption reason known) with its hourly price less its replacement's.
// The sums are kept over every entry, so that a long session's list can be
// bounded without changing the totals.

const (
	// maxSavings is how many ledger entries are kept (the totals count all).
	maxSavings = 1000
	// savingsTail is how many of the newest entries every snapshot carries.
	savingsTail = 20
	// maxReplacements bounds the replacements waiting for their node's
	// removal; replacementTTL is how long one waits.
	maxReplacements = 100
	replacementTTL  = time.Hour
)

type ledger struct {
	since   time.Time
	entries []Saving
	// hourly is the sum of Price - Replacement; weighted the sum of each
	// entry's (Price - Replacement) times the hours from since to it, so
	// that SoFar = hourly * hours(now - since) - weighted.
	hourly, weighted float64
	currency         string
	// replacements are the NodeClaims Karpenter launched for a
	// disruption (DisruptionLaunching), not yet set against a removed node.
	replacements []replacement
}

type replacement struct {
	claim, reason string
	at            time.Time
}

// addReplacement notes a NodeClaim launched to replace nodes disrupted for
// reason.
func (l *ledger) addReplacement(claim, reason string, at time.Time) {
	for _, r := range l.replacements {
		if r.claim == claim {
			return
		}
	}
	if len(l.replacements) >= maxReplacements {
		l.replacements = slices.Delete(l.replacements, 0, 1)
	}
	l.replacements = append(l.replacements, replacement{claim: claim, reason: reason, at: at})
}

// takeReplacement returns the oldest replacement launched for reason by
// now, and forgets it (and any that waited too long). A disruption that
// replaces several nodes by one (or launches none) leaves the others
// without: the totals come out right.
func (l *ledger) takeReplacement(reason string, now time.Time) (string, bool) {
	l.replacements = slices.DeleteFunc(l.replacements, func(r replacement) bool { return now.Sub(r.at) > replacementTTL })
	for i, r := range l.replacements {
		if r.reason == reason && !r.at.After(now) {
			l.replacements = slices.Delete(l.replacements, i, i+1)
			return r.claim, true
		}
	}
	return "", false
}

// dropReplacement forgets a replacement NodeClaim that went away unused.
func (l *ledger) dropReplacement(claim string) {
	l.replacements = slices.DeleteFunc(l.replacements, func(r replacement) bool { return r.claim == claim })
}

// record adds an entry.
func (l *ledger) record(s Saving, currency string) *Saving {
	saved := s.Price - s.Replacement
	l.hourly += saved
	l.weighted += saved * s.Time.Sub(l.since).Hours()
	if l.currency == "" {
		l.currency = currency
	}
	if len(l.entries) >= maxSavings+maxSavings/10 {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-maxSavings+1:]...)
	}
	l.entries = append(l.entries, s)
	e := s
	return &e
}

// snapshot is the ledger at now: the newest entries (all kept ones with all).
func (l *ledger) snapshot(now time.Time, all bool) Savings {
	s := Savings{Since: l.since, Hourly: l.hourly, Currency: l.currency}
	if len(l.entries) > 0 {
		s.SoFar = l.hourly*now.Sub(l.since).Hours() - l.weighted
	}
	entries := l.entries
	if len(entries) > maxSavings {
		entries = entries[len(entries)-maxSavings:]
	}
	if !all && len(entries) > savingsTail {
		entries = entries[len(entries)-savingsTail:]
	}
	if len(entries) > 0 {
		s.Entries = slices.Clone(entries)
	}
	return s
}

// History: node count and $/hour over the last hour: a sample a minute
// while nothing changes, and on change, at most two a minute (the first
// state of the minute and its latest: further changes within the minute
// replace the second).
const (
	historySpan  = time.Hour
	historyEvery = time.Minute
	maxHistory   = 130
)

// sample adds the state at now to the history, and reports whether it
// did. Snapshots copy the history, so it may be changed in place.
func (c *Cluster) sample(now time.Time, nodes int, hourly float64) bool {
	h := c.history
	s := Sample{Time: now, Nodes: nodes, Hourly: hourly}
	if n := len(h); n > 0 {
		last := h[n-1]
		changed := last.Nodes != nodes || last.Hourly != hourly
		if !changed && now.Sub(last.Time) < historyEvery {
			return false
		}
		minute := now.Truncate(historyEvery)
		if n > 1 && h[n-1].Time.Truncate(historyEvery).Equal(minute) && h[n-2].Time.Truncate(historyEvery).Equal(minute) {
			h[n-1] = s
			c.history = h
			return true
		}
	}
	cut := 0
	for cut < len(h) && now.Sub(h[cut].Time) > historySpan {
		cut++
	}
	if len(h)-cut >= maxHistory {
		cut = len(h) - maxHistory + 1
	}
	if cut > 0 {
		h = append(h[:0], h[cut:]...)
	}
	c.history = append(h, s)
	return true
}

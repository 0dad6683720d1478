package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Player replays a recording into a model: the recorded objects go through
// the same apply functions as live ones, with the recorded times as the
// model's clock, so the snapshots (ages and prices included) are the ones
// the live session had. It plays in real time times its speed, pauses, and
// seeks; seeking back rebuilds the model from the start (no waiting).
//
// The Player is the model as its readers see it (Snapshot, Changed, Synced,
// Now): a seek back replaces the Cluster behind it.
type Player struct {
	opts    Options
	kinds   map[string]recordKind
	lines   []recLine
	start   int64 // ns
	end     int64 // ns
	prices  *replayPrices
	changed chan struct{}
	synced  chan struct{}
	cut     bool
	wallNow func() time.Time

	// mu guards the model and the cursor; it is taken before the model's.
	mu    sync.Mutex
	c     *Cluster
	next  int // the next line to apply
	last  map[objKey]recordable
	syncs map[string]*syncState
	// syncedClosed: synced is closed (a model built later must not
	// close it again).
	syncedClosed bool
	// applying is the time of the record being applied (ms; 0 none): the
	// model's clock while its apply functions run.
	applying atomic.Int64

	// clockMu guards the replay clock (taken alone: the model's clock
	// reads it under the model's lock).
	clockMu sync.Mutex
	pos     int64     // the position (ns) as of wall
	wall    time.Time // when pos was set
	playing bool
	speed   float64
	wake    chan struct{}
}

// PlayerOptions are how a recording is played.
type PlayerOptions struct {
	// Speed is the replay's speed factor (default 1).
	Speed float64
	// NoPrices replays without prices (--disable-pricing), even when the
	// recording has them.
	NoPrices bool
	// Paused starts the replay paused at its start.
	Paused bool
	// WallClock is the real clock (default time.Now; for tests).
	WallClock func() time.Time
}

// NewPlayer decodes rec for a model with opts (Pricing and Now are the
// Player's, Record must be nil) and returns it at the recording's start,
// playing (Start runs it).
func NewPlayer(rec *Recording, opts Options, po PlayerOptions) (*Player, error) {
	if po.Speed <= 0 {
		po.Speed = 1
	}
	if po.WallClock == nil {
		po.WallClock = time.Now
	}
	opts.Record = nil
	opts.Pricing = nil
	p := &Player{
		changed: make(chan struct{}, 1),
		synced:  make(chan struct{}),
		cut:     rec.Truncated,
		wallNow: po.WallClock,
		speed:   po.Speed,
		playing: !po.Paused,
		wake:    make(chan struct{}, 1),
	}
	probe := New(opts)
	d, err := newDecoder(rec.Header.Options.Tracked, probe.res)
	if err != nil {
		return nil, &RecordingError{Err: err}
	}
	p.kinds = d.kinds
	p.lines = make([]recLine, 0, len(rec.lines))
	for i, raw := range rec.lines {
		l, skip, err := d.decode(raw)
		if err != nil {
			return nil, &RecordingError{Err: fmt.Errorf("line %d: %v", i+2, err)}
		}
		if !skip {
			p.lines = append(p.lines, l)
		}
	}
	p.start = rec.Header.Started * int64(time.Millisecond)
	p.end = p.start
	if n := len(p.lines); n > 0 {
		p.end = max(p.end, p.lines[n-1].at())
	}
	if rec.Header.Options.Pricing && !po.NoPrices {
		p.prices = newReplayPrices(p.lines)
		opts.Pricing = p.prices
	}
	opts.Now = p.Now
	if opts.UsageInterval == 0 {
		opts.UsageInterval = rec.Header.Options.UsageInterval // the polls are in the records
	}
	p.opts = opts
	p.pos, p.wall = p.start, p.wallNow()
	p.reset()
	p.advance(p.start)
	return p, nil
}

// reset starts over with an empty model (under p.mu, or before use).
func (p *Player) reset() {
	c := New(p.opts)
	c.replaying = true
	c.changed, c.synced, c.allSynced = p.changed, p.synced, p.syncedClosed
	p.c, p.next = c, 0
	p.last = map[objKey]recordable{}
	p.syncs = map[string]*syncState{}
	if p.prices != nil {
		p.prices.reset()
	}
}

// Now is the model's clock: the replay position (or, while a record is
// applied, its time).
func (p *Player) Now() time.Time {
	if ms := p.applying.Load(); ms != 0 {
		return time.UnixMilli(ms)
	}
	return time.Unix(0, p.position())
}

// position is the replay position in ns (clamped to the recording).
func (p *Player) position() int64 {
	p.clockMu.Lock()
	defer p.clockMu.Unlock()
	return p.positionLocked()
}

func (p *Player) positionLocked() int64 {
	pos := p.pos
	if p.playing {
		pos += int64(float64(p.wallNow().Sub(p.wall)) * p.speed)
	}
	return min(max(pos, p.start), p.end)
}

// model is the current model.
func (p *Player) model() *Cluster {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c
}

// Snapshot and the rest make the Player a model to the screen.
func (p *Player) Snapshot() Snapshot           { return p.model().Snapshot() }
func (p *Player) SnapshotFor(q Query) Snapshot { return p.model().SnapshotFor(q) }
func (p *Player) Changed() <-chan struct{}     { return p.changed }
func (p *Player) Synced() <-chan struct{}      { return p.synced }
func (p *Player) Notify()                      { p.signal() }
func (p *Player) SetNote(topic, text string)   { p.model().SetNote(topic, text) }

// PricesSettled: a recording's price answers are all there is.
func (p *Player) PricesSettled() bool { return true }

// advance applies the records up to target (ns), rebuilding the model first
// when target is before a record already applied. It reports whether
// records remain.
func (p *Player) advance(target int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next > 0 && p.lines[p.next-1].at() > target {
		p.reset()
	}
	c := p.c
	applied := false
	c.mu.Lock()
	for p.next < len(p.lines) && p.lines[p.next].at() <= target {
		l := &p.lines[p.next]
		p.applying.Store(max(l.t, 1))
		p.apply(c, l)
		p.next++
		applied = true
	}
	p.applying.Store(0)
	p.syncedClosed = c.allSynced
	c.mu.Unlock()
	if applied {
		c.Notify()
	}
	return p.next < len(p.lines)
}

// apply installs one record (under p.mu and c.mu), as the live model did.
func (p *Player) apply(c *Cluster, l *recLine) {
	s := p.syncs[l.res]
	switch l.op {
	case opWatch:
		s = &syncState{name: l.res}
		c.syncs = append(c.syncs, s)
		p.syncs[l.res] = s
	case opInit, opAdd, opUpdate:
		k := keyOf(l.res, l.obj)
		var old any
		if l.op == opUpdate {
			if o, ok := p.last[k]; ok {
				old = o
			}
		}
		if l.op == opInit && s != nil {
			s.count++
		}
		p.kinds[l.res].apply(c, old, l.obj)
		p.last[k] = l.obj
	case opDelete:
		k := objKey{l.res, l.text}
		old, ok := p.last[k]
		if !ok {
			return
		}
		delete(p.last, k)
		p.kinds[l.res].apply(c, old, nil)
	case opSync:
		if s != nil {
			c.setSynced(s)
		}
	case opSkip:
		if s != nil {
			s.skipped, s.conn = l.text, connection{}
		}
		c.notes[l.res] = l.text
	case opStream:
		if s != nil {
			s.streamed.Store(l.n)
		}
	case opConn:
		if s != nil {
			s.conn = connection{failing: l.flag, since: fromMilli(l.n), reason: l.text}
		}
	case opSample:
		c.sample(time.Unix(0, l.n), int(l.count), l.hourly)
	case opNodeUse:
		c.setNodeUsage(time.UnixMilli(l.t), l.nodeUse)
	case opPodUse:
		c.setPodUsage(l.res, l.podUse)
	case opStart:
		c.started = time.Unix(0, l.n)
		c.ledger.since = c.started
	case opNote:
		c.setNote(l.res, l.text)
	case opPrice:
		if p.prices != nil {
			p.prices.set(l.desc, *l.price)
			c.priceGen.Add(1)
		}
	case opPStat:
		if p.prices != nil {
			p.prices.setStatus(l.text)
		}
	}
}

// Start plays the recording until ctx ends.
func (p *Player) Start(ctx context.Context) { go p.run(ctx) }

func (p *Player) run(ctx context.Context) {
	for {
		pos := p.position()
		more := p.advance(pos)
		wait := p.untilNext(pos, more)
		var timer *time.Timer
		var due <-chan time.Time
		if wait >= 0 {
			timer = time.NewTimer(wait)
			due = timer.C
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// untilNext is the real time until the next record is due or the end is
// reached (-1: nothing to wait for: paused, or at the end, which pauses).
func (p *Player) untilNext(pos int64, more bool) time.Duration {
	p.clockMu.Lock()
	defer p.clockMu.Unlock()
	if !p.playing {
		return -1
	}
	if pos >= p.end {
		p.playing, p.pos, p.wall = false, p.end, p.wallNow()
		p.signal() // the time line shows the end
		return -1
	}
	next := p.end
	if more {
		p.mu.Lock()
		if p.next < len(p.lines) {
			next = min(next, p.lines[p.next].at())
		}
		p.mu.Unlock()
	}
	return time.Duration(float64(next-pos)/p.speed) + time.Millisecond
}

// signal tells the screen that something changed (the models share the
// channel).
func (p *Player) signal() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// ReplayState is where a replay is.
type ReplayState struct {
	// At is the position from the recording's start; Length the
	// recording's.
	At, Length time.Duration
	Playing    bool
	Speed      float64
	// Truncated: the recording ends without its end record (cut short).
	Truncated bool
}

// State is the replay's position and mode.
func (p *Player) State() ReplayState {
	p.clockMu.Lock()
	defer p.clockMu.Unlock()
	return ReplayState{
		At:        time.Duration(p.positionLocked() - p.start),
		Length:    time.Duration(p.end - p.start),
		Playing:   p.playing && p.positionLocked() < p.end,
		Speed:     p.speed,
		Truncated: p.cut,
	}
}

// TogglePause pauses or resumes; at the end, it plays again from the start.
func (p *Player) TogglePause() {
	p.clockMu.Lock()
	pos := p.positionLocked()
	atEnd := pos >= p.end
	if atEnd && !p.playing {
		pos = p.start
	}
	p.pos, p.wall, p.playing = pos, p.wallNow(), !p.playing || atEnd
	p.clockMu.Unlock()
	p.advance(pos)
	p.signal()
	p.poke()
}

// Seek moves the position by d (clamped to the recording).
func (p *Player) Seek(d time.Duration) { p.SeekTo(time.Unix(0, p.position()+int64(d))) }

// SeekTo moves the position to t (clamped to the recording): the model is
// as it was then.
func (p *Player) SeekTo(t time.Time) {
	p.clockMu.Lock()
	pos := min(max(t.UnixNano(), p.start), p.end)
	p.pos, p.wall = pos, p.wallNow()
	p.clockMu.Unlock()
	p.advance(pos)
	p.signal()
	p.poke()
}

// Bounds are the recording's first and last moments.
func (p *Player) Bounds() (start, end time.Time) {
	return time.Unix(0, p.start), time.Unix(0, p.end)
}

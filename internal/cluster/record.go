package cluster

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"k8s.io/client-go/tools/cache"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// A recording is what the model received, as gzip-compressed NDJSON: a
// header line (Header), then one line per thing received, each an array
// [unix-ms, op, ...]:
//
//	[t,"watch",resource]          an informer starts (in the model's order)
//	[t,"init"|"add"|"upd",resource,object]  an object as the informer made it small
//	[t,"del",resource,key]        a delete ("namespace/name" or "name")
//	[t,"sync",resource]           the informer's initial sync is done
//	[t,"skip",resource,why]       the informer does not run (why is its note)
//	[t,"stream",resource,n]       n objects of an initial sync decoded so far
//	[t,"conn",resource,failing,since,reason]  its connection state changed
//	[t,"note",topic,text]         a status-line note (the demo's narration)
//	[t,"price",node,price]        the pricing provider's answer for a node description
//	[t,"pstat",text]              the pricing provider's status line
//	[t,"tick"]                    time passes (written after a quiet second)
//	[t,"end"]                     the viewer ended normally
//
// Times are the model's clock (the API server's). Lines are buffered and
// compressed once a second, so a crash or a kill loses at most the last
// second; a recording cut short still replays up to its last whole line.

// RecordingKind and RecordingVersion identify a recording's header line.
const (
	RecordingKind    = "eks-node-viewer/recording"
	RecordingVersion = 1
)

// Record ops.
const (
	opWatch   = "watch"
	opInit    = "init"
	opAdd     = "add"
	opUpdate  = "upd"
	opDelete  = "del"
	opSync    = "sync"
	opSkip    = "skip"
	opStream  = "stream"
	opConn    = "conn"
	opNote    = "note"
	opPrice   = "price"
	opPStat   = "pstat"
	opTick    = "tick"
	opStart   = "start"
	opSample  = "sample"
	opNodeUse = "nodeuse"
	opPodUse  = "poduse"
	opEnd     = "end"
)

// Header is a recording's first line.
type Header struct {
	Kind    string `json:"kind"`
	Version int    `json:"version"`
	// Started is when the recording started (Unix ms, the model's clock).
	Started int64 `json:"started"`
	// Program is the viewer's version line.
	Program string          `json:"program,omitempty"`
	Options RecordedOptions `json:"options"`
}

// RecordedOptions are the settings the recording was made with; a replay
// uses them unless told otherwise.
type RecordedOptions struct {
	Resources   []string `json:"resources"`
	ExtraLabels []string `json:"extraLabels,omitempty"`
	Selector    string   `json:"selector,omitempty"`
	Sort        string   `json:"sort"`
	// Tracked are the resources of every request and allocatable vector in
	// the records, in their order.
	Tracked []string `json:"tracked"`
	Pricing bool     `json:"pricing"`
	Demo    bool     `json:"demo,omitempty"`
	// UsageInterval is how often usage was polled (0: usage off).
	UsageInterval time.Duration `json:"usageInterval,omitempty"`
}

// RecordInfo is what the caller knows of a session that the model does not.
type RecordInfo struct {
	Demo    bool
	Program string
}

// flushEvery is how often buffered records reach the file.
const flushEvery = time.Second

// Recorder writes a recording. Give it to the model in Options.Record; the
// model writes the header and every record, under its own lock, into a
// buffer; a goroutine compresses and writes the buffer once a second.
type Recorder struct {
	info RecordInfo

	mu   sync.Mutex
	buf  []byte // lines not yet compressed
	now  func() time.Time
	last int64 // the last stamp (stamps never go back)
	// quiet: nothing was recorded since the last flush (a tick is due).
	quiet    bool
	attached bool
	stopped  bool
	err      error
	onError  func(error)

	out  io.Writer
	file io.Closer // nil: the caller's writer
	zw   *gzip.Writer
	// zmu serialises the compressor between the flusher and Close.
	zmu  sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// CreateRecording creates (or truncates) the file at path, readable by its
// owner only (it holds the cluster's names and labels), and records into it.
func CreateRecording(path string, info RecordInfo) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	r := NewRecorder(f, info)
	r.file = f
	return r, nil
}

// NewRecorder records into w (gzip-compressed).
func NewRecorder(w io.Writer, info RecordInfo) *Recorder {
	zw, _ := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	r := &Recorder{info: info, out: w, zw: zw, stop: make(chan struct{}), done: make(chan struct{})}
	go r.flushLoop()
	return r
}

// attach is called by New: the header, with the model's settings and clock.
func (r *Recorder) attach(c *Cluster) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.attached {
		panic("cluster: a Recorder records one model")
	}
	r.attached, r.now = true, c.opts.Now
	r.onError = func(err error) { c.SetNote("record", "recording stopped: "+err.Error()) }
	sort := ""
	if c.opts.Sort.Key != "" {
		sort = c.opts.Sort.String()
	}
	h := Header{
		Kind: RecordingKind, Version: RecordingVersion,
		Started: r.stamp(),
		Program: r.info.Program,
		Options: RecordedOptions{
			Resources:     c.opts.Resources,
			ExtraLabels:   c.opts.ExtraLabels,
			Selector:      c.opts.Selector.String(),
			Sort:          sort,
			Tracked:       c.res.names,
			Pricing:       c.opts.Pricing != nil,
			UsageInterval: c.opts.UsageInterval,
			Demo:          r.info.Demo,
		},
	}
	line, _ := json.Marshal(h)
	r.buf = append(append(r.buf, line...), '\n')
}

// stamp is the time of a record (under r.mu): the model's clock in Unix
// ms, never before the previous record's.
func (r *Recorder) stamp() int64 {
	t := r.now().UnixMilli()
	if t < r.last {
		t = r.last
	}
	r.last = t
	return t
}

// put appends one record line [t, op, body...].
func (r *Recorder) put(op string, body func(c *codec)) { r.putAt(time.Time{}, op, body) }

// putAt is put for a record of the model at time at (zero: now).
func (r *Recorder) putAt(at time.Time, op string, body func(c *codec)) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || !r.attached {
		return
	}
	c := codec{enc: true, buf: append(r.buf, '[')}
	t := r.stamp()
	if !at.IsZero() {
		// The time the model applied it at, exactly, even when another
		// record (a note, a price answer, stamped on its own) went in a
		// millisecond later just before: a replay then applies it at the
		// same time, so what the apply stamped is the same.
		t = at.UnixMilli()
	}
	c.i64(&t)
	c.str(&op)
	if body != nil {
		body(&c)
	}
	r.buf = append(c.buf, ']', '\n')
	r.quiet = false
}

func (r *Recorder) strings(op string, s ...string) {
	r.put(op, func(c *codec) {
		for i := range s {
			c.str(&s[i])
		}
	})
}

// noop reports whether an object changes nothing in the model (an event
// not worth showing): its records are left out.
type noop interface{ noop() bool }

func (e *eventObj) noop() bool { return e.ev == nil }

func isNoop(obj any) bool {
	n, ok := obj.(noop)
	return obj == nil || ok && n.noop()
}

// object records an informer's add (old nil), update or delete (obj nil).
// object records an informer's change that the model applied at time at.
func (r *Recorder) object(at time.Time, resource string, initial bool, old, obj any) {
	if r == nil || isNoop(old) && isNoop(obj) {
		return
	}
	if obj == nil {
		key, err := cache.MetaNamespaceKeyFunc(old)
		if err == nil {
			r.putAt(at, opDelete, func(c *codec) {
				c.str(&resource)
				c.str(&key)
			})
		}
		return
	}
	o, ok := obj.(recordable)
	if !ok {
		return
	}
	op := opUpdate
	switch {
	case initial:
		op = opInit
	case old == nil:
		op = opAdd
	}
	r.putAt(at, op, func(c *codec) {
		c.str(&resource)
		c.nested(func() { o.fields(c) })
	})
}

func (r *Recorder) conn(resource string, conn connection) {
	r.put(opConn, func(c *codec) {
		c.str(&resource)
		c.boolean(&conn.failing)
		c.time(&conn.since)
		c.str(&conn.reason)
	})
}

// start records when the model began watching (Start): the activity's
// "news" and the ledger count from there.
func (r *Recorder) start(t time.Time) {
	n := t.UnixNano()
	r.put(opStart, func(c *codec) { c.i64(&n) })
}

// nodeUsage records a node metrics poll the model installed at at.
func (r *Recorder) nodeUsage(at time.Time, nodes []NodeUsage) {
	r.putAt(at, opNodeUse, func(c *codec) { nodeUsageFields(c, &nodes) })
}

// podUsage records the open node's pod metrics poll.
func (r *Recorder) podUsage(at time.Time, node string, pods []PodUsage) {
	r.putAt(at, opPodUse, func(c *codec) {
		c.str(&node)
		podUsageFields(c, &pods)
	})
}

func nodeUsageFields(c *codec, nodes *[]NodeUsage) {
	list(c, nodes, func(n *NodeUsage) {
		c.nested(func() {
			c.str(&n.Name)
			c.time(&n.At)
			intOf(c, &n.Window)
			c.i64(&n.CPU)
			c.i64(&n.Memory)
		})
	})
}

func podUsageFields(c *codec, pods *[]PodUsage) {
	list(c, pods, func(p *PodUsage) {
		c.nested(func() {
			c.istr(&p.Namespace)
			c.str(&p.Name)
			c.time(&p.At)
			intOf(c, &p.Window)
			c.i64(&p.CPU)
			c.i64(&p.Memory)
		})
	})
}

// sample records a point of the summary's history, taken at now.
func (r *Recorder) sample(now time.Time, nodes int, hourly float64) {
	t, n := now.UnixNano(), int64(nodes)
	r.putAt(now, opSample, func(c *codec) {
		c.i64(&t)
		c.i64(&n)
		c.f64(&hourly)
	})
}

func (r *Recorder) streamed(resource string, n int64) {
	r.put(opStream, func(c *codec) {
		c.str(&resource)
		c.i64(&n)
	})
}

func (r *Recorder) price(n pricing.Node, p pricing.Price) {
	r.put(opPrice, func(c *codec) {
		c.nested(func() { describedFields(c, &n) })
		c.nested(func() { priceFields(c, &p) })
	})
}

// Close records the end, writes what is buffered and closes the stream
// (and the file of CreateRecording). It returns the first write error.
func (r *Recorder) Close() error {
	r.put(opEnd, nil)
	close(r.stop)
	<-r.done
	r.flush()
	r.zmu.Lock()
	err := r.zw.Close()
	r.zmu.Unlock()
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.err != nil {
		return r.err
	}
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

func (r *Recorder) flushLoop() {
	defer close(r.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.mu.Lock()
			quiet := r.quiet && r.attached
			r.mu.Unlock()
			if quiet {
				r.put(opTick, nil)
			}
			r.flush()
		}
	}
}

// flush compresses the buffered lines and writes them out (a gzip sync
// flush: whatever reached the file decompresses).
func (r *Recorder) flush() {
	r.mu.Lock()
	buf := r.buf
	r.buf = nil
	r.quiet = true
	stopped := r.stopped
	r.mu.Unlock()
	if len(buf) == 0 || stopped {
		return
	}
	r.zmu.Lock()
	_, err := r.zw.Write(buf)
	if err == nil {
		err = r.zw.Flush()
	}
	r.zmu.Unlock()
	if err == nil {
		// Give the buffer back for the next second's lines.
		r.mu.Lock()
		if r.buf == nil {
			r.buf = buf[:0]
		}
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	r.stopped = true
	if r.err == nil {
		r.err = fmt.Errorf("record: %w", err)
	}
	onError := r.onError
	r.mu.Unlock()
	if onError != nil {
		onError(err)
	}
}

// pricesRecorder is the pricing provider as a recorder sees it: every
// answer that differs from the last one recorded for its node description
// is recorded, and so is the status line when it changes.
type pricesRecorder struct {
	pricing.Provider
	rec *Recorder

	mu      sync.Mutex
	answers map[pricing.Node]pricing.Price
	status  string
	stated  bool
}

func (p *pricesRecorder) NodePrice(n pricing.Node) pricing.Price {
	price := p.Provider.NodePrice(n)
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.answers[n]; !ok || prev != price {
		p.answers[n] = price
		p.rec.price(n, price)
	}
	return price
}

func (p *pricesRecorder) Status() string {
	st := p.Provider.Status()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stated || st != p.status {
		p.stated, p.status = true, st
		p.rec.strings(opPStat, st)
	}
	return st
}

// refresh asks again for every description answered so far (the provider
// signalled a change), so that the recording holds the new answers from
// the moment they are in force.
func (p *pricesRecorder) refresh() {
	p.mu.Lock()
	nodes := make([]pricing.Node, 0, len(p.answers))
	for n := range p.answers {
		nodes = append(nodes, n)
	}
	p.mu.Unlock()
	for _, n := range nodes {
		p.NodePrice(n)
	}
	p.Status()
}

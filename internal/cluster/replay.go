package cluster

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/tools/cache"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// Recording is a recording read back: its header and its record lines,
// decoded when a Player is made for a model's settings.
type Recording struct {
	Header Header
	// Truncated: the file ends without the "end" record (the viewer was
	// killed or crashed, or the file was cut); it replays up to its last
	// whole line.
	Truncated bool
	lines     [][]byte
}

// RecordingError is a file that is not a readable recording.
type RecordingError struct {
	Path string
	Err  error
}

func (e *RecordingError) Error() string {
	if e.Path == "" {
		return "replay: " + e.Err.Error()
	}
	return fmt.Sprintf("replay %s: %v", e.Path, e.Err)
}

func (e *RecordingError) Unwrap() error { return e.Err }

// OpenRecording reads the recording at path.
func OpenRecording(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &RecordingError{Err: err}
	}
	defer f.Close()
	rec, err := ReadRecording(f)
	var re *RecordingError
	if errors.As(err, &re) {
		re.Path = path
	}
	return rec, err
}

// ReadRecording reads a recording from r.
func ReadRecording(r io.Reader) (*Recording, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &RecordingError{Err: errors.New("empty file, not a recording")}
		}
		return nil, &RecordingError{Err: errors.New("not a recording (not gzip-compressed)")}
	}
	data, err := io.ReadAll(zr)
	cut := errors.Is(err, io.ErrUnexpectedEOF)
	if err != nil && !cut {
		return nil, &RecordingError{Err: fmt.Errorf("damaged after %d bytes: %v", len(data), err)}
	}
	lines := bytes.Split(data, []byte("\n"))
	// A line without its newline was being written when the file ended.
	lines = lines[:len(lines)-1]
	if len(lines) == 0 {
		return nil, &RecordingError{Err: errors.New("no header line, not a recording")}
	}
	rec := &Recording{lines: lines[1:]}
	if err := json.Unmarshal(lines[0], &rec.Header); err != nil || rec.Header.Kind != RecordingKind {
		return nil, &RecordingError{Err: fmt.Errorf("not a recording: the first line is not a %s header", RecordingKind)}
	}
	if v := rec.Header.Version; v != RecordingVersion {
		return nil, &RecordingError{Err: fmt.Errorf("recording version %d: this viewer reads version %d", v, RecordingVersion)}
	}
	last := []byte(nil)
	if n := len(rec.lines); n > 0 {
		last = rec.lines[n-1]
	}
	rec.Truncated = cut || !bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(last, []byte("[")), "0123456789,"), []byte(`"end"`))
	return rec, nil
}

// Records is how many records follow the header.
func (r *Recording) Records() int { return len(r.lines) }

// Options returns the model settings the recording was made with (Pricing
// and Now are the Player's).
func (r *Recording) Options() (resources, extraLabels []string, selector, sort string) {
	o := r.Header.Options
	return o.Resources, o.ExtraLabels, o.Selector, o.Sort
}

// recordKind is what a resource's records hold and how they are applied:
// the informers' table (informers.go Start) for replays.
type recordKind struct {
	new   func() recordable
	apply func(c *Cluster, old, obj any) bool
}

// recordKinds are the recorded resources, by their informer's name. A new
// informer adds its line here (TestRecordKindsCoverEverySmallType).
func recordKinds() map[string]recordKind {
	return map[string]recordKind{
		"nodes":      {func() recordable { return &nodeObj{} }, (*Cluster).applyNode},
		"pods":       {func() recordable { return &podObj{} }, (*Cluster).applyPod},
		"nodeclaims": {func() recordable { return &claimObj{} }, (*Cluster).applyClaim},
		"events":     {func() recordable { return &eventObj{} }, (*Cluster).applyEvent},
		"nodepools":  {func() recordable { return &poolObj{} }, (*Cluster).applyPool},
	}
}

// at is when the record happened, in Unix ns: its stamp (ms), or a history
// sample's own time, which the snapshot that took it must not see.
func (l *recLine) at() int64 {
	if l.op == opSample {
		return l.n
	}
	return l.t * int64(time.Millisecond)
}

// recLine is one decoded record.
type recLine struct {
	t    int64 // Unix ms
	op   string
	res  string // resource, or a note's topic
	text string // a delete's key, a skip's reason, a note, a status line
	obj  recordable
	n    int64 // stream count; conn since (ms); start and sample time (ns)
	flag bool  // conn failing
	// count and hourly are a history sample's.
	count  int64
	hourly float64
	// nodeUse and podUse are usage polls (podUse of node res).
	nodeUse []NodeUsage
	podUse  []PodUsage
	desc    pricing.Node
	// price is a price answer (a pointer keeps the common lines small).
	price *pricing.Price
}

// decoder turns record lines into recLines for one model's resources.
type decoder struct {
	kinds map[string]recordKind
	remap []int
	width int
}

func newDecoder(recorded []string, model resources) (*decoder, error) {
	d := &decoder{kinds: recordKinds(), width: len(model.names)}
	pos := map[string]int{}
	for i, n := range recorded {
		pos[n] = i
	}
	var missing []string
	for _, n := range model.names {
		if _, ok := pos[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the recording has no %s figures (it recorded %s)", strings.Join(missing, ", "), strings.Join(recorded, ", "))
	}
	if !slices.Equal(recorded, model.names) {
		d.remap = make([]int, len(recorded))
		for i, n := range recorded {
			d.remap[i] = -1
			if j, ok := model.index[resourceName(n)]; ok {
				d.remap[i] = j
			}
		}
	}
	return d, nil
}

// decode reads one line; skip: a record this viewer does not know (a
// newer viewer's), to be passed over.
func (d *decoder) decode(line []byte) (l recLine, skip bool, err error) {
	c := codec{src: line, remap: d.remap, width: d.width}
	c.skipWS()
	if c.peek() != '[' {
		return l, false, errors.New("not a record")
	}
	c.off++
	c.first = true
	c.i64(&l.t)
	c.str(&l.op)
	switch l.op {
	case opInit, opAdd, opUpdate:
		c.str(&l.res)
		k, ok := d.kinds[l.res]
		if !ok {
			skip = true
			break
		}
		l.obj = k.new()
		c.nested(func() { l.obj.fields(&c) })
	case opDelete, opSkip, opNote:
		c.str(&l.res)
		c.str(&l.text)
		_, known := d.kinds[l.res]
		skip = l.op == opDelete && !known
	case opWatch, opSync:
		c.str(&l.res)
	case opStream:
		c.str(&l.res)
		c.i64(&l.n)
	case opStart:
		c.i64(&l.n)
	case opNodeUse:
		nodeUsageFields(&c, &l.nodeUse)
	case opPodUse:
		c.str(&l.res)
		podUsageFields(&c, &l.podUse)
	case opSample:
		c.i64(&l.n)
		c.i64(&l.count)
		c.f64(&l.hourly)
	case opConn:
		c.str(&l.res)
		c.boolean(&l.flag)
		c.i64(&l.n)
		c.str(&l.text)
	case opPrice:
		l.price = &pricing.Price{}
		c.nested(func() { describedFields(&c, &l.desc) })
		c.nested(func() { priceFields(&c, l.price) })
	case opPStat:
		c.str(&l.text)
	case opTick, opEnd:
	default:
		skip = true
	}
	c.endArray()
	c.skipWS()
	if c.err == nil && c.off != len(c.src) {
		c.fail("text after the record")
	}
	return l, skip, c.err
}

// replayPrices answers as the recorded provider did at the replay's
// position; before a description's first recorded answer (asked just after
// the moment it was first needed), with that first answer.
type replayPrices struct {
	first       map[pricing.Node]pricing.Price
	firstStatus string

	mu     sync.Mutex
	now    map[pricing.Node]pricing.Price
	status string
	stated bool
}

func newReplayPrices(lines []recLine) *replayPrices {
	p := &replayPrices{first: map[pricing.Node]pricing.Price{}, now: map[pricing.Node]pricing.Price{}}
	stated := false
	for i := range lines {
		l := &lines[i]
		switch {
		case l.op == opPrice:
			if _, ok := p.first[l.desc]; !ok {
				p.first[l.desc] = *l.price
			}
		case l.op == opPStat && !stated:
			p.firstStatus, stated = l.text, true
		}
	}
	return p
}

func (p *replayPrices) NodePrice(n pricing.Node) pricing.Price {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.now[n]; ok {
		return v
	}
	if v, ok := p.first[n]; ok {
		return v
	}
	return pricing.Price{Source: pricing.Unknown, Reason: "not priced in the recording"}
}

func (p *replayPrices) Status() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stated {
		return p.status
	}
	return p.firstStatus
}

// Changed is nil: the Player reprices the model itself.
func (p *replayPrices) Changed() <-chan struct{} { return nil }

func (p *replayPrices) set(n pricing.Node, v pricing.Price) {
	p.mu.Lock()
	p.now[n] = v
	p.mu.Unlock()
}

func (p *replayPrices) setStatus(s string) {
	p.mu.Lock()
	p.status, p.stated = s, true
	p.mu.Unlock()
}

func (p *replayPrices) reset() {
	p.mu.Lock()
	clear(p.now)
	p.status, p.stated = "", false
	p.mu.Unlock()
}

// objKey names an object of a resource.
type objKey struct{ res, key string }

func keyOf(res string, obj any) objKey {
	k, _ := cache.MetaNamespaceKeyFunc(obj)
	return objKey{res, k}
}

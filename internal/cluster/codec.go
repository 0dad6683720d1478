package cluster

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
	"unique"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The recording codec writes the small informer types as positional JSON
// arrays and reads them back. Each type lists its fields once, in fields(),
// and the same list encodes and decodes (the codec's mode decides), so the
// two cannot drift apart. A field is added at the END of its type's list:
// a reader finds trailing fields of newer recordings extra (skipped) and
// those of older ones missing (left zero). TestCodecCarriesEveryField fails
// when a field of a small type is not in its list.
//
// Forms: strings are JSON strings, or {"x":"base64"} when not valid UTF-8
// (cluster text is untrusted and must come back byte for byte); integers
// and booleans as such; times as Unix milliseconds, or nanoseconds when
// they have sub-millisecond digits (see timeValue; 0: the zero time); maps as flat
// [k1,v1,k2,v2] arrays sorted by key; nested structs as arrays; a nil
// pointer as null.

// recordable is a small type that the codec carries.
type recordable interface {
	fields(c *codec)
}

// codec is one encoding (enc) or decoding pass over one value.
type codec struct {
	enc bool
	buf []byte // enc: the output

	src []byte // dec: the input
	off int
	err error
	// remap converts resource vectors from the recording's tracked
	// resources to the model's (nil: same order); width is the model's
	// count.
	remap []int
	width int
	// first: the next element read is the first of its array.
	first bool
	// absent > 0: the fields being read are not in the input (a null or
	// missing struct): every one reads as zero.
	absent int
}

func (c *codec) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format+" at byte %d", append(args, c.off)...)
	}
}

// ---- encoding --------------------------------------------------------------

func (c *codec) sep() {
	if n := len(c.buf); n > 0 && c.buf[n-1] != '[' {
		c.buf = append(c.buf, ',')
	}
}

func (c *codec) putString(s string) {
	c.sep()
	if !utf8.ValidString(s) {
		c.buf = append(c.buf, `{"x":"`...)
		c.buf = base64.StdEncoding.AppendEncode(c.buf, []byte(s))
		c.buf = append(c.buf, `"}`...)
		return
	}
	c.buf = appendJSONString(c.buf, s)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes valid UTF-8 as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 0x20 && ch != '"' && ch != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch ch {
		case '"', '\\':
			b = append(b, '\\', ch)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[ch>>4], hexDigits[ch&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ---- decoding --------------------------------------------------------------

func (c *codec) skipWS() {
	for c.off < len(c.src) {
		switch c.src[c.off] {
		case ' ', '\t', '\n', '\r':
			c.off++
		default:
			return
		}
	}
}

// element moves to the next element of the current array and reports
// whether there is one (false at its end: the field is absent).
func (c *codec) element() bool {
	if c.err != nil || c.absent > 0 {
		return false
	}
	c.skipWS()
	if c.off >= len(c.src) {
		c.fail("unexpected end")
		return false
	}
	if c.src[c.off] == ']' {
		return false
	}
	if !c.first {
		if c.src[c.off] != ',' {
			c.fail("want ','")
			return false
		}
		c.off++
		c.skipWS()
	}
	c.first = false
	return true
}

func (c *codec) peek() byte {
	if c.off < len(c.src) {
		return c.src[c.off]
	}
	return 0
}

// literal consumes s ("null", "true", "false") if it is next.
func (c *codec) literal(s string) bool {
	if len(c.src)-c.off >= len(s) && string(c.src[c.off:c.off+len(s)]) == s {
		c.off += len(s)
		return true
	}
	return false
}

func (c *codec) readString() string {
	switch c.peek() {
	case '"':
	case '{': // {"x":"base64"}
		c.off++
		var name, data string
		c.skipWS()
		name = c.readString()
		c.skipWS()
		if c.peek() != ':' {
			c.fail("want ':'")
			return ""
		}
		c.off++
		c.skipWS()
		data = c.readString()
		c.skipWS()
		if name != "x" || c.peek() != '}' {
			c.fail("bad byte string")
			return ""
		}
		c.off++
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			c.fail("bad byte string: %v", err)
		}
		return string(raw)
	default:
		if c.literal("null") {
			return ""
		}
		c.fail("want a string")
		return ""
	}
	start := c.off
	escaped := false
	for i := c.off + 1; i < len(c.src); i++ {
		switch c.src[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			c.off = i + 1
			if !escaped {
				return string(c.src[start+1 : i])
			}
			var s string
			if err := json.Unmarshal(c.src[start:c.off], &s); err != nil {
				c.fail("bad string: %v", err)
			}
			return s
		}
	}
	c.off = len(c.src)
	c.fail("unterminated string")
	return ""
}

func (c *codec) readNumber() []byte {
	start := c.off
	for c.off < len(c.src) {
		switch ch := c.src[c.off]; {
		case ch >= '0' && ch <= '9', ch == '-', ch == '+', ch == '.', ch == 'e', ch == 'E':
			c.off++
			continue
		}
		break
	}
	if c.off == start {
		if c.literal("null") {
			return nil
		}
		c.fail("want a number")
	}
	return c.src[start:c.off]
}

func (c *codec) readInt() int64 {
	b := c.readNumber()
	if b == nil {
		return 0
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		c.fail("bad integer %q", b)
	}
	return v
}

// skipValue passes over one JSON value of any form.
func (c *codec) skipValue() {
	c.skipWS()
	switch c.peek() {
	case '"':
		c.readString()
	case '[', '{':
		depth := 0
		for c.off < len(c.src) && c.err == nil {
			switch c.src[c.off] {
			case '"':
				c.readString()
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
			}
			c.off++
			if depth == 0 {
				return
			}
		}
		c.fail("unterminated value")
	default:
		if !c.literal("null") && !c.literal("true") && !c.literal("false") {
			c.readNumber()
		}
	}
}

// ---- fields ----------------------------------------------------------------

func (c *codec) str(p *string) {
	if c.enc {
		c.putString(*p)
		return
	}
	if c.element() {
		*p = c.readString()
	} else {
		*p = ""
	}
}

// istr is str for a string many objects repeat (interned when read).
func (c *codec) istr(p *string) {
	c.str(p)
	if !c.enc {
		*p = intern(*p)
	}
}

func strOf[T ~string](c *codec, p *T) {
	s := string(*p)
	c.str(&s)
	*p = T(s)
}

func (c *codec) i64(p *int64) {
	if c.enc {
		c.sep()
		c.buf = strconv.AppendInt(c.buf, *p, 10)
		return
	}
	*p = 0
	if c.element() {
		*p = c.readInt()
	}
}

func intOf[T ~int | ~int64 | ~int32 | ~uint8](c *codec, p *T) {
	v := int64(*p)
	c.i64(&v)
	*p = T(v)
}

func (c *codec) f64(p *float64) {
	if c.enc {
		c.sep()
		if math.IsNaN(*p) || math.IsInf(*p, 0) {
			c.buf = append(c.buf, "null"...)
			return
		}
		c.buf = strconv.AppendFloat(c.buf, *p, 'g', -1, 64)
		return
	}
	*p = 0
	if c.element() {
		if b := c.readNumber(); b != nil {
			v, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				c.fail("bad number %q", b)
			}
			*p = v
		}
	}
}

func (c *codec) boolean(p *bool) {
	if c.enc {
		c.sep()
		c.buf = strconv.AppendBool(c.buf, *p)
		return
	}
	*p = false
	if c.element() {
		switch {
		case c.literal("true"):
			*p = true
		case c.literal("false"), c.literal("null"):
		default:
			c.fail("want a boolean")
		}
	}
}

// nsFloor: an integer time of at least this magnitude is in nanoseconds,
// below it in milliseconds (1e15 ms is the year 33658; 1e15 ns is twelve
// days after 1970).
const nsFloor = 1e15

// timeValue is a Unix time in ns as carried: milliseconds when that is
// exact (Kubernetes stamps seconds), else nanoseconds; 0 stays 0.
func timeValue(ns int64) int64 {
	if ns%int64(time.Millisecond) == 0 || ns < nsFloor && ns > -nsFloor {
		return ns / int64(time.Millisecond)
	}
	return ns
}

func timeFromValue(v int64) int64 {
	if v >= nsFloor || v <= -nsFloor {
		return v
	}
	return v * int64(time.Millisecond)
}

// toMilli is a time as Unix milliseconds, 0 for the zero time.
func toMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// time carries a time (the zero time as 0; the monotonic reading and the
// location are not carried: times read back are local).
func (c *codec) time(p *time.Time) {
	var v int64
	if !p.IsZero() {
		v = timeValue(p.UnixNano())
	}
	c.i64(&v)
	if c.enc {
		return
	}
	*p = time.Time{}
	if v != 0 {
		*p = time.Unix(0, timeFromValue(v))
	}
}

// nanos is a time held as Unix nanoseconds (0 unknown).
func (c *codec) nanos(p *int64) {
	v := timeValue(*p)
	c.i64(&v)
	if !c.enc {
		*p = timeFromValue(v)
	}
}

// nested carries a struct (or a list) as an array of its own.
func (c *codec) nested(each func()) {
	if c.enc {
		c.sep()
		c.buf = append(c.buf, '[')
		each()
		c.buf = append(c.buf, ']')
		return
	}
	if !c.element() || c.literal("null") {
		c.absent++
		each() // every field zero
		c.absent--
		return
	}
	if c.peek() != '[' {
		c.fail("want '['")
		return
	}
	c.off++
	c.first = true
	each()
	c.endArray()
}

// endArray skips the elements nobody read (a newer recording's fields) and
// the closing bracket.
func (c *codec) endArray() {
	for c.err == nil {
		c.skipWS()
		if c.peek() == ']' {
			c.off++
			c.first = false
			return
		}
		if !c.element() {
			return
		}
		c.skipValue()
	}
}

// list carries a slice: n elements, each carried by each(i) (dec: n is
// unknown, and each is called with the index of an element to fill after
// grow has made room for it).
func list[T any](c *codec, s *[]T, each func(*T)) {
	if c.enc {
		if *s == nil {
			c.sep()
			c.buf = append(c.buf, "null"...)
			return
		}
		c.nested(func() {
			for i := range *s {
				each(&(*s)[i])
			}
		})
		return
	}
	*s = nil
	if !c.element() {
		return
	}
	if c.literal("null") {
		return
	}
	if c.peek() != '[' {
		c.fail("want '['")
		return
	}
	c.off++
	c.first = true
	out := []T{}
	for c.err == nil {
		c.skipWS()
		if c.peek() == ']' {
			break
		}
		// Each element is one value of the array: a nested array for
		// structs, a scalar otherwise; each reads it as the array's next.
		var v T
		each(&v)
		out = append(out, v)
	}
	c.endArray()
	*s = out
}

// strMap carries a map as [k1,v1,k2,v2,...], keys sorted.
func (c *codec) strMap(p *map[string]string) {
	var flat []string
	if c.enc && *p != nil {
		flat = make([]string, 0, 2*len(*p))
		for _, k := range slices.Sorted(maps.Keys(*p)) {
			flat = append(flat, k, (*p)[k])
		}
	}
	list(c, &flat, c.str)
	if c.enc {
		return
	}
	*p = nil
	if flat != nil {
		*p = make(map[string]string, len(flat)/2)
		for i := 0; i+1 < len(flat); i += 2 {
			(*p)[flat[i]] = flat[i+1]
		}
	}
}

// ints carries a plain []int64.
func (c *codec) ints(p *[]int64) { list(c, p, c.i64) }

// res carries a resource vector (requests, allocatable): one entry per
// tracked resource, converted to the model's tracked resources when read.
func (c *codec) res(p *[]int64) {
	c.ints(p)
	if c.enc || c.remap == nil || c.err != nil || *p == nil {
		return
	}
	out := make([]int64, c.width)
	for i, v := range *p {
		if i < len(c.remap) && c.remap[i] >= 0 {
			out[c.remap[i]] = v
		}
	}
	*p = out
}

// ---- the small types -------------------------------------------------------
// One list per type; append new fields at the end.

func (p *podObj) fields(c *codec) {
	r := p.extra()
	c.istr(&p.ns)
	c.str(&p.name)
	c.istr(&p.node)
	strOf(c, &p.phase)
	if !c.enc {
		p.phase = podPhase(p.phase)
	}
	c.res(&p.req)
	c.str(&r.fargate)
	c.nanos(&p.created)
	c.boolean(&p.deleting)
	c.istr(&p.ownerKind)
	c.istr(&p.ownerName)
	c.str(&r.dnd)
	c.i64(&r.dndStart)
	if !c.enc {
		p.rare = unique.Handle[podRare]{}
		if r != (podRare{}) {
			p.rare = unique.Make(r)
		}
	}
}

func (n *nodeObj) fields(c *codec) {
	c.str(&n.name)
	c.strMap(&n.labels)
	c.nested(func() { describedFields(c, &n.desc) })
	c.str(&n.providerID)
	c.time(&n.created)
	c.boolean(&n.deleting)
	c.boolean(&n.cordoned)
	c.boolean(&n.ready)
	c.time(&n.readySince)
	c.res(&n.alloc)
	list(c, &n.taints, func(t *Taint) { c.nested(func() { taintFields(c, t) }) })
	c.boolean(&n.disrupted)
	c.boolean(&n.doNotDisrupt)
}

func (cl *claimObj) fields(c *codec) {
	c.str(&cl.name)
	c.str(&cl.nodeName)
	c.str(&cl.providerID)
	c.strMap(&cl.labels)
	c.nested(func() { describedFields(c, &cl.desc) })
	c.time(&cl.created)
	c.boolean(&cl.deleting)
	c.res(&cl.alloc)
	list(c, &cl.conds, func(k *karpenter.Condition) { c.nested(func() { conditionFields(c, k) }) })
	if !c.enc {
		cl.derive() // the lifecycle and disruption facts follow from the conditions
	}
}

func conditionFields(c *codec, k *karpenter.Condition) {
	c.istr(&k.Type)
	c.istr(&k.Status)
	c.str(&k.Reason)
	c.str(&k.Message)
	c.time(&k.At)
}

// A NodePool's record carries its row's spec part (the rest of the row is
// summed from the nodes at each snapshot).
func (p *poolObj) fields(c *codec) {
	c.str(&p.name)
	c.str(&p.row.Name)
	c.str(&p.row.Kind)
	c.boolean(&p.row.Known)
	list(c, &p.row.Limits, func(l *Limit) {
		c.nested(func() {
			c.str(&l.Resource)
			c.i64(&l.Limit)
			c.i64(&l.Used)
		})
	})
	c.str(&p.row.ConsolidationPolicy)
	c.str(&p.row.ConsolidateAfter)
	list(c, &p.row.Budgets, func(b *Budget) {
		c.nested(func() {
			c.str(&b.Nodes)
			list(c, &b.Reasons, c.str)
			c.str(&b.Schedule)
			c.str(&b.Duration)
		})
	})
	intOf(c, &p.row.Weight)
	c.str(&p.row.Ready)
	c.str(&p.row.ReadyReason)
}

func (e *eventObj) fields(c *codec) {
	c.str(&e.ns)
	c.str(&e.name)
	optional(c, &e.ev, func(ev *Event) { eventFields(c, ev) })
	c.nested(func() {
		intOf(c, &e.about.kind)
		c.istr(&e.about.ns)
		c.str(&e.about.name)
	})
	c.time(&e.first)
	intOf(c, &e.count)
	c.istr(&e.evType)
	c.istr(&e.source)
	if !c.enc {
		e.derive() // what the event says follows from its words
	}
}

func eventFields(c *codec, e *Event) {
	c.time(&e.Time)
	c.str(&e.Reason)
	c.str(&e.Object)
	c.str(&e.Message)
}

func taintFields(c *codec, t *Taint) {
	c.str(&t.Key)
	c.str(&t.Value)
	c.str(&t.Effect)
}

func describedFields(c *codec, n *pricing.Node) {
	c.str(&n.Name)
	c.str(&n.InstanceType)
	intOf(c, &n.Capacity)
	c.boolean(&n.AutoMode)
	c.str(&n.Zone)
	c.str(&n.Region)
	c.str(&n.Override)
	c.str(&n.FargateCapacity)
}

func priceFields(c *codec, p *pricing.Price) {
	c.f64(&p.Hourly)
	c.str(&p.Currency)
	intOf(c, &p.Source)
	c.str(&p.Reason)
}

// optional carries a pointer: null for nil, else the value's array.
func optional[T any](c *codec, p **T, each func(*T)) {
	if c.enc {
		if *p == nil {
			c.sep()
			c.buf = append(c.buf, "null"...)
			return
		}
		c.nested(func() { each(*p) })
		return
	}
	*p = nil
	if !c.element() {
		return
	}
	if c.literal("null") {
		return
	}
	// Put the element back: nested reads it as the array's next.
	c.first = true
	v := new(T)
	c.nested(func() { each(v) })
	*p = v
}

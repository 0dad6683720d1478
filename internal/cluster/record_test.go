package cluster

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// filler sets every field of a value, exported or not, to a distinct
// non-zero value, so that a field the codec drops or mixes up shows.
type filler struct{ n int64 }

func (f *filler) next() int64 { f.n++; return f.n }

func (f *filler) fill(v reflect.Value) {
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		// Sub-millisecond digits: times keep them.
		v.Set(reflect.ValueOf(time.Unix(0, 1_780_000_000_000_000_000+f.next()*1_000_123)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		// Quotes, escapes, controls, non-ASCII and bytes that are not UTF-8.
		v.SetString([]string{"a\"b\\c", "line\nbreak\x1b[31m", "π ✓", "bad\xff\xfeutf8"}[f.next()%4] + string(rune('A'+f.n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		// Nanosecond times with sub-millisecond digits, whole
		// milliseconds (times near 1970 are carried to the millisecond),
		// negative, and the extreme, in turn.
		x := f.next()
		v.SetInt([]int64{1_780_000_000_000_000_000 + x*7_000_001, x * 1_000_000, -x * 1_000_000, 1<<63 - 1}[x%4])
	case reflect.Uint8:
		v.SetUint(uint64(1 + f.next()%200))
	case reflect.Float64:
		v.SetFloat(0.1 * float64(f.next()))
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 3, 3)
		for i := range 3 {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 3 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	default:
		panic("filler: add a case for " + v.Type().String())
	}
}

// zeroFields names the fields of a struct left zero (all should be set).
func zeroFields(v reflect.Value) []string {
	var out []string
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			out = append(out, v.Type().Field(i).Name)
		}
	}
	return out
}

// roundTrip encodes v with its field list and decodes it into a new value.
func roundTrip[T any](t *testing.T, v *T, fields func(*codec, *T)) *T {
	t.Helper()
	enc := codec{enc: true}
	enc.nested(func() { fields(&enc, v) })
	out := new(T)
	dec := codec{src: enc.buf, first: true}
	dec.nested(func() { fields(&dec, out) })
	if dec.err != nil {
		t.Fatalf("%T: decode %s: %v", v, enc.buf, dec.err)
	}
	if dec.off != len(enc.buf) {
		t.Fatalf("%T: decoded %d of %d bytes of %s", v, dec.off, len(enc.buf), enc.buf)
	}
	return out
}

func checkCarried[T any](t *testing.T, fields func(*codec, *T), derived ...func(*T)) {
	t.Run(reflect.TypeFor[T]().Name(), func(t *testing.T) {
		v, want := new(T), new(T)
		(&filler{}).fill(reflect.ValueOf(v).Elem())
		(&filler{}).fill(reflect.ValueOf(want).Elem()) // the same values: encoding must not change v
		if z := zeroFields(reflect.ValueOf(v).Elem()); len(z) > 0 {
			t.Fatalf("filler left %v zero", z)
		}
		// What a record computes from its other fields is computed anew
		// when it is read: make the filled values agree with it.
		for _, d := range derived {
			d(v)
			d(want)
		}
		got := roundTrip(t, v, fields)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(v, want) {
			t.Errorf("%T does not come back whole: a field is missing from its fields() list, or read wrongly\nwant %+v\ngot  %+v", v, v, got)
		}
		// The zero value comes back zero (nil maps and slices included).
		zero, wantZero := roundTrip(t, new(T), fields), new(T)
		for _, d := range derived {
			d(wantZero)
		}
		if !reflect.DeepEqual(zero, wantZero) {
			t.Errorf("zero %T comes back as %+v", v, zero)
		}
	})
}

// TestCodecCarriesEveryField fails when a field of a small type (or of a
// type inside one) is not carried through a recording: add it at the end
// of the type's fields() list in codec.go.
func TestCodecCarriesEveryField(t *testing.T) {
	checkCarried(t, (*codec).podFields)
	checkCarried(t, (*codec).nodeFields)
	checkCarried(t, (*codec).claimFields, (*claimObj).derive)
	checkCarried(t, (*codec).eventObjFields, (*eventObj).derive)
	checkCarried(t, (*codec).poolFields, func(p *poolObj) {
		// Only the spec part is the NodePool's own; the rest of its row is
		// summed from the nodes at each snapshot.
		p.row = NodePool{Name: p.row.Name, Kind: p.row.Kind, Known: p.row.Known, Limits: p.row.Limits,
			ConsolidationPolicy: p.row.ConsolidationPolicy, ConsolidateAfter: p.row.ConsolidateAfter,
			Budgets: p.row.Budgets, Weight: p.row.Weight, Ready: p.row.Ready, ReadyReason: p.row.ReadyReason}
	})
	checkCarried(t, conditionFields)
	checkCarried(t, eventFields)
	checkCarried(t, taintFields)
	checkCarried(t, describedFields)
	checkCarried(t, priceFields)
}

func (c *codec) podFields(p *podObj)        { p.fields(c) }
func (c *codec) nodeFields(n *nodeObj)      { n.fields(c) }
func (c *codec) claimFields(n *claimObj)    { n.fields(c) }
func (c *codec) eventObjFields(e *eventObj) { e.fields(c) }
func (c *codec) poolFields(p *poolObj)      { p.fields(c) }

// TestRecordKindsCoverEverySmallType fails when an informer's small type
// (one with GetObjectMeta, in this package's code) has no line in
// recordKinds: its objects would not be recorded.
func TestRecordKindsCoverEverySmallType(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	small := map[string]bool{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || fn.Name.Name != "GetObjectMeta" {
					continue
				}
				typ := fn.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				small[typ.(*ast.Ident).Name] = true
			}
		}
	}
	if len(small) < 4 {
		t.Fatalf("found only %v", small)
	}
	recorded := map[string]bool{}
	for _, k := range recordKinds() {
		recorded[reflect.TypeOf(k.new()).Elem().Name()] = true
	}
	for name := range small {
		if !recorded[name] {
			t.Errorf("%s is an informer's type but recordKinds has no line for it", name)
		}
	}
}

func TestCodecSkipsNewerFieldsAndZeroesMissingOnes(t *testing.T) {
	// A newer viewer's pod with two more fields (one nested), and an
	// older one's without its last three.
	newer := `["ns","p","n1","Running",[1500,1000],"",1780000000000,false,"ReplicaSet","rs","",0,["x",{"x":"AA=="},[1,2]],"more"]`
	var p podObj
	c := codec{src: []byte("[" + newer + "]"), first: true}
	c.nested(func() { c.nested(func() { p.fields(&c) }) })
	if c.err != nil {
		t.Fatal(c.err)
	}
	if p.ownerName != "rs" || p.req[0] != 1500 || p.created != 1780000000000*int64(time.Millisecond) {
		t.Errorf("newer pod read as %+v", p)
	}
	older := `["ns","p","n1","Pending",[1500],"",0,true]`
	p = podObj{ownerKind: "stale"}
	c = codec{src: []byte(older), first: true}
	c.nested(func() { p.fields(&c) })
	if c.err != nil {
		t.Fatal(c.err)
	}
	if !p.deleting || p.ownerKind != "" || p.phase != "Pending" {
		t.Errorf("older pod read as %+v", p)
	}
}

func TestCodecRemapsResourceVectors(t *testing.T) {
	// Recorded cpu, pods, memory; the model tracks memory, cpu, pods.
	model := newResources([]string{"memory", "cpu", "pods"})
	d, err := newDecoder([]string{"cpu", "pods", "memory"}, model)
	if err != nil {
		t.Fatal(err)
	}
	l, skip, err := d.decode([]byte(`[5,"add","pods",["ns","p","","Pending",[100,1000,7]]]`))
	if err != nil || skip {
		t.Fatal(err, skip)
	}
	if got := l.obj.(*podObj).req; !reflect.DeepEqual(got, []int64{7, 100, 1000}) {
		t.Errorf("req %v, want [7 100 1000]", got)
	}
	if _, err := newDecoder([]string{"cpu", "pods"}, model); err == nil || !strings.Contains(err.Error(), "no memory figures") {
		t.Errorf("missing memory: %v", err)
	}
}

// record writes a small recording through a model's handler path.
func record(t *testing.T, lines func(*Cluster)) []byte {
	t.Helper()
	var buf bytes.Buffer
	clock := tickingClock(t0)
	r := NewRecorder(&buf, RecordInfo{Program: "test"})
	c := New(Options{Now: clock, Record: r, Pricing: fixedPrices{}})
	lines(c)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tickingClock moves on a millisecond at every reading, so that every
// record and snapshot has its own time.
func tickingClock(start time.Time) func() time.Time {
	var mu = make(chan struct{}, 1)
	n := int64(0)
	return func() time.Time {
		mu <- struct{}{}
		n++
		v := n
		<-mu
		return start.Add(time.Duration(v) * time.Millisecond)
	}
}

func feed(c *Cluster, w watchSpec, initial bool, old, obj any) {
	h := c.handler(w)
	switch {
	case old == nil:
		h.(interface{ OnAdd(any, bool) }).OnAdd(obj, initial)
	case obj == nil:
		h.OnDelete(old)
	default:
		h.OnUpdate(old, obj)
	}
}

func TestRecordingReadsBackAndTruncatedTailsReplay(t *testing.T) {
	data := record(t, func(c *Cluster) {
		w := watchSpec{sync: c.addSync("pods"), apply: c.applyPod}
		for i := range 50 {
			p, _ := c.res.transformPod(pod("ns", "p"+string(rune('a'+i%26))+string(rune('a'+i/26)), "", "100m", "Pending"))
			feed(c, w, true, nil, p)
		}
		c.markSynced(w.sync)
		c.SetNote("demo", "hello")
	})
	rec, err := ReadRecording(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Truncated || rec.Header.Program != "test" || rec.Header.Options.Sort != "" {
		t.Fatalf("header %+v truncated %v", rec.Header, rec.Truncated)
	}
	// watch + 50 pods + sync + note + end.
	if n := len(rec.lines); n != 54 {
		t.Fatalf("%d lines", n)
	}
	p, err := NewPlayer(rec, Options{}, PlayerOptions{Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	_, end := p.Bounds()
	p.SeekTo(end)
	if s := p.Snapshot(); s.Pods.Pending != 50 || !s.Synced || len(s.Notes) != 1 {
		t.Fatalf("replayed %+v", s.Pods)
	}

	// A kill leaves the gzip stream without its trailer, and a crash may
	// cut it anywhere: every cut replays what came before it.
	raw := gunzip(t, data)
	for cut := len(data) - 1; cut > 20; cut -= 7 {
		rec, err := ReadRecording(bytes.NewReader(data[:cut]))
		if err != nil {
			// Only a cut before the header line's first flush.
			if cut > len(data)/2 || !strings.Contains(err.Error(), "no header line") && !strings.Contains(err.Error(), "not a recording (") {
				t.Fatalf("cut at %d of %d: %v", cut, len(data), err)
			}
			continue
		}
		if !rec.Truncated {
			t.Fatalf("cut at %d: not marked truncated", cut)
		}
		if _, err := NewPlayer(rec, Options{}, PlayerOptions{}); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if n := len(rec.lines); n > 0 && !bytes.Contains(raw, rec.lines[n-1]) {
			t.Fatalf("cut at %d: a line that was not written", cut)
		}
	}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestBadRecordingsAreClearErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file, not a recording"},
		{"plain text", []byte("hello world\n"), "not a recording (not gzip-compressed)"},
		{"no header", gz(""), "no header line"},
		{"other json", gz(`{"kind":"something"}` + "\n"), "the first line is not a eks-node-viewer/recording header"},
		{"newer", gz(`{"kind":"eks-node-viewer/recording","version":2}` + "\n"), "recording version 2: this viewer reads version 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadRecording(bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	header := `{"kind":"eks-node-viewer/recording","version":1,"started":1,"options":{"resources":["cpu"],"sort":"creation=dsc","tracked":["cpu","pods"]}}` + "\n"
	for _, tc := range []struct{ line, want string }{
		{`{"t":1}`, "line 2: not a record"},
		{`[1,"add","pods",["ns",}]`, "line 2: want a string at byte 22"},
		{`[1,"add","pods",["ns","p"]] x`, "line 2: text after the record"},
		{`[1,"add","pods",["ns","p","n","Running",[1e400]]]`, "line 2: bad integer"},
	} {
		rec, err := ReadRecording(bytes.NewReader(gz(header + tc.line + "\n")))
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewPlayer(rec, Options{}, PlayerOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.line, err, tc.want)
		}
	}
	// Records a newer viewer writes are passed over.
	rec, _ := ReadRecording(bytes.NewReader(gz(header + `[1,"hologram",1,2]` + "\n" + `[2,"add","nodepools",["x"]]` + "\n")))
	if _, err := NewPlayer(rec, Options{}, PlayerOptions{}); err != nil {
		t.Errorf("unknown records: %v", err)
	}
}

func TestOpenRecordingNamesTheFile(t *testing.T) {
	_, err := OpenRecording("/nonexistent/x.rec")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/x.rec") {
		t.Errorf("got %v", err)
	}
	path := t.TempDir() + "/bad"
	os.WriteFile(path, []byte("nope"), 0o600)
	_, err = OpenRecording(path)
	if err == nil || !strings.Contains(err.Error(), "replay "+path+": not a recording") {
		t.Errorf("got %v", err)
	}
}

func TestRecordedPricesReplayAsAnswered(t *testing.T) {
	desc := pricing.Node{Name: "n1", InstanceType: "m5.large", Capacity: pricing.OnDemand}
	data := record(t, func(c *Cluster) {
		c.opts.Pricing.NodePrice(desc)
		c.opts.Pricing.Status()
	})
	rec, err := ReadRecording(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlayer(rec, Options{}, PlayerOptions{Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	want := fixedPrices{}.NodePrice(desc)
	if got := p.opts.Pricing.NodePrice(desc); got != want {
		t.Errorf("price %+v, want %+v", got, want)
	}
	if got := p.opts.Pricing.NodePrice(pricing.Node{Name: "other"}); got.Known() {
		t.Errorf("unrecorded node priced %+v", got)
	}
}

// BenchmarkReplay records the initial state of 5,000 nodes and 100,000
// pods through the handlers, then reports its size, the time to read and
// decode it, and a seek back to the start and forward to the end (a
// rebuild of the whole model).
func BenchmarkReplay(b *testing.B) {
	const nodes, pods = 5000, 100000
	var buf bytes.Buffer
	r := NewRecorder(&buf, RecordInfo{})
	c := New(Options{Now: tickingClock(t0), Record: r, Pricing: fixedPrices{}})
	nw := watchSpec{sync: c.addSync("nodes"), apply: c.applyNode}
	pw := watchSpec{sync: c.addSync("pods"), apply: c.applyPod}
	types := []string{"m5.xlarge", "c6i.2xlarge", "r6g.large", "t3a.medium"}
	for i := range nodes {
		n := node(bigNodeName(i), "3920m", t0, pricing.LabelInstanceType, types[i%4], pricing.LabelZone, "us-west-2a",
			pricing.LabelKarpenterCapacity, "spot", "karpenter.sh/nodepool", "default", "kubernetes.io/arch", "amd64",
			"kubernetes.io/os", "linux", "kubernetes.io/hostname", bigNodeName(i), "topology.kubernetes.io/region", "us-west-2",
			"karpenter.k8s.aws/instance-family", "m5", "karpenter.k8s.aws/instance-size", "xlarge", "karpenter.sh/registered", "true")
		obj, _ := c.res.transformNode(n)
		feed(c, nw, true, nil, obj)
	}
	c.markSynced(nw.sync)
	for i := range pods {
		p := pod(fmt.Sprintf("team-%02d", i%20), fmt.Sprintf("svc-%d-%x-%06d", i%300, 0x7f9c8d00+i%300, i), bigNodeName(i%nodes), "150m", corev1.PodRunning)
		p.CreationTimestamp = metav1.NewTime(t0)
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: fmt.Sprintf("svc-%d-%x", i%300, 0x7f9c8d00+i%300), Controller: ptrTo(true)}}
		obj, _ := c.res.transformPod(p)
		feed(c, pw, true, nil, obj)
	}
	c.markSynced(pw.sync)
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		t1 := time.Now()
		rec, err := ReadRecording(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		p, err := NewPlayer(rec, Options{}, PlayerOptions{Paused: true})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(t1).Milliseconds()), "ms-open")
		start, end := p.Bounds()
		p.SeekTo(end)
		t2 := time.Now()
		p.SeekTo(start)
		p.SeekTo(end)
		b.ReportMetric(float64(time.Since(t2).Milliseconds()), "ms-rebuild")
		b.ReportMetric(float64(len(data))/(1<<20), "MB")
		if s := p.Snapshot(); len(s.Nodes) != nodes || s.Pods.Total != pods {
			b.Fatalf("replayed %d nodes %d pods", len(s.Nodes), s.Pods.Total)
		}
	}
}

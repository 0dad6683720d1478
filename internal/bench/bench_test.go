package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestParseStatus(t *testing.T) {
	m, err := parseStatus("Name:\tx\nVmHWM:\t  204800 kB\nVmRSS:\t   102400 kB\nThreads: 9\n")
	if err != nil || m.rss != 100<<20 || m.hwm != 200<<20 {
		t.Fatalf("got %+v, %v", m, err)
	}
	if _, err := parseStatus("VmRSS: 1 kB\n"); err == nil {
		t.Fatal("missing VmHWM accepted")
	}
}

func TestParseStat(t *testing.T) {
	// Field 2 holds spaces and a parenthesis; utime 250, stime 50 ticks.
	line := "4242 (eks node) viewer) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 1000 0 0"
	d, err := parseStat([]byte(line))
	if err != nil || d != 3*time.Second {
		t.Fatalf("got %s, %v", d, err)
	}
}

const screen = `5,000 nodes (12,345.67/41,000 cores)  30.1% cpu ██████░░░░ >=$1,234.567/hour | >=$901,234.567/month
100,000 pods (0 pending 100,000 running 100,000 bound)

ip-10-0-0-0.us-west-2.compute.internal cpu ░░░░░░░░░░░░░░░░░░░░░░░░░   0% (0/58 pods) m5.xlarge/$0.1920 On-Demand - Ready
ip-10-0-0-1.us-west-2.compute.internal cpu ██████░░░░░░░░░░░░░░░░░░░  24% (20/58 pods) c6i.2xlarge/$0.3400 On-Demand - Ready
ip-10-0-0-2.us-west-2.compute.internal cpu █░░░░░░░░░░░░░░░░░░░░░░░░   3% (1/29 pods) r6g.large/$0.1008 Spot - Ready`

func TestParseTotals(t *testing.T) {
	got := parseTotals(screen)
	if !got.ok || got.nodes != 5000 || got.pods != 100000 || got.cpu != "12,345.67/41,000 cores" {
		t.Fatalf("got %+v", got)
	}
	if parseTotals("Waiting for update or no nodes found...").ok {
		t.Fatal("ok without a summary")
	}
}

func TestRows(t *testing.T) {
	for _, tc := range []struct {
		node          string
		onScreen, emp bool
		pods          int
	}{
		{"ip-10-0-0-0.us-west-2.compute.internal", true, true, 0},
		{"ip-10-0-0-1.us-west-2.compute.internal", true, false, 20},
		{"ip-10-0-0-2.us-west-2.compute.internal", true, false, 1},
		{"ip-10-0-0-9.us-west-2.compute.internal", false, false, -1},
	} {
		on, empty := rowEmpty(screen, tc.node)
		if on != tc.onScreen || empty != tc.emp {
			t.Errorf("%s: rowEmpty = %v, %v", tc.node, on, empty)
		}
		if got := rowPods(screen, tc.node); got != tc.pods {
			t.Errorf("%s: rowPods = %d, want %d", tc.node, got, tc.pods)
		}
	}
}

func TestParseBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkSnapshot/nodes=5000-2         	     300	   4000000 ns/op	 2206179 B/op	      12 allocs/op
BenchmarkSnapshot/nodes=5000-2         	     300	   2000000 ns/op	 2206179 B/op	      12 allocs/op
BenchmarkSnapshot/nodes=5000-2         	     300	   3000000 ns/op	 2206179 B/op	      14 allocs/op
PASS`)
	m := medians(parseBench(out))
	got := m["BenchmarkSnapshot/nodes=5000"]
	if got.nsOp != 3000000 || got.allocs != 14 {
		t.Fatalf("got %+v from %+v", got, m)
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes(" 500x10000  5000x100000 ")
	if err != nil || len(got) != 2 || got[1] != (size{5000, 100000}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "5000", "x10", "0x10", "10x-1"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The objects must be realistic in size: a few KB per pod, as in real
// clusters, and they must be valid enough to encode.
func TestObjectSizes(t *testing.T) {
	var podBytes, nodeBytes int
	for i := range 30 {
		p := makePod(i, namespaceName(i), podName(i), nodeName(i))
		b, err := p.Marshal() // protobuf, as the apiserver serves it
		if err != nil {
			t.Fatal(err)
		}
		podBytes += len(b)
	}
	for i := range 4 {
		b, err := makeNode(i, time.Now()).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		nodeBytes += len(b)
	}
	if avg := podBytes / 30; avg < 2000 || avg > 8000 {
		t.Errorf("a pod is %d bytes in protobuf, want a few KB", avg)
	}
	if avg := nodeBytes / 4; avg < 2000 || avg > 10000 {
		t.Errorf("a node is %d bytes in protobuf, want a few KB", avg)
	}
	t.Logf("protobuf: pod %d B, node %d B", podBytes/30, nodeBytes/4)
}

func TestPlan(t *testing.T) {
	e := plan(size{4, 10})
	var cpu int64
	for i := range 10 {
		cpu += podCPU(makePod(i, namespaceName(i), podName(i), ""))
	}
	if e.nodes != 4 || e.pods != 10 || e.cpuUsed != cpu || e.cpuAlloc != 3*15890+31750 {
		t.Fatalf("plan %+v (cpu %d)", e, cpu)
	}
	// Pod 0 has three containers? No: 1+0%3 = 1 container and an init one.
	p := makePod(0, "ns", "p", "")
	if len(p.Spec.Containers) != 1 || len(p.Spec.InitContainers) != 1 {
		t.Fatalf("pod 0: %d containers, %d init", len(p.Spec.Containers), len(p.Spec.InitContainers))
	}
	want := resource.MustParse("500m") // the init container dominates
	if podCPU(p) != want.MilliValue() {
		t.Fatalf("pod 0 cpu %dm", podCPU(p))
	}
}

func TestObjectSizesJSON(t *testing.T) {
	var podJSON int
	for i := range 30 {
		b, err := json.Marshal(makePod(i, namespaceName(i), podName(i), nodeName(i)))
		if err != nil {
			t.Fatal(err)
		}
		podJSON += len(b)
	}
	t.Logf("json: pod %d B (before the server adds managedFields and defaults)", podJSON/30)
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3, 1, 2}, 2},
		{[]time.Duration{4, 1, 3, 2}, 2}, // (2+3)/2 in integers
		{[]time.Duration{10, 30}, 20},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	in := []int64{5, 1, 9}
	if got := median(in); got != 5 || in[0] != 5 {
		t.Errorf("median(%v) = %d, and must not reorder its input", in, got)
	}
}

func TestCollect(t *testing.T) {
	out := []byte(`pkg: github.com/eksnodeviewer/eks-node-viewer/ui
BenchmarkSnapshot/nodes=500-2    	    1000	    700000 ns/op	   10000 B/op	      12 allocs/op
BenchmarkView/nodes=5000-2       	    7000	    160000 ns/op	   30000 B/op	     404 allocs/op
BenchmarkNodeView-2              	    3970	    319687 ns/op	   45790 B/op	     653 allocs/op
BenchmarkNodeView-2              	    3970	    350000 ns/op	   45790 B/op	     655 allocs/op
BenchmarkNodeView-2              	    3970	    300000 ns/op	   45790 B/op	     651 allocs/op
BenchmarkNodeViewSnapshot-2      	   20000	     60000 ns/op	    9000 B/op	      20 allocs/op
BenchmarkOther/nodes=500-2       	   20000	     60000 ns/op	    9000 B/op	      20 allocs/op
PASS`)
	rb := renderBench{snapshot: map[int]benchLine{}, view: map[int]benchLine{}}
	rb.collect(out)
	if rb.nodeView.nsOp != 319687 || rb.nodeView.allocs != 653 {
		t.Errorf("node view %+v, want the median 319687 ns/op, 653 allocs", rb.nodeView)
	}
	if rb.snapshot[500].nsOp != 700000 || rb.view[5000].allocs != 404 || len(rb.snapshot) != 1 || len(rb.view) != 1 {
		t.Errorf("snapshot %+v, view %+v", rb.snapshot, rb.view)
	}
}

// findRow is the row whose metric starts with prefix.
func findRow(rows []row, prefix string) (row, bool) {
	for _, r := range rows {
		if strings.HasPrefix(r.metric, prefix) {
			return r, true
		}
	}
	return row{}, false
}

func TestNodeViewFrameRow(t *testing.T) {
	for _, tc := range []struct {
		nsOp         float64
		ours, result string
	}{
		{319687, "0.32 ms (653 allocs)", "met"},
		{2e6, "2.00 ms (653 allocs)", "missed"}, // the target is strictly less
		{0, "not measured (no BenchmarkNodeView result)", "missed"},
	} {
		rb := renderBench{nodeView: benchLine{name: "BenchmarkNodeView", nsOp: tc.nsOp, allocs: 653}}
		r, ok := findRow(rb.rows(), "node-view frame (110 pods)")
		if !ok || r.ours != tc.ours || r.target != "< 2 ms" || r.result != tc.result {
			t.Errorf("%v ns/op: row %+v (found %v), want %q %s", tc.nsOp, r, ok, tc.ours, tc.result)
		}
	}
}

// The node metrics poll row: the protobuf poll plus the snapshot after it,
// over the 15 s interval; the JSON figure beside; missed without results.
func TestPollRow(t *testing.T) {
	out := []byte(`goos: linux
pkg: github.com/eksnodeviewer/eks-node-viewer/internal/usage
    bench_test.go:140: 5000 nodes: JSON 4266 KiB, protobuf 3733 KiB per answer
BenchmarkNodePoll/decode+apply/json-2         	      20	 150000000 ns/op	         1.000 %core@15s	70000000 B/op	  500000 allocs/op
BenchmarkNodePoll/decode+apply/protobuf-2     	      20	  52000000 ns/op	         0.3467 %core@15s	40000000 B/op	  300000 allocs/op
BenchmarkNodePoll/decode+apply/protobuf-2     	      20	  48000000 ns/op	         0.3200 %core@15s	40000000 B/op	  300000 allocs/op
BenchmarkNodePoll/decode+apply/protobuf-2     	      20	  50000000 ns/op	         0.3333 %core@15s	40000000 B/op	  300000 allocs/op
BenchmarkNodePoll/snapshot-after-poll-2       	     100	   7500000 ns/op	 3000000 B/op	   20000 allocs/op
PASS
ok  	github.com/eksnodeviewer/eks-node-viewer/internal/usage	30.1s`)
	rb := renderBench{}
	rb.collect(out)
	r := rb.pollRow()
	if want := "0.38% core (50 ms poll + 8 ms snapshot); JSON 1.05%"; r.ours != want || r.target != "<= 1% core" || r.result != "met" {
		t.Errorf("row %+v, want %q, met", r, want)
	}
	if r, ok := findRow(rb.rows(), "node metrics poll @5,000 nodes"); !ok || r.result != "met" {
		t.Errorf("the poll row is not in the render rows: %+v", rb.rows())
	}
	rb.poll["decode+apply/protobuf"] = benchLine{nsOp: 150e6}
	if r := rb.pollRow(); r.result != "missed" {
		t.Errorf("157.5 ms a poll is over 1%% of 15 s: %+v", r)
	}
	if r := (renderBench{}).pollRow(); r.result != "missed" || !strings.Contains(r.ours, "not measured") {
		t.Errorf("no results: %+v", r)
	}
}

func TestBaselineRow(t *testing.T) {
	const metric = "  RSS after sync vs last release's 115 MB"
	for _, tc := range []struct {
		size                size
		rss                 []int64
		refs                bool
		ours, ratio, result string
	}{
		{baselineSize, []int64{130 << 20, 120 << 20, 125 << 20}, true, "125 MB", "1.09x", "met"},
		{baselineSize, []int64{138 << 20}, false, "138 MB", "1.20x", "met"},
		{baselineSize, []int64{140 << 20}, true, "140 MB", "1.22x", "missed"},
		{size{500, 10000}, []int64{50 << 20}, true, "", "", ""},
	} {
		r := &sizeResult{size: tc.size, rss: tc.rss, firsts: make([]time.Duration, len(tc.rss)),
			peaks: tc.rss, syncCPU: make([]time.Duration, len(tc.rss))}
		if tc.refs {
			r.refs = []refResult{{sync: time.Second, cpu: time.Second, rss: 1 << 30, peak: 1 << 30}}
		}
		rows := r.rows()
		got, ok := findRow(rows, metric)
		if tc.result == "" {
			if ok {
				t.Errorf("%s: a baseline row %+v", tc.size, got)
			}
			continue
		}
		if !ok || got.ours != tc.ours || got.ratio != tc.ratio || got.target != "<= 1.2x" || got.result != tc.result {
			t.Errorf("%s %v: row %+v (found %v), want %s %s %s", tc.size, tc.rss, got, ok, tc.ours, tc.ratio, tc.result)
		}
		// It follows the RSS row when there is one.
		if i := slices.IndexFunc(rows, func(x row) bool { return x.metric == metric }); tc.refs && (i < 1 || rows[i-1].metric != "RSS after sync") {
			t.Errorf("%s: baseline row at %d in %+v", tc.size, i, rows)
		}
	}
}

func TestOpenNodeRow(t *testing.T) {
	opens := func(ms ...int) []nodeOpen {
		var out []nodeOpen
		for _, m := range ms {
			out = append(out, nodeOpen{node: "n", took: time.Duration(m) * time.Millisecond, shown: 20, pods: 20})
		}
		return out
	}
	for _, tc := range []struct {
		opens        []nodeOpen
		ours, result string
	}{
		{opens(30, 120, 40), "40 ms (max 120 ms)", "met"},
		{opens(100, 100, 300, 20), "100 ms (max 300 ms)", "met"},
		{opens(101, 150, 90), "101 ms (max 150 ms)", "missed"},
	} {
		r := &sizeResult{size: size{500, 10000}, opens: tc.opens}
		got, ok := findRow(r.rows(), "open a node view p50")
		want := fmt.Sprintf("open a node view p50 (n=%d)", len(tc.opens))
		if !ok || got.metric != want || got.ours != tc.ours || got.target != "<= 100 ms" || got.result != tc.result {
			t.Errorf("row %+v (found %v), want %s: %s %s", got, ok, want, tc.ours, tc.result)
		}
	}
	note := opensNote([]nodeOpen{{"a", 12 * time.Millisecond, 20, 20}, {"b", 30 * time.Millisecond, 19, 20}, {"a", 14 * time.Millisecond, 20, 20}})
	if want := "node views opened in 12,30,14 ms (node, pods shown/on it: a 20/20, b 19/20)"; note != want {
		t.Errorf("note %q, want %q", note, want)
	}
}

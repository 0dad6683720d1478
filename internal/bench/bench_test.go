package main

import (
	"encoding/json"
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

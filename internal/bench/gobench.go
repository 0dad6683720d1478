package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// benchLine is one parsed `go test -bench` result line.
type benchLine struct {
	name   string
	nsOp   float64
	allocs int64
}

// parseBench reads result lines like
// "BenchmarkSnapshot/nodes=5000-2  300  4012345 ns/op  2206 B/op  12 allocs/op".
func parseBench(out []byte) []benchLine {
	var res []benchLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		b := benchLine{name: trimProcs(f[0]), allocs: -1}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.nsOp = v
			case "allocs/op":
				b.allocs = int64(v)
			}
		}
		if b.nsOp > 0 {
			res = append(res, b)
		}
	}
	return res
}

// trimProcs drops the "-2" GOMAXPROCS suffix of a benchmark name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// medians groups results by name: median ns/op and allocs/op.
func medians(lines []benchLine) map[string]benchLine {
	by := map[string][]benchLine{}
	for _, l := range lines {
		by[l.name] = append(by[l.name], l)
	}
	out := map[string]benchLine{}
	for name, ls := range by {
		sort.Slice(ls, func(i, j int) bool { return ls[i].nsOp < ls[j].nsOp })
		out[name] = ls[len(ls)/2]
	}
	return out
}

// renderBench is the snapshot + render path at 500 and 5,000 nodes, the
// node view's frame, and one node metrics poll at 5,000 nodes.
type renderBench struct {
	snapshot, view map[int]benchLine // by node count
	nodeView       benchLine         // zero: no result
	// poll is internal/usage's BenchmarkNodePoll by sub-benchmark:
	// "decode+apply/protobuf" (what the viewer asks for),
	// "decode+apply/json", "snapshot-after-poll".
	poll map[string]benchLine
}

// runRenderBench runs the snapshot benchmark of internal/cluster, the frame
// benchmark of this package and the node view's of ui. A job that fails
// does not stop the others: their results are kept and the errors joined.
func runRenderBench(ctx context.Context, count int) (renderBench, error) {
	rb := renderBench{snapshot: map[int]benchLine{}, view: map[int]benchLine{}, poll: map[string]benchLine{}}
	var errs []error
	for _, job := range []struct{ pkg, re string }{
		{"./internal/cluster/", "^BenchmarkSnapshot$"},
		{"./internal/bench/", "^BenchmarkView$"},
		{"./ui/", "^BenchmarkNodeView$"},
		{"./internal/usage/", "^BenchmarkNodePoll$"},
	} {
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", job.re, "-benchmem",
			"-count", strconv.Itoa(count), job.pkg)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			errs = append(errs, fmt.Errorf("go test -bench %s %s: %w\n%s", job.re, job.pkg, err, out))
			continue
		}
		rb.collect(out)
	}
	return rb, errors.Join(errs...)
}

// collect files the medians of a go test -bench output under what they
// measure: BenchmarkSnapshot/nodes=N and BenchmarkView/nodes=N by N,
// BenchmarkNodeView alone, BenchmarkNodePoll/* by sub-benchmark; other
// benchmarks are ignored.
func (rb *renderBench) collect(out []byte) {
	for name, l := range medians(parseBench(out)) {
		if name == "BenchmarkNodeView" {
			rb.nodeView = l
			continue
		}
		if sub, ok := strings.CutPrefix(name, "BenchmarkNodePoll/"); ok {
			if rb.poll == nil {
				rb.poll = map[string]benchLine{}
			}
			rb.poll[sub] = l
			continue
		}
		base, param, ok := strings.Cut(name, "/nodes=")
		n, err := strconv.Atoi(param)
		if !ok || err != nil {
			continue
		}
		switch base {
		case "BenchmarkSnapshot":
			rb.snapshot[n] = l
		case "BenchmarkView":
			rb.view[n] = l
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/eksnodeviewer/eks-node-viewer/internal/syncbuf"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
)

// TestScriptOutputsOnTheDemo runs the command as a script would, on the
// embedded demo: every format, exit 0, nothing on standard error.
func TestScriptOutputsOnTheDemo(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, args := range [][]string{{"-o", "json"}, {"-o", "yaml"}, {"-o", "ndjson"}, {"-o", "table"}, {"-o", "wide"}, {"--once"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append([]string{"--demo"}, args...), &out, &errb); code != 0 || errb.Len() > 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			s := out.String()
			switch args[len(args)-1] {
			case "json", "ndjson":
				var d output.Document
				if err := json.Unmarshal(out.Bytes(), &d); err != nil {
					t.Fatal(err)
				}
				if d.APIVersion != output.APIVersion || !d.Synced || len(d.Nodes) != 1 || d.Summary.PricePerHour == nil || *d.Summary.PricePerHour != 0.04211 {
					t.Errorf("document %s", s)
				}
				// The demo's first usage sample is in: the lone replica's
				// 260m (its annotation).
				if u := d.Summary.Usage; u == nil || u.Nodes != 1 || d.Nodes[0].Usage == nil || d.Nodes[0].Usage.Resources["cpu"].Used != 260 {
					t.Errorf("usage in the document: %+v, node %+v", u, d.Nodes[0].Usage)
				}
				if args[1] == "ndjson" && strings.Count(s, "\n") != 1 {
					t.Errorf("ndjson without --watch is one line: %q", s)
				}
			case "yaml":
				if !strings.HasPrefix(s, "apiVersion: eks-node-viewer/v1\nkind: ClusterSnapshot\n") || !strings.Contains(s, "pricePerHour: 0.04211") {
					t.Errorf("yaml %s", s)
				}
			default:
				if !strings.HasPrefix(s, "NAME ") || !strings.Contains(s, "i-0123456789abcdef0") || !strings.Contains(s, "$0.0421") {
					t.Errorf("table %q", s)
				}
			}
		})
	}
}

// TestScriptWithoutUsage: --usage=false prints no usage (and does not wait
// for any).
func TestScriptWithoutUsage(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	var out, errb bytes.Buffer
	if code := run([]string{"--demo", "--usage=false", "-o", "json"}, &out, &errb); code != 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var d output.Document
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Summary.Usage != nil || len(d.Nodes) != 1 || d.Nodes[0].Usage != nil {
		t.Errorf("usage with --usage=false: %s", out.String())
	}
}

// TestScriptBadInput: bad -o, --watch, --timeout values are exit 2 with one
// line naming what is wanted.
func TestScriptBadInput(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for args, want := range map[string]string{
		"-o xml":                   `eks-node-viewer: invalid --output "xml": want one of json, yaml, table, wide, ndjson` + "\n",
		"--watch":                  "eks-node-viewer: --watch streams changes as NDJSON: use it with -o ndjson\n",
		"-o json --watch":          "eks-node-viewer: --watch streams changes as NDJSON: use it with -o ndjson\n",
		"-o ndjson --watch --once": "eks-node-viewer: --watch and --once do not go together: --watch streams, --once prints one snapshot\n",
		"--timeout 0s":             "eks-node-viewer: invalid --timeout 0s: must be above 0 (e.g. 30s)\n",
		"--timeout soon":           `eks-node-viewer: invalid argument "soon" for "--timeout" flag: must be a duration like "30s" or "5m" (see --help)` + "\n",
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"--demo"}, strings.Fields(args)...), &out, &errb); code != 2 || errb.String() != want || out.Len() > 0 {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want 2, %q", args, code, errb.String(), out.String(), want)
		}
	}
}

// scriptOptions parses args as the command line does.
func scriptOptions(t *testing.T, args ...string) *options.Options {
	t.Helper()
	o, err := options.Parse(args, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestScriptTimeout: a model that never syncs gives, at the timeout, the
// partial document (synced false, the note), exit 3 and one line.
func TestScriptTimeout(t *testing.T) {
	o := scriptOptions(t, "-o", "json", "--timeout", "1ms")
	m := cluster.New(cluster.Options{})
	var out, errb bytes.Buffer
	err := (&script{o: o, format: output.JSON, prog: "eks-node-viewer", stdout: &out, stderr: &errb}).print(context.Background(), m)
	code := exitCode(program{prog: "eks-node-viewer"}, err, &errb)
	if code != exitTimedOut {
		t.Fatalf("exit %d (%v), want 3", code, err)
	}
	want := "eks-node-viewer: timed out after 1ms waiting for the initial list of nodes (0 so far); the output is partial\n"
	if errb.String() != want {
		t.Errorf("stderr %q\nwant %q", errb.String(), want)
	}
	var d output.Document
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("partial output is not a document: %v\n%s", err, out.String())
	}
	if d.Synced || len(d.Notes) != 1 || !strings.HasPrefix(d.Notes[0], "timed out after 1ms") {
		t.Errorf("partial document: synced %v, notes %q", d.Synced, d.Notes)
	}
}

// lines collects what the stream writes, line by line; fail makes every
// write after the first n fail with err.
type lines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	got  chan string
	n    int
	fail error
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil && l.n == 0 {
		return 0, l.fail
	}
	l.n--
	l.buf.Write(p)
	sc := bufio.NewScanner(bytes.NewReader(p))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l.got <- sc.Text()
	}
	return len(p), nil
}

func startDemoFor(t *testing.T, ctx context.Context, args ...string) (*options.Options, *cluster.Cluster) {
	t.Helper()
	o := scriptOptions(t, append([]string{"--demo", "--demo-speed", "20"}, args...)...)
	m, err := startDemo(ctx, o, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	return o, m
}

// TestScriptWatch: the stream starts with the whole document, then has a
// NodeAdded when the lab's scale-up brings its second node.
func TestScriptWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o, m := startDemoFor(t, ctx, "-o", "ndjson", "--watch")
	w := &lines{got: make(chan string, 1024), n: -1}
	done := make(chan error, 1)
	go func() { done <- (&script{o: o, format: output.NDJSON, stdout: w, stderr: io.Discard}).print(ctx, m) }()
	first := <-w.got
	if !strings.Contains(first, `"kind":"ClusterSnapshot"`) {
		t.Fatalf("first line %s", first)
	}
	for line := range w.got {
		var c output.Change
		if err := json.Unmarshal([]byte(line), &c); err != nil || c.Kind != output.KindChange {
			t.Fatalf("record %v: %s", err, line)
		}
		if c.Type == output.NodeAdded && c.Node.Name == "i-0123456789abcdef2" {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("an interrupted stream returned %v", err)
	}
}

// TestScriptBrokenPipe: a reader that goes away (EPIPE) ends the stream
// without an error.
func TestScriptBrokenPipe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o, m := startDemoFor(t, ctx, "-o", "ndjson", "--watch")
	w := &lines{got: make(chan string, 1024), n: 1, fail: syscall.EPIPE}
	if err := (&script{o: o, format: output.NDJSON, stdout: w, stderr: io.Discard}).print(ctx, m); err != nil {
		t.Errorf("EPIPE gave %v, want a quiet end", err)
	}
	if n := strings.Count(w.buf.String(), "\n"); n != 1 {
		t.Errorf("%d lines written before the pipe broke", n)
	}
	w2 := &lines{got: make(chan string, 16), n: 0, fail: syscall.ENOSPC}
	err := (&script{o: scriptOptions(t, "--demo", "-o", "json"), format: output.JSON, stdout: w2, stderr: io.Discard}).print(ctx, m)
	if err == nil || !strings.Contains(err.Error(), "write standard output") {
		t.Errorf("a full disk gave %v, want a runtime failure", err)
	}
}

// TestScriptWatchTimeout: with --watch, a timeout prints the partial first
// document, says so in one line, and streams on.
func TestScriptWatchTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := scriptOptions(t, "-o", "ndjson", "--watch", "--timeout", "1ms")
	m := cluster.New(cluster.Options{}) // never syncs
	w := &lines{got: make(chan string, 16), n: -1}
	var errb syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- (&script{o: o, format: output.NDJSON, prog: "eks-node-viewer", stdout: w, stderr: &errb}).print(ctx, m)
	}()
	first := <-w.got
	var d output.Document
	if err := json.Unmarshal([]byte(first), &d); err != nil || d.Synced || d.Kind != output.KindSnapshot {
		t.Fatalf("first line %v: %s", err, first)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the stream returned %v", err)
	}
	want := "eks-node-viewer: timed out after 1ms waiting for the initial list of nodes (0 so far); streaming on\n"
	if errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

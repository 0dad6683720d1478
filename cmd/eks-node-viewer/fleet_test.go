package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/output"
	"github.com/eksnodeviewer/eks-node-viewer/internal/syncbuf"
)

// twoClusters starts two fake API servers: alpha with two nodes ($0.1 and
// $0.2 an hour, a pod of 500m on the first), beta with one ($0.3). It
// returns the kubeconfig naming them (and broken, and dead: a port
// nothing listens on).
func twoClusters(t *testing.T) (kubeconfig string, alpha, beta *fakeAPI) {
	t.Helper()
	hermeticAWS(t)
	alpha, beta = newFakeAPI(t), newFakeAPI(t)
	alpha.add(t, "nodes", fakeNode("a1", "0.1"))
	alpha.add(t, "nodes", fakeNode("a2", "0.2"))
	alpha.add(t, "pods", fakePod("web", "a1", "500m"))
	beta.add(t, "nodes", fakeNode("b1", "0.3"))
	return fleetKubeconfig(t, map[string]string{"alpha": alpha.URL, "beta": beta.URL, "dead": refusedURL(t)}), alpha, beta
}

func fleetSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(output.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(output.SchemaID, v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(output.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validJSON(t *testing.T, sch *jsonschema.Schema, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("does not match the schema: %v\n%s", err, data)
	}
}

// TestFleetJSON: -o json --context alpha,beta against two API servers is
// one FleetSnapshot, both clusters complete, the fleet's sums right.
func TestFleetJSON(t *testing.T) {
	kc, alpha, beta := twoClusters(t)
	var out, errb bytes.Buffer
	if code := run([]string{"--kubeconfig", kc, "--context", "alpha,beta", "--usage=false", "-o", "json"}, &out, &errb); code != 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	validJSON(t, fleetSchema(t), out.Bytes())
	var d output.FleetDocument
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Kind != output.KindFleet || len(d.Clusters) != 2 {
		t.Fatalf("document:\n%s", out.String())
	}
	for i, want := range []struct {
		context, server string
		nodes           int
		hourly          float64
	}{{"alpha", alpha.URL, 2, 0.3}, {"beta", beta.URL, 1, 0.3}} {
		c := d.Clusters[i]
		if c.Context != want.context || c.Server != want.server || !c.Synced || c.Stale != nil || len(c.Nodes) != want.nodes ||
			c.Summary.PricePerHour == nil || *c.Summary.PricePerHour != want.hourly {
			t.Errorf("cluster %d: %s %s synced %v stale %v, %d nodes, %v/hour", i, c.Context, c.Server, c.Synced, c.Stale, len(c.Nodes), c.Summary.PricePerHour)
		}
	}
	f := d.Fleet
	if f.Clusters != 2 || f.OK != 2 || f.Stale != 0 || f.Nodes != 3 || f.LowerBound || f.Hourly == nil || *f.Hourly != 0.6 || *f.Monthly != 438 ||
		f.Resources["cpu"].Requested != 500 || f.Resources["cpu"].Allocatable != 6000 {
		t.Errorf("fleet %+v", f)
	}
}

// TestFleetTableAndSelector: --context-selector picks the clusters; the
// table starts with their contexts.
func TestFleetTableAndSelector(t *testing.T) {
	kc, _, _ := twoClusters(t)
	var out, errb bytes.Buffer
	if code := run([]string{"--kubeconfig", kc, "--context-selector", "/^(alpha|beta)$/", "--usage=false", "--once"}, &out, &errb); code != 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^CONTEXT +NAME +CPU +CPU% +PODS +TYPE +CAPACITY +PRICE +STATE +AGE$`),
		regexp.MustCompile(`^alpha +a[12] `), regexp.MustCompile(`^alpha +a[12] `), regexp.MustCompile(`^beta +b1 +0m/2000m +0% +0/17 +m5\.large +- +\$0\.3000 +Ready +60m$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("table:\n%s", out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q, want %s", i, lines[i], re)
		}
	}
}

// TestFleetTimeout: a cluster that does not answer and one whose
// kubeconfig entry is broken do not hold up the others: at the timeout
// the document has every cluster (those two partial), exit 3 and one line
// naming them.
func TestFleetTimeout(t *testing.T) {
	kc, _, _ := twoClusters(t)
	var out, errb bytes.Buffer
	code := run([]string{"--kubeconfig", kc, "--context", "alpha,dead,broken", "--usage=false", "-o", "json", "--timeout", "8s"}, &out, &errb)
	if code != exitTimedOut {
		t.Fatalf("exit %d, want 3; stderr %q", code, errb.String())
	}
	msg := errb.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "eks-node-viewer: timed out after 8s waiting for 1 of 3 clusters: dead (") ||
		!strings.Contains(msg, "; could not start 1 of 3 clusters: broken (") || !strings.HasSuffix(msg, "; the output is partial\n") {
		t.Errorf("stderr %q", msg)
	}
	validJSON(t, fleetSchema(t), out.Bytes())
	var d output.FleetDocument
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Clusters) != 3 || !d.Clusters[0].Synced || d.Clusters[1].Synced || d.Clusters[2].Synced {
		t.Fatalf("document:\n%s", out.String())
	}
	if f := d.Fleet; f.OK != 1 || f.Stale != 2 || !f.LowerBound || f.Nodes != 2 || *f.Hourly != 0.3 {
		t.Errorf("fleet %+v", f)
	}
	notes := strings.Join(d.Clusters[1].Notes, " | ")
	if !strings.Contains(notes, "timed out after 8s waiting for the initial list of") || !strings.Contains(notes, "cannot reach context dead") {
		t.Errorf("dead's notes: %s", notes)
	}
	if notes := strings.Join(d.Clusters[2].Notes, " | "); !strings.Contains(notes, "kubeconfig: context broken names no cluster with a server") {
		t.Errorf("broken's notes: %s", notes)
	}
}

// TestFleetBadInput: what the kubeconfig and the flags decide, before
// anything connects: exit 2 and a line that helps.
func TestFleetBadInput(t *testing.T) {
	kc, _, _ := twoClusters(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--context", "alpha,gamma"}, `eks-node-viewer: unknown context "gamma": the kubeconfig has "alpha", "beta", "broken", "dead"` + "\n"},
		{[]string{"--context-selector", "prod-*"}, `eks-node-viewer: --context-selector "prod-*" matches none of the contexts: the kubeconfig has "alpha", "beta", "broken", "dead"` + "\n"},
		{[]string{"--all-contexts", "--record", "x.rec"}, "eks-node-viewer: --record works with one cluster, not with --all-contexts (record each context in a run of its own)\n"},
		{[]string{"--demo", "--context", "alpha,beta"}, "eks-node-viewer: --demo works with one cluster (the embedded lab), not with --context alpha,beta\n"},
		{[]string{"--replay", "x.rec", "--all-contexts"}, "eks-node-viewer: --replay works with one cluster (the recording's), not with --all-contexts\n"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"--kubeconfig", kc, "-o", "json"}, tt.args...), &out, &errb); code != 2 || errb.String() != tt.want || out.Len() > 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", tt.args, code, errb.String(), tt.want)
		}
	}
	// A selector matching one context is the single-cluster viewer.
	var out, errb bytes.Buffer
	if code := run([]string{"--kubeconfig", kc, "--context-selector", "be*", "--usage=false", "-o", "json"}, &out, &errb); code != 0 {
		t.Fatalf("one context: exit %d, %s", code, errb.String())
	}
	var d output.Document
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.Kind != output.KindSnapshot || len(d.Nodes) != 1 || d.Nodes[0].Name != "b1" {
		t.Errorf("one context: %v\n%s", err, out.String())
	}
}

// TestFleetWatch: -o ndjson --watch streams both clusters, every line
// tagged with its context; a node added to beta is beta's NodeAdded.
func TestFleetWatch(t *testing.T) {
	kc, _, beta := twoClusters(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := scriptOptions(t, "--kubeconfig", kc, "--context", "alpha,beta", "--usage=false", "-o", "ndjson", "--watch")
	contexts, err := fleetContexts(o)
	if err != nil {
		t.Fatal(err)
	}
	members, err := startFleet(ctx, o, slog.New(slog.DiscardHandler), contexts)
	if err != nil {
		t.Fatal(err)
	}
	w := &lines{got: make(chan string, 1024), n: -1}
	var errb syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- (&script{o: o, format: output.NDJSON, prog: "eks-node-viewer", stdout: w, stderr: &errb}).printFleet(ctx, members)
	}()
	firsts := map[string]bool{}
	for len(firsts) < 2 {
		var d output.ClusterDocument
		line := <-w.got
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.Kind != output.KindSnapshot || !d.Synced {
			t.Fatalf("first lines: %v %s", err, line)
		}
		firsts[d.Context] = true
	}
	if !firsts["alpha"] || !firsts["beta"] {
		t.Fatalf("first lines of %v", firsts)
	}
	beta.add(t, "nodes", fakeNode("b2", "0.4"))
	for line := range w.got {
		var c output.ClusterChange
		if err := json.Unmarshal([]byte(line), &c); err != nil || c.Kind != output.KindChange || c.Context == "" {
			t.Fatalf("record %v: %s", err, line)
		}
		if c.Type == output.NodeAdded {
			if c.Context != "beta" || c.Node.Name != "b2" {
				t.Errorf("NodeAdded %s in %s", c.Node.Name, c.Context)
			}
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("an interrupted stream returned %v", err)
	}
	if errb.String() != "" {
		t.Errorf("stderr %q", errb.String())
	}
}

// TestFleetMembersForTheScreen: the screen's members are the clusters in
// the order asked for, each with its server, its API server's clock and
// its own model; one that could not start is there too, saying why.
func TestFleetMembersForTheScreen(t *testing.T) {
	kc, alpha, beta := twoClusters(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := scriptOptions(t, "--kubeconfig", kc, "--context", "beta,broken,alpha", "--usage=false")
	contexts, err := fleetContexts(o)
	if err != nil {
		t.Fatal(err)
	}
	members, err := startFleet(ctx, o, slog.New(slog.DiscardHandler), contexts)
	if err != nil {
		t.Fatal(err)
	}
	got := uiMembers(ctx, members)
	if len(got) != 3 || got[0].Context != "beta" || got[1].Context != "broken" || got[2].Context != "alpha" ||
		got[0].Server != beta.URL || got[1].Server != "" || got[2].Server != alpha.URL {
		t.Fatalf("members %+v", got)
	}
	for _, i := range []int{0, 2} {
		<-got[i].Source.Synced()
		if got[i].Clock == nil {
			t.Errorf("%s: no server clock", got[i].Context)
		}
	}
	if s := got[0].Source.SnapshotFor(cluster.Query{}); len(s.Nodes) != 1 || s.Nodes[0].Name != "b1" {
		t.Errorf("beta's model: %+v", s.Nodes)
	}
	if s := got[2].Source.SnapshotFor(cluster.Query{}); len(s.Nodes) != 2 {
		t.Errorf("alpha's model: %+v", s.Nodes)
	}
	if s := got[1].Source.SnapshotFor(cluster.Query{}); s.Synced || len(s.Notes) != 1 || s.Notes[0] != "kubeconfig: context broken names no cluster with a server" || got[1].Clock != nil {
		t.Errorf("broken: synced %v notes %q", s.Synced, s.Notes)
	}
	// Every member settled, the broken one included: the sync's memory
	// can be given back.
	<-allSettled(ctx, members)
}

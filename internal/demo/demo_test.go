package demo

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

func TestEmbeddedScriptIsTheTestdataOne(t *testing.T) {
	want, err := os.ReadFile("../../testdata/demo/lab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, LabScript) {
		t.Fatal("internal/demo/lab.yaml differs from testdata/demo/lab.yaml: run go generate ./internal/demo")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ script, want string }{
		{"loop: [{wait: 1s}]", "step 1: want exactly one of add, update, patch, delete"},
		{"loop: [{add: {kind: Secret}}]", `step 1: unknown kind "Secret"`},
		{"loop: [{wait: soon, delete: {kind: Pod, name: x}}]", "time: invalid duration"},
		{"setup: [{say: hi}]", "no loop steps"},
		{"loop: [{delete: {kind: Pod, name: x}, bogus: 1}]", `unknown field "bogus"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.script))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.script, err, tt.want)
		}
	}
}

// TestLabReplaysThroughTheModel plays the embedded lab fast through real
// informers and the model, and watches for the lab's screens.
func TestLabReplaysThroughTheModel(t *testing.T) {
	script, err := Parse(LabScript)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var said []string
	saidc := make(chan string, 16)
	d := New(script, 20, func(s string) { saidc <- s })
	m := cluster.New(cluster.Options{
		Selector: labels.SelectorFromSet(labels.Set{"workload-type": "developers-workshop"}),
		Pricing:  Prices(),
	})
	m.Start(ctx, d.Kube, d.Dynamic)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()

	waitFor := func(what string, cond func(cluster.Snapshot) bool) cluster.Snapshot {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			if s := m.Snapshot(); s.Synced && cond(s) {
				return s
			}
			select {
			case err := <-errc:
				t.Fatalf("demo stopped: %v", err)
			case s := <-saidc:
				said = append(said, s)
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}

	s := waitFor("the first screen", func(s cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	if s.Pods.Elsewhere != 3 || s.Nodes[0].Name != "i-0123456789abcdef0" || s.Nodes[0].InstanceType != "t3a.medium" || !s.Nodes[0].AutoMode {
		t.Errorf("first screen: %+v", s)
	}
	if p := s.Nodes[0].Price; p.Hourly != 0.0376+0.00451 || p.Source != pricing.Live {
		t.Errorf("lab price %+v, want the live $0.0376 + $0.00451", p)
	}
	second := func(s cluster.Snapshot) *cluster.Node {
		for i := range s.Nodes {
			if s.Nodes[i].Name != "i-0123456789abcdef0" {
				return &s.Nodes[i]
			}
		}
		return nil
	}
	waitFor("a launching NodeClaim", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && second(s).Launching
	})
	s = waitFor("the lab's two-node screen", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && !second(s).Launching && s.Pods.Running == 9
	})
	if s.Totals[0] != (cluster.Quantity{Used: 1800, Allocatable: 3560}) || s.Nodes[0].Pods+s.Nodes[1].Pods != 9 || second(s).Pods != 1 {
		t.Errorf("two-node screen: totals %+v, pods %d+%d", s.Totals, s.Nodes[0].Pods, s.Nodes[1].Pods)
	}
	waitFor("the empty node deleting", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 2 && second(s).Deleting && second(s).Cordoned
	})
	waitFor("back to one node", func(s cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	waitFor("section 4: two nodes", func(s cluster.Snapshot) bool { return len(s.Nodes) == 2 && s.Pods.Running == 9 })
	s = waitFor("consolidated to one node with 8 pods", func(s cluster.Snapshot) bool {
		return len(s.Nodes) == 1 && s.Nodes[0].Pods == 8 && s.Pods.Total == 8
	})
	if s.Totals[0].Used != 1600 {
		t.Errorf("after consolidation: %+v", s.Totals)
	}
	waitFor("the loop's start again", func(s cluster.Snapshot) bool { return len(s.Nodes) == 1 && s.Pods.Total == 1 })
	if len(said) == 0 || !strings.Contains(said[0], "--replicas 9") {
		t.Errorf("narration: %q", said)
	}
}

package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// labNodes describes every Node and NodeClaim the lab script adds, as the
// model prices them.
func labNodes(t *testing.T) []pricing.Node {
	t.Helper()
	script, err := Parse(LabScript)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []pricing.Node
	for _, st := range append(append([]Step{}, script.Setup...), script.Loop...) {
		if k := fmt.Sprint(st.Add["kind"]); k != "Node" && k != "NodeClaim" {
			continue
		}
		meta, _ := st.Add["metadata"].(map[string]any)
		labels := map[string]string{}
		if l, ok := meta["labels"].(map[string]any); ok {
			for k, v := range l {
				labels[k] = fmt.Sprint(v)
			}
		}
		nodes = append(nodes, pricing.Describe(fmt.Sprint(meta["name"]), labels))
	}
	if len(nodes) < 3 {
		t.Fatalf("only %d nodes in the lab script", len(nodes))
	}
	return nodes
}

// The lab's node shows t3a.medium/$0.0421 with no "~": the live on-demand
// price plus the live Auto Mode fee, exactly.
func TestPricesAreTheLabsLivePrices(t *testing.T) {
	p := Prices()
	for _, n := range labNodes(t) {
		got := p.NodePrice(n)
		if got.Source != pricing.Live || got.Currency != "USD" || got.Reason != "" {
			t.Errorf("%s (%s) = %+v, want a live USD price", n.Name, n.InstanceType, got)
		}
	}
	lab := p.NodePrice(labNodes(t)[0])
	if lab.Hourly != 0.0376+0.00451 {
		t.Errorf("lab node = %v/hour, want exactly 0.0376+0.00451", lab.Hourly)
	}
	one := fmt.Sprintf("$%.4f $%.3f/hour | $%.3f/month", lab.Hourly, lab.Hourly, lab.Hourly*pricing.HoursPerMonth)
	two := fmt.Sprintf("$%.3f/hour | $%.3f/month", 2*lab.Hourly, 2*lab.Hourly*pricing.HoursPerMonth)
	if one != "$0.0421 $0.042/hour | $30.740/month" || two != "$0.084/hour | $61.481/month" {
		t.Errorf("lab figures %q and %q", one, two)
	}
	if p.Changed() != nil || p.Status() != "" {
		t.Error("a recording changes or has a status")
	}
}

// The recording is what the AWS provider answers from the Price List
// responses recorded in testdata/aws.
func TestPricesAgreeWithTheRecordedResponses(t *testing.T) {
	srv := awsfake.New()
	defer srv.Close()
	if err := srv.LoadDir("../../testdata/aws"); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config("us-east-1")
	ctx, cancel := context.WithCancel(context.Background())
	live, err := pricing.NewAWS(ctx, pricing.AWSOptions{Region: "us-east-1", Config: &cfg, Debounce: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-live.Done() }()
	recorded := Prices()
	deadline := time.After(30 * time.Second)
	for _, n := range labNodes(t) {
		for live.NodePrice(n).Source != pricing.Live {
			select {
			case <-live.Changed():
			case <-deadline:
				t.Fatalf("%s never priced live: %+v (status %q)", n.InstanceType, live.NodePrice(n), live.Status())
			}
		}
		if got, want := recorded.NodePrice(n), live.NodePrice(n); got != want {
			t.Errorf("%s: recorded %+v, live from testdata/aws %+v", n.InstanceType, got, want)
		}
	}
}

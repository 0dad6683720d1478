//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestLivePricesOnScreen runs the real binary against a real apiserver and a
// local server speaking AWS's Pricing and EC2 protocols (the SDK reaches it
// through AWS_ENDPOINT_URL_PRICING / AWS_ENDPOINT_URL_EC2), and reads the
// live prices off the screen.
func TestLivePricesOnScreen(t *testing.T) {
	c := startCluster(t, harness.SizeAPIServer)
	aws := startAWS(t)

	ctx := context.Background()
	node := func(name, instanceType, capacity, zone string, auto bool) {
		n := readyNode(name, instanceType, "2", "4Gi")
		n.Labels["karpenter.sh/capacity-type"] = capacity
		n.Labels["topology.kubernetes.io/zone"] = zone
		if auto {
			n.Labels["eks.amazonaws.com/compute-type"] = "auto"
		}
		if _, err := c.Client().CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	node("auto-od", "t3a.medium", "on-demand", "us-east-1a", true)
	node("od-m5", "m5.large", "on-demand", "us-east-1b", false)
	node("spot-a", "t3a.medium", "spot", "us-east-1a", false)
	node("spot-d", "m5.large", "spot", "us-east-1d", false) // no spot price published there

	m := startViewerEnv(t, aws.Env("us-east-1"), "--kubeconfig", c.Kubeconfig, "--node-sort", "creation=asc")
	rows := map[string]*regexp.Regexp{
		"auto-od": regexp.MustCompile(`t3a\.medium/\$0\.0421\s+On-Demand/Auto`), // live fee: no "~"
		"od-m5":   regexp.MustCompile(`m5\.large/\$0\.0960\s+On-Demand`),
		"spot-a":  regexp.MustCompile(`t3a\.medium/\$0\.0121\s+Spot`),
		"spot-d":  regexp.MustCompile(`m5\.large/\?\s+Spot`),
	}
	total := regexp.MustCompile(`(?m)^4 nodes .*>=\$0\.150/hour \| >=\$109\.65\d/month`)
	m.waitFor("live prices", 60*time.Second, func(s string) error {
		for name, re := range rows {
			line, ok := nodeLine(s, name)
			if !ok {
				return fmt.Errorf("no row %s", name)
			}
			if !re.MatchString(line) {
				return fmt.Errorf("row %s: %q does not match %s", name, line, re)
			}
		}
		if !total.MatchString(s) {
			return fmt.Errorf("summary does not match %s", total)
		}
		return nil
	})
	if len(aws.CallsTo("GetProducts")) == 0 || len(aws.CallsTo("DescribeSpotPriceHistory")) == 0 {
		t.Errorf("the viewer did not call the fake AWS: %d GetProducts, %d DescribeSpotPriceHistory",
			len(aws.CallsTo("GetProducts")), len(aws.CallsTo("DescribeSpotPriceHistory")))
	}
}

// startAWS serves the recorded AWS answers of testdata/aws on a local
// server speaking the Pricing and EC2 protocols, until the test ends.
func startAWS(t *testing.T) *awsfake.Server {
	t.Helper()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	aws := awsfake.New()
	t.Cleanup(aws.Close)
	if err := aws.LoadDir(filepath.Join(root, "testdata", "aws")); err != nil {
		t.Fatal(err)
	}
	return aws
}

package awsapi

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
)

// Without ShieldBody, under the race detector, a few requests in a thousand
// against a local server fail with "use of closed network connection" (run
// with -race to see this test fail when the shield is removed).
func TestShieldBodyKeepsConnectionsWhole(t *testing.T) {
	srv := awsfake.New()
	defer srv.Close()
	if err := srv.LoadDir("../../../testdata/aws"); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: aws.AnonymousCredentials{},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient:  ShieldBody(nil),
	}
	c := pricing.NewFromConfig(cfg, func(o *pricing.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	for i := range 300 {
		if _, err := c.GetProducts(context.Background(), &pricing.GetProductsInput{ServiceCode: aws.String("AmazonEC2")}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

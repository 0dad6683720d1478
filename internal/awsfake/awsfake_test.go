package awsfake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"
	"github.com/aws/smithy-go"
)

func newServer(t *testing.T) *Server {
	t.Helper()
	s := New()
	t.Cleanup(s.Close)
	if err := s.LoadDir(fixtureDir); err != nil {
		t.Fatal(err)
	}
	return s
}

func ec2Filters(region string) []types.Filter {
	var f []types.Filter
	for _, kv := range [][2]string{{"regionCode", region}, {"operatingSystem", "Linux"}, {"preInstalledSw", "NA"},
		{"capacitystatus", "Used"}, {"marketoption", "OnDemand"}, {"tenancy", "Shared"}, {"productFamily", "Compute Instance"}} {
		f = append(f, types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String(kv[0]), Value: aws.String(kv[1])})
	}
	return f
}

func allProducts(t *testing.T, c *pricing.Client, service string, filters []types.Filter) ([]string, error) {
	t.Helper()
	p := pricing.NewGetProductsPaginator(c, &pricing.GetProductsInput{ServiceCode: aws.String(service), Filters: filters, MaxResults: aws.Int32(100)})
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return out, err
		}
		out = append(out, page.PriceList...)
	}
	return out, nil
}

func TestGetProductsFiltersAndPages(t *testing.T) {
	s := newServer(t)
	s.SetPageSize(4, 0)
	c := pricing.NewFromConfig(s.Config("us-east-1"))
	docs, err := allProducts(t, c, "AmazonEC2", ec2Filters("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	// 10 shared Linux records (2 with bad prices) + 1 truncated document;
	// decoys (Windows, dedicated, SQL, unused reservation) and metal excluded.
	if len(docs) != 11 {
		t.Errorf("got %d documents, want 11", len(docs))
	}
	for _, d := range docs {
		if strings.Contains(d, "Windows") || strings.Contains(d, "SQL Web") || strings.Contains(d, "m5.metal") {
			t.Errorf("filtered record returned: %.120s", d)
		}
	}
	calls := s.CallsTo(GetProducts)
	if len(calls) != 3 || calls[0].NextToken != "" || calls[1].NextToken == "" {
		t.Errorf("calls = %+v, want 3 pages", calls)
	}
	if calls[0].Filters["regionCode"] != "us-east-1" || calls[0].ServiceCode != "AmazonEC2" {
		t.Errorf("recorded request = %+v", calls[0])
	}
	other, err := allProducts(t, c, "AmazonEC2", ec2Filters("ap-south-1"))
	if err != nil || len(other) != 0 {
		t.Errorf("unknown region: %d documents, %v", len(other), err)
	}
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestGetProductsFaults(t *testing.T) {
	s := newServer(t)
	s.SetPageSize(4, 0)
	c := pricing.NewFromConfig(s.Config("us-east-1"))
	s.Fail(Fault{Op: GetProducts, Code: "ThrottlingException", Page: 2, Times: 1})
	if _, err := allProducts(t, c, "AmazonEC2", ec2Filters("us-east-1")); apiCode(err) != "ThrottlingException" {
		t.Errorf("page 2 throttled: err = %v", err)
	}
	if _, err := allProducts(t, c, "AmazonEC2", ec2Filters("us-east-1")); err != nil {
		t.Errorf("fault used up, still: %v", err)
	}
	s.Fail(Fault{Op: GetProducts, Code: "AccessDeniedException", ServiceCode: "AmazonEKS"})
	if _, err := allProducts(t, c, "AmazonEC2", ec2Filters("us-east-1")); err != nil {
		t.Errorf("EKS-only fault hit EC2: %v", err)
	}
	_, err := allProducts(t, c, "AmazonEKS", nil)
	if apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "pricing:GetProducts") {
		t.Errorf("access denied: err = %v", err)
	}
	s.ClearFaults()
	if _, err := allProducts(t, c, "AmazonEKS", nil); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestRedirectRecordsResolvedHost(t *testing.T) {
	s := newServer(t)
	cfg := aws.Config{
		Region:      "cn-northwest-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient:  s.Redirect(),
	}
	if _, err := allProducts(t, pricing.NewFromConfig(cfg), "AmazonEC2", ec2Filters("cn-north-1")); err != nil {
		t.Fatal(err)
	}
	c := s.Calls()[0]
	if c.Host != "api.pricing.cn-northwest-1.amazonaws.com.cn" || c.SigningRegion != "cn-northwest-1" {
		t.Errorf("host %q, signing region %q", c.Host, c.SigningRegion)
	}
}

func spotAll(c *ec2.Client, in *ec2.DescribeSpotPriceHistoryInput) ([]ec2types.SpotPrice, error) {
	p := ec2.NewDescribeSpotPriceHistoryPaginator(c, in)
	var out []ec2types.SpotPrice
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return out, err
		}
		out = append(out, page.SpotPriceHistory...)
	}
	return out, nil
}

func TestSpotPagesAndFilters(t *testing.T) {
	s := newServer(t)
	s.SetPageSize(0, 2)
	cfg := s.Config("us-east-1")
	cfg.HTTPClient = s.Redirect() // region from the EC2 host keeps other regions' zones out
	cfg.BaseEndpoint = nil
	c := ec2.NewFromConfig(cfg)
	got, err := spotAll(c, &ec2.DescribeSpotPriceHistoryInput{
		InstanceTypes:       []ec2types.InstanceType{"m5.large", "t3a.medium"},
		ProductDescriptions: []string{"Linux/UNIX", "Linux/UNIX (Amazon VPC)"},
		StartTime:           aws.Time(time.Now()),
		MaxResults:          aws.Int32(1000),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Errorf("got %d records, want 6 (3 t3a.medium, 3 Linux m5.large in us-east-1)", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Timestamp.After(*got[i-1].Timestamp) {
			t.Errorf("not newest first at %d", i)
		}
	}
	calls := s.CallsTo(DescribeSpotPriceHistory)
	if len(calls) != 3 || calls[0].Host != "ec2.us-east-1.amazonaws.com" || calls[0].Form.Get("InstanceType.1") != "m5.large" {
		t.Errorf("calls: %d, first %+v", len(calls), calls[0])
	}

	s.Fail(Fault{Op: DescribeSpotPriceHistory, Code: "RequestLimitExceeded", Times: 1})
	if _, err := spotAll(c, &ec2.DescribeSpotPriceHistoryInput{}); apiCode(err) != "RequestLimitExceeded" {
		t.Errorf("throttled: %v", err)
	}
	s.Fail(Fault{Op: DescribeSpotPriceHistory, Code: "UnauthorizedOperation"})
	if _, err := spotAll(c, &ec2.DescribeSpotPriceHistoryInput{}); apiCode(err) != "UnauthorizedOperation" {
		t.Errorf("denied: %v", err)
	}
}

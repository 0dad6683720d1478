package pricing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/syncbuf"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
)

const fixtures = "../testdata/aws"

// harness is a live provider talking to the fake AWS through the real SDK
// clients.
type harness struct {
	t   *testing.T
	srv *awsfake.Server
	p   *AWS
}

func newFake(t *testing.T) *awsfake.Server {
	t.Helper()
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	if err := srv.LoadDir(fixtures); err != nil {
		t.Fatal(err)
	}
	return srv
}

// start runs a provider against srv; edit adjusts its options.
func start(t *testing.T, srv *awsfake.Server, region string, edit func(*AWSOptions)) *harness {
	t.Helper()
	h := &harness{t: t, srv: srv}
	cfg := srv.Config(region)
	o := AWSOptions{Region: region, Config: &cfg, Debounce: time.Millisecond}
	if edit != nil {
		edit(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p, err := NewAWS(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	h.p = p
	t.Cleanup(func() {
		cancel()
		<-p.Done()
	})
	return h
}

// waitFor waits, change by change, until cond holds. The deadline only
// guards against a hung test; nothing here measures time.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-h.p.Changed():
		case <-deadline:
			h.t.Fatalf("gave up waiting for %s; status %q", what, h.p.Status())
		}
	}
}

// waitPrice prices n until its source is want, and returns that price.
func (h *harness) waitPrice(n Node, want Source) Price {
	h.t.Helper()
	var p Price
	h.waitFor(fmt.Sprintf("%s %s/%v in %s to be %v", n.InstanceType, n.Capacity, n.AutoMode, n.Region, want), func() bool {
		p = h.p.NodePrice(n)
		return p.Source == want
	})
	return p
}

func od(typ, region string) Node {
	return Node{Name: "n-" + typ, InstanceType: typ, Capacity: OnDemand, Region: region, Zone: region + "a"}
}

func spot(typ, zone string) Node {
	return Node{Name: "s-" + typ + zone, InstanceType: typ, Capacity: Spot, Zone: zone, Region: RegionFromZone(zone)}
}

func auto(n Node) Node { n.AutoMode = true; return n }

func checkPrice(t *testing.T, what string, got Price, hourly float64, currency string, src Source) {
	t.Helper()
	if !near(got.Hourly, hourly) || got.Currency != currency || got.Source != src {
		t.Errorf("%s = %+v, want %v %s %v", what, got, hourly, currency, src)
	}
}

// The seed lab: one t3a.medium Auto Mode node in us-east-1 at
// $0.0421/hour and $30.740/month with the live fee of $0.00451.
func TestAWSLabNumbers(t *testing.T) {
	h := start(t, newFake(t), "us-east-1", nil)
	n := Describe("i-0123456789abcdef0", map[string]string{
		LabelInstanceType:      "t3a.medium",
		LabelKarpenterCapacity: "on-demand",
		LabelEKSComputeType:    "auto",
		LabelZone:              "us-east-1a",
	})
	p := h.waitPrice(n, Live)
	checkPrice(t, "lab node", p, 0.0376+0.00451, "USD", Live)
	if s := fmt.Sprintf("t3a.medium/$%.4f $%.3f/month", p.Hourly, p.Hourly*HoursPerMonth); s != "t3a.medium/$0.0421 $30.740/month" {
		t.Errorf("lab screen figures = %s", s)
	}
	if s := h.p.Status(); s != "" {
		t.Errorf("Status() = %q, want none", s)
	}
	// The fee came from the node's region with the Auto Mode filter.
	var feeCalls int
	for _, c := range h.srv.CallsTo(awsfake.GetProducts) {
		if c.ServiceCode == "AmazonEKS" {
			feeCalls++
			if c.Filters["regionCode"] != "us-east-1" || c.Filters["operation"] != "EKSAutoUsage" {
				t.Errorf("Auto Mode fee request filters = %v", c.Filters)
			}
		}
	}
	if feeCalls == 0 {
		t.Error("no Auto Mode fee request")
	}
}

// blockingPricing holds every GetProducts call until released.
type blockingPricing struct {
	next    PricingAPI
	release chan struct{}
}

func (b blockingPricing) GetProducts(ctx context.Context, in *awspricing.GetProductsInput, opts ...func(*awspricing.Options)) (*awspricing.GetProductsOutput, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.next.GetProducts(ctx, in, opts...)
}

// startBlocked starts a us-east-1 provider whose Pricing calls wait until
// release is closed.
func startBlocked(t *testing.T, srv *awsfake.Server) (h *harness, release chan struct{}) {
	release = make(chan struct{})
	h = start(t, srv, "us-east-1", func(o *AWSOptions) {
		o.PricingClient = func(endpoint string) PricingAPI {
			cfg := srv.Config(endpoint)
			return blockingPricing{next: awspricing.NewFromConfig(cfg), release: release}
		}
	})
	return h, release
}

func TestAWSAnswersFromStaticWhileFetching(t *testing.T) {
	srv := newFake(t)
	h, release := startBlocked(t, srv)
	checkPrice(t, "before the first fetch", h.p.NodePrice(od("m5.large", "us-east-1")), 0.096, "USD", Static)
	checkPrice(t, "Auto Mode before the first fetch", h.p.NodePrice(auto(od("t3a.medium", "us-east-1"))), 0.0376*1.12, "USD", Estimate)
	close(release)
	h.waitPrice(od("m5.large", "us-east-1"), Live)
}

// Changed fires once a fetch has published prices and when a failure changes
// Status. Signals nobody has read yet stand as one, and never hold the
// provider up.
func TestAWSChangedSignals(t *testing.T) {
	srv := newFake(t)
	h, release := startBlocked(t, srv)
	if c := cap(h.p.Changed()); c != 1 {
		t.Fatalf("Changed() has capacity %d, want 1", c)
	}
	n := od("m5.large", "us-east-1")
	h.p.NodePrice(n)
	select {
	case <-h.p.Changed():
		t.Fatal("a change signalled before any fetch")
	default:
	}
	close(release)
	select {
	case <-h.p.Changed():
	case <-time.After(30 * time.Second):
		t.Fatal("no signal after the first fetch")
	}
	checkPrice(t, "after the first signal", h.p.NodePrice(n), 0.096, "USD", Live)

	// Several fetches fail while nobody reads the channel: the provider
	// carries on through all of them (a blocking send would stop it at the
	// second), and a signal is waiting afterwards.
	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "ThrottlingException"})
	srv.Fail(awsfake.Fault{Op: awsfake.DescribeSpotPriceHistory, Code: "UnauthorizedOperation"})
	h.p.NodePrice(spot("m5.large", "us-east-1a"))
	h.p.NodePrice(auto(od("t3a.medium", "us-east-1")))
	h.p.Refresh()
	want := "on-demand prices: throttled (ThrottlingException), will retry; spot prices: AccessDenied for ec2:DescribeSpotPriceHistory; Auto Mode and Fargate prices: throttled (ThrottlingException), will retry"
	deadline := time.Now().Add(30 * time.Second)
	for h.p.Status() != want {
		if time.Now().After(deadline) {
			t.Fatalf("status %q, want %q", h.p.Status(), want)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-h.p.Changed():
	case <-time.After(30 * time.Second):
		t.Fatal("no signal after the failures")
	}
}

func TestAWSOnDemandPaginationAndBareMetal(t *testing.T) {
	srv := newFake(t)
	srv.SetPageSize(2, 0)
	h := start(t, srv, "us-east-1", nil)
	h.waitPrice(od("m5.large", "us-east-1"), Live)
	for typ, want := range map[string]float64{"t3a.medium": 0.0376, "t3.micro": 0.0104, "r5.large": 0.126, "c6g.medium": 0.034, "m5.metal": 4.608, "c5.metal": 4.08} {
		checkPrice(t, typ, h.p.NodePrice(od(typ, "us-east-1")), want, "USD", Live)
	}
	// A zero and a garbage price are skipped: the static table answers.
	checkPrice(t, "zero live price", h.p.NodePrice(od("m5.2xlarge", "us-east-1")), 0.384, "USD", Static)
	checkPrice(t, "garbage live price", h.p.NodePrice(od("m6i.large", "us-east-1")), 0.096, "USD", Static)

	var shared, metal int
	for _, c := range srv.CallsTo(awsfake.GetProducts) {
		if c.ServiceCode != "AmazonEC2" {
			continue
		}
		switch c.Filters["tenancy"] {
		case "Shared":
			shared++
		case "Dedicated":
			metal++
			if c.Filters["productFamily"] != "Compute Instance (bare metal)" {
				t.Errorf("metal query filters = %v", c.Filters)
			}
		}
		for k, v := range map[string]string{"operatingSystem": "Linux", "preInstalledSw": "NA", "capacitystatus": "Used", "marketoption": "OnDemand", "regionCode": "us-east-1"} {
			if c.Filters[k] != v {
				t.Errorf("filter %s = %q, want %q", k, c.Filters[k], v)
			}
		}
	}
	// 11 shared-tenancy Linux documents at 2 per page; 2 metal ones.
	if shared != 6 || metal != 1 {
		t.Errorf("GetProducts pages: %d shared, %d metal; want 6 and 1", shared, metal)
	}
}

func TestAWSSpot(t *testing.T) {
	srv := newFake(t)
	srv.SetPageSize(0, 2)
	h := start(t, srv, "us-east-1", nil)
	h.waitPrice(spot("t3a.medium", "us-east-1a"), Live)
	h.waitPrice(spot("m5.large", "us-east-1a"), Live)
	h.waitPrice(spot("c5.large", "us-east-1a"), Live)
	h.waitPrice(spot("r5.large", "us-east-1c"), Unknown)
	h.waitFor("r5.large spot fetched", func() bool {
		return strings.HasPrefix(h.p.NodePrice(spot("r5.large", "us-east-1a")).Reason, "no spot price")
	})
	checkPrice(t, "latest of two records", h.p.NodePrice(spot("t3a.medium", "us-east-1a")), 0.0121, "USD", Live)
	checkPrice(t, "VPC product", h.p.NodePrice(spot("t3a.medium", "us-east-1b")), 0.0134, "USD", Live)
	checkPrice(t, "m5.large 1b", h.p.NodePrice(spot("m5.large", "us-east-1b")), 0.0412, "USD", Live)
	checkPrice(t, "m5.large 1a (Windows decoy ignored)", h.p.NodePrice(spot("m5.large", "us-east-1a")), 0.0385, "USD", Live)
	for _, n := range []Node{spot("m5.large", "us-east-1d"), spot("c5.large", "us-east-1b"), spot("r5.large", "us-east-1a")} {
		p := h.p.NodePrice(n)
		want := "no spot price for " + n.InstanceType + " in " + n.Zone
		if p.Source != Unknown || p.Hourly != 0 || p.Reason != want {
			t.Errorf("%s in %s = %+v, want unknown %q", n.InstanceType, n.Zone, p, want)
		}
	}
	// Only the cluster's types were asked for, in pages.
	calls := srv.CallsTo(awsfake.DescribeSpotPriceHistory)
	last := calls[len(calls)-1].Form
	if got := []string{last.Get("InstanceType.1"), last.Get("InstanceType.2"), last.Get("InstanceType.3"), last.Get("InstanceType.4"), last.Get("InstanceType.5")}; strings.Join(got, ",") != "c5.large,m5.large,r5.large,t3a.medium," {
		t.Errorf("spot request types = %v", got)
	}
	if last.Get("ProductDescription.1") != "Linux/UNIX" || last.Get("ProductDescription.2") != "Linux/UNIX (Amazon VPC)" || last.Get("StartTime") == "" {
		t.Errorf("spot request = %v", last)
	}
	pages := 0
	for _, c := range calls {
		if c.NextToken != "" {
			pages++
		}
	}
	if pages == 0 {
		t.Error("spot history was not paged")
	}
}

func TestAWSAutoModeSpot(t *testing.T) {
	h := start(t, newFake(t), "us-east-1", nil)
	n := auto(spot("t3a.medium", "us-east-1a"))
	checkPrice(t, "Auto Mode spot", h.waitPrice(n, Live), 0.0121+0.00451, "USD", Live)
}

func TestAWSFargate(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-east-1", nil)
	n := Node{Capacity: Fargate, Region: "us-east-1", FargateCapacity: "0.25vCPU 0.5GB"}
	checkPrice(t, "Fargate us-east-1", h.waitPrice(n, Live), 0.25*0.04048+0.5*0.004445, "USD", Live)
	eu := Node{Capacity: Fargate, Region: "eu-west-1", FargateCapacity: "2vCPU 4GB"}
	checkPrice(t, "Fargate eu-west-1", h.waitPrice(eu, Live), 2*0.04456+4*0.00489, "USD", Live)
	bad := Node{Capacity: Fargate, Region: "us-east-1", FargateCapacity: "2 vCPUs"}
	if p := h.p.NodePrice(bad); p.Source != Unknown {
		t.Errorf("malformed Fargate size = %+v", p)
	}
	// Fargate needs the unfiltered AmazonEKS list of the region.
	for _, c := range srv.CallsTo(awsfake.GetProducts) {
		if c.ServiceCode == "AmazonEKS" && c.Filters["regionCode"] == "eu-west-1" && c.Filters["operation"] != "" {
			t.Errorf("Fargate query filtered on operation: %v", c.Filters)
		}
	}
}

func TestAWSChina(t *testing.T) {
	h := start(t, newFake(t), "cn-north-1", nil)
	checkPrice(t, "on-demand", h.waitPrice(od("c5.large", "cn-north-1"), Live), 0.739, "CNY", Live)
	checkPrice(t, "spot", h.waitPrice(spot("c5.large", "cn-north-1a"), Live), 0.312, "CNY", Live)
	checkPrice(t, "Auto Mode", h.waitPrice(auto(od("c5.large", "cn-north-1")), Live), 0.739+0.0887, "CNY", Live)
	n := Node{Capacity: Fargate, Region: "cn-north-1", FargateCapacity: "1vCPU 2GB"}
	checkPrice(t, "Fargate", h.waitPrice(n, Live), 0.304+2*0.0334, "CNY", Live)
}

func TestAWSNewRegionAndTypesLater(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-east-1", nil)
	h.waitPrice(od("m5.large", "us-east-1"), Live)

	// A node in another region: a us-east-1 estimate at once, then its own.
	eu := od("m5.large", "eu-west-1")
	checkPrice(t, "eu-west-1 at first", h.p.NodePrice(eu), 0.096, "USD", Estimate)
	checkPrice(t, "eu-west-1 fetched", h.waitPrice(eu, Live), 0.107, "USD", Live)

	// A type missing from the fetched table is asked for on its own.
	if err := srv.AddProducts(awsfake.EC2Product{Region: "us-east-1", InstanceType: "m7i.large", Price: "0.1100000000"}.Doc()); err != nil {
		t.Fatal(err)
	}
	checkPrice(t, "new type at first", h.p.NodePrice(od("m7i.large", "us-east-1")), 0.1008, "USD", Static)
	checkPrice(t, "new type fetched", h.waitPrice(od("m7i.large", "us-east-1"), Live), 0.11, "USD", Live)
	found := false
	for _, c := range srv.CallsTo(awsfake.GetProducts) {
		found = found || c.Filters["instanceType"] == "m7i.large"
	}
	if !found {
		t.Error("no targeted request for m7i.large")
	}

	// A spot type seen later is fetched without waiting for the refresh.
	h.waitPrice(spot("m5.large", "us-east-1a"), Live)
	checkPrice(t, "spot type seen later", h.waitPrice(spot("m5.xlarge", "us-east-1a"), Live), 0.077, "USD", Live)
}

func TestAWSFailedRefreshKeepsPrices(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-east-1", nil)
	nodes := []Node{od("m5.large", "us-east-1"), spot("m5.large", "us-east-1a"), auto(od("t3a.medium", "us-east-1"))}
	before := make([]Price, len(nodes))
	for i, n := range nodes {
		before[i] = h.waitPrice(n, Live)
	}

	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "ThrottlingException"})
	srv.Fail(awsfake.Fault{Op: awsfake.DescribeSpotPriceHistory, Code: "UnauthorizedOperation"})
	h.p.Refresh()
	want := "on-demand prices: throttled (ThrottlingException), will retry; spot prices: AccessDenied for ec2:DescribeSpotPriceHistory; Auto Mode and Fargate prices: throttled (ThrottlingException), will retry"
	h.waitFor("failure status", func() bool { return h.p.Status() == want })
	for i, n := range nodes {
		if p := h.p.NodePrice(n); p != before[i] {
			t.Errorf("after the failed refresh %s = %+v, want %+v", n.Name, p, before[i])
		}
	}

	srv.ClearFaults()
	h.p.Refresh()
	h.waitFor("recovery", func() bool { return h.p.Status() == "" })
}

func TestAWSFirstFetchDenied(t *testing.T) {
	srv := newFake(t)
	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "AccessDeniedException"})
	h := start(t, srv, "us-east-1", nil)
	h.waitFor("status", func() bool { return h.p.Status() == "on-demand prices: AccessDenied for pricing:GetProducts" })
	checkPrice(t, "static fallback", h.p.NodePrice(od("m5.large", "us-east-1")), 0.096, "USD", Static)
}

func TestAWSFailureMidPagination(t *testing.T) {
	srv := newFake(t)
	srv.SetPageSize(2, 0)
	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "ThrottlingException", Page: 3, ServiceCode: "AmazonEC2"})
	h := start(t, srv, "us-east-1", nil)
	h.waitFor("status", func() bool { return strings.Contains(h.p.Status(), "throttled") })
	// t3a.medium was on page 1: no partial table is published.
	checkPrice(t, "page-1 type", h.p.NodePrice(od("t3a.medium", "us-east-1")), 0.0376, "USD", Static)
}

func TestAWSRefreshInterval(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-east-1", func(o *AWSOptions) { o.RefreshInterval = 20 * time.Millisecond })
	h.waitPrice(od("m5.large", "us-east-1"), Live)
	srv.ClearProducts()
	if err := srv.AddProducts(awsfake.EC2Product{Region: "us-east-1", InstanceType: "m5.large", Price: "0.0990000000"}.Doc()); err != nil {
		t.Fatal(err)
	}
	h.waitFor("refreshed price", func() bool { return near(h.p.NodePrice(od("m5.large", "us-east-1")).Hourly, 0.099) })
}

func TestAWSNoCredentials(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-west-2", func(o *AWSOptions) {
		o.Config.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		})
	})
	h.p.NodePrice(spot("m5.large", "us-west-2a"))
	h.waitFor("status", func() bool { return h.p.Status() == "no credentials: showing static us-east-1 prices" })
	checkPrice(t, "estimate", h.p.NodePrice(od("m5.large", "us-west-2")), 0.096, "USD", Estimate)
	h.waitFor("spot reason", func() bool {
		return h.p.NodePrice(spot("m5.large", "us-west-2a")).Reason == "spot price unavailable: no credentials"
	})
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d requests reached AWS without credentials", n)
	}
}

// Without credentials, nodes of new types and regions keep arriving (a
// cluster syncing, Karpenter launching): they are marked as unpriceable for
// that reason at once, without asking the credential chain again for each.
func TestAWSNoCredentialsNotAskedAgainPerNewWant(t *testing.T) {
	srv := newFake(t)
	var asked atomic.Int32
	h := start(t, srv, "us-west-2", func(o *AWSOptions) {
		o.Config.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			asked.Add(1)
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		})
	})
	h.p.NodePrice(spot("m5.large", "us-west-2a"))
	h.waitFor("first failure", func() bool {
		return h.p.NodePrice(spot("m5.large", "us-west-2a")).Reason == "spot price unavailable: no credentials"
	})
	before := asked.Load()
	if before == 0 {
		t.Fatal("the credential chain was never asked")
	}
	later := []Node{spot("c5.large", "us-west-2b"), spot("r5.large", "eu-west-1a"), spot("m6i.large", "eu-west-1b")}
	for _, n := range later {
		h.p.NodePrice(n)
		h.waitFor("failure of "+n.InstanceType, func() bool {
			return h.p.NodePrice(n).Reason == "spot price unavailable: no credentials"
		})
	}
	if after := asked.Load(); after != before {
		t.Errorf("credential chain asked %d more times for %d new wants; want none until the retry", after-before, len(later))
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d requests reached AWS without credentials", n)
	}
}

func TestAWSGovCloudIsStatic(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-gov-west-1", nil)
	h.p.NodePrice(spot("m5.large", "us-gov-west-1a"))
	h.waitFor("spot fetch", func() bool { return len(srv.CallsTo(awsfake.DescribeSpotPriceHistory)) > 0 })
	checkPrice(t, "GovCloud on-demand", h.p.NodePrice(od("m5.large", "us-gov-west-1")), 0.121, "USD", Static)
	if n := len(srv.CallsTo(awsfake.GetProducts)); n != 0 {
		t.Errorf("%d Pricing requests for GovCloud", n)
	}
}

func TestAWSOverride(t *testing.T) {
	h := start(t, newFake(t), "us-east-1", nil)
	n := spot("m5.large", "us-east-1a")
	n.Override = "0.25"
	checkPrice(t, "override", h.p.NodePrice(n), 0.25, "USD", Override)
	n.Override = "x"
	if p := h.p.NodePrice(n); p.Source != Unknown || !strings.Contains(p.Reason, `"x"`) {
		t.Errorf("bad override = %+v", p)
	}
}

// The Pricing API lives in a few regions: each node region must reach the
// right endpoint (and GovCloud none). The real endpoint resolution runs; the
// HTTP client sends it all to the fake, which records the Host.
func TestAWSPricingEndpointPerPartition(t *testing.T) {
	srv := newFake(t)
	calls := make(chan awsfake.Call, 1000)
	srv.SetHook(func(c awsfake.Call) { calls <- c })
	want := map[string]string{ // node region -> Pricing host
		"us-east-1":      "api.pricing.us-east-1.amazonaws.com",
		"us-west-2":      "api.pricing.us-east-1.amazonaws.com",
		"ca-central-1":   "api.pricing.us-east-1.amazonaws.com",
		"sa-east-1":      "api.pricing.us-east-1.amazonaws.com",
		"me-south-1":     "api.pricing.us-east-1.amazonaws.com",
		"af-south-1":     "api.pricing.us-east-1.amazonaws.com",
		"il-central-1":   "api.pricing.us-east-1.amazonaws.com",
		"mx-central-1":   "api.pricing.us-east-1.amazonaws.com",
		"eu-west-1":      "api.pricing.eu-central-1.amazonaws.com",
		"eu-north-1":     "api.pricing.eu-central-1.amazonaws.com",
		"ap-northeast-1": "api.pricing.ap-south-1.amazonaws.com",
		"ap-southeast-2": "api.pricing.ap-south-1.amazonaws.com",
		"cn-north-1":     "api.pricing.cn-northwest-1.amazonaws.com.cn",
		"cn-northwest-1": "api.pricing.cn-northwest-1.amazonaws.com.cn",
		"us-gov-west-1":  "",
		"us-gov-east-1":  "",
	}
	h := start(t, srv, "us-east-1", func(o *AWSOptions) {
		o.Config.BaseEndpoint = nil
		o.Config.HTTPClient = srv.Redirect()
		o.Config.Credentials = credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", "")
	})
	for region := range want {
		h.p.NodePrice(spot("m5.large", region+"a"))
	}
	pricingHost := map[string]string{}
	ec2Host := map[string]string{}
	for len(ec2Host) < len(want) || len(pricingHost) < len(want)-2 {
		select {
		case c := <-calls:
			if c.Op == awsfake.GetProducts && c.ServiceCode == "AmazonEC2" {
				pricingHost[c.Filters["regionCode"]] = c.Host
				if !strings.Contains(c.Host, c.SigningRegion) {
					t.Errorf("Pricing request to %s signed for %s", c.Host, c.SigningRegion)
				}
			}
			if c.Op == awsfake.DescribeSpotPriceHistory {
				ec2Host[c.SigningRegion] = c.Host
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("gave up; pricing hosts %v, EC2 hosts %v", pricingHost, ec2Host)
		}
	}
	for region, host := range want {
		if pricingHost[region] != host {
			t.Errorf("%s: Pricing host %q, want %q", region, pricingHost[region], host)
		}
		wantEC2 := "ec2." + region + ".amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			wantEC2 += ".cn"
		}
		if ec2Host[region] != wantEC2 {
			t.Errorf("%s: EC2 host %q, want %q", region, ec2Host[region], wantEC2)
		}
	}
}

func TestAWSStopsWithContext(t *testing.T) {
	srv := newFake(t)
	cfg := srv.Config("us-east-1")
	ctx, cancel := context.WithCancel(context.Background())
	p, err := NewAWS(ctx, AWSOptions{Config: &cfg, Debounce: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p.NodePrice(spot("m5.large", "us-east-1a"))
	cancel()
	<-p.Done() // hangs (and the test times out) if the goroutine outlives ctx
}

func TestAWSBadProfile(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	_, err := NewAWS(context.Background(), AWSOptions{Profile: "no-such-profile"})
	if err == nil || !strings.Contains(err.Error(), "no-such-profile") {
		t.Errorf("NewAWS with an unknown profile: %v", err)
	}
}

func TestAWSConcurrentUse(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "us-east-1", func(o *AWSOptions) { o.RefreshInterval = 5 * time.Millisecond })
	nodes := []Node{od("m5.large", "us-east-1"), spot("m5.large", "us-east-1a"), auto(od("t3a.medium", "us-east-1")),
		od("c5.large", "eu-west-1"), {Capacity: Fargate, Region: "us-east-1", FargateCapacity: "1vCPU 2GB"}}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 2000; i++ {
				p := h.p.NodePrice(nodes[(g+i)%len(nodes)])
				if p.Known() && p.Hourly <= 0 {
					t.Errorf("known price %+v", p)
					return
				}
				_ = h.p.Status()
			}
		})
	}
	wg.Wait()
	h.waitPrice(nodes[3], Live)
}

func BenchmarkAWSNodePrice(b *testing.B) {
	srv := awsfake.New()
	defer srv.Close()
	cfg := srv.Config("us-east-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := NewAWS(ctx, AWSOptions{Config: &cfg})
	if err != nil {
		b.Fatal(err)
	}
	n := Node{Name: "ip-10-0-0-1", InstanceType: "m5.large", Capacity: OnDemand, AutoMode: true, Zone: "us-east-1a", Region: "us-east-1"}
	p.NodePrice(n)
	b.ReportAllocs()
	for b.Loop() {
		p.NodePrice(n)
	}
}

// The TUI owns the terminal: nothing, not even the SDK's own warnings (an
// IMDS that refuses tokens makes it warn), may reach stdout or stderr.
func TestAWSNeverWritesToTerminal(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer imds.Close()
	srv := newFake(t)
	for _, kv := range []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=false",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL, "AWS_CONTAINER_CREDENTIALS_FULL_URI=",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=", "AWS_WEB_IDENTITY_TOKEN_FILE=", "AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1"} {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	out, err := os.CreateTemp(t.TempDir(), "terminal")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = out, out
	defer func() { os.Stdout, os.Stderr = stdout, stderr }()

	var logged syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	p, err := NewAWS(ctx, AWSOptions{
		PricingEndpoint: srv.URL,
		EC2Endpoint:     srv.URL,
		Logger:          slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Debounce:        time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	p.NodePrice(spot("m5.large", "us-east-1a"))
	for p.Status() == "" {
		<-p.Changed() // the test's own timeout guards a hang
	}
	cancel()
	<-p.Done()
	os.Stdout, os.Stderr = stdout, stderr
	if b, _ := os.ReadFile(out.Name()); len(b) > 0 {
		t.Errorf("written to the terminal:\n%s", b)
	}
	if s := p.Status(); s != "no credentials: showing static us-east-1 prices" {
		t.Errorf("Status() = %q", s)
	}
	if !strings.Contains(logged.String(), "price fetch failed") {
		t.Errorf("logger got:\n%s", logged.String())
	}
	t.Logf("logged:\n%s", logged.String())
}

func TestAWSNoRegionAnywhere(t *testing.T) {
	srv := newFake(t)
	h := start(t, srv, "", nil)
	kwok := Node{InstanceType: "m5.large", Capacity: OnDemand, Zone: "test-zone-a"}
	checkPrice(t, "no region", h.p.NodePrice(kwok), 0.096, "USD", Estimate)
	if s := h.p.Status(); s != "no region for some nodes: showing us-east-1 prices (set --region)" {
		t.Errorf("Status() = %q", s)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d requests without a region", n)
	}
	// Overridden nodes (kwok) need no region.
	h2 := start(t, srv, "", nil)
	h2.p.NodePrice(Node{Override: "0.1", Zone: "test-zone-a"})
	if s := h2.p.Status(); s != "" {
		t.Errorf("Status() with overrides only = %q", s)
	}
}

// blockingSpot holds DescribeSpotPriceHistory calls until release closes.
type blockingSpot struct {
	next    SpotAPI
	release chan struct{}
}

func (b blockingSpot) DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, opts ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.next.DescribeSpotPriceHistory(ctx, in, opts...)
}

// Settled is false while something a node needs has not been fetched yet,
// true once the fetch was tried (a failure settles too: Status says why),
// and a node needing something new unsettles it again.
func TestAWSSettled(t *testing.T) {
	srv := newFake(t)
	pricingGo, spotGo := make(chan struct{}), make(chan struct{})
	h := start(t, srv, "us-east-1", func(o *AWSOptions) {
		o.PricingClient = func(endpoint string) PricingAPI {
			return blockingPricing{next: awspricing.NewFromConfig(srv.Config(endpoint)), release: pricingGo}
		}
		o.SpotClient = func(region string) SpotAPI {
			return blockingSpot{next: ec2.NewFromConfig(srv.Config(region)), release: spotGo}
		}
	})
	n := od("m5.large", "us-east-1")
	h.p.NodePrice(n)
	if h.p.Settled() {
		t.Fatal("settled while the first fetch waits")
	}
	close(pricingGo)
	h.waitFor("the first fetch to settle", h.p.Settled)
	checkPrice(t, "after settling", h.p.NodePrice(n), 0.096, "USD", Live)

	s := spot("m5.large", "us-east-1a")
	if p := h.p.NodePrice(s); p.Known() {
		t.Fatalf("spot before its fetch: %+v", p)
	}
	if h.p.Settled() {
		t.Fatal("settled with a spot fetch to do")
	}
	close(spotGo)
	h.waitFor("the spot fetch to settle", h.p.Settled)
	if p := h.p.NodePrice(s); p.Source != Live {
		t.Errorf("spot after settling: %+v", p)
	}
	if !h.p.Settled() {
		t.Error("asking again for what was fetched unsettled it")
	}
}

func TestAWSSettledAfterFailure(t *testing.T) {
	srv := newFake(t)
	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "AccessDeniedException"})
	h := start(t, srv, "us-east-1", nil)
	h.p.NodePrice(od("m5.large", "us-east-1"))
	h.waitFor("a failed fetch to settle", h.p.Settled)
	if st := h.p.Status(); st != "on-demand prices: AccessDenied for pricing:GetProducts" {
		t.Errorf("status %q", st)
	}
}

package awsapi

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestEndpointRegion(t *testing.T) {
	tests := map[string]string{ // region -> endpoint region ("" none)
		"us-east-1": "us-east-1", "us-east-2": "us-east-1", "us-west-2": "us-east-1", "ca-central-1": "us-east-1",
		"ca-west-1": "us-east-1", "sa-east-1": "us-east-1", "mx-central-1": "us-east-1", "me-central-1": "us-east-1",
		"af-south-1": "us-east-1", "il-central-1": "us-east-1",
		"eu-west-1": "eu-central-1", "eu-central-1": "eu-central-1", "eu-south-2": "eu-central-1", "eu-north-1": "eu-central-1",
		"ap-south-1": "ap-south-1", "ap-northeast-1": "ap-south-1", "ap-southeast-5": "ap-south-1", "ap-east-1": "ap-south-1",
		"cn-north-1": "cn-northwest-1", "cn-northwest-1": "cn-northwest-1",
		"us-gov-west-1": "", "us-gov-east-1": "", "us-iso-east-1": "", "us-isob-east-1": "", "eusc-de-east-1": "",
	}
	for region, want := range tests {
		got, ok := EndpointRegion(region)
		if got != want || ok != (want != "") {
			t.Errorf("EndpointRegion(%q) = %q, %v; want %q", region, got, ok, want)
		}
	}
}

func TestClassify(t *testing.T) {
	api := func(code string) error {
		return fmt.Errorf("get products: %w", &smithy.OperationError{ServiceID: "Pricing", OperationName: "GetProducts",
			Err: &smithy.GenericAPIError{Code: code, Message: "m"}})
	}
	tests := []struct {
		err  error
		kind Kind
		code string
	}{
		{api("ThrottlingException"), Throttled, "ThrottlingException"},
		{api("com.amazonaws.pricing#ThrottlingException"), Throttled, "ThrottlingException"},
		{api("RequestLimitExceeded"), Throttled, "RequestLimitExceeded"},
		{api("AccessDeniedException"), AccessDenied, "AccessDeniedException"},
		{api("UnauthorizedOperation"), AccessDenied, "UnauthorizedOperation"},
		{api("ExpiredToken"), Other, "ExpiredToken"}, // rejected credentials: said with the code
		{api("InternalErrorException"), Other, "InternalErrorException"},
		{errors.New("operation error Pricing: GetProducts, get identity: get credentials: failed to refresh cached credentials"), NoCredentials, ""},
		{errors.New("dial tcp: lookup api.pricing.us-east-1.amazonaws.com: no such host"), Other, ""},
	}
	for _, tt := range tests {
		kind, code := Classify(tt.err)
		if kind != tt.kind || code != tt.code {
			t.Errorf("Classify(%v) = %v, %q; want %v, %q", tt.err, kind, code, tt.kind, tt.code)
		}
	}
}

func TestUsageSuffix(t *testing.T) {
	tests := map[string]string{
		"USE1-Fargate-vCPU-Hours:perCPU":           "Fargate-vCPU-Hours:perCPU",
		"EU-Fargate-GB-Hours":                      "Fargate-GB-Hours",
		"Fargate-GB-Hours":                         "Fargate-GB-Hours",
		"USE1-SpotUsage:Fargate-vCPU-Hours:perCPU": "SpotUsage:Fargate-vCPU-Hours:perCPU",
		"USE1-Fargate-ARM-GB-Hours":                "Fargate-ARM-GB-Hours",
		"":                                         "",
	}
	for in, want := range tests {
		if got := usageSuffix(in); got != want {
			t.Errorf("usageSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocPrice(t *testing.T) {
	var d priceDoc
	set := func(prices map[string]string) {
		d.Terms.OnDemand = map[string]term{"T": {PriceDimensions: map[string]dimension{"D": {Unit: "Hrs", PricePerUnit: prices}}}}
	}
	for _, tt := range []struct {
		prices   map[string]string
		currency string
		want     float64
		ok       bool
	}{
		{map[string]string{"USD": "0.0960000000"}, "USD", 0.096, true},
		{map[string]string{"CNY": "0.739"}, "CNY", 0.739, true},
		{map[string]string{"CNY": "0.739"}, "USD", 0, false},
		{map[string]string{"USD": "0.0000000000"}, "USD", 0, false},
		{map[string]string{"USD": "-1"}, "USD", 0, false},
		{map[string]string{"USD": "NaN"}, "USD", 0, false},
		{map[string]string{"USD": "Inf"}, "USD", 0, false},
		{map[string]string{"USD": "n/a"}, "USD", 0, false},
	} {
		set(tt.prices)
		got, ok := d.price(tt.currency)
		if got != tt.want || ok != tt.ok {
			t.Errorf("price(%v, %s) = %v, %v", tt.prices, tt.currency, got, ok)
		}
	}
}

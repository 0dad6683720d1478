// Package awsapi fetches list prices from the AWS Price List Query API and
// current spot prices from EC2, behind the narrow client interfaces that
// tests satisfy with the real SDK clients pointed at a fake server.
package awsapi

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/smithy-go"
)

// PricingAPI is the part of the Pricing client we use.
type PricingAPI interface {
	GetProducts(ctx context.Context, in *pricing.GetProductsInput, optFns ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

// SpotAPI is the part of the EC2 client we use.
type SpotAPI interface {
	DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error)
}

// EndpointRegion is the region of the Pricing API endpoint that serves the
// prices of region. The API lives in a few regions only (the SDK would build
// a host for any); ok is false where it has none (GovCloud, ISO partitions,
// the European Sovereign Cloud).
func EndpointRegion(region string) (endpoint string, ok bool) {
	switch {
	case strings.HasPrefix(region, "us-gov-"), strings.HasPrefix(region, "us-iso"), strings.HasPrefix(region, "eusc-"):
		return "", false
	case strings.HasPrefix(region, "cn-"):
		return "cn-northwest-1", true
	case strings.HasPrefix(region, "ap-"):
		return "ap-south-1", true
	case strings.HasPrefix(region, "eu-"):
		return "eu-central-1", true
	}
	return "us-east-1", true
}

// Kind sorts fetch errors by what the user can do about them.
type Kind int

const (
	Other         Kind = iota
	NoCredentials      // no usable credentials in the SDK chain
	AccessDenied       // the principal lacks the IAM action
	Throttled          // rate limited; retry later
)

// Classify returns the kind of a fetch error and its AWS error code ("" when
// it is not an API error).
func Classify(err error) (Kind, string) {
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		switch code {
		case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedAccess":
			return AccessDenied, code
		case "ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled":
			return Throttled, code
		}
		return Other, code
	}
	msg := err.Error()
	if strings.Contains(msg, "get identity") || strings.Contains(msg, "retrieve credentials") || strings.Contains(msg, "AnonymousCredentials") {
		return NoCredentials, ""
	}
	return Other, ""
}

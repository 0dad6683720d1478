package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/table"
)

// OnDemand returns the on-demand Linux list price of every instance type in
// region (or only of types, when given), in the region's currency. Entries
// with unparsable or zero prices are skipped.
func OnDemand(ctx context.Context, c PricingAPI, region string, types ...string) (map[string]float64, error) {
	prices := map[string]float64{}
	add := func(doc *priceDoc, price float64) {
		t := doc.Product.Attributes["instanceType"]
		if old, ok := prices[t]; t != "" && (!ok || price < old) {
			prices[t] = price
		}
	}
	if len(types) == 0 {
		for _, metal := range []bool{false, true} {
			if err := products(ctx, c, "AmazonEC2", ec2Filters(region, metal, ""), table.Currency(region), add); err != nil {
				return nil, err
			}
		}
		return prices, nil
	}
	for _, t := range types {
		metal := strings.HasSuffix(t, ".metal") || strings.Contains(t, ".metal-")
		if err := products(ctx, c, "AmazonEC2", ec2Filters(region, metal, t), table.Currency(region), add); err != nil {
			return nil, err
		}
	}
	return prices, nil
}

func ec2Filters(region string, metal bool, instanceType string) []types.Filter {
	tenancy, family := "Shared", "Compute Instance"
	if metal {
		tenancy, family = "Dedicated", "Compute Instance (bare metal)"
	}
	f := termMatch(
		"regionCode", region,
		"operatingSystem", "Linux",
		"preInstalledSw", "NA",
		"capacitystatus", "Used",
		"marketoption", "OnDemand",
		"tenancy", tenancy,
		"productFamily", family,
	)
	if instanceType != "" {
		f = append(f, termMatch("instanceType", instanceType)...)
	}
	return f
}

// EKS is what the AmazonEKS price list says about one region.
type EKS struct {
	// AutoModeFee is the EKS Auto Mode management fee per instance-hour, by
	// instance type.
	AutoModeFee map[string]float64
	// FargateVCPU and FargateGB are the Linux/x86 Fargate rates per vCPU-hour
	// and GB-hour; 0 when not fetched or not published.
	FargateVCPU, FargateGB float64
}

// EKSPrices fetches the Auto Mode fees of region and, with fargate, its
// Fargate rates. Without fargate the query is narrowed to Auto Mode records.
func EKSPrices(ctx context.Context, c PricingAPI, region string, fargate bool) (EKS, error) {
	out := EKS{AutoModeFee: map[string]float64{}}
	filters := termMatch("regionCode", region)
	if !fargate {
		filters = append(filters, termMatch("operation", "EKSAutoUsage")...)
	}
	err := products(ctx, c, "AmazonEKS", filters, table.Currency(region), func(doc *priceDoc, price float64) {
		a := doc.Product.Attributes
		if a["operation"] == "EKSAutoUsage" {
			if t := a["instancetype"]; t != "" {
				out.AutoModeFee[t] = price
			}
			return
		}
		switch usage := usageSuffix(a["usagetype"]); usage {
		case "Fargate-vCPU-Hours:perCPU":
			out.FargateVCPU = price
		case "Fargate-GB-Hours":
			out.FargateGB = price
		}
	})
	if err != nil {
		return EKS{}, err
	}
	return out, nil
}

// usageSuffix strips the region prefix ("USE1-") from a usage type. ARM,
// spot ("USE1-SpotUsage:Fargate-...") and storage variants keep a suffix
// that differs from the plain x86 one.
func usageSuffix(usage string) string {
	prefix, rest, ok := strings.Cut(usage, "-")
	if !ok || strings.ContainsAny(prefix, ":") || strings.ToUpper(prefix) != prefix {
		return usage
	}
	return rest
}

func termMatch(kv ...string) []types.Filter {
	f := make([]types.Filter, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		f = append(f, types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return f
}

// priceDoc is the part of a price list document we read.
type priceDoc struct {
	Product struct {
		ProductFamily string            `json:"productFamily"`
		Attributes    map[string]string `json:"attributes"`
	} `json:"product"`
	Terms struct {
		OnDemand map[string]term `json:"OnDemand"`
	} `json:"terms"`
}

type term struct {
	PriceDimensions map[string]dimension `json:"priceDimensions"`
}

type dimension struct {
	Unit         string            `json:"unit"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// price is the document's on-demand price in currency: the first positive
// one by term and dimension key (documents carry one in practice).
func (d *priceDoc) price(currency string) (float64, bool) {
	for _, tk := range slices.Sorted(maps.Keys(d.Terms.OnDemand)) {
		dims := d.Terms.OnDemand[tk].PriceDimensions
		for _, dk := range slices.Sorted(maps.Keys(dims)) {
			p, err := strconv.ParseFloat(dims[dk].PricePerUnit[currency], 64)
			if err == nil && p > 0 && p < 1e6 {
				return p, true
			}
		}
	}
	return 0, false
}

// products pages through GetProducts and calls add for every document with
// a usable price.
func products(ctx context.Context, c PricingAPI, service string, filters []types.Filter, currency string, add func(*priceDoc, float64)) error {
	p := pricing.NewGetProductsPaginator(c, &pricing.GetProductsInput{
		ServiceCode:   aws.String(service),
		Filters:       filters,
		FormatVersion: aws.String("aws_v1"),
		MaxResults:    aws.Int32(100),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("get %s products: %w", service, err)
		}
		for _, raw := range out.PriceList {
			var doc priceDoc
			if json.Unmarshal([]byte(raw), &doc) != nil {
				continue
			}
			if price, ok := doc.price(currency); ok {
				add(&doc, price)
			}
		}
	}
	return nil
}

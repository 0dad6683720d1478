package awsfake

import (
	"encoding/base32"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"sort"
	"strings"
)

// EC2Product describes an AmazonEC2 on-demand price-list record. Zero fields
// get the values of a Linux on-demand record (shared tenancy; dedicated bare
// metal for *.metal types).
type EC2Product struct {
	Region         string
	InstanceType   string
	Price          string // pricePerUnit value as AWS sends it ("0.0960000000"); any text
	OS             string // operatingSystem, default Linux
	Tenancy        string // default Shared, or Dedicated for bare metal
	PreInstalledSw string // default NA
	CapacityStatus string // default Used
}

// Doc is the record as a JSON price-list document.
func (p EC2Product) Doc() string {
	metal := strings.Contains(p.InstanceType, ".metal")
	family := "Compute Instance"
	if metal {
		family = "Compute Instance (bare metal)"
	}
	tenancy := or(p.Tenancy, map[bool]string{true: "Dedicated", false: "Shared"}[metal])
	osName := or(p.OS, "Linux")
	attrs := map[string]string{
		"servicecode":       "AmazonEC2",
		"servicename":       "Amazon Elastic Compute Cloud",
		"regionCode":        p.Region,
		"location":          location(p.Region),
		"locationType":      "AWS Region",
		"instanceType":      p.InstanceType,
		"instanceFamily":    "General purpose",
		"currentGeneration": "Yes",
		"operatingSystem":   osName,
		"licenseModel":      "No License required",
		"preInstalledSw":    or(p.PreInstalledSw, "NA"),
		"capacitystatus":    or(p.CapacityStatus, "Used"),
		"marketoption":      "OnDemand",
		"tenancy":           tenancy,
		"operation":         "RunInstances",
		"usagetype":         usagePrefix(p.Region) + "BoxUsage:" + p.InstanceType,
	}
	desc := fmt.Sprintf("%s per On Demand %s %s Instance Hour", p.Price, osName, p.InstanceType)
	return document("AmazonEC2", family, attrs, p.Region, "Hrs", p.Price, desc)
}

// EKSProduct describes an AmazonEKS price-list record: an Auto Mode fee
// (Operation "EKSAutoUsage" with InstanceType), a Fargate rate (UsageType
// like "USE1-Fargate-vCPU-Hours:perCPU") or anything else.
type EKSProduct struct {
	Region       string
	Operation    string
	InstanceType string // the "instancetype" attribute of Auto Mode records
	UsageType    string // default derived from Operation and InstanceType
	Price        string
}

// Doc is the record as a JSON price-list document.
func (p EKSProduct) Doc() string {
	attrs := map[string]string{
		"servicecode":  "AmazonEKS",
		"servicename":  "Amazon Elastic Container Service for Kubernetes",
		"regionCode":   p.Region,
		"location":     location(p.Region),
		"locationType": "AWS Region",
		"operation":    p.Operation,
	}
	family, unit := "Compute", "hours"
	switch {
	case p.Operation == "EKSAutoUsage":
		family = "EKS Auto"
		attrs["instancetype"] = p.InstanceType
		attrs["usagetype"] = or(p.UsageType, usagePrefix(p.Region)+"AutoMode:"+p.InstanceType)
		unit = "Hrs"
	default:
		attrs["usagetype"] = p.UsageType
		if strings.Contains(p.UsageType, "GB-Hours") {
			unit = "GB-Hours"
		}
	}
	if p.Operation == "" {
		delete(attrs, "operation")
	}
	return document("AmazonEKS", family, attrs, p.Region, unit, p.Price, "EKS "+attrs["usagetype"])
}

// document lays a record out like the Price List API does.
func document(service, family string, attrs map[string]string, region, unit, price, desc string) string {
	sku := sku(service, attrs)
	currency := "USD"
	if strings.HasPrefix(region, "cn-") {
		currency = "CNY"
	}
	const term, rate = "JRTCKXETXF", "6YS6EN2CT7"
	doc := map[string]any{
		"product": map[string]any{
			"productFamily": family,
			"attributes":    attrs,
			"sku":           sku,
		},
		"serviceCode":     service,
		"version":         "20260715143022",
		"publicationDate": "2026-07-15T14:30:22Z",
		"terms": map[string]any{
			"OnDemand": map[string]any{
				sku + "." + term: map[string]any{
					"priceDimensions": map[string]any{
						sku + "." + term + "." + rate: map[string]any{
							"unit":         unit,
							"endRange":     "Inf",
							"description":  desc,
							"appliesTo":    []string{},
							"rateCode":     sku + "." + term + "." + rate,
							"beginRange":   "0",
							"pricePerUnit": map[string]string{currency: price},
						},
					},
					"sku":            sku,
					"effectiveDate":  "2026-07-01T00:00:00Z",
					"offerTermCode":  term,
					"termAttributes": map[string]string{},
				},
			},
		},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

func sku(service string, attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := fnv.New128a()
	h.Write([]byte(service))
	for _, k := range keys {
		h.Write([]byte(k + "=" + attrs[k] + ";"))
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil))[:16]
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ec2UsagePrefix: EC2 box usage in us-east-1 has no region prefix.
func ec2UsagePrefix(region string) string {
	if region == "us-east-1" {
		return ""
	}
	return usagePrefix(region)
}

// usagePrefix is the usage-type prefix AWS puts on a region's records ("USE1-").
func usagePrefix(region string) string {
	if p, ok := usagePrefixes[region]; ok {
		return p + "-"
	}
	return strings.ToUpper(strings.ReplaceAll(region, "-", "")) + "-"
}

var usagePrefixes = map[string]string{
	"us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2",
	"eu-west-1": "EU", "eu-central-1": "EUC1", "ap-northeast-1": "APN1", "ap-south-1": "APS3",
	"cn-north-1": "CNN1", "cn-northwest-1": "CNW1", "us-gov-west-1": "UGW1", "sa-east-1": "SAE1",
}

func location(region string) string {
	if l, ok := locations[region]; ok {
		return l
	}
	return region
}

var locations = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
	"us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
	"ap-northeast-1": "Asia Pacific (Tokyo)", "ap-south-1": "Asia Pacific (Mumbai)",
	"cn-north-1": "China (Beijing)", "cn-northwest-1": "China (Ningxia)", "sa-east-1": "South America (Sao Paulo)",
	"us-gov-west-1": "AWS GovCloud (US-West)",
}

// LoadDir loads every fixture in dir (testdata/aws): pricing-*.json as
// GetProducts pages and spot-*.xml as DescribeSpotPriceHistory pages.
func (s *Server) LoadDir(dir string) error {
	pricing, err := filepath.Glob(filepath.Join(dir, "pricing-*.json"))
	if err != nil {
		return err
	}
	spot, err := filepath.Glob(filepath.Join(dir, "spot-*.xml"))
	if err != nil {
		return err
	}
	if len(pricing)+len(spot) == 0 {
		return fmt.Errorf("no fixtures in %s", dir)
	}
	if err := s.LoadPricing(pricing...); err != nil {
		return err
	}
	return s.LoadSpot(spot...)
}

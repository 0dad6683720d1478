package awsfake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/aws")

const fixtureDir = "../../testdata/aws"

// fixtures are the files of testdata/aws: GetProducts and
// DescribeSpotPriceHistory responses as AWS sends them, split into pages.
// Their figures are realistic list prices (us-east-1 as published in 2026),
// plus decoys the request filters must exclude and garbage the client must
// skip. Regenerate: go test ./internal/awsfake -run TestFixtures -update
func fixtures() map[string][]byte {
	files := map[string][]byte{}
	addPricing := func(name string, pageSize int, docs ...string) {
		for i, page := range pricingPages(docs, pageSize) {
			n := name + ".json"
			if pageSize < len(docs) {
				n = fmt.Sprintf("%s-%d.json", name, i+1)
			}
			files[n] = page
		}
	}
	ec2 := func(region string, kv ...string) []string {
		var docs []string
		for i := 0; i+1 < len(kv); i += 2 {
			docs = append(docs, EC2Product{Region: region, InstanceType: kv[i], Price: kv[i+1]}.Doc())
		}
		return docs
	}
	fee := func(region string, kv ...string) []string {
		var docs []string
		for i := 0; i+1 < len(kv); i += 2 {
			docs = append(docs, EKSProduct{Region: region, Operation: "EKSAutoUsage", InstanceType: kv[i], Price: kv[i+1]}.Doc())
		}
		return docs
	}
	usage := func(region string, kv ...string) []string {
		var docs []string
		for i := 0; i+1 < len(kv); i += 2 {
			docs = append(docs, EKSProduct{Region: region, UsageType: kv[i], Price: kv[i+1]}.Doc())
		}
		return docs
	}

	useast1 := ec2("us-east-1",
		"t3a.medium", "0.0376000000", "t3a.large", "0.0752000000", "t3.micro", "0.0104000000",
		"m5.large", "0.0960000000", "m5.xlarge", "0.1920000000", "c5.large", "0.0850000000",
		"c6g.medium", "0.0340000000", "r5.large", "0.1260000000",
		"m5.metal", "4.6080000000", "c5.metal", "4.0800000000",
		"m5.2xlarge", "0.0000000000", // zero: skipped
	)
	useast1 = append(useast1,
		`{"product":{"productFamily":"Compute Instance","attributes":{"instanceType":"t3.nano"`, // truncated
		EC2Product{Region: "us-east-1", InstanceType: "m6i.large", Price: "N/A"}.Doc(),          // garbage price: skipped
		// Decoys the filters exclude.
		EC2Product{Region: "us-east-1", InstanceType: "m5.large", Price: "0.1880000000", OS: "Windows"}.Doc(),
		EC2Product{Region: "us-east-1", InstanceType: "m5.large", Price: "0.1060000000", Tenancy: "Dedicated"}.Doc(),
		EC2Product{Region: "us-east-1", InstanceType: "m5.large", Price: "0.1210000000", PreInstalledSw: "SQL Web"}.Doc(),
		EC2Product{Region: "us-east-1", InstanceType: "m5.large", Price: "0.0960000000", CapacityStatus: "UnusedCapacityReservation"}.Doc(),
	)
	addPricing("pricing-ec2-us-east-1", 6, useast1...)
	addPricing("pricing-ec2-us-west-2", 100, ec2("us-west-2",
		"t3a.medium", "0.0376000000", "m5.large", "0.0960000000", "c5.large", "0.0850000000", "m5.metal", "4.6080000000")...)
	addPricing("pricing-ec2-eu-west-1", 100, ec2("eu-west-1",
		"t3a.medium", "0.0408000000", "m5.large", "0.1070000000", "c5.large", "0.0960000000")...)
	addPricing("pricing-ec2-cn-north-1", 100, ec2("cn-north-1",
		"c5.large", "0.7390000000", "m5.large", "1.0130000000", "t3.medium", "0.2629000000")...)

	eks := append(fee("us-east-1",
		"t3a.medium", "0.0045100000", "t3a.large", "0.0090200000", "m5.large", "0.0115200000",
		"m5.xlarge", "0.0230400000", "c5.large", "0.0102000000", "r5.large", "0.0151200000",
		"m5.metal", "0.5529600000",
		"t3.micro", "0.0000000000", // zero: skipped
		"c6g.medium", "tbd", // garbage: skipped
	), usage("us-east-1",
		"USE1-Fargate-vCPU-Hours:perCPU", "0.0404800000",
		"USE1-Fargate-GB-Hours", "0.0044450000",
		// Variants that must not be taken for the x86 rates.
		"USE1-Fargate-ARM-vCPU-Hours:perCPU", "0.0323800000",
		"USE1-Fargate-ARM-GB-Hours", "0.0035600000",
		"USE1-SpotUsage:Fargate-vCPU-Hours:perCPU", "0.0127600000",
		"USE1-SpotUsage:Fargate-GB-Hours", "0.0014010000",
		"USE1-Fargate-EphemeralStorage-GB-Hours", "0.0001110000",
		"USE1-Fargate-Windows-vCPU-Hours:perCPU", "0.0465520000",
	)...)
	eks = append(eks, EKSProduct{Region: "us-east-1", Operation: "CreateOperation", UsageType: "USE1-AmazonEKS-Hours:perCluster", Price: "0.1000000000"}.Doc())
	addPricing("pricing-eks-us-east-1", 10, eks...)
	addPricing("pricing-eks-us-west-2", 100, append(fee("us-west-2", "t3a.medium", "0.0045100000", "m5.large", "0.0115200000"),
		usage("us-west-2", "USW2-Fargate-vCPU-Hours:perCPU", "0.0404800000", "USW2-Fargate-GB-Hours", "0.0044450000")...)...)
	addPricing("pricing-eks-eu-west-1", 100, append(fee("eu-west-1", "t3a.medium", "0.0048960000", "m5.large", "0.0128400000"),
		usage("eu-west-1", "EU-Fargate-vCPU-Hours:perCPU", "0.0445600000", "EU-Fargate-GB-Hours", "0.0048900000")...)...)
	addPricing("pricing-eks-cn-north-1", 100, append(fee("cn-north-1", "c5.large", "0.0887000000", "m5.large", "0.1215600000"),
		usage("cn-north-1", "CNN1-Fargate-vCPU-Hours:perCPU", "0.3040000000", "CNN1-Fargate-GB-Hours", "0.0334000000")...)...)

	now := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	spot := func(typ, zone, price string, ago time.Duration, product string) SpotRecord {
		return SpotRecord{InstanceType: typ, Zone: zone, Price: price, Timestamp: now.Add(-ago), ProductDescription: product}
	}
	const linux, vpc = "Linux/UNIX", "Linux/UNIX (Amazon VPC)"
	addSpot := func(name string, pageSize int, recs ...SpotRecord) {
		for i, page := range spotPages(recs, pageSize) {
			n := name + ".xml"
			if pageSize < len(recs) {
				n = fmt.Sprintf("%s-%d.xml", name, i+1)
			}
			files[n] = page
		}
	}
	addSpot("spot-us-east-1", 5,
		spot("t3a.medium", "us-east-1a", "0.012100", time.Hour, linux),
		spot("t3a.medium", "us-east-1a", "0.015000", 13*time.Hour, linux), // older: superseded
		spot("t3a.medium", "us-east-1b", "0.013400", 2*time.Hour, vpc),
		spot("m5.large", "us-east-1a", "0.038500", 3*time.Hour, linux),
		spot("m5.large", "us-east-1b", "0.041200", 30*time.Minute, linux),
		spot("m5.large", "us-east-1c", "0.039800", 5*time.Hour, linux),
		spot("m5.large", "us-east-1a", "0.120000", time.Hour, "Windows"), // decoy
		spot("c5.large", "us-east-1a", "0.033100", 4*time.Hour, linux),
		spot("c5.large", "us-east-1b", "n/a", 4*time.Hour, linux),    // garbage
		spot("r5.large", "us-east-1a", "0.000000", time.Hour, linux), // zero
		spot("m5.xlarge", "us-east-1a", "0.077000", 6*time.Hour, linux),
	)
	addSpot("spot-us-west-2", 100,
		spot("t3a.medium", "us-west-2a", "0.011800", time.Hour, linux),
		spot("m5.large", "us-west-2b", "0.035200", time.Hour, linux),
		spot("m5.large", "us-west-2-lax-1a", "0.045000", time.Hour, linux),
	)
	addSpot("spot-cn-north-1", 100,
		spot("c5.large", "cn-north-1a", "0.312000", time.Hour, linux),
		spot("m5.large", "cn-north-1b", "0.355000", time.Hour, linux),
	)
	return files
}

func pricingPages(docs []string, size int) [][]byte {
	var pages [][]byte
	for off := 0; off < len(docs); off += size {
		end := min(off+size, len(docs))
		page := struct {
			FormatVersion string
			NextToken     string `json:",omitempty"`
			PriceList     []string
		}{FormatVersion: "aws_v1", PriceList: docs[off:end]}
		if end < len(docs) {
			page.NextToken = encodeToken(end)
		}
		b, _ := json.MarshalIndent(page, "", " ")
		pages = append(pages, append(b, '\n'))
	}
	return pages
}

func spotPages(recs []SpotRecord, size int) [][]byte {
	var pages [][]byte
	for off := 0; off < len(recs); off += size {
		end := min(off+size, len(recs))
		page := spotResponse{Xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/", RequestID: fmt.Sprintf("59dbff89-35bd-4eac-99ed-be587EXAMPLE%d", off)}
		for _, r := range recs[off:end] {
			page.Items = append(page.Items, spotItem{InstanceType: r.InstanceType, ProductDescription: r.ProductDescription,
				SpotPrice: r.Price, Timestamp: r.Timestamp.Format("2006-01-02T15:04:05.000Z"), AvailabilityZone: r.Zone})
		}
		if end < len(recs) {
			page.NextToken = encodeToken(end)
		}
		b, _ := xml.MarshalIndent(page, "", "  ")
		pages = append(pages, append(append([]byte(xml.Header), b...), '\n'))
	}
	return pages
}

func TestFixtures(t *testing.T) {
	for name, want := range fixtures() {
		path := filepath.Join(fixtureDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from fixtures() (regenerate with -update)", path)
		}
	}
}

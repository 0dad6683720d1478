package demo

import "github.com/eksnodeviewer/eks-node-viewer/pricing"

// Prices is the demo's price source: the answers the AWS provider gets live
// for the lab's instance types in us-east-1, played back (Source Live, no AWS
// calls), so the demo shows the lab's own figures rather than estimates.
//
// The numbers are the us-east-1 list prices of the AWS Price List API
// (Linux, shared tenancy; the Auto Mode fee is the AmazonEKS EKSAutoUsage
// record of the type):
//   - t3a.medium, the lab's nodes: $0.0376 on-demand + $0.00451 Auto Mode fee
//     = $0.04211/hour, shown t3a.medium/$0.0421 and $30.740/month a node.
//   - t3a.large, the database node outside the lab's selector: $0.0752 +
//     $0.00902.
//
// They are the figures of the recorded Price List responses in testdata/aws
// (pricing-ec2-us-east-1-1.json, pricing-eks-us-east-1-1.json); a test reads
// those through the AWS provider and checks that both agree.
func Prices() pricing.Provider {
	return pricing.NewRecorded(pricing.Recorded{
		Region:      "us-east-1",
		OnDemand:    map[string]float64{"t3a.medium": 0.0376, "t3a.large": 0.0752},
		AutoModeFee: map[string]float64{"t3a.medium": 0.00451, "t3a.large": 0.00902},
	})
}

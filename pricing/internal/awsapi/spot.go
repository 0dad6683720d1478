package awsapi

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// SpotKey names one spot market.
type SpotKey struct {
	InstanceType string
	Zone         string
}

// Spot returns the spot price in effect at now for each (type, zone) of the
// given instance types in the client's region: the latest record per market.
func Spot(ctx context.Context, c SpotAPI, instanceTypes []string, now time.Time) (map[SpotKey]float64, error) {
	prices := map[SpotKey]float64{}
	stamps := map[SpotKey]time.Time{}
	const chunk = 100 // keep the request's list short
	for start := 0; start < len(instanceTypes); start += chunk {
		end := min(start+chunk, len(instanceTypes))
		in := &ec2.DescribeSpotPriceHistoryInput{
			ProductDescriptions: []string{"Linux/UNIX", "Linux/UNIX (Amazon VPC)"},
			StartTime:           aws.Time(now),
			MaxResults:          aws.Int32(1000),
		}
		for _, t := range instanceTypes[start:end] {
			in.InstanceTypes = append(in.InstanceTypes, ec2types.InstanceType(t))
		}
		p := ec2.NewDescribeSpotPriceHistoryPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe spot price history: %w", err)
			}
			for _, sp := range out.SpotPriceHistory {
				price, err := strconv.ParseFloat(aws.ToString(sp.SpotPrice), 64)
				if err != nil || price <= 0 {
					continue
				}
				k := SpotKey{InstanceType: string(sp.InstanceType), Zone: aws.ToString(sp.AvailabilityZone)}
				ts := aws.ToTime(sp.Timestamp)
				if old, ok := stamps[k]; ok && !ts.After(old) {
					continue
				}
				stamps[k] = ts
				prices[k] = price
			}
		}
	}
	return prices, nil
}

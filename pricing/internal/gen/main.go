// Command gen writes the pricing package's static on-demand list-price table.
//
// Run by `go generate ./pricing` (from the pricing directory). With AWS
// credentials it fetches the chosen regions from the Price List Query API;
// otherwise, and for regions the API cannot serve (GovCloud) or that fail, it
// keeps the shared capture (-shared) or, in a clone without one, the current
// table (-out).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/awsapi"
	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/table"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

const liveSource = "AWS Price List Query API GetProducts (AmazonEC2, Linux, preInstalledSw=NA, capacitystatus=Used, OnDemand; Shared tenancy, Dedicated for bare metal)"

func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(log)
	out := fs.String("out", "ondemand.json", "table to write")
	shared := fs.String("shared", "../../shared/data/ec2-ondemand-list-prices.json", "offline list-price capture to start from (skipped when missing)")
	regions := fs.String("regions", "", "comma-separated regions to write (default: those of the starting table)")
	live := fs.String("live", "auto", "fetch from the Pricing API: auto (when credentials exist), always, never")
	profile := fs.String("profile", "", "AWS shared config profile")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, from, err := start(*shared, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: starting from %s\n", from)
	names := base.RegionNames()
	if *regions != "" {
		names = strings.Split(*regions, ",")
	}

	var client func(region string) awsapi.PricingAPI
	switch *live {
	case "never":
	case "auto", "always":
		cfg, err := awsConfig(ctx, *profile)
		if err != nil && *live == "always" {
			return err
		}
		if err != nil {
			fmt.Fprintf(log, "gen: no live prices (%v)\n", err)
			break
		}
		client = func(region string) awsapi.PricingAPI {
			return pricing.NewFromConfig(cfg, func(o *pricing.Options) { o.Region = region })
		}
	default:
		return fmt.Errorf("-live must be auto, always or never, not %q", *live)
	}

	result := &table.Table{Regions: map[string]*table.Region{}}
	for _, name := range names {
		r := base.Regions[name]
		if client != nil {
			if endpoint, ok := awsapi.EndpointRegion(name); ok {
				prices, err := awsapi.OnDemand(ctx, client(endpoint), name)
				switch {
				case err != nil:
					fmt.Fprintf(log, "gen: %s: %v\n", name, err)
				case len(prices) == 0:
					fmt.Fprintf(log, "gen: %s: the Pricing API returned no prices\n", name)
				default:
					r = &table.Region{Captured: time.Now().UTC().Truncate(time.Second), Currency: table.Currency(name), Source: liveSource, Prices: prices}
				}
			}
		}
		if r == nil {
			return fmt.Errorf("no prices for %s: not in %s and not fetched", name, from)
		}
		fmt.Fprintf(log, "gen: %s: %d instance types, captured %s\n", name, len(r.Prices), r.Captured.Format(time.DateOnly))
		result.Regions[name] = r
	}

	var buf bytes.Buffer
	if err := result.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

// start reads the shared capture, or the current table when there is none.
func start(shared, current string) (*table.Table, string, error) {
	if f, err := os.Open(shared); err == nil {
		defer f.Close()
		t, err := table.ReadShared(f)
		return t, shared, err
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	f, err := os.Open(current)
	if err != nil {
		return nil, "", fmt.Errorf("nothing to start from: %w", err)
	}
	defer f.Close()
	t, err := table.Read(f)
	return t, current, err
}

// awsConfig loads the SDK configuration and checks that it has credentials.
func awsConfig(ctx context.Context, profile string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	cfg.HTTPClient = awsapi.ShieldBody(cfg.HTTPClient)
	if cfg.Credentials == nil {
		return aws.Config{}, errors.New("no AWS credentials")
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials: %w", err)
	}
	return cfg, nil
}

package pricing

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	awspricing "github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/smithy-go/logging"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/awsapi"
)

// PricingAPI is the part of the Pricing API client the AWS provider uses.
type PricingAPI = awsapi.PricingAPI

// SpotAPI is the part of the EC2 client the AWS provider uses.
type SpotAPI = awsapi.SpotAPI

// AWSOptions configures NewAWS. The zero value uses the SDK's default chain.
type AWSOptions struct {
	// Region prices nodes without a region label (--region); empty: the
	// region of the AWS configuration.
	Region string
	// Profile is the shared-config profile (--profile); empty: the SDK chain
	// (AWS_PROFILE, default).
	Profile string
	// Logger receives fetch results and errors; nil discards them. The
	// provider never writes to stdout or stderr.
	Logger *slog.Logger

	// Config replaces loading the AWS configuration (tests, or a caller that
	// already has one).
	Config *aws.Config
	// HTTPClient replaces the configuration's HTTP client.
	HTTPClient aws.HTTPClient
	// PricingEndpoint and EC2Endpoint replace the resolved endpoints.
	PricingEndpoint, EC2Endpoint string
	// PricingClient and SpotClient replace the SDK clients: they are called
	// with the Pricing endpoint region and the EC2 region.
	PricingClient func(endpointRegion string) PricingAPI
	SpotClient    func(region string) SpotAPI

	// RefreshInterval between full refreshes; default 12h.
	RefreshInterval time.Duration
	// RetryInterval before fetching again what failed; default 5m.
	RetryInterval time.Duration
	// Debounce gathers newly seen types and regions before fetching; default 1s.
	Debounce time.Duration
}

// AWS is the live Provider: EC2 on-demand, spot, Fargate and Auto Mode list
// prices from the AWS APIs, fetched in the background and answered from
// memory. Until a price is fetched (and when fetching fails) it answers from
// the static table, and Status says why.
type AWS struct {
	region     string // for nodes without a region label
	log        *slog.Logger
	newPricing func(endpointRegion string) PricingAPI
	newSpot    func(region string) SpotAPI
	every      time.Duration
	retry      time.Duration
	debounce   time.Duration

	wake    chan struct{} // new wants (cap 1)
	refresh chan struct{} // full refresh requested (cap 1)
	changed chan struct{} // prices or Status changed (cap 1): Changed
	done    chan struct{} // closed when the background goroutine ends

	memo memo // hot path; cleared under mu whenever data changes

	mu      sync.Mutex
	regions map[string]*regionState
	// regionless: a node needed a region and neither it nor the options
	// had one.
	regionless bool
	status     string
	// wanted counts pokes (new wants); tried is the count the last
	// finished sync planned for: Settled when they are equal.
	wanted, tried uint64
}

// NewAWS loads the AWS configuration and starts fetching in the background
// until ctx is cancelled; it does not wait for any fetch. It fails only when
// the configuration cannot be loaded (an unknown --profile, say).
func NewAWS(ctx context.Context, o AWSOptions) (*AWS, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The SDK logs to stderr by default (the IMDSv1 fallback warning, say),
	// which would tear the TUI: route it to our logger.
	sdkLog := sdkLogger{logger}
	var cfg aws.Config
	if o.Config != nil {
		cfg = o.Config.Copy()
	} else if o.PricingClient == nil || o.SpotClient == nil {
		opts := []func(*config.LoadOptions) error{config.WithLogger(sdkLog)}
		if o.Profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(o.Profile))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
	}
	cfg.Logger = sdkLog
	if o.HTTPClient != nil {
		cfg.HTTPClient = o.HTTPClient
	}
	cfg.HTTPClient = awsapi.ShieldBody(cfg.HTTPClient)
	a := &AWS{
		region:     o.Region,
		log:        logger,
		newPricing: o.PricingClient,
		newSpot:    o.SpotClient,
		every:      or(o.RefreshInterval, 12*time.Hour),
		retry:      or(o.RetryInterval, 5*time.Minute),
		debounce:   or(o.Debounce, time.Second),
		wake:       make(chan struct{}, 1),
		refresh:    make(chan struct{}, 1),
		changed:    make(chan struct{}, 1),
		done:       make(chan struct{}),
		regions:    map[string]*regionState{},
	}
	if a.region == "" {
		a.region = cfg.Region
	}
	if a.newPricing == nil {
		a.newPricing = func(endpoint string) PricingAPI {
			return awspricing.NewFromConfig(cfg, func(po *awspricing.Options) {
				po.Region = endpoint
				if o.PricingEndpoint != "" {
					po.BaseEndpoint = aws.String(o.PricingEndpoint)
				}
			})
		}
	}
	if a.newSpot == nil {
		a.newSpot = func(region string) SpotAPI {
			return ec2.NewFromConfig(cfg, func(eo *ec2.Options) {
				eo.Region = region
				if o.EC2Endpoint != "" {
					eo.BaseEndpoint = aws.String(o.EC2Endpoint)
				}
			})
		}
	}
	a.newPricing, a.newSpot = reuse(a.newPricing), reuse(a.newSpot)
	a.mu.Lock()
	a.regionLocked(a.region) // fetch the default region's prices at once
	a.mu.Unlock()
	go a.run(ctx)
	return a, nil
}

// reuse makes one client per region. Only the fetching goroutine calls it.
func reuse[C any](build func(region string) C) func(string) C {
	clients := map[string]C{}
	return func(region string) C {
		c, ok := clients[region]
		if !ok {
			c = build(region)
			clients[region] = c
		}
		return c
	}
}

// sdkLogger sends the SDK's log lines to slog.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	l.log.Log(context.Background(), level, "aws sdk: "+fmt.Sprintf(format, v...))
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Region is the region used for nodes without a region label ("" if none).
func (a *AWS) Region() string { return a.region }

// Refresh asks for a full refresh now (it does not wait for it).
func (a *AWS) Refresh() { signal(a.refresh) }

// Changed implements Provider: a value after fetched prices or Status changed.
func (a *AWS) Changed() <-chan struct{} { return a.changed }

// Done is closed when the background fetching has stopped (ctx cancelled).
func (a *AWS) Done() <-chan struct{} { return a.done }

// Status implements Provider.
func (a *AWS) Status() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// noRegion is the live data of nodes whose region is not known.
var noRegion = &live{noSpot: "spot price unknown: no region (label or --region)"}

// NodePrice implements Provider. A type, capacity or region seen for the
// first time is noted, and fetched in the background shortly after.
func (a *AWS) NodePrice(n Node) Price {
	key := memoKey(n)
	if p, ok := a.memo.get(key); ok {
		return p
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	region := n.Region
	if region == "" {
		region = a.region
	}
	l := noRegion
	if r := a.regionLocked(region); r != nil {
		a.want(r, n)
		l = &r.live
	} else if region == "" && n.Override == "" && !a.regionless {
		a.regionless = true
		a.status = a.statusLocked()
	}
	p := resolve(n, region, l)
	a.memo.put(key, p)
	return p
}

// poke wakes the background goroutine without blocking. Called with a.mu
// held.
func (a *AWS) poke() {
	a.wanted++
	signal(a.wake)
}

// Settled reports whether every fetch the priced nodes asked for so far has
// been tried, whatever came of it (Status says). A node that needs something
// new (a type, a region, spot) unsettles it until the background fetch has
// run; Changed fires when it settles. A one-shot output waits for it, so
// that it prints live prices rather than the static table's.
func (a *AWS) Settled() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tried == a.wanted
}

// signal sends on a channel of capacity 1 without blocking: a signal
// already pending stands for this one too.
func signal(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

package pricing

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/awsapi"
)

// regionState is what the AWS provider knows and wants for one region.
// Guarded by AWS.mu.
type regionState struct {
	live live
	// Wants, noted by NodePrice.
	spotTypes map[string]bool
	// odMissing: types absent from the fetched on-demand table, to fetch on
	// their own once (false: to do, true: done).
	odMissing map[string]bool
	autoMode  bool
	fargate   bool
	// Outcome of the last fetch of each kind.
	od, spot, eks outcome
	eksFargate    bool // the last good EKS fetch included Fargate rates
}

type outcome struct {
	ok   bool
	kind awsapi.Kind // of the last failure
	msg  string      // status text of the last failure
}

// regionLocked returns the state of region, creating it (and waking the
// fetcher) on first sight; nil for "" or a name that is not an AWS region.
func (a *AWS) regionLocked(name string) *regionState {
	if name == "" || RegionFromZone(name) != name {
		return nil
	}
	r, ok := a.regions[name]
	if !ok {
		r = &regionState{
			live:      live{noSpot: "spot price not fetched yet"},
			spotTypes: map[string]bool{},
			odMissing: map[string]bool{},
		}
		a.regions[name] = r
		a.poke()
	}
	return r
}

// want notes what pricing n needs from r.
func (a *AWS) want(r *regionState, n Node) {
	if n.Override != "" {
		return
	}
	if n.AutoMode && !r.autoMode {
		r.autoMode = true
		a.poke()
	}
	switch n.Capacity {
	case Fargate:
		if !r.fargate {
			r.fargate = true
			a.poke()
		}
	case Spot:
		if n.InstanceType != "" && !r.spotTypes[n.InstanceType] {
			r.spotTypes[n.InstanceType] = true
			a.poke()
		}
	}
	// On-demand (and Auto Mode nodes, whose fee estimate needs it): a type
	// missing from the fetched table may be newer than the table.
	if t := n.InstanceType; t != "" && (n.Capacity == OnDemand || n.AutoMode) && r.od.ok && len(r.live.onDemand) > 0 {
		if _, ok := r.live.onDemand[t]; !ok {
			if _, seen := r.odMissing[t]; !seen {
				r.odMissing[t] = false
				a.poke()
			}
		}
	}
}

func (a *AWS) run(ctx context.Context) {
	defer close(a.done)
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	var retry *time.Timer
	full := true
	// noCreds: the credential chain found nothing at the last sync. New wants
	// are then marked as failing for that reason without walking the chain
	// again (nor logging it again); the retry timer, the refresh tick and
	// Refresh try the chain afresh.
	var noCreds error
	for {
		var failed bool
		failed, noCreds = a.sync(ctx, full, noCreds)
		if retry != nil && !failed {
			retry.Stop()
			retry = nil
		}
		if failed && retry == nil { // a pending retry is not postponed
			retry = time.NewTimer(a.retry)
		}
		var retryC <-chan time.Time
		if retry != nil {
			retryC = retry.C
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			full, noCreds = true, nil
		case <-a.refresh:
			full, noCreds = true, nil
		case <-retryC:
			full, noCreds = false, nil
			retry = nil
		case <-a.wake:
			full = false
			t := time.NewTimer(a.debounce)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

type jobKind int

const (
	jobOnDemand jobKind = iota
	jobSpot
	jobEKS
)

type job struct {
	region  string
	kind    jobKind
	types   []string // spot: all wanted types; on-demand: only these (nil: all)
	fargate bool
}

// sync fetches what is missing (or everything, when full) and reports
// whether anything failed, and the error when no credentials were found.
// Given known (a no-credentials error from the sync before), it fails the
// jobs with it, quietly, without asking the credential chain again.
func (a *AWS) sync(ctx context.Context, full bool, known error) (failed bool, noCreds error) {
	noCreds = known
	jobs, wanted := a.plan(full)
	defer func() {
		if ctx.Err() != nil {
			return
		}
		a.mu.Lock()
		settles := wanted > a.tried
		a.tried = max(a.tried, wanted)
		a.mu.Unlock()
		if settles {
			signal(a.changed)
		}
	}()
	for _, j := range jobs {
		if ctx.Err() != nil {
			return false, nil
		}
		var err error
		if noCreds != nil {
			err = noCreds // don't walk the credential chain once per job
		} else {
			err = a.fetch(ctx, j)
		}
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			failed = true
			if k, _ := awsapi.Classify(err); k == awsapi.NoCredentials {
				noCreds = err
			}
			a.fail(j, err, known != nil)
		}
	}
	return failed, noCreds
}

// plan lists the fetches to do, region by region, and the count of wants
// it covers.
func (a *AWS) plan(full bool) ([]job, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := slices.Sorted(maps.Keys(a.regions))
	var jobs []job
	for _, name := range names {
		r := a.regions[name]
		_, hasPricing := awsapi.EndpointRegion(name)
		if hasPricing {
			if full || !r.od.ok {
				jobs = append(jobs, job{region: name, kind: jobOnDemand})
			} else if todo := pending(r.odMissing); len(todo) > 0 {
				jobs = append(jobs, job{region: name, kind: jobOnDemand, types: todo})
			}
		}
		if len(r.spotTypes) > 0 {
			newTypes := false
			for t := range r.spotTypes {
				newTypes = newTypes || !r.live.spotTypes[t]
			}
			if full || !r.spot.ok || newTypes {
				jobs = append(jobs, job{region: name, kind: jobSpot, types: slices.Sorted(maps.Keys(r.spotTypes))})
			}
		}
		if hasPricing && (r.autoMode || r.fargate) && (full || !r.eks.ok || (r.fargate && !r.eksFargate)) {
			jobs = append(jobs, job{region: name, kind: jobEKS, fargate: r.fargate})
		}
	}
	return jobs, a.wanted
}

func pending(m map[string]bool) []string {
	var out []string
	for t, done := range m {
		if !done {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// fetch runs one job and publishes its result.
func (a *AWS) fetch(ctx context.Context, j job) error {
	start := time.Now()
	switch j.kind {
	case jobOnDemand:
		endpoint, _ := awsapi.EndpointRegion(j.region)
		prices, err := awsapi.OnDemand(ctx, a.newPricing(endpoint), j.region, j.types...)
		if err != nil {
			return err
		}
		a.log.Debug("fetched on-demand prices", "region", j.region, "types", len(prices), "took", time.Since(start))
		a.publish(j.region, func(r *regionState) {
			r.od = outcome{ok: true}
			if j.types == nil {
				r.live.onDemand = prices
				return
			}
			merged := make(map[string]float64, len(r.live.onDemand)+len(prices))
			for t, p := range r.live.onDemand {
				merged[t] = p
			}
			for t, p := range prices {
				merged[t] = p
			}
			r.live.onDemand = merged
			for _, t := range j.types {
				r.odMissing[t] = true
			}
		})
	case jobSpot:
		prices, err := awsapi.Spot(ctx, a.newSpot(j.region), j.types, time.Now())
		if err != nil {
			return err
		}
		a.log.Debug("fetched spot prices", "region", j.region, "markets", len(prices), "took", time.Since(start))
		a.publish(j.region, func(r *regionState) {
			r.spot = outcome{ok: true}
			r.live.spot = prices
			r.live.spotTypes = make(map[string]bool, len(j.types))
			for _, t := range j.types {
				r.live.spotTypes[t] = true
			}
			r.live.noSpot = "spot price not fetched yet"
		})
	case jobEKS:
		endpoint, _ := awsapi.EndpointRegion(j.region)
		eks, err := awsapi.EKSPrices(ctx, a.newPricing(endpoint), j.region, j.fargate)
		if err != nil {
			return err
		}
		a.log.Debug("fetched EKS prices", "region", j.region, "autoModeTypes", len(eks.AutoModeFee), "fargate", j.fargate, "took", time.Since(start))
		a.publish(j.region, func(r *regionState) {
			r.eks = outcome{ok: true}
			r.live.fee = eks.AutoModeFee
			if j.fargate {
				r.eksFargate = true
				r.live.fargateVCPU, r.live.fargateGB = eks.FargateVCPU, eks.FargateGB
			}
		})
	}
	return nil
}

// fail records a failed job; the prices fetched before stay.
// Repeats of a failure already logged go to the debug level.
func (a *AWS) fail(j job, err error, repeat bool) {
	kind, code := awsapi.Classify(err)
	level := slog.LevelWarn
	if repeat {
		level = slog.LevelDebug
	}
	a.log.Log(context.Background(), level, "price fetch failed", "region", j.region, "what", j.kind.label(), "err", err)
	msg := failure(j.kind, kind, code, err)
	a.publish(j.region, func(r *regionState) {
		o := outcome{kind: kind, msg: msg}
		switch j.kind {
		case jobOnDemand:
			r.od = o
			for _, t := range j.types {
				r.odMissing[t] = true // fall back to the static table; retried on refresh
			}
		case jobSpot:
			r.spot = o
			r.live.noSpot = "spot price unavailable: " + strings.TrimPrefix(msg, "spot prices: ")
		case jobEKS:
			r.eks = o
		}
	})
}

// publish applies a change under the lock, forgets memoised prices,
// recomputes the status and signals Changed.
func (a *AWS) publish(region string, change func(*regionState)) {
	a.mu.Lock()
	if r := a.regions[region]; r != nil {
		change(r)
	}
	a.memo.clear()
	a.status = a.statusLocked()
	a.mu.Unlock()
	signal(a.changed)
}

func (k jobKind) label() string {
	switch k {
	case jobSpot:
		return "spot prices"
	case jobEKS:
		return "Auto Mode and Fargate prices"
	}
	return "on-demand prices"
}

func (k jobKind) action() string {
	if k == jobSpot {
		return "ec2:DescribeSpotPriceHistory"
	}
	return "pricing:GetProducts"
}

// failure is the status text of a failed fetch.
func failure(j jobKind, kind awsapi.Kind, code string, err error) string {
	switch kind {
	case awsapi.NoCredentials:
		return "no credentials"
	case awsapi.AccessDenied:
		return j.label() + ": AccessDenied for " + j.action()
	case awsapi.Throttled:
		return j.label() + ": throttled (" + code + "), will retry"
	}
	if code != "" {
		return j.label() + ": " + code
	}
	return j.label() + ": " + innermost(err)
}

// innermost is the message of the deepest wrapped error ("no such host"
// rather than the SDK's whole operation chain), cut to a status-line length.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:77] + "..."
	}
	return msg
}

// statusLocked explains, in one line, what is missing or degraded.
func (a *AWS) statusLocked() string {
	names := slices.Sorted(maps.Keys(a.regions))
	var msgs []string
	seen := map[string]bool{}
	noCreds, anyLive := false, false
	for _, name := range names {
		r := a.regions[name]
		anyLive = anyLive || r.od.ok
		for _, o := range []outcome{r.od, r.spot, r.eks} {
			noCreds = noCreds || (o.kind == awsapi.NoCredentials && o.msg != "")
			if o.msg != "" && !seen[o.msg] {
				seen[o.msg] = true
				msgs = append(msgs, o.msg)
			}
		}
	}
	if noCreds {
		return a.noCredentials(anyLive)
	}
	if a.regionless {
		msgs = append(msgs, "no region for some nodes: showing us-east-1 prices (set --region)")
	}
	return strings.Join(msgs, "; ")
}

func (a *AWS) noCredentials(haveLive bool) string {
	if haveLive {
		return "no credentials: keeping the prices fetched before"
	}
	shown := referenceRegion(a.region)
	if _, ok := staticTable().Regions[a.region]; ok {
		shown = a.region
	}
	return "no credentials: showing static " + shown + " prices"
}

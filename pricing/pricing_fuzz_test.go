package pricing

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzInstancePriceOverride: the eks-node-viewer/instance-price label gives
// a finite, non-negative override price that round-trips through its
// shortest decimal form, or an unknown price that says why.
func FuzzInstancePriceOverride(f *testing.F) {
	for _, s := range []string{"0.0421", " 1 ", "-1", "NaN", "Inf", "1e308", "1e309", "0x1p-2", "1_000", "", "\x1b]0;x\a", "0.1.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Describe("n", map[string]string{LabelInstancePrice: s, LabelInstanceType: "m5.large", LabelKarpenterCapacity: "on-demand"})
		if n.Override != s {
			t.Fatalf("Describe kept override %q, want %q", n.Override, s)
		}
		p := NewStatic("us-east-1").NodePrice(n)
		switch {
		case s == "":
			if p.Source == Override {
				t.Fatal("an empty label overrides the price")
			}
		case p.Known():
			if p.Source != Override || math.IsNaN(p.Hourly) || math.IsInf(p.Hourly, 0) || p.Hourly < 0 {
				t.Fatalf("%q: price %+v", s, p)
			}
			again := NewStatic("us-east-1").NodePrice(Node{Override: strconv.FormatFloat(p.Hourly, 'g', -1, 64)})
			if again.Hourly != p.Hourly || again.Source != Override {
				t.Fatalf("%q: %v does not round-trip: %+v", s, p.Hourly, again)
			}
		default:
			if p.Reason == "" || !strings.Contains(p.Reason, LabelInstancePrice) {
				t.Fatalf("%q: unknown price without its reason: %+v", s, p)
			}
		}
	})
}

// FuzzFargateCapacityAnnotation: an accepted CapacityProvisioned annotation
// is two positive finite sizes that round-trip, its instance type is one
// word, and its price is finite and non-negative.
func FuzzFargateCapacityAnnotation(f *testing.F) {
	for _, s := range []string{"0.25vCPU 0.5GB", "0.5GB 0.25vCPU", "4vCPU  30GB", "1e308vCPU 1.7e308GB", "0vCPU 1GB", "1vCPU 1vCPU", "NaNvCPU 1GB", "1vCPU\t2GB\n", "1vCPU", "", "\x1b]0;pwned\a 1GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vcpu, gb, ok := ParseFargateCapacity(s)
		if ok {
			for _, v := range []float64{vcpu, gb} {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Fatalf("%q: sizes %v %v", s, vcpu, gb)
				}
			}
			canon := strconv.FormatFloat(vcpu, 'g', -1, 64) + "vCPU " + strconv.FormatFloat(gb, 'g', -1, 64) + "GB"
			if v2, g2, ok2 := ParseFargateCapacity(canon); !ok2 || v2 != vcpu || g2 != gb {
				t.Fatalf("%q: %q does not round-trip", s, canon)
			}
			if typ := FargateInstanceType(s); strings.ContainsAny(typ, " \t\n\r\v\f") {
				t.Fatalf("%q: instance type %q has spaces", s, typ)
			}
		}
		p := NewStatic("us-east-1").NodePrice(Node{Capacity: Fargate, FargateCapacity: s})
		if p.Known() != ok || p.Known() && (math.IsInf(p.Hourly, 0) || !(p.Hourly >= 0)) {
			t.Fatalf("%q (ok %v): price %+v", s, ok, p)
		}
	})
}

var regionForm = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]+$`)

// FuzzRegionFromZone: a region is a prefix of its zone, has the form of an
// AWS region, and is its own region.
func FuzzRegionFromZone(f *testing.F) {
	for _, s := range []string{"us-east-1a", "us-west-2-lax-1a", "us-east-1-wl1-bos-wlz-1", "us-east-1", "eu-central-1", "cn-north-1a", "kind", "us--1a", "US-EAST-1A", "a-1", "-", "us-east-", "us-east-1-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, zone string) {
		r := RegionFromZone(zone)
		if r == "" {
			return
		}
		if !strings.HasPrefix(zone, r) || !regionForm.MatchString(r) {
			t.Fatalf("RegionFromZone(%q) = %q", zone, r)
		}
		if again := RegionFromZone(r); again != r {
			t.Fatalf("RegionFromZone(%q) = %q, but of that %q", zone, r, again)
		}
	})
}

// FuzzDescribe: any labels describe a node whose fields come from them.
func FuzzDescribe(f *testing.F) {
	f.Add("ip-10-0-0-1", "m5.large", "us-east-1a", "", "spot", "ON_DEMAND", "auto", "")
	f.Add("fargate-ip-1", "", "", "eu-west-1", "", "", "fargate", "0.5")
	f.Add("n", "\x1b[2J", "us-west-2-lax-1a", "", "reserved", "CAPACITY_BLOCK", "", "-1")
	f.Fuzz(func(t *testing.T, name, typ, zone, region, karpCap, eksCap, compute, override string) {
		labels := map[string]string{
			LabelInstanceTypeBeta: typ, LabelZoneBeta: zone, LabelRegion: region,
			LabelKarpenterCapacity: karpCap, LabelEKSCapacity: eksCap, LabelEKSComputeType: compute, LabelInstancePrice: override,
		}
		n := Describe(name, labels)
		if n.Name != name || n.InstanceType != typ || n.Zone != zone || n.Override != override {
			t.Fatalf("Describe = %+v from %v", n, labels)
		}
		if want := region; want == "" && n.Region != RegionFromZone(zone) || want != "" && n.Region != want {
			t.Fatalf("region %q from zone %q and label %q", n.Region, zone, region)
		}
		if n.Capacity < CapacityUnknown || n.Capacity > Reserved || n.Capacity.String() == "" {
			t.Fatalf("capacity %d", n.Capacity)
		}
		if (compute == "fargate") != (n.Capacity == Fargate) || n.AutoMode != (compute == "auto") {
			t.Fatalf("compute type %q gave %+v", compute, n)
		}
		p := NewStatic("us-east-1").NodePrice(n)
		if p.Known() && (math.IsInf(p.Hourly, 0) || !(p.Hourly >= 0)) {
			t.Fatalf("price %+v", p)
		}
	})
}

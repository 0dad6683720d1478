package pricing

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestStatic(t *testing.T) {
	p := NewStatic("us-east-1")
	odUSE1 := Node{InstanceType: "t3a.medium", Capacity: OnDemand, Zone: "us-east-1a", Region: "us-east-1"}
	tests := []struct {
		name     string
		node     Node
		hourly   float64
		currency string
		source   Source
		reason   string // substring of Reason
	}{
		{"on-demand us-east-1", odUSE1, 0.0376, "USD", Static, ""},
		{"default region for unlabelled node", Node{InstanceType: "m5.large", Capacity: OnDemand}, 0.096, "USD", Static, ""},
		{"bare metal", Node{InstanceType: "m5.metal", Capacity: OnDemand, Region: "us-east-1"}, 4.608, "USD", Static, ""},
		{"region not in table: us-east-1 estimate", Node{InstanceType: "m5.large", Capacity: OnDemand, Region: "eu-west-1"}, 0.096, "USD", Estimate, "us-east-1 list price"},
		{"GovCloud has its own prices", Node{InstanceType: "m5.large", Capacity: OnDemand, Region: "us-gov-west-1"}, 0.121, "USD", Static, ""},
		{"China in CNY", Node{InstanceType: "c5.large", Capacity: OnDemand, Region: "cn-north-1"}, 0.739, "CNY", Static, ""},
		{"other China region: cn-north-1 estimate in CNY", Node{InstanceType: "c5.large", Capacity: OnDemand, Region: "cn-northwest-1"}, 0.739, "CNY", Estimate, "cn-north-1 list price"},
		{"Auto Mode: on-demand + 12%", Node{InstanceType: "t3a.medium", Capacity: OnDemand, AutoMode: true, Region: "us-east-1"}, 0.0376 * 1.12, "USD", Estimate, "12%"},
		{"Auto Mode spot has no static price", Node{InstanceType: "t3a.medium", Capacity: Spot, AutoMode: true, Zone: "us-east-1a", Region: "us-east-1"}, 0, "", Unknown, "spot prices need AWS access"},
		{"spot", Node{InstanceType: "m5.large", Capacity: Spot, Zone: "us-east-1a", Region: "us-east-1"}, 0, "", Unknown, "spot"},
		{"spot without zone", Node{InstanceType: "m5.large", Capacity: Spot, Region: "us-east-1"}, 0, "", Unknown, "zone"},
		{"reserved", Node{InstanceType: "m5.large", Capacity: Reserved, Region: "us-east-1"}, 0, "", Unknown, "reserved"},
		{"self-managed (no capacity label)", Node{InstanceType: "m5.large", Region: "us-east-1"}, 0, "", Unknown, "capacity-type"},
		{"unknown type", Node{InstanceType: "zz9.huge", Capacity: OnDemand, Region: "us-east-1"}, 0, "", Unknown, "zz9.huge"},
		{"unknown type, other region", Node{InstanceType: "zz9.huge", Capacity: OnDemand, Region: "eu-west-1"}, 0, "", Unknown, "zz9.huge"},
		{"no instance type", Node{Capacity: OnDemand, Region: "us-east-1"}, 0, "", Unknown, "instance-type"},
		{"override", Node{InstanceType: "m5.large", Capacity: Spot, Override: "0.5"}, 0.5, "USD", Override, ""},
		{"override zero is a price", Node{Override: "0"}, 0, "USD", Override, ""},
		{"override in China is CNY", Node{Override: "2.5", Region: "cn-north-1"}, 2.5, "CNY", Override, ""},
		{"override unparsable", Node{InstanceType: "m5.large", Capacity: OnDemand, Override: "cheap"}, 0, "", Unknown, `"cheap"`},
		{"override negative", Node{Override: "-1"}, 0, "", Unknown, `"-1"`},
		{"override NaN", Node{Override: "NaN"}, 0, "", Unknown, `"NaN"`},
		{"fargate", Node{Capacity: Fargate, Region: "us-east-1", FargateCapacity: "0.25vCPU 0.5GB"}, 0.25*0.04048 + 0.5*0.004445, "USD", Static, ""},
		{"fargate elsewhere: estimate", Node{Capacity: Fargate, Region: "eu-west-1", FargateCapacity: "2vCPU 4GB"}, 2*0.04048 + 4*0.004445, "USD", Estimate, "us-east-1 Fargate rates"},
		{"fargate China: unknown", Node{Capacity: Fargate, Region: "cn-north-1", FargateCapacity: "2vCPU 4GB"}, 0, "", Unknown, "Fargate"},
		{"fargate size not seen yet", Node{Capacity: Fargate, Region: "us-east-1"}, 0, "", Unknown, "Fargate size"},
		{"fargate malformed", Node{Capacity: Fargate, Region: "us-east-1", FargateCapacity: "lots"}, 0, "", Unknown, `"lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.NodePrice(tt.node)
			if got.Source != tt.source || !near(got.Hourly, tt.hourly) || got.Currency != tt.currency || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("NodePrice(%+v) = %+v, want %v %v %v reason ~%q", tt.node, got, tt.hourly, tt.currency, tt.source, tt.reason)
			}
			if got.Source == Unknown && got.Reason == "" {
				t.Errorf("unknown price without a reason")
			}
			if again := p.NodePrice(tt.node); again != got {
				t.Errorf("second call = %+v, first %+v", again, got)
			}
		})
	}
	if s := p.Status(); s != "" {
		t.Errorf("Status() = %q", s)
	}
}

// The seed lab: one t3a.medium Auto Mode node in us-east-1 shows
// t3a.medium/$0.0421.
func TestStaticLabAutoMode(t *testing.T) {
	n := Describe("i-0123456789abcdef0", map[string]string{
		LabelInstanceType:      "t3a.medium",
		LabelKarpenterCapacity: "on-demand",
		LabelEKSComputeType:    "auto",
		LabelZone:              "us-east-1a",
		LabelRegion:            "us-east-1",
	})
	got := NewStatic("").NodePrice(n)
	if s := fmt.Sprintf("$%.4f", got.Hourly); s != "$0.0421" || got.Source != Estimate {
		t.Errorf("lab node = %s (%v), want $0.0421 estimate", s, got.Source)
	}
	if s := fmt.Sprintf("$%.2f", got.Hourly*HoursPerMonth); s != "$30.74" {
		t.Errorf("lab month = %s, want $30.74", s)
	}
}

func TestStaticNeverChanges(t *testing.T) {
	if c := NewStatic("us-east-1").Changed(); c != nil {
		t.Errorf("static Changed() = %v, want nil", c)
	}
	if c := NewRecorded(Recorded{Region: "us-east-1"}).Changed(); c != nil {
		t.Errorf("recorded Changed() = %v, want nil", c)
	}
}

// A recording answers as the live provider would have from the same data:
// recorded prices are Live, the rest falls back as it does live.
func TestRecorded(t *testing.T) {
	onDemand := map[string]float64{"t3a.medium": 0.0376}
	p := NewRecorded(Recorded{
		Region:      "us-east-1",
		OnDemand:    onDemand,
		AutoModeFee: map[string]float64{"t3a.medium": 0.00451},
	})
	onDemand["t3a.medium"] = 1 // the provider keeps its own copy
	lab := Node{InstanceType: "t3a.medium", Capacity: OnDemand, AutoMode: true, Zone: "us-east-1a"}
	tests := []struct {
		name string
		node Node
		want Price
	}{
		{"recorded, Auto Mode", lab, Price{Hourly: 0.0376 + 0.00451, Currency: "USD", Source: Live}},
		{"recorded, no region label", Node{InstanceType: "t3a.medium", Capacity: OnDemand}, Price{Hourly: 0.0376, Currency: "USD", Source: Live}},
		{"not recorded", Node{InstanceType: "m5.large", Capacity: OnDemand, Region: "us-east-1"}, Price{Hourly: 0.096, Currency: "USD", Source: Static}},
		{"fee not recorded", Node{InstanceType: "m5.large", Capacity: OnDemand, AutoMode: true, Region: "us-east-1"},
			Price{Hourly: 0.096 * (1 + AutoModeFeeShare), Currency: "USD", Source: Estimate, Reason: feeEstimateReason}},
		{"another region", Node{InstanceType: "t3a.medium", Capacity: OnDemand, Region: "us-west-2"},
			Price{Hourly: 0.0376, Currency: "USD", Source: Estimate, Reason: "us-east-1 list price"}},
		{"spot", Node{InstanceType: "t3a.medium", Capacity: Spot, Zone: "us-east-1a", Region: "us-east-1"}, Price{Reason: "no spot prices recorded"}},
	}
	for _, tt := range tests {
		got := p.NodePrice(tt.node)
		if !near(got.Hourly, tt.want.Hourly) || got.Currency != tt.want.Currency || got.Source != tt.want.Source || got.Reason != tt.want.Reason {
			t.Errorf("%s = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := p.NodePrice(lab); got.Hourly != 0.0376+0.00451 {
		t.Errorf("lab node = %v, want exactly 0.0376+0.00451", got.Hourly)
	}
}

func TestStaticUnknownRegion(t *testing.T) {
	got := NewStatic("").NodePrice(Node{InstanceType: "m5.large", Capacity: OnDemand})
	if got.Source != Estimate || !near(got.Hourly, 0.096) || got.Reason != "us-east-1 list price" {
		t.Errorf("no region anywhere = %+v, want us-east-1 estimate", got)
	}
}

func TestStaticTable(t *testing.T) {
	regions := StaticRegions()
	for _, r := range []string{"us-east-1", "us-gov-east-1", "us-gov-west-1", "cn-north-1"} {
		if regions[r].IsZero() {
			t.Errorf("static table lacks %s or its capture date", r)
		}
	}
	if n := len(staticTable().Regions["us-east-1"].Prices); n < 1000 {
		t.Errorf("us-east-1 has %d types, want the full list", n)
	}
	for name, r := range staticTable().Regions {
		for typ, p := range r.Prices {
			if !(p > 0) {
				t.Errorf("%s %s: price %v", name, typ, p)
			}
		}
	}
}

func TestParseFargateCapacity(t *testing.T) {
	tests := []struct {
		in       string
		vcpu, gb float64
		ok       bool
	}{
		{"0.25vCPU 0.5GB", 0.25, 0.5, true},
		{"4vCPU 30GB", 4, 30, true},
		{" 2vCPU   8GB ", 2, 8, true},
		{"8GB 2vCPU", 2, 8, true},
		{"", 0, 0, false},
		{"0.25vCPU", 0, 0, false},
		{"0.25vCPU 0.5GB 1GB", 0, 0, false},
		{"0.25vCPU 0.25vCPU", 0, 0, false},
		{"xvCPU 0.5GB", 0, 0, false},
		{"0vCPU 0.5GB", 0, 0, false},
		{"-1vCPU 0.5GB", 0, 0, false},
		{"NaNvCPU 0.5GB", 0, 0, false},
		{"InfvCPU 0.5GB", 0, 0, false},
		{"0.25 vCPU 0.5GB", 0, 0, false},
		{"0.25vCPU 0.5MB", 0, 0, false},
	}
	for _, tt := range tests {
		v, g, ok := ParseFargateCapacity(tt.in)
		if v != tt.vcpu || g != tt.gb || ok != tt.ok {
			t.Errorf("ParseFargateCapacity(%q) = %v, %v, %v; want %v, %v, %v", tt.in, v, g, ok, tt.vcpu, tt.gb, tt.ok)
		}
	}
	if got := FargateInstanceType("0.25vCPU 0.5GB"); got != "0.25vCPU-0.5GB" {
		t.Errorf("FargateInstanceType = %q", got)
	}
}

func FuzzParseFargateCapacity(f *testing.F) {
	f.Add("0.25vCPU 0.5GB")
	f.Add("1e308vCPU 1e-308GB")
	f.Fuzz(func(t *testing.T, s string) {
		p := NewStatic("us-east-1").NodePrice(Node{Capacity: Fargate, FargateCapacity: s})
		if p.Known() && !(p.Hourly >= 0) {
			t.Errorf("%q priced %v", s, p.Hourly)
		}
	})
}

func BenchmarkStaticNodePrice(b *testing.B) {
	p := NewStatic("us-east-1")
	n := Node{Name: "ip-10-0-0-1", InstanceType: "m5.large", Capacity: Spot, Zone: "us-east-1a", Region: "us-east-1"}
	b.ReportAllocs()
	for b.Loop() {
		p.NodePrice(n)
	}
}

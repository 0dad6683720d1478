package pricing

import "testing"

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   Node
	}{
		{
			name:   "no labels",
			labels: nil,
			want:   Node{},
		},
		{
			name: "karpenter on-demand",
			labels: map[string]string{
				LabelInstanceType:      "m5.large",
				LabelKarpenterCapacity: "on-demand",
				LabelZone:              "us-east-1a",
				LabelRegion:            "us-east-1",
			},
			want: Node{InstanceType: "m5.large", Capacity: OnDemand, Zone: "us-east-1a", Region: "us-east-1"},
		},
		{
			name: "karpenter spot, region from zone",
			labels: map[string]string{
				LabelInstanceType:      "c5.large",
				LabelKarpenterCapacity: "spot",
				LabelZone:              "eu-west-1b",
			},
			want: Node{InstanceType: "c5.large", Capacity: Spot, Zone: "eu-west-1b", Region: "eu-west-1"},
		},
		{
			name:   "karpenter reserved",
			labels: map[string]string{LabelKarpenterCapacity: "reserved"},
			want:   Node{Capacity: Reserved},
		},
		{
			name:   "karpenter label wins over managed node group label",
			labels: map[string]string{LabelKarpenterCapacity: "spot", LabelEKSCapacity: "ON_DEMAND"},
			want:   Node{Capacity: Spot},
		},
		{
			name:   "managed node group on-demand",
			labels: map[string]string{LabelEKSCapacity: "ON_DEMAND"},
			want:   Node{Capacity: OnDemand},
		},
		{
			name:   "managed node group spot",
			labels: map[string]string{LabelEKSCapacity: "SPOT"},
			want:   Node{Capacity: Spot},
		},
		{
			name:   "managed node group capacity block",
			labels: map[string]string{LabelEKSCapacity: "CAPACITY_BLOCK"},
			want:   Node{Capacity: Reserved},
		},
		{
			name:   "unknown capacity value",
			labels: map[string]string{LabelKarpenterCapacity: "weird", LabelEKSCapacity: "odd"},
			want:   Node{},
		},
		{
			name: "fargate",
			labels: map[string]string{
				LabelEKSComputeType: "fargate",
				LabelZone:           "us-east-1c",
			},
			want: Node{Capacity: Fargate, Zone: "us-east-1c", Region: "us-east-1"},
		},
		{
			name: "auto mode keeps karpenter capacity",
			labels: map[string]string{
				LabelInstanceType:      "t3a.medium",
				LabelKarpenterCapacity: "on-demand",
				LabelEKSComputeType:    "auto",
				LabelZone:              "us-east-1a",
			},
			want: Node{InstanceType: "t3a.medium", Capacity: OnDemand, AutoMode: true, Zone: "us-east-1a", Region: "us-east-1"},
		},
		{
			name:   "auto mode spot",
			labels: map[string]string{LabelKarpenterCapacity: "spot", LabelEKSComputeType: "auto"},
			want:   Node{Capacity: Spot, AutoMode: true},
		},
		{
			name: "beta labels",
			labels: map[string]string{
				LabelInstanceTypeBeta: "m4.large",
				LabelZoneBeta:         "us-west-2c",
				LabelRegionBeta:       "us-west-2",
			},
			want: Node{InstanceType: "m4.large", Zone: "us-west-2c", Region: "us-west-2"},
		},
		{
			name: "GA labels win over beta",
			labels: map[string]string{
				LabelInstanceType:     "m5.large",
				LabelInstanceTypeBeta: "m4.large",
				LabelZone:             "us-west-2a",
				LabelZoneBeta:         "us-west-2c",
			},
			want: Node{InstanceType: "m5.large", Zone: "us-west-2a", Region: "us-west-2"},
		},
		{
			name:   "region label wins over zone",
			labels: map[string]string{LabelZone: "us-west-2-lax-1a", LabelRegion: "us-west-2"},
			want:   Node{Zone: "us-west-2-lax-1a", Region: "us-west-2"},
		},
		{
			name:   "override",
			labels: map[string]string{LabelInstancePrice: "1.5"},
			want:   Node{Override: "1.5"},
		},
		{
			name:   "kwok zone gives no region",
			labels: map[string]string{LabelZone: "test-zone-a"},
			want:   Node{Zone: "test-zone-a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Name = "node-1"
			if got := Describe("node-1", tt.labels); got != tt.want {
				t.Errorf("Describe() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRegionFromZone(t *testing.T) {
	tests := map[string]string{
		"us-east-1a":                   "us-east-1",
		"us-east-1":                    "us-east-1",
		"eu-central-2b":                "eu-central-2",
		"ap-southeast-7c":              "ap-southeast-7",
		"us-gov-west-1a":               "us-gov-west-1",
		"cn-north-1a":                  "cn-north-1",
		"cn-northwest-1b":              "cn-northwest-1",
		"us-west-2-lax-1a":             "us-west-2",
		"us-west-2-lax-1b":             "us-west-2",
		"us-east-1-bos-1a":             "us-east-1",
		"us-east-1-wl1-bos-wlz-1":      "us-east-1",
		"ap-northeast-1-wl1-nrt-wlz-1": "ap-northeast-1",
		"us-isob-east-1a":              "us-isob-east-1",
		"eusc-de-east-1a":              "eusc-de-east-1",
		"":                             "",
		"test-zone-a":                  "",
		"zone-1":                       "",
		"europe-west1-b":               "",
		"eastus-1":                     "",
		"US-EAST-1A":                   "",
		"us--east-1a":                  "",
		"-":                            "",
		"us-east-":                     "",
	}
	for zone, want := range tests {
		if got := RegionFromZone(zone); got != want {
			t.Errorf("RegionFromZone(%q) = %q, want %q", zone, got, want)
		}
	}
}

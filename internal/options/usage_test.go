package options

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUsageOptions(t *testing.T) {
	o, err := Parse(nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Usage || o.UsageInterval != 15*time.Second {
		t.Errorf("defaults: usage %v interval %s, want true 15s", o.Usage, o.UsageInterval)
	}
	o, err = Parse([]string{"--usage=false", "--usage-interval", "1m"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Usage || o.UsageInterval != time.Minute {
		t.Errorf("flags: usage %v interval %s", o.Usage, o.UsageInterval)
	}
	o, err = Parse([]string{"--usage-interval", "10s"}, writeConfig(t, "usage=false\nusage-interval=30s\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Usage || o.UsageInterval != 10*time.Second {
		t.Errorf("file and flag: usage %v interval %s, want false 10s", o.Usage, o.UsageInterval)
	}
	o, err = Parse([]string{"--extra-labels", LabelCPUUsed + "," + LabelMemoryUsed, "--node-sort", LabelMemoryUsed + "=asc"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Sort != (SortSpec{Key: LabelMemoryUsed}) || o.ExtraLabels[0] != LabelCPUUsed {
		t.Errorf("used labels: %+v %v", o.Sort, o.ExtraLabels)
	}
}

func TestUsageOptionErrors(t *testing.T) {
	tests := []struct {
		args   []string
		config string
		want   string
	}{
		{[]string{"--usage-interval", "5s"}, "", `invalid --usage-interval 5s: must be at least 10s (metrics-server samples no faster)`},
		{[]string{"--usage-interval", "0"}, "", `invalid --usage-interval 0s: must be at least 10s`},
		{[]string{"--usage-interval", "fast"}, "", `invalid argument "fast" for "--usage-interval" flag`},
		{nil, "usage-interval=2s\n", `:1: invalid --usage-interval 2s: must be at least 10s`},
		{[]string{"--extra-labels", "eks-node-viewer/node-pods-used"}, "", `invalid --extra-labels: "eks-node-viewer/node-pods-used": usage is measured for cpu and memory only`},
		{[]string{"--node-sort", "eks-node-viewer/node-gpu-used=dsc"}, "", `invalid --node-sort "eks-node-viewer/node-gpu-used=dsc": usage is measured for cpu and memory only`},
	}
	for _, tt := range tests {
		cfg := ""
		if tt.config != "" {
			cfg = writeConfig(t, tt.config)
		}
		_, err := Parse(tt.args, cfg, nil)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a UsageError", tt.args, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %q, want one line containing %q", tt.args, err, tt.want)
		}
	}
}

func TestUsedLabelResource(t *testing.T) {
	tests := map[string]string{
		LabelCPUUsed:                      "cpu",
		LabelMemoryUsed:                   "memory",
		"eks-node-viewer/node-cpu-usage":  "",
		"eks-node-viewer/node-pods-used":  "",
		"eks-node-viewer/node-cpu-used-x": "",
	}
	for in, want := range tests {
		got, ok := UsedLabelResource(in)
		if got != want || ok != (want != "") {
			t.Errorf("%s: got %q %v, want %q", in, got, ok, want)
		}
	}
}

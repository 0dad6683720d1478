package options

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".eks-node-viewer")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseDefaults(t *testing.T) {
	o, err := Parse(nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.NodeSort != "creation=dsc" || !o.Sort.Descending || o.Sort.Key != "creation" {
		t.Errorf("sort = %q %+v", o.NodeSort, o.Sort)
	}
	if strings.Join(o.Resources, ",") != "cpu" {
		t.Errorf("resources = %v", o.Resources)
	}
	if o.Colors != [3]string{"#04B575", "#FFFF00", "#FF0000"} {
		t.Errorf("colors = %v", o.Colors)
	}
	if !o.Selector.Empty() {
		t.Errorf("selector = %v", o.Selector)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(*Options) bool
	}{
		{"long", []string{"--node-selector", "karpenter.sh/nodepool"}, func(o *Options) bool { return o.NodeSelector == "karpenter.sh/nodepool" }},
		{"single dash long (old docs)", []string{"-node-selector", "a=b"}, func(o *Options) bool { return o.NodeSelector == "a=b" }},
		{"single dash long with =", []string{"-node-selector=a=b"}, func(o *Options) bool { return o.NodeSelector == "a=b" }},
		{"shorthand", []string{"-l", "a=b"}, func(o *Options) bool { return o.NodeSelector == "a=b" }},
		{"shorthand attached", []string{"-la=b"}, func(o *Options) bool { return o.NodeSelector == "a=b" }},
		{"resources", []string{"--resources", "cpu,memory,nvidia.com/gpu"}, func(o *Options) bool {
			return strings.Join(o.Resources, ",") == "cpu,memory,nvidia.com/gpu"
		}},
		{"extra labels", []string{"-extra-labels", "topology.kubernetes.io/zone,eks-node-viewer/node-age"}, func(o *Options) bool {
			return len(o.ExtraLabels) == 2 && o.ExtraLabels[1] == "eks-node-viewer/node-age"
		}},
		{"computed gpu usage label", []string{"--extra-labels", "eks-node-viewer/node-nvidia.com/gpu-usage", "--node-sort", "eks-node-viewer/node-nvidia.com/gpu-usage"}, func(o *Options) bool {
			return o.ExtraLabels[0] == "eks-node-viewer/node-nvidia.com/gpu-usage" && o.Sort.Key == o.ExtraLabels[0]
		}},
		{"sort asc", []string{"--node-sort", "karpenter.sh/nodepool=asc"}, func(o *Options) bool {
			return o.Sort == SortSpec{Key: "karpenter.sh/nodepool"}
		}},
		{"version short", []string{"-v"}, func(o *Options) bool { return o.Version }},
		{"disable pricing", []string{"-disable-pricing"}, func(o *Options) bool { return o.DisablePricing }},
		{"demo selects the lab's nodes", []string{"--demo"}, func(o *Options) bool { return o.NodeSelector == DemoNodeSelector }},
		{"demo with own selector", []string{"--demo", "-l", "x"}, func(o *Options) bool { return o.NodeSelector == "x" }},
		{"region profile", []string{"--region", "eu-west-1", "--profile", "prod"}, func(o *Options) bool {
			return o.Region == "eu-west-1" && o.Profile == "prod"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse(tt.args, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(o) {
				t.Errorf("unexpected options %+v", o)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--node-selector", "a in (b"}, `invalid --node-selector "a in (b": `},
		{[]string{"--node-sort", "creation=up"}, `invalid --node-sort "creation=up": order must be asc or dsc, not "up"`},
		{[]string{"--node-sort", "=asc"}, `invalid --node-sort "=asc": name creation or a label key`},
		{[]string{"--node-sort", "bad key!"}, `invalid --node-sort "bad key!": "bad key!" is not a label key`},
		{[]string{"--style", "#fff,#000"}, `invalid --style "#fff,#000": want three colours (good,ok,bad), e.g. #04B575,#FFFF00,#FF0000`},
		{[]string{"--style", "#fff,#000,red"}, `invalid --style "#fff,#000,red": "red" is not a colour like #04B575`},
		{[]string{"--resources", "cpu,bad name"}, `invalid --resources "cpu,bad name": "bad name" is not a resource name`},
		{[]string{"--resources", "cpu,cpu"}, `invalid --resources "cpu,cpu": "cpu" is listed twice`},
		{[]string{"--resources", ""}, `invalid --resources: name at least one resource, e.g. cpu`},
		{[]string{"--extra-labels", "ok,not ok"}, `invalid --extra-labels: "not ok" is not a label key`},
		{[]string{"--bogus"}, `unknown flag: --bogus (see --help)`},
		{[]string{"stray"}, `unexpected argument "stray" (see --help)`},
		{[]string{"--demo-speed", "0"}, `invalid --demo-speed 0: must be above 0`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := Parse(tt.args, "", nil)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsageError", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %q\nwant prefix %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	cfg := writeConfig(t, `# my defaults
node-selector=karpenter.sh/nodepool
resources = cpu,memory
extra-labels="topology.kubernetes.io/zone"
disable-pricing=true
style=#111111,#222222,#333333
`)
	o, err := Parse([]string{"--resources", "pods"}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.NodeSelector != "karpenter.sh/nodepool" {
		t.Errorf("node-selector from file: %q", o.NodeSelector)
	}
	if strings.Join(o.Resources, ",") != "pods" {
		t.Errorf("flag must win over file: %v", o.Resources)
	}
	if len(o.ExtraLabels) != 1 || o.ExtraLabels[0] != "topology.kubernetes.io/zone" {
		t.Errorf("extra-labels: %v", o.ExtraLabels)
	}
	if !o.DisablePricing || o.Colors[0] != "#111111" {
		t.Errorf("bool/style from file: %+v", o)
	}

	// The demo's default selector yields to the file's.
	o, err = Parse([]string{"--demo"}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.NodeSelector != "karpenter.sh/nodepool" {
		t.Errorf("demo with file selector: %q", o.NodeSelector)
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{"node-selector=a\nno equals sign\n", `:2: expected key=value, got "no equals sign"`},
		{"# c\n\nnode-colour=red\n", `:3: unknown key "node-colour"`},
		{"version=true\n", `:1: unknown key "version"`},
		{"disable-pricing=maybe\n", `:1: disable-pricing: `},
		{"node-sort=a\nnode-sort=b\n", `:2: "node-sort" is set twice`},
		{"node-sort=creation=sideways\n", `invalid --node-sort "creation=sideways": order must be asc or dsc, not "sideways"`},
	}
	for _, tt := range tests {
		cfg := writeConfig(t, tt.body)
		_, err := Parse(nil, cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("body %q: err = %v, want %q", tt.body, err, tt.want)
			continue
		}
		if strings.Contains(tt.want, ":") && strings.HasPrefix(tt.want, ":") && !strings.HasPrefix(err.Error(), cfg+":") {
			t.Errorf("error must start with the file name: %v", err)
		}
	}
}

func TestMissingConfigFileIsFine(t *testing.T) {
	if _, err := Parse(nil, filepath.Join(t.TempDir(), "nope"), nil); err != nil {
		t.Fatal(err)
	}
}

func TestHelp(t *testing.T) {
	var buf bytes.Buffer
	_, err := Parse([]string{"--help"}, "", &buf)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	out := buf.String()
	for _, want := range []string{"Examples:", "eks-node-viewer --demo", "Kubernetes:", "Display:", "Pricing (AWS):", "Usage (metrics.k8s.io):", "--usage-interval", "--node-selector", "-l, --node-selector", "~/.eks-node-viewer"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "demo-speed") {
		t.Error("hidden flag shown in help")
	}
}

func TestKubeconfigPrecedence(t *testing.T) {
	cfg := writeConfig(t, "kubeconfig=/from/file\n")
	t.Setenv("KUBECONFIG", "")
	o, err := Parse(nil, cfg, nil)
	if err != nil || o.Kubeconfig != "/from/file" {
		t.Fatalf("file: %v %q", err, o.Kubeconfig)
	}
	t.Setenv("KUBECONFIG", "/from/env")
	o, _ = Parse(nil, cfg, nil)
	if o.Kubeconfig != "" {
		t.Errorf("$KUBECONFIG must win over the file (\"\" = standard rules): %q", o.Kubeconfig)
	}
	o, _ = Parse([]string{"--kubeconfig", "/a:/b"}, cfg, nil)
	if o.Kubeconfig != "/a:/b" {
		t.Errorf("flag must win: %q", o.Kubeconfig)
	}
}

func TestUsageLabelResource(t *testing.T) {
	tests := map[string]string{
		"eks-node-viewer/node-cpu-usage":            "cpu",
		"eks-node-viewer/node-memory-usage":         "memory",
		"eks-node-viewer/node-nvidia.com/gpu-usage": "nvidia.com/gpu",
		"eks-node-viewer/node--usage":               "",
		"eks-node-viewer/node-usage":                "",
		"eks-node-viewer/node-age":                  "",
		"topology.kubernetes.io/zone":               "",
	}
	for in, want := range tests {
		got, ok := UsageLabelResource(in)
		if got != want || ok != (want != "") {
			t.Errorf("%s: got %q %v, want %q", in, got, ok, want)
		}
	}
}

package complete

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// A new flag that takes a value must say how its value completes (or that
// it does not): the completion test would not notice it otherwise.
func TestEveryValueFlagHasACompletion(t *testing.T) {
	for _, g := range options.FlagGroups() {
		g.Flags.VisitAll(func(f *pflag.Flag) {
			if f.NoOptDefVal == "" && values[f.Name] == nil {
				t.Errorf("--%s takes a value but is not in values", f.Name)
			}
		})
	}
}

func request1(t *testing.T, args ...string) []string {
	t.Helper()
	var out bytes.Buffer
	if err := Request(&out, "eks-node-viewer", "", append([]string{"__complete"}, args...)); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(out.String()), "\n")
}

func TestRequest(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--resources", "cpu,memory,"}, "cpu,memory,pods|cpu,memory,ephemeral-storage|cpu,memory,nvidia.com/gpu|cpu,memory,aws.amazon.com/neuron|cpu,memory,vpc.amazonaws.com/pod-eni|:6"},
		{[]string{"--node-sort", "karpenter.sh/nodepool="}, "karpenter.sh/nodepool=asc|karpenter.sh/nodepool=dsc|:4"},
		{[]string{"--style", ""}, options.DefaultStyle + "|:4"},
		{[]string{"--log-file", ""}, ":0"},
		{[]string{"--kubeconfig", ""}, ":0"},
		{[]string{"--region", ""}, ":4"},
		{[]string{"--demo", ""}, ":4"},
		{[]string{"co"}, "completion|:4"},
	} {
		if got := strings.Join(request1(t, tt.args...), "|"); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.args, got, tt.want)
		}
	}
}

func TestScriptUnknownShell(t *testing.T) {
	if err := Script(&bytes.Buffer{}, "tcsh", "x"); err == nil || !strings.Contains(err.Error(), `unknown shell "tcsh"`) {
		t.Errorf("err = %v", err)
	}
}

// TestContextsCompleteAsAList: --context completes a context, and after a
// comma the fleet's next one (not those listed already).
func TestContextsCompleteAsAList(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "config")
	body := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://c.example\"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n"
	for _, name := range []string{"dev", "prod-eu", "prod-us"} {
		body += "- name: " + name + "\n  context: {cluster: c, user: u}\n"
	}
	if err := os.WriteFile(kc, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ partial, want string }{
		{"pro", "prod-eu|prod-us|:4"},
		{"prod-eu,", "prod-eu,dev|prod-eu,prod-us|:6"},
		{"dev,prod-eu,p", "dev,prod-eu,prod-us|:6"},
		{"", "dev|prod-eu|prod-us|:4"},
	} {
		if got := strings.Join(request1(t, "--kubeconfig", kc, "--context", tt.partial), "|"); got != tt.want {
			t.Errorf("--context %q: %s, want %s", tt.partial, got, tt.want)
		}
	}
	if got := strings.Join(request1(t, "--context-selector", ""), "|"); got != ":4" {
		t.Errorf("--context-selector: %s", got)
	}
}

package options

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestConfigKubeconfig(t *testing.T) {
	cfg := writeConfig(t, "kubeconfig=/from/file\n")
	t.Setenv("KUBECONFIG", "")
	if got := ConfigKubeconfig(cfg); got != "/from/file" {
		t.Errorf("config file's kubeconfig: %q", got)
	}
	if got := ConfigKubeconfig(writeConfig(t, "colour=red\n")); got != "" {
		t.Errorf("a bad config file: %q, want none", got)
	}
	t.Setenv("KUBECONFIG", "/from/env")
	if got := ConfigKubeconfig(cfg); got != "" {
		t.Errorf("$KUBECONFIG ranks above the file: %q, want the standard rules", got)
	}
}

// A kubectl plugin's --help shows the command line that runs it.
func TestParseAsNamesTheProgram(t *testing.T) {
	var buf bytes.Buffer
	_, err := ParseAs("kubectl node-viewer", []string{"--help"}, "", &buf)
	if !errors.Is(err, ErrHelp) {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"  kubectl node-viewer [flags]\n", "  kubectl node-viewer --demo\n", "  -h, --help"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "  eks-node-viewer ") {
		t.Errorf("help shows another command line:\n%s", out)
	}
}

// Every flag Parse knows is in a group, so completion and the man page see
// it.
func TestFlagGroupsHoldEveryFlag(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range FlagGroups() {
		if g.Title == "" {
			t.Error("a group without a title")
		}
		g.Flags.VisitAll(func(f *pflag.Flag) { seen[f.Name] = true })
	}
	for _, name := range []string{"context", "kubeconfig", "node-selector", "resources", "extra-labels", "node-sort", "style", "disable-pricing", "region", "profile", "demo", "log-file", "version", "help"} {
		if !seen[name] {
			t.Errorf("--%s is in no group", name)
		}
	}
}

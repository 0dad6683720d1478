package options

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// kubeconfigContexts are the contexts of the kubeconfig in these tests, as
// kube.ListContexts returns them (sorted).
var kubeconfigContexts = []string{
	"arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu",
	"arn:aws:eks:us-east-1:111122223333:cluster/prod-us",
	"dev",
	"kind-lab",
	"prod-eu",
	"prod-us",
	"staging",
}

func TestContextFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		config string
		fleet  bool
		single string   // Options.Context
		picked []string // ResolveContexts
	}{
		{"none: the current context", nil, "", false, "", nil},
		{"one", []string{"--context", "dev"}, "", false, "dev", []string{"dev"}},
		{"comma list, in its order", []string{"--context", "staging,dev"}, "", true, "", []string{"staging", "dev"}},
		{"repeated", []string{"--context", "dev", "--context", "kind-lab"}, "", true, "", []string{"dev", "kind-lab"}},
		{"repeated and listed", []string{"--context=dev,staging", "--context", "prod-eu"}, "", true, "", []string{"dev", "staging", "prod-eu"}},
		{"spaces trimmed", []string{"--context", "dev, staging"}, "", true, "", []string{"dev", "staging"}},
		{"all", []string{"--all-contexts"}, "", true, "", kubeconfigContexts},
		{"glob", []string{"--context-selector", "prod-*"}, "", true, "", []string{"prod-eu", "prod-us"}},
		{"glob over ARNs: * crosses / and :", []string{"--context-selector", "*:cluster/prod-*"}, "", true, "",
			[]string{"arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu", "arn:aws:eks:us-east-1:111122223333:cluster/prod-us"}},
		{"glob is anchored", []string{"--context-selector", "prod"}, "", true, "", nil},
		{"glob ? and a class", []string{"--context-selector", "prod-[!u]?"}, "", true, "", []string{"prod-eu"}},
		{"regex between slashes, unanchored", []string{"--context-selector", "/prod-(eu|us)$/"}, "", true, "",
			[]string{"arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu", "arn:aws:eks:us-east-1:111122223333:cluster/prod-us", "prod-eu", "prod-us"}},
		{"regex anchored", []string{"--context-selector", "/^prod-(eu|us)$/"}, "", true, "", []string{"prod-eu", "prod-us"}},
		{"selector with --all-contexts", []string{"--all-contexts", "--context-selector", "d*"}, "", true, "", []string{"dev"}},
		{"config file list", nil, "context=dev,staging\n", true, "", []string{"dev", "staging"}},
		{"config file one", nil, "context = prod-eu # mine\n", false, "prod-eu", []string{"prod-eu"}},
		{"config file all and selector", nil, "all-contexts=true\ncontext-selector=/^prod-/\n", true, "", []string{"prod-eu", "prod-us"}},
		{"command line --context replaces the file's", []string{"--context", "dev"}, "context=staging,prod-eu\n", false, "dev", []string{"dev"}},
		{"command line --all-contexts replaces the file's --context", []string{"--all-contexts"}, "context=staging,prod-eu\n", true, "", kubeconfigContexts},
		{"command line --context replaces the file's selector", []string{"--context", "a"}, "context-selector=prod-*\n", false, "a", nil},
		{"--context= : the current context over the file's", []string{"--context="}, "context=dev,staging\n", false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ""
			if tt.config != "" {
				cfg = writeConfig(t, tt.config)
			}
			o, err := Parse(tt.args, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if o.Fleet() != tt.fleet || o.Context != tt.single {
				t.Errorf("Fleet %v Context %q, want %v %q", o.Fleet(), o.Context, tt.fleet, tt.single)
			}
			if !tt.fleet && tt.picked == nil {
				return
			}
			picked, err := o.ResolveContexts(kubeconfigContexts)
			if tt.picked == nil {
				if err == nil {
					t.Errorf("picked %q, want an error", picked)
				}
				return
			}
			if err != nil || !slices.Equal(picked, tt.picked) {
				t.Errorf("picked %q (%v), want %q", picked, err, tt.picked)
			}
		})
	}
}

func TestContextFlagErrors(t *testing.T) {
	tests := []struct {
		args   []string
		config string
		want   string
	}{
		{[]string{"--context", "a,,b"}, "", `invalid --context "a,,b": an empty context name`},
		{[]string{"--context", "a,"}, "", `invalid --context "a,": an empty context name`},
		{[]string{"--context", "a,b", "--context", "a"}, "", `invalid --context "a,b,a": "a" is listed twice`},
		{[]string{"--all-contexts", "--context", "a"}, "", `--all-contexts and --context do not go together: --all-contexts shows every context of the kubeconfig (narrow it with --context-selector)`},
		{[]string{"--context-selector", "p*", "--context", "a"}, "", `--context-selector and --context do not go together: the selector picks from every context of the kubeconfig`},
		{[]string{"--context-selector", "/(/"}, "", "invalid --context-selector \"/(/\": error parsing regexp: missing closing ): `(`"},
		{[]string{"--context-selector", "//"}, "", `invalid --context-selector "//": an empty regular expression`},
		{[]string{"--context-selector", "prod-["}, "", `invalid --context-selector "prod-[": unterminated [ in the glob`},
		{[]string{"--demo", "--context", "a,b"}, "", `--demo works with one cluster (the embedded lab), not with --context a,b`},
		{[]string{"--demo", "--all-contexts"}, "", `--demo works with one cluster (the embedded lab), not with --all-contexts`},
		{[]string{"--replay", "x.rec", "--context-selector", "prod-*"}, "", `--replay works with one cluster (the recording's), not with --context-selector prod-*`},
		{[]string{"--record", "x.rec", "--context", "a,b"}, "", `--record works with one cluster, not with --context a,b (record each context in a run of its own)`},
		{nil, "context=a,a\n", `F:1: invalid --context "a,a": "a" is listed twice`},
		{[]string{"--demo"}, "# fleet\ncontext=a,b\n", `F:2: --demo works with one cluster (the embedded lab), not with --context a,b`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " ")+tt.config, func(t *testing.T) {
			cfg := ""
			if tt.config != "" {
				cfg = writeConfig(t, tt.config)
			}
			_, err := Parse(tt.args, cfg, nil)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsageError", err)
			}
			if got := named(err, cfg); got != tt.want {
				t.Errorf("err = %q\nwant  %q", got, tt.want)
			}
		})
	}
}

// TestResolveContextsErrors: what the kubeconfig decides, with the
// available contexts named so the user can pick one.
func TestResolveContextsErrors(t *testing.T) {
	many := make([]string, 25)
	for i := range many {
		many[i] = string(rune('a'+i)) + "-ctx"
	}
	tests := []struct {
		args      []string
		config    string
		available []string
		want      string
	}{
		{[]string{"--context", "dev,prod"}, "", kubeconfigContexts,
			`unknown context "prod": the kubeconfig has "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu", "arn:aws:eks:us-east-1:111122223333:cluster/prod-us", "dev", "kind-lab", "prod-eu", "prod-us", "staging"`},
		{[]string{"--context", "a,b"}, "", nil, `unknown context "a": the kubeconfig has no contexts`},
		{[]string{"--context", "x,a-ctx"}, "", many,
			`unknown context "x": the kubeconfig has "a-ctx", "b-ctx", "c-ctx", "d-ctx", "e-ctx", "f-ctx", "g-ctx", "h-ctx", "i-ctx", "j-ctx", "k-ctx", "l-ctx", "m-ctx", "n-ctx", "o-ctx", "p-ctx", "q-ctx", "r-ctx", "s-ctx", "t-ctx" and 5 more`},
		{[]string{"--context-selector", "qa-*"}, "", []string{"dev", "prod"}, `--context-selector "qa-*" matches none of the contexts: the kubeconfig has "dev", "prod"`},
		{[]string{"--all-contexts"}, "", nil, `--all-contexts: the kubeconfig has no contexts`},
		{[]string{"--all-contexts", "--record", "x.rec"}, "", []string{"dev", "prod"}, `--record works with one cluster, not with --all-contexts (record each context in a run of its own)`},
		{nil, "kubeconfig=/k\ncontext=dev,nope\n", kubeconfigContexts[2:4], `F:2: unknown context "nope": the kubeconfig has "dev", "kind-lab"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " ")+tt.config, func(t *testing.T) {
			cfg := ""
			if tt.config != "" {
				cfg = writeConfig(t, tt.config)
			}
			o, err := Parse(tt.args, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.ResolveContexts(tt.available)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsageError", err)
			}
			if got := named(err, cfg); got != tt.want {
				t.Errorf("err = %q\nwant  %q", got, tt.want)
			}
		})
	}
	// --all-contexts --record on a kubeconfig of one context records it.
	o, err := Parse([]string{"--all-contexts", "--record", "x.rec"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if picked, err := o.ResolveContexts([]string{"only"}); err != nil || !slices.Equal(picked, []string{"only"}) {
		t.Errorf("one context with --record: %q %v", picked, err)
	}
}

func TestGlobRegexp(t *testing.T) {
	for glob, want := range map[string]string{
		"prod-*":   `^prod-.*$`,
		"a?c":      `^a.c$`,
		"[!ab]x":   `^[^ab]x$`,
		"[]a]":     `^[\]a]$`,
		"[a-c]":    `^[a-c]$`,
		`a\*b`:     `^a\*b$`,
		"a.b+(c)":  `^a\.b\+\(c\)$`,
		"éé*":      `^éé.*$`,
		"x[^y]":    `^x[^y]$`,
		`trail\`:   `^trail\\$`,
		"[a^b]end": `^[a\^b]end$`,
	} {
		got, err := globRegexp(glob)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", glob, got, err, want)
		}
	}
}

func TestHelpTeachesTheFleet(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Parse([]string{"--help"}, "", &buf); !errors.Is(err, ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"--context strings", "--all-contexts", "--context-selector string", "'/^prod-(eu|us)$/'",
		"eks-node-viewer --context dev,staging,prod", "--all-contexts --context-selector '*:cluster/prod-*'",
		"jq '.fleet.hourly'", "context=dev,prod in the", "the clusters that timed\nout are named"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// named is err's text with the config file's path as F.
func named(err error, cfg string) string {
	if cfg == "" {
		return err.Error()
	}
	return strings.Replace(err.Error(), cfg+":", "F:", 1)
}

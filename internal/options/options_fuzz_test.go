package options

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// parseFlag parses one flag through the real command line.
func parseFlag(t *testing.T, flag, value string) (*Options, error) {
	t.Helper()
	o, err := Parse([]string{"--" + flag + "=" + value}, "", io.Discard)
	if err == nil && o == nil {
		t.Fatalf("--%s=%q: no options and no error", flag, value)
	}
	if err != nil {
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Fatalf("--%s=%q: %T is not a usage error: %v", flag, value, err, err)
		}
	}
	return o, err
}

// FuzzNodeSelector: a selector that parses has a canonical form that
// parses to the same selector.
func FuzzNodeSelector(f *testing.F) {
	for _, s := range []string{"", "a=b", "karpenter.sh/nodepool in (default,gpu)", "!x,y!=z", "k notin ()", "a==b,c", "eks.amazonaws.com/compute-type!=fargate", "a=\x1b[2J", "x>1", "(((", "a in (b", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := parseFlag(t, "node-selector", s)
		if err != nil {
			return
		}
		canon := o.Selector.String()
		again, err := labels.Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if again.String() != canon {
			t.Fatalf("%q: canonical form %q parses to %q", s, canon, again.String())
		}
	})
}

// FuzzNodeSort: a sort spec that parses round-trips through its String.
func FuzzNodeSort(f *testing.F) {
	for _, s := range []string{"creation", "creation=asc", "=asc", "x=dsc", "x=desc", "eks-node-viewer/node-cpu-usage=asc", "eks-node-viewer/node-nvidia.com/gpu-usage", "a=b=c", " k ", "eks-node-viewer/node--usage"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSort(s)
		if err != nil {
			return
		}
		if spec.Key == "" {
			t.Fatalf("%q: empty key", s)
		}
		again, err := ParseSort(spec.String())
		if err != nil || again != spec {
			t.Fatalf("%q: %+v -> %q -> %+v, %v", s, spec, spec.String(), again, err)
		}
	})
}

// FuzzStyle: an accepted --style is three hex colours, and they are
// accepted again as they were stored.
func FuzzStyle(f *testing.F) {
	for _, s := range []string{DefaultStyle, "#fff,#000,#123", "#fff,#000", " #abc , #def,#012345", "#ggg,#000,#000", ",,", "#04B575,#FFFF00,#FF0000,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := parseFlag(t, "style", s)
		if err != nil {
			return
		}
		for _, c := range o.Colors {
			if !hexColor.MatchString(c) {
				t.Fatalf("%q: colour %q", s, c)
			}
		}
		again, err := parseFlag(t, "style", strings.Join(o.Colors[:], ","))
		if err != nil || again.Colors != o.Colors {
			t.Fatalf("%q: colours %v do not round-trip: %v %v", s, o.Colors, again, err)
		}
	})
}

// FuzzResources: accepted resources are distinct qualified names, and they
// are accepted again as stored.
func FuzzResources(f *testing.F) {
	for _, s := range []string{"cpu", "cpu,memory", "cpu,cpu", "nvidia.com/gpu, memory", "", ",", "hugepages-2Mi", "a/b/c", "cpu\x1b[2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := parseFlag(t, "resources", s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range o.Resources {
			if len(validation.IsQualifiedName(r)) > 0 || seen[r] {
				t.Fatalf("%q: resource %q accepted (seen %v)", s, r, seen[r])
			}
			seen[r] = true
		}
		again, err := parseFlag(t, "resources", strings.Join(o.Resources, ","))
		if err != nil || !reflect.DeepEqual(again.Resources, o.Resources) {
			t.Fatalf("%q: %q does not round-trip: %v", s, o.Resources, err)
		}
	})
}

// FuzzExtraLabels: accepted label columns are label keys or usage labels
// of a resource that is a qualified name, and round-trip.
func FuzzExtraLabels(f *testing.F) {
	for _, s := range []string{"", "topology.kubernetes.io/zone", "eks-node-viewer/node-age,karpenter.sh/nodepool", "eks-node-viewer/node-nvidia.com/gpu-usage", "eks-node-viewer/node--usage", "a,,b", "-x", "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := parseFlag(t, "extra-labels", s)
		if err != nil {
			return
		}
		for _, l := range o.ExtraLabels {
			key := l
			if r, ok := UsageLabelResource(l); ok {
				if r == "" || strings.TrimSpace(r) != r {
					t.Fatalf("%q: usage label %q of resource %q", s, l, r)
				}
				key = r
			}
			if len(validation.IsQualifiedName(key)) > 0 {
				t.Fatalf("%q: %q accepted", s, l)
			}
		}
		if len(o.ExtraLabels) == 0 {
			return
		}
		again, err := parseFlag(t, "extra-labels", strings.Join(o.ExtraLabels, ","))
		if err != nil || !reflect.DeepEqual(again.ExtraLabels, o.ExtraLabels) {
			t.Fatalf("%q: %q does not round-trip: %v", s, o.ExtraLabels, err)
		}
	})
}

// FuzzConfigFile: any file content gives options or a usage error that
// names the file, never a panic; options from a file validate again.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"", "# comment\n", "resources=cpu,memory\nnode-sort=creation=asc\n", "\ufeffstyle=#04B575,#FFFF00,#FF0000\n",
		"extra-labels = topology.kubernetes.io/zone # the zone\n", "nope\n", "=x\n", "resources=cpu\nresources=memory\n",
		"help=true\n", "--demo=true\n", "node-selector=(((\n", "disable-pricing=maybe\n", "\xff\xfe r\x00e\x00",
		"kubeconfig=\"/x y\"\n", "a\rb=c\r\n", strings.Repeat("x", 70<<10) + "\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		o, err := Parse(nil, path, io.Discard)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) || errors.Is(err, ErrHelp) {
				t.Fatalf("%q: %T: %v", content, err, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("%q: the error does not name the file: %v", content, err)
			}
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("%q: parsed options do not validate again: %v", content, err)
		}
	})
}

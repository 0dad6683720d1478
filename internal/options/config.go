package options

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

const fromConfig = "eks-node-viewer/from-config"

// applyConfigFile sets, from key=value lines of the file at path, every flag
// that the command line did not set. A missing file is fine; anything
// unreadable, malformed or unknown is an error naming file:line.
func applyConfigFile(fset *pflag.FlagSet, path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return usageErrorf("config file: %v", err)
	}
	defer f.Close()

	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return usageErrorf("%s:%d: expected key=value, got %q", path, n, line)
		}
		value = unquote(strings.TrimSpace(value))
		flag := fset.Lookup(strings.TrimLeft(key, "-"))
		if flag == nil || flag.Name == "help" || flag.Name == "version" {
			return usageErrorf("%s:%d: unknown key %q", path, n, key)
		}
		if flag.Changed {
			continue // the command line wins
		}
		if flag.Annotations[fromConfig] != nil {
			return usageErrorf("%s:%d: %q is set twice", path, n, key)
		}
		if err := fset.Set(flag.Name, value); err != nil {
			return usageErrorf("%s:%d: %s: %v", path, n, key, err)
		}
		flag.Changed = false // keep "changed" meaning "given on the command line"
		if flag.Annotations == nil {
			flag.Annotations = map[string][]string{}
		}
		flag.Annotations[fromConfig] = []string{path}
	}
	if err := sc.Err(); err != nil {
		return usageErrorf("config file %s: %v", path, err)
	}
	return nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// writeHelp prints the grouped flag reference with examples.
func writeHelp(w interface{ Write([]byte) (int, error) }, groups []flagGroup) {
	fmt.Fprint(w, `eks-node-viewer shows every node of a Kubernetes cluster as a bar of requested
resources, with its pods, instance type, capacity type and price, live.

Usage:
  eks-node-viewer [flags]

Examples:
  # no cluster needed: the embedded demo (a Karpenter lab on EKS Auto Mode)
  eks-node-viewer --demo

  # the nodes Karpenter manages, with memory, zone and age columns
  eks-node-viewer --node-selector karpenter.sh/nodepool --resources cpu,memory \
    --extra-labels karpenter.sh/nodepool,topology.kubernetes.io/zone,eks-node-viewer/node-age

  # another context, fullest nodes first
  eks-node-viewer --context prod --node-sort eks-node-viewer/node-cpu-usage=dsc
`)
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n%s", g.title, g.fs.FlagUsages())
	}
	fmt.Fprint(w, `
Every flag can also be set in ~/.eks-node-viewer as key=value lines (e.g.
node-selector=karpenter.sh/nodepool); the command line wins over the file.
Keys: ↑/↓ (j/k) select a node, enter open it (its pods), esc back, p pending
pods, / filter by name or label value, ←/→ page, ? full help, q quit.
`)
}

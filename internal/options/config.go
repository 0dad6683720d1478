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

// maxConfigLine is the longest config line accepted (a line is a key and a
// value; 64 KiB is far beyond any real one).
const maxConfigLine = 64 << 10

// applyConfigFile sets, from key=value lines of the file at path, every flag
// that the command line did not set. A missing file is fine; anything
// unreadable, malformed or unknown is an error naming file:line. The file
// may start with a UTF-8 byte order mark; "#" starts a comment at the start
// of a line or, after a value, when whitespace precedes it (see
// splitComment), so colours such as style=#04B575,... keep their "#".
func applyConfigFile(fset *pflag.FlagSet, path string) error {
	if path == "" {
		return nil
	}
	f, err := openConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()

	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxConfigLine)
	n := 1
	for ; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if err := applyConfigLine(fset, text, fmt.Sprintf("%s:%d", path, n)); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return usageErrorf("%s:%d: line longer than %d KiB", path, n, maxConfigLine>>10)
	}
	if err := sc.Err(); err != nil {
		return usageErrorf("%s:%d: %v", path, n, err)
	}
	return nil
}

// openConfig opens the config file, refusing (before any read, which
// would block on a FIFO or a terminal) anything but a regular file, and a
// file in UTF-16.
func openConfig(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, usageErrorf("config file: %v", err)
	}
	if !st.Mode().IsRegular() {
		return nil, usageErrorf("config file %s: not a regular file (%s)", path, fileKind(st.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, usageErrorf("config file: %v", err)
	}
	// The path may have been swapped between the Stat and the open.
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, usageErrorf("config file %s: not a regular file", path)
	}
	var bom [2]byte
	if k, _ := f.ReadAt(bom[:], 0); k == 2 && (bom == [2]byte{0xff, 0xfe} || bom == [2]byte{0xfe, 0xff}) {
		f.Close()
		return nil, usageErrorf("%s:1: the file is UTF-16; save it as UTF-8", path)
	}
	return f, nil
}

// fileKind names a non-regular file's type for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "type " + m.Type().String()
}

// applyConfigLine applies one line; where is "file:line" for messages and
// is recorded on the flag, so that Parse can name the line when Validate
// rejects the value.
func applyConfigLine(fset *pflag.FlagSet, text, where string) error {
	line := strings.TrimSpace(text)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	key, value, ok := strings.Cut(line, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return usageErrorf("%s: expected key=value, got %q", where, line)
	}
	value, err := configValue(value)
	if err != nil {
		return usageErrorf("%s: %s: %v", where, key, err)
	}
	flag := fset.Lookup(strings.TrimLeft(key, "-"))
	if flag == nil || flag.Name == "help" || flag.Name == "version" {
		return usageErrorf("%s: unknown key %q", where, key)
	}
	if flag.Changed {
		return nil // the command line wins
	}
	if flag.Annotations[fromConfig] != nil {
		return usageErrorf("%s: %q is set twice", where, key)
	}
	if err := fset.Set(flag.Name, value); err != nil {
		return usageErrorf("%s: %s: %v", where, key, err)
	}
	flag.Changed = false // keep "changed" meaning "given on the command line"
	if flag.Annotations == nil {
		flag.Annotations = map[string][]string{}
	}
	flag.Annotations[fromConfig] = []string{where}
	return nil
}

// configValue is the value part of a line without its comment and quotes.
// A value in quotes ("..." or '...') is taken whole, "#" included, and may
// be followed only by a comment.
func configValue(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", fmt.Errorf("unterminated quote in %s", v)
		}
		rest := strings.TrimSpace(v[end+2:])
		if rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("unexpected %q after the quoted value", rest)
		}
		return v[1 : end+1], nil
	}
	return strings.TrimSpace(splitComment(v)), nil
}

// splitComment cuts a value at its comment: a "#" preceded by a space or a
// tab. A "#" anywhere else is part of the value (style=#04B575,#FFFF00,...).
func splitComment(v string) string {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			return v[:i]
		}
	}
	return v
}

// configLine is the file:line that set a flag, or "" when the file did not.
func configLine(fset *pflag.FlagSet, name string) string {
	f := fset.Lookup(name)
	if f == nil || len(f.Annotations[fromConfig]) == 0 {
		return ""
	}
	return f.Annotations[fromConfig][0]
}

// writeHelp prints the grouped flag reference with examples, for the
// program invoked as prog.
func writeHelp(w interface{ Write([]byte) (int, error) }, prog string, groups []Group) {
	fmt.Fprintf(w, `%[1]s shows every node of a Kubernetes cluster as a bar of requested
resources, with its pods, instance type, capacity type and price, live.

Usage:
  %[1]s [flags]
  %[1]s completion bash|zsh|fish

Examples:
  # no cluster needed: the embedded demo (a Karpenter lab on EKS Auto Mode)
  %[1]s --demo

  # the nodes Karpenter manages, with memory, zone and age columns
  %[1]s --node-selector karpenter.sh/nodepool --resources cpu,memory \
    --extra-labels karpenter.sh/nodepool,topology.kubernetes.io/zone,eks-node-viewer/node-age

  # another context, fullest nodes first
  %[1]s --context prod --node-sort eks-node-viewer/node-cpu-usage=dsc

  # several clusters at once, and what they cost together (the fleet view)
  %[1]s --context dev,staging,prod
  %[1]s --all-contexts --context-selector '*:cluster/prod-*'
  %[1]s --context dev,prod -o json | jq '.fleet.hourly'

  # for scripts: the cluster's $/hour, the nodes as a table, a line per change
  %[1]s -o json | jq '.summary.pricePerHour'
  %[1]s -o wide --node-selector karpenter.sh/nodepool
  %[1]s -o ndjson --watch | jq -c 'select(.type == "NodeAdded") | .node.name'
`, prog)
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n%s", g.Title, g.Flags.FlagUsages())
	}
	fmt.Fprint(w, `
Every flag can also be set in ~/.eks-node-viewer as key=value lines (e.g.
node-selector=karpenter.sh/nodepool); the command line wins over the file.
In the file, "#" starts a comment at the start of a line or after a space
or tab (key=value # why), so style=#04B575,#FFFF00,#FF0000 keeps its "#";
quote a value to keep " #" in it (key="a #b"). context=dev,prod in the
file opens those clusters; --context, --all-contexts or --context-selector
on the command line replaces the file's choice.
With several contexts each cluster has its own connection, prices (its
nodes' region) and usage polls; one that is unreachable shows as stale and
never holds up the others. -o json prints one FleetSnapshot (a clusters
list and the fleet's totals), table and wide a CONTEXT column, ndjson a
"context" in every line.
Keys: ↑/↓ (j/k) select a node, enter open it (its pods), esc back, p pending
pods, / filter by name or label value, ←/→ page, ? full help, q quit.
Exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 timed out (-o, --once:
what was known is printed; with several contexts, the clusters that timed
out are named), 128+n stopped by signal n.
`)
}

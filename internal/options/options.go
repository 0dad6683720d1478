// Package options holds the viewer's settings: flags, the ~/.eks-node-viewer
// config file, and their validation.
package options

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
)

// Options are the settings of one run.
type Options struct {
	// Contexts are the --context values (repeated or a comma list);
	// AllContexts and ContextSelector ask for every context of the
	// kubeconfig, or those whose name matches. More than one cluster is
	// the fleet (ResolveContexts picks them).
	Contexts        []string
	AllContexts     bool
	ContextSelector string
	Kubeconfig      string
	NodeSelector    string
	ExtraLabels     []string
	NodeSort        string
	Resources       []string
	Style           string
	DisablePricing  bool
	// Usage polls metrics.k8s.io every UsageInterval.
	Usage         bool
	UsageInterval time.Duration
	Region        string
	Profile       string
	LogFile       string
	Demo          bool
	DemoSpeed     float64
	Version       bool
	Help          bool

	// Output for scripts (internal/output): -o, --once, --watch, --timeout.
	Output  string
	Once    bool
	Watch   bool
	Timeout time.Duration
	Record  Record // --record, --replay

	// Derived by Validate.
	// Context is the one --context of the single-cluster viewer ("": the
	// kubeconfig's current context); "" when several are asked for.
	Context  string
	Selector labels.Selector
	Sort     SortSpec
	Colors   [3]string
	// matchContext is the compiled --context-selector (nil: none).
	matchContext func(string) bool
	// contextsFrom is the config file's "file:line" that chose the
	// clusters ("" when the command line did), for ResolveContexts'
	// messages.
	contextsFrom string
}

// Defaults.
const (
	DefaultNodeSort  = "creation=dsc"
	DemoNodeSelector = "workload-type=developers-workshop"
	// DefaultUsageInterval is metrics-server's usual resolution (its
	// shipped manifests'); MinUsageInterval its shortest.
	DefaultUsageInterval = 15 * time.Second
	MinUsageInterval     = 10 * time.Second
)

// The default good, ok and bad colours (--style; ui.Options.Style entries
// left empty).
const (
	DefaultGoodColor = "#04B575"
	DefaultOKColor   = "#FFFF00"
	DefaultBadColor  = "#FF0000"
	DefaultStyle     = DefaultGoodColor + "," + DefaultOKColor + "," + DefaultBadColor
)

// OutputFormats are the -o values (internal/output.Formats).
var OutputFormats = []string{"json", "yaml", "table", "wide", "ndjson"}

// DefaultTimeout is the default --timeout.
const DefaultTimeout = 30 * time.Second

// DefaultResources is the default --resources value.
var DefaultResources = []string{"cpu"}

// ErrHelp is returned by Parse when --help was asked for; the help text has
// been written.
var ErrHelp = errors.New("help requested")

// UsageError is bad input on the command line or in the config file; main
// exits 2 for it.
type UsageError struct {
	Err error
	// Flag is the flag whose value is wrong ("node-selector"), or "" when
	// the error is about no one flag. Parse uses it to name the config
	// file's line when the value came from there.
	Flag string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// flagErrorf is a UsageError about the value of one flag.
func flagErrorf(flag, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Flag: flag}
}

// Group is one titled block of flags, as --help lists them.
type Group struct {
	Title string
	Flags *pflag.FlagSet
}

// FlagGroups are the flags in their --help groups, bound to a throwaway
// Options: the one definition that shell completion and the man page read.
func FlagGroups() []Group { return (&Options{}).groups() }

func (o *Options) groups() []Group {
	kube := pflag.NewFlagSet("kubernetes", pflag.ContinueOnError)
	kube.StringSliceVar(&o.Contexts, "context", nil, "kubeconfig context(s) to show (default: the current context); several (a comma list\nor repeated: --context dev,prod) open the fleet view, one block per cluster")
	kube.BoolVar(&o.AllContexts, "all-contexts", false, "show every context of the kubeconfig at once (the fleet view)")
	kube.StringVar(&o.ContextSelector, "context-selector", "", "only the contexts whose name matches (implies --all-contexts): a glob, where * matches\nany text, / and : included ('prod-*', '*:cluster/prod-*'), or a regular expression\nbetween slashes ('/^prod-(eu|us)$/')")
	kube.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig file(s), a list separated by "+listSeparatorName()+" like $KUBECONFIG\n(default: $KUBECONFIG, then the config file, then ~/.kube/config)")
	kube.StringVarP(&o.NodeSelector, "node-selector", "l", "", "label selector for the nodes (and NodeClaims) shown, e.g. karpenter.sh/nodepool or 'team in (a,b)'")

	display := pflag.NewFlagSet("display", pflag.ContinueOnError)
	display.StringSliceVar(&o.Resources, "resources", DefaultResources, "resources to show, one bar line each: cpu, memory, pods, ephemeral-storage, nvidia.com/gpu, ...")
	display.StringSliceVar(&o.ExtraLabels, "extra-labels", nil, "node labels shown as columns; computed: eks-node-viewer/node-age,\neks-node-viewer/node-<resource>-usage (requested, e.g. eks-node-viewer/node-cpu-usage),\neks-node-viewer/node-cpu-used and eks-node-viewer/node-memory-used (measured, --usage)")
	display.StringVar(&o.NodeSort, "node-sort", DefaultNodeSort, "sort nodes by creation or by any label (computed ones too), then =asc or =dsc;\ncreation=dsc lists the oldest node first")
	display.StringVar(&o.Style, "style", DefaultStyle, "three colours for good, ok and bad packing (>90%, >60%, the rest)")

	price := pflag.NewFlagSet("pricing", pflag.ContinueOnError)
	price.BoolVar(&o.DisablePricing, "disable-pricing", false, "show no prices and make no AWS calls")
	price.StringVar(&o.Region, "region", "", "AWS region for prices when nodes carry no region label (default: AWS config)")
	price.StringVar(&o.Profile, "profile", "", "AWS shared-config profile for the pricing calls (default: AWS_PROFILE or default)")

	usage := pflag.NewFlagSet("usage", pflag.ContinueOnError)
	usage.BoolVar(&o.Usage, "usage", true, "show what nodes and pods really use, from metrics.k8s.io (metrics-server),\nnext to what they request; --usage=false makes no metrics calls")
	usage.DurationVar(&o.UsageInterval, "usage-interval", DefaultUsageInterval, "how often usage is polled (at least 10s; metrics-server samples every 15s to 60s)")

	other := pflag.NewFlagSet("other", pflag.ContinueOnError)
	other.BoolVar(&o.Demo, "demo", false, "run on the embedded demo cluster (no cluster or AWS account needed)")
	other.Float64Var(&o.DemoSpeed, "demo-speed", 1, "speed factor of the demo script")
	other.StringVar(&o.LogFile, "log-file", "", "write client logs and warnings to this file (default: discard them)")
	other.BoolVarP(&o.Version, "version", "v", false, "print the version and exit")
	other.BoolVarP(&o.Help, "help", "h", false, "show this help")
	_ = other.MarkHidden("demo-speed")

	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.StringVarP(&o.Output, "output", "o", "", "print the nodes for scripts, no screen: "+strings.Join(OutputFormats, ", ")+"\n(default table when standard output is not a terminal)")
	out.BoolVar(&o.Once, "once", false, "print one snapshot and exit (what -o does; without -o, as a table)")
	out.BoolVar(&o.Watch, "watch", false, "with -o ndjson: the snapshot, then one line per change until interrupted")
	out.DurationVar(&o.Timeout, "timeout", DefaultTimeout, "how long -o and --once wait, once connected (several contexts: from the start),\nfor the nodes and prices; then they print what is known and exit 3")

	return []Group{
		{"Kubernetes", kube},
		{"Display", display},
		{"Pricing (AWS)", price},
		{"Output", out},
		{"Usage (metrics.k8s.io)", usage},
		{"Record and replay", o.recordFlags()},
		{"Other", other},
	}
}

func listSeparatorName() string {
	if filepath.ListSeparator == ';' {
		return "';'"
	}
	return "':'"
}

// Program is the command name that usage and --help show by default.
const Program = "eks-node-viewer"

// Parse reads args (without the program name), then the config file at
// configPath (if it exists) for flags not given, and validates the result.
// The environment (KUBECONFIG, NO_COLOR) is read by the caller.
func Parse(args []string, configPath string, help io.Writer) (*Options, error) {
	return ParseAs(Program, args, configPath, help)
}

// ParseAs is Parse for a program invoked as prog ("kubectl node-viewer" as
// a kubectl plugin): --help shows that command line.
func ParseAs(prog string, args []string, configPath string, help io.Writer) (*Options, error) {
	o := &Options{}
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	groups := o.groups()
	for _, g := range groups {
		fs.AddFlagSet(g.Flags)
	}
	fs.SortFlags = false

	if err := fs.Parse(singleDashLongFlags(fs, args)); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			writeHelp(help, prog, groups)
			return nil, ErrHelp
		}
		return nil, usageErrorf("%v (see --help)", err)
	}
	if o.Help {
		writeHelp(help, prog, groups)
		return nil, ErrHelp
	}
	if fs.NArg() > 0 {
		return nil, usageErrorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	o.Record.Explicit = map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { o.Record.Explicit[f.Name] = true })
	if err := applyConfigFile(fs, configPath); err != nil {
		return nil, err
	}
	o.contextsFrom = clustersFromConfig(fs, o)
	// $KUBECONFIG ranks between the flag and the config file.
	if configSet(fs, "kubeconfig") && os.Getenv("KUBECONFIG") != "" {
		o.Kubeconfig = ""
	}
	if o.Demo && !fs.Changed("node-selector") && !configSet(fs, "node-selector") {
		o.NodeSelector = DemoNodeSelector
	}
	if err := o.Validate(); err != nil {
		return nil, atConfigLine(fs, err)
	}
	return o, nil
}

// clusterFlags choose the clusters; the command line's choice replaces
// the config file's as a whole (--all-contexts on the command line with
// context=a,b in the file is every context, not a conflict).
var clusterFlags = []string{"context", "all-contexts", "context-selector"}

// clustersFromConfig drops the config file's cluster choice when the
// command line makes one, and returns the file's "file:line" that chose
// them otherwise ("" when the file did not).
func clustersFromConfig(fs *pflag.FlagSet, o *Options) string {
	reset := map[string]func(){
		"context":          func() { o.Contexts = nil },
		"all-contexts":     func() { o.AllContexts = false },
		"context-selector": func() { o.ContextSelector = "" },
	}
	for _, name := range clusterFlags {
		if !fs.Changed(name) {
			continue
		}
		for _, other := range clusterFlags {
			if configSet(fs, other) {
				reset[other]()
			}
		}
		return ""
	}
	for _, name := range clusterFlags {
		if where := configLine(fs, name); where != "" {
			return where
		}
	}
	return ""
}

// atConfigLine prefixes a value's error with the config file's "file:line"
// when the value came from the file.
func atConfigLine(fs *pflag.FlagSet, err error) error {
	var ue *UsageError
	if !errors.As(err, &ue) || ue.Flag == "" {
		return err
	}
	where := configLine(fs, ue.Flag)
	if where == "" {
		return err
	}
	return &UsageError{Err: fmt.Errorf("%s: %w", where, ue.Err), Flag: ue.Flag}
}

// configSet reports whether the config file set a flag (applyConfigFile marks
// those with an annotation).
func configSet(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Annotations[fromConfig] != nil
}

// singleDashLongFlags rewrites "-node-selector x" (as old docs write it) to
// "--node-selector x". Shorthands such as "-l" and "-lkey=value" are left
// alone because their name is not a long flag.
func singleDashLongFlags(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && fs.Lookup(name) != nil {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// DefaultConfigPath is ~/.eks-node-viewer ("" when there is no home).
func DefaultConfigPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".eks-node-viewer")
}

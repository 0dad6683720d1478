// Package complete is the viewer's shell completion: the scripts that
// `eks-node-viewer completion bash|zsh|fish` prints and the hidden
// __complete command that they call for every completion.
//
// It is cobra's completion machinery (the scripts and the __complete
// protocol that kubectl, helm and gh use) over the viewer's own pflag flags:
// a cobra command is built here for completion only, from
// options.FlagGroups, so the CLI itself stays a plain pflag program and
// every flag it defines completes.
package complete

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// Shells are the shells that Script writes for.
var Shells = []string{"bash", "zsh", "fish"}

// Command is the subcommand that prints a script.
const Command = "completion"

// IsRequest reports whether arg is the hidden command the scripts call.
func IsRequest(arg string) bool {
	return arg == cobra.ShellCompRequestCmd || arg == cobra.ShellCompNoDescRequestCmd
}

// Script writes shell's completion script for the command name (the
// executable's name, which the script calls back).
func Script(w io.Writer, shell, name string) error {
	root := newRoot(name, "")
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	}
	return fmt.Errorf("unknown shell %q: want %s", shell, strings.Join(Shells, ", "))
}

// Request answers one completion request: args start with the request
// command (__complete) and end with the word being completed. configPath
// is the viewer's config file, which may name the kubeconfig.
func Request(w io.Writer, name, configPath string, args []string) error {
	root := newRoot(name, configPath)
	root.SetArgs(args)
	root.SetOut(w)
	root.SetErr(io.Discard)
	return root.Execute()
}

// newRoot is a cobra command carrying the viewer's flags, with a value
// completion for each flag that takes a value.
func newRoot(name, configPath string) *cobra.Command {
	root := &cobra.Command{
		Use:               name,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		ValidArgsFunction: positional,
		Run:               func(*cobra.Command, []string) {},
	}
	for _, g := range options.FlagGroups() {
		root.Flags().AddFlagSet(g.Flags)
	}
	root.Flags().VisitAll(func(f *pflag.Flag) {
		if f.NoOptDefVal != "" { // a bool: no value to complete
			return
		}
		fn := values[f.Name]
		if fn == nil {
			fn = nothing
		}
		_ = root.RegisterFlagCompletionFunc(f.Name, func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return fn(request{cmd: cmd, toComplete: toComplete, configPath: configPath})
		})
	})
	return root
}

// positional completes the one subcommand (first on the line) and its shell.
func positional(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch {
	case cmd.Flags().NFlag() > 0:
		return nil, cobra.ShellCompDirectiveNoFileComp
	case len(args) == 0:
		return withPrefix([]string{Command}, "", toComplete), cobra.ShellCompDirectiveNoFileComp
	case len(args) == 1 && args[0] == Command:
		return withPrefix(Shells, "", toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

type request struct {
	cmd        *cobra.Command
	toComplete string
	configPath string
}

type valueFunc func(request) ([]string, cobra.ShellCompDirective)

// values completes the flags that take a value; a flag not named here (a
// selector, a region) completes nothing rather than file names.
var values = map[string]valueFunc{
	"context":          contexts,
	"context-selector": nothing,
	"kubeconfig":       files,
	"log-file":         files,
	"resources":        list(Resources),
	"extra-labels":     list(Labels()),
	"node-sort":        sortKeys,
	"style":            fixed(options.DefaultStyle),
	"node-selector":    nothing,
	"region":           nothing,
	"profile":          nothing,
	"demo-speed":       nothing,
	"output":           fixed(options.OutputFormats...),
	"timeout":          nothing,
	"usage-interval":   fixed("15s", "30s", "1m"),
	"record":           files,
	"replay":           files,
	"replay-speed":     nothing,
}

// Resources are the resource names offered for --resources.
var Resources = []string{"cpu", "memory", "pods", "ephemeral-storage", "nvidia.com/gpu", "aws.amazon.com/neuron", "vpc.amazonaws.com/pod-eni"}

// wellKnownLabels are node labels worth a column or a sort on EKS.
var wellKnownLabels = []string{
	"karpenter.sh/nodepool",
	"karpenter.sh/capacity-type",
	"eks.amazonaws.com/nodegroup",
	"eks.amazonaws.com/compute-type",
	"node.kubernetes.io/instance-type",
	"topology.kubernetes.io/zone",
	"kubernetes.io/arch",
}

// Labels are the label keys offered for --extra-labels and --node-sort:
// the computed ones first (eks-node-viewer/node-age and a usage label per
// resource of Resources), then well-known node labels.
func Labels() []string {
	out := []string{"eks-node-viewer/node-age"}
	for _, r := range Resources {
		out = append(out, "eks-node-viewer/node-"+r+"-usage")
	}
	out = append(out, options.LabelCPUUsed, options.LabelMemoryUsed)
	return append(out, wellKnownLabels...)
}

func nothing(request) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

func files(request) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}

func fixed(v ...string) valueFunc {
	return func(r request) ([]string, cobra.ShellCompDirective) {
		return withPrefix(v, "", r.toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// contexts are the contexts of the kubeconfig the viewer would load: the
// --kubeconfig on the line, else $KUBECONFIG, else the config file's, else
// ~/.kube/config.
func contexts(r request) ([]string, cobra.ShellCompDirective) {
	path := options.ConfigKubeconfig(r.configPath)
	if f := r.cmd.Flags().Lookup("kubeconfig"); f != nil && f.Changed {
		path = f.Value.String()
	}
	names, err := kube.Contexts(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if !strings.Contains(r.toComplete, ",") {
		return withPrefix(names, "", r.toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	// --context a,b: the fleet's next context.
	return list(names)(r)
}

// list completes the item after the last comma of a comma list, leaving out
// the items already listed; no space follows, so another comma can.
func list(items []string) valueFunc {
	return func(r request) ([]string, cobra.ShellCompDirective) {
		done, partial := "", r.toComplete
		if i := strings.LastIndex(r.toComplete, ","); i >= 0 {
			done, partial = r.toComplete[:i+1], r.toComplete[i+1:]
		}
		listed := strings.Split(done, ",")
		var left []string
		for _, it := range items {
			if !slices.Contains(listed, it) {
				left = append(left, it)
			}
		}
		return withPrefix(left, done, partial), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// sortKeys completes "creation" or a label key, then "=asc" or "=dsc".
func sortKeys(r request) ([]string, cobra.ShellCompDirective) {
	if key, _, ok := strings.Cut(r.toComplete, "="); ok {
		return withPrefix([]string{key + "=asc", key + "=dsc"}, "", r.toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	keys := append([]string{options.SortCreation}, Labels()...)
	return withPrefix(keys, "", r.toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// withPrefix is done+item for the items starting with partial.
func withPrefix(items []string, done, partial string) []string {
	var out []string
	for _, it := range items {
		if strings.HasPrefix(it, partial) {
			out = append(out, done+it)
		}
	}
	return out
}

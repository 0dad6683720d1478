package options

import (
	"os"

	"github.com/spf13/pflag"
)

// ConfigKubeconfig is the kubeconfig the viewer uses when --kubeconfig is
// not given, as Parse ranks them: "" (the standard rules) when $KUBECONFIG
// is set, else the config file's kubeconfig key ("" without one). A config
// file that does not parse counts as none: shell completion must not fail.
func ConfigKubeconfig(configPath string) string {
	if os.Getenv("KUBECONFIG") != "" {
		return ""
	}
	o := &Options{}
	fset := pflag.NewFlagSet(Program, pflag.ContinueOnError)
	for _, g := range o.groups() {
		fset.AddFlagSet(g.Flags)
	}
	if err := applyConfigFile(fset, configPath); err != nil {
		return ""
	}
	return o.Kubeconfig
}

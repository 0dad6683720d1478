package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eksnodeviewer/eks-node-viewer/internal/complete"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// program is how the user invoked us: exe is the executable's name, which
// completion scripts call back; prog is the command line that usage and
// errors show. Installed as kubectl-node_viewer the binary runs as
// `kubectl node-viewer` (kubectl maps "-" in a command to "_" in a file
// name).
type program struct {
	exe, prog string
}

func programFromArg0(arg0 string) program {
	exe := strings.TrimSuffix(filepath.Base(arg0), ".exe")
	if exe == "" || exe == "." || exe == string(filepath.Separator) {
		exe = options.Program
	}
	prog := exe
	if plugin, ok := strings.CutPrefix(exe, "kubectl-"); ok && plugin != "" {
		prog = "kubectl " + strings.ReplaceAll(plugin, "_", "-")
	}
	return program{exe: exe, prog: prog}
}

// completion runs `completion SHELL` (args after "completion"): the script
// on stdout, or the install help.
func completion(p program, args []string, stdout io.Writer) error {
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
		writeCompletionHelp(stdout, p)
		return options.ErrHelp
	}
	shells := strings.Join(complete.Shells, ", ")
	switch {
	case len(args) == 0:
		return &options.UsageError{Err: fmt.Errorf("completion: name a shell: %s (see completion --help)", shells)}
	case len(args) > 1:
		return &options.UsageError{Err: fmt.Errorf("completion: one shell, not %q (see completion --help)", strings.Join(args, " "))}
	case !slices.Contains(complete.Shells, args[0]):
		return &options.UsageError{Err: fmt.Errorf("completion: unknown shell %q: want %s (see completion --help)", args[0], shells)}
	}
	return complete.Script(stdout, args[0], p.exe)
}

func writeCompletionHelp(w io.Writer, p program) {
	fmt.Fprintf(w, `%[1]s completion prints a shell script that completes %[1]s's flags and
their values: the contexts of your kubeconfig, resource names, label keys and sort orders.

Usage:
  %[1]s completion bash|zsh|fish

bash (needs the bash-completion package, as kubectl's completion does):
  source <(%[2]s completion bash)                # this shell only
  %[2]s completion bash > ~/.local/share/bash-completion/completions/%[2]s

zsh (a file named _%[2]s in a directory of $fpath, before compinit runs):
  mkdir -p ~/.zfunc && %[2]s completion zsh > ~/.zfunc/_%[2]s
  # in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -U compinit && compinit

fish:
  %[2]s completion fish > ~/.config/fish/completions/%[2]s.fish

Open a new shell afterwards.
`, p.prog, p.exe)
	if p.prog != p.exe {
		fmt.Fprintf(w, `
kubectl completes a plugin's arguments by running kubectl_complete-<plugin> from $PATH:
  printf '#!/bin/sh\nexec %[1]s __complete "$@"\n' > kubectl_complete-%[2]s
  chmod +x kubectl_complete-%[2]s   # next to %[1]s
`, p.exe, strings.TrimPrefix(p.exe, "kubectl-"))
	}
}

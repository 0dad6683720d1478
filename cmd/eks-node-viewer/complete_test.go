package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildAs builds the binary into a temporary directory under the file name
// name, and returns that directory.
func buildAs(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return dir
}

func TestCompletionUsage(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, tt := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"completion"}, 2, "eks-node-viewer: completion: name a shell: bash, zsh, fish (see completion --help)\n"},
		{[]string{"completion", "tcsh"}, 2, "eks-node-viewer: completion: unknown shell \"tcsh\": want bash, zsh, fish (see completion --help)\n"},
		{[]string{"completion", "bash", "zsh"}, 2, "eks-node-viewer: completion: one shell, not \"bash zsh\" (see completion --help)\n"},
	} {
		var out, errb bytes.Buffer
		if code := run(tt.args, &out, &errb); code != tt.code || errb.String() != tt.err || out.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want %d, %q", tt.args, code, errb.String(), out.String(), tt.code, tt.err)
		}
	}

	var out, errb bytes.Buffer
	if code := run([]string{"completion", "--help"}, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Fatalf("completion --help: exit %d, stderr %q", code, errb.String())
	}
	for _, want := range []string{
		"source <(eks-node-viewer completion bash)",
		"bash-completion",
		"fpath=(~/.zfunc $fpath)",
		"eks-node-viewer completion zsh > ~/.zfunc/_eks-node-viewer",
		"eks-node-viewer completion fish > ~/.config/fish/completions/eks-node-viewer.fish",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("completion --help lacks %q:\n%s", want, out.String())
		}
	}
}

const testKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {}}]
contexts:
- {name: prod-eu, context: {cluster: c, user: u}}
- {name: staging, context: {cluster: c, user: u}}
current-context: staging
`

// bashCase is one completion request as bash makes it: words as bash splits
// the line (a "=" is a word of its own, COMP_WORDBREAKS), the cursor at the
// end of the last word.
type bashCase struct {
	line  string
	words []string
	env   string // assignments before the call
	want  []string
}

// TestBashCompletion sources the script into a real bash with the
// bash-completion package, calls its completion function as readline would,
// and reads COMPREPLY.
func TestBashCompletion(t *testing.T) {
	const lib = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(lib); err != nil {
		t.Fatalf("the bash-completion package is required (make test installs it): %v", err)
	}
	dir := buildAs(t, "eks-node-viewer")
	home := t.TempDir()
	kc := filepath.Join(home, "kc.yaml")
	if err := os.WriteFile(kc, []byte(testKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	// The config file names the kubeconfig that --context completes from
	// when neither --kubeconfig nor $KUBECONFIG does.
	if err := os.WriteFile(filepath.Join(home, ".eks-node-viewer"), []byte("kubeconfig="+kc+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(home, "other.yaml")
	if err := os.WriteFile(other, []byte(strings.ReplaceAll(testKubeconfig, "prod-eu", "other-ctx")), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []bashCase{
		{line: "eks-node-viewer --no", want: []string{"--node-selector", "--node-sort"}},
		{line: "eks-node-viewer --re", want: []string{"--record", "--region", "--replay", "--replay-speed", "--resources"}},
		{line: "eks-node-viewer --dis", want: []string{"--disable-pricing"}},
		{line: "eks-node-viewer -", want: []string{"--all-contexts", "--context", "--context-selector", "--demo", "--disable-pricing", "--extra-labels", "--help", "-h", "--kubeconfig", "--log-file", "--node-selector", "-l", "--node-sort", "--profile", "--record", "--region", "--replay", "--replay-speed", "--resources", "--style", "--usage", "--usage-interval", "--version", "-v",
			"--output", "-o", "--once", "--watch", "--timeout"}},
		{line: "eks-node-viewer -o ", want: []string{"json", "yaml", "table", "wide", "ndjson"}},
		{line: "eks-node-viewer --output w", want: []string{"wide"}},
		{line: "eks-node-viewer --context ", want: []string{"prod-eu", "staging"}},
		{line: "eks-node-viewer --context pr", want: []string{"prod-eu"}},
		{line: "eks-node-viewer --context prod-eu,", want: []string{"prod-eu,staging"}},
		{line: "eks-node-viewer --all", want: []string{"--all-contexts"}},
		{line: "eks-node-viewer --kubeconfig " + other + " --context ", want: []string{"other-ctx", "staging"}},
		{line: "eks-node-viewer --context ", env: "KUBECONFIG=" + other, want: []string{"other-ctx", "staging"}},
		{line: "eks-node-viewer --resources cpu,me", want: []string{"cpu,memory"}},
		{line: "eks-node-viewer --resources cpu,memory,n", want: []string{"cpu,memory,nvidia.com/gpu"}},
		{line: "eks-node-viewer --resources e", want: []string{"ephemeral-storage"}},
		{line: "eks-node-viewer --node-sort eks-node-viewer/node-c", want: []string{"eks-node-viewer/node-cpu-usage", "eks-node-viewer/node-cpu-used"}},
		{line: "eks-node-viewer --node-sort cr", want: []string{"creation"}},
		{line: "eks-node-viewer --node-sort creation=", want: []string{"asc", "dsc"}},
		{line: "eks-node-viewer --node-sort eks-node-viewer/node-memory-usage=a", want: []string{"asc"}},
		{line: "eks-node-viewer --extra-labels topology.kubernetes.io/zone,eks-node-viewer/node-a", want: []string{"topology.kubernetes.io/zone,eks-node-viewer/node-age", "topology.kubernetes.io/zone,eks-node-viewer/node-aws.amazon.com/neuron-usage"}},
		{line: "eks-node-viewer -l a=b --region ", want: nil},
		{line: "eks-node-viewer comp", want: []string{"completion"}},
		{line: "eks-node-viewer completion ", want: []string{"bash", "fish", "zsh"}},
	}
	var script strings.Builder
	fmt.Fprintf(&script, "source %s\nsource <(eks-node-viewer completion bash)\n", lib)
	script.WriteString(`t() {
  COMPREPLY=(); COMP_TYPE=9; COMP_KEY=9
  __start_eks-node-viewer 2>/dev/null
  # bash quotes a single completion (a comma as \,); the shell unquotes it
  # when the line runs, so compare the words the command will get.
  local w; for w in "${COMPREPLY[@]}"; do eval "printf '%s\n' $w"; done | sort
  echo "--"
}
`)
	for _, c := range cases {
		words := bashWords(c.line)
		fmt.Fprintf(&script, "%s COMP_LINE=%q COMP_POINT=%d COMP_CWORD=%d; COMP_WORDS=(", c.env, c.line, len(c.line), len(words)-1)
		for _, w := range words {
			fmt.Fprintf(&script, "%q ", w)
		}
		script.WriteString("); t\n")
	}
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", script.String())
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+home, "KUBECONFIG=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "--\n"), "--\n")
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d cases:\n%s", len(got), len(cases), out)
	}
	for i, c := range cases {
		reply := strings.Fields(got[i])
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(reply, want) {
			t.Errorf("%q (%s): COMPREPLY %q, want %q", c.line, c.env, reply, want)
		}
	}
}

// bashWords splits a line as readline does for COMP_WORDS: at spaces, and
// "=" as a word of its own (it is in COMP_WORDBREAKS); a trailing space
// starts an empty word.
func bashWords(line string) []string {
	var words []string
	for _, f := range strings.Split(line, " ") {
		for i, part := range strings.Split(f, "=") {
			if i > 0 {
				words = append(words, "=")
			}
			if part != "" || i == 0 {
				words = append(words, part)
			}
		}
	}
	return words
}

func TestBashWords(t *testing.T) {
	for line, want := range map[string][]string{
		"a --b c":     {"a", "--b", "c"},
		"a --b ":      {"a", "--b", ""},
		"a --s x=":    {"a", "--s", "x", "="},
		"a --s x=as":  {"a", "--s", "x", "=", "as"},
		"a -l a=b -r": {"a", "-l", "a", "=", "b", "-r"},
	} {
		if got := bashWords(line); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// The zsh and fish scripts parse in their shells (their behaviour is
// cobra's, tested there; the values come from the same __complete answers
// the bash test reads).
func TestZshAndFishScriptsParse(t *testing.T) {
	for _, sh := range []string{"zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			if _, err := exec.LookPath(sh); err != nil {
				t.Skipf("%s is not installed (make test installs it)", sh)
			}
			var out, errb bytes.Buffer
			if code := run([]string{"completion", sh}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			f := filepath.Join(t.TempDir(), "script."+sh)
			if err := os.WriteFile(f, out.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if msg, err := exec.Command(sh, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, msg)
			}
			if !strings.Contains(out.String(), "__complete") {
				t.Errorf("the %s script never calls __complete", sh)
			}
		})
	}
}

// Installed as kubectl-node_viewer, the binary runs as `kubectl node-viewer`
// (kubectl's plugin naming) and says so.
func TestKubectlPlugin(t *testing.T) {
	dir := buildAs(t, "kubectl-node_viewer")
	bin := filepath.Join(dir, "kubectl-node_viewer")
	env := append(os.Environ(), "HOME="+t.TempDir())
	runBin := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	out, errs, code := runBin("--help")
	if code != 0 || errs != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"Usage:\n  kubectl node-viewer [flags]\n", "  kubectl node-viewer --demo\n", "--node-selector"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "  eks-node-viewer ") {
		t.Errorf("--help shows the other command line:\n%s", out)
	}
	out, errs, code = runBin("--version")
	if code != 0 || errs != "" || !strings.HasPrefix(out, "eks-node-viewer ") || !strings.Contains(out, "(commit ") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	_, errs, code = runBin("--nope")
	if code != 2 || errs != "kubectl node-viewer: unknown flag: --nope (see --help)\n" {
		t.Errorf("--nope: exit %d, stderr %q", code, errs)
	}
	// kubectl completes a plugin through kubectl_complete-node_viewer, which
	// calls __complete: the protocol the shell scripts use.
	out, _, code = runBin("__complete", "--node-sort", "creation=")
	if code != 0 || out != "creation=asc\ncreation=dsc\n:4\n" {
		t.Errorf("__complete: exit %d, %q", code, out)
	}
}

func TestProgramFromArg0(t *testing.T) {
	for arg0, want := range map[string]program{
		"/usr/local/bin/eks-node-viewer": {"eks-node-viewer", "eks-node-viewer"},
		"kubectl-node_viewer":            {"kubectl-node_viewer", "kubectl node-viewer"},
		`C:\bin\kubectl-node_viewer.exe`: {"kubectl-node_viewer", "kubectl node-viewer"},
		"./bin/eks-node-viewer":          {"eks-node-viewer", "eks-node-viewer"},
		"":                               {"eks-node-viewer", "eks-node-viewer"},
	} {
		if filepath.Separator != '\\' && strings.Contains(arg0, `\`) {
			continue
		}
		if got := programFromArg0(arg0); got != want {
			t.Errorf("%q: %+v, want %+v", arg0, got, want)
		}
	}
}

package options

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// --context, --all-contexts and --context-selector: which clusters.

// Fleet reports whether more than one cluster may be asked for: several
// --context values, or every context of the kubeconfig (--all-contexts,
// --context-selector). ResolveContexts says how many it is.
func (o *Options) Fleet() bool { return len(o.Contexts) > 1 || o.AllContexts }

// validateContexts checks the cluster flags and fills Context and
// matchContext. A selector implies --all-contexts.
func (o *Options) validateContexts() error {
	seen := map[string]bool{}
	for i, c := range o.Contexts {
		c = strings.TrimSpace(c)
		switch {
		case c == "" && len(o.Contexts) > 1:
			return flagErrorf("context", "invalid --context %q: an empty context name", strings.Join(o.Contexts, ","))
		case seen[c]:
			return flagErrorf("context", "invalid --context %q: %q is listed twice", strings.Join(o.Contexts, ","), c)
		}
		seen[c] = true
		o.Contexts[i] = c
	}
	if len(o.Contexts) == 1 && o.Contexts[0] == "" {
		o.Contexts = nil // --context "": the current context
	}
	switch {
	case o.AllContexts && len(o.Contexts) > 0:
		return flagErrorf("all-contexts", "--all-contexts and --context do not go together: --all-contexts shows every context of the kubeconfig (narrow it with --context-selector)")
	case o.ContextSelector != "" && len(o.Contexts) > 0:
		return flagErrorf("context-selector", "--context-selector and --context do not go together: the selector picks from every context of the kubeconfig")
	}
	if o.ContextSelector != "" {
		match, err := compileSelector(o.ContextSelector)
		if err != nil {
			return flagErrorf("context-selector", "invalid --context-selector %q: %v", o.ContextSelector, err)
		}
		o.matchContext, o.AllContexts = match, true
	}
	if len(o.Contexts) == 1 {
		o.Context = o.Contexts[0]
	}
	if !o.Fleet() {
		return nil
	}
	switch {
	case o.Demo:
		return flagErrorf(o.clusterFlag(), "--demo works with one cluster (the embedded lab), not with %s", o.clustersAsked())
	case o.Record.Replay != "":
		return flagErrorf(o.clusterFlag(), "--replay works with one cluster (the recording's), not with %s", o.clustersAsked())
	case o.Record.Record != "" && len(o.Contexts) > 1:
		return o.recordOneCluster()
	}
	return nil
}

func (o *Options) recordOneCluster() error {
	return flagErrorf(o.clusterFlag(), "--record works with one cluster, not with %s (record each context in a run of its own)", o.clustersAsked())
}

// clusterFlag is the flag that asked for several clusters (whose config
// file line a message names, when it came from there).
func (o *Options) clusterFlag() string {
	switch {
	case len(o.Contexts) > 1:
		return "context"
	case o.ContextSelector != "":
		return "context-selector"
	}
	return "all-contexts"
}

// clustersAsked names the flags that asked for several clusters, for
// messages.
func (o *Options) clustersAsked() string {
	switch {
	case len(o.Contexts) > 1:
		return "--context " + strings.Join(o.Contexts, ",")
	case o.ContextSelector != "":
		return "--context-selector " + o.ContextSelector
	}
	return "--all-contexts"
}

// ResolveContexts picks the clusters among the kubeconfig's contexts
// (available, in the order to show them when all are asked for): the
// --context values in their order, or every context matching the
// selector. nil means the single-cluster viewer on the current context.
// An unknown context, a selector matching nothing and --record with
// several clusters are usage errors, with the config file's line when it
// chose the clusters.
func (o *Options) ResolveContexts(available []string) ([]string, error) {
	picked, err := o.pick(available)
	if err == nil && len(picked) > 1 && o.Record.Record != "" {
		err = o.recordOneCluster()
	}
	if err != nil && o.contextsFrom != "" {
		err = &UsageError{Err: fmt.Errorf("%s: %w", o.contextsFrom, err), Flag: "context"}
	}
	return picked, err
}

func (o *Options) pick(available []string) ([]string, error) {
	if !o.AllContexts {
		for _, c := range o.Contexts {
			if !slices.Contains(available, c) {
				return nil, flagErrorf("context", "unknown context %q: %s", c, kubeconfigHas(available))
			}
		}
		return slices.Clone(o.Contexts), nil
	}
	var picked []string
	for _, c := range available {
		if o.matchContext == nil || o.matchContext(c) {
			picked = append(picked, c)
		}
	}
	switch {
	case len(picked) > 0:
		return picked, nil
	case o.ContextSelector != "":
		return nil, flagErrorf("context-selector", "--context-selector %q matches none of the contexts: %s", o.ContextSelector, kubeconfigHas(available))
	}
	return nil, flagErrorf("all-contexts", "--all-contexts: the kubeconfig has no contexts")
}

// maxListed is how many context names a message lists.
const maxListed = 20

// kubeconfigHas lists the available contexts for a message, the first
// maxListed of them.
func kubeconfigHas(names []string) string {
	if len(names) == 0 {
		return "the kubeconfig has no contexts"
	}
	quoted := make([]string, 0, min(len(names), maxListed))
	for _, n := range names[:min(len(names), maxListed)] {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	s := "the kubeconfig has " + strings.Join(quoted, ", ")
	if more := len(names) - maxListed; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// compileSelector reads a --context-selector: a regular expression
// between slashes (unanchored, Go's syntax), else a glob over the whole
// name.
func compileSelector(sel string) (func(string) bool, error) {
	if len(sel) >= 2 && strings.HasPrefix(sel, "/") && strings.HasSuffix(sel, "/") {
		expr := sel[1 : len(sel)-1]
		if expr == "" {
			return nil, fmt.Errorf("an empty regular expression")
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	expr, err := globRegexp(sel)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	return re.MatchString, nil
}

// globRegexp turns a glob into an anchored regular expression: * is any
// text (a slash and a colon included: EKS context names are ARNs, like
// arn:aws:eks:eu-west-1:111122223333:cluster/prod), ? one character,
// [abc], [a-z] and [!abc] a class, \x the character x.
func globRegexp(glob string) (string, error) {
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			if i+1 < len(rs) {
				i++
			}
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '[':
			end := classEnd(rs, i)
			if end < 0 {
				return "", fmt.Errorf("unterminated [ in the glob")
			}
			b.WriteString("[")
			body := rs[i+1 : end]
			if len(body) > 0 && (body[0] == '!' || body[0] == '^') {
				b.WriteString("^")
				body = body[1:]
			}
			for _, c := range body {
				if c == '-' {
					b.WriteRune(c)
				} else {
					b.WriteString(regexp.QuoteMeta(string(c)))
				}
			}
			b.WriteString("]")
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String(), nil
}

// classEnd is the index of the ] that closes the class opened at rs[open]
// (a ] right after [ or [! is a member), or -1.
func classEnd(rs []rune, open int) int {
	i := open + 1
	if i < len(rs) && (rs[i] == '!' || rs[i] == '^') {
		i++
	}
	if i < len(rs) && rs[i] == ']' {
		i++
	}
	for ; i < len(rs); i++ {
		if rs[i] == ']' {
			return i
		}
	}
	return -1
}

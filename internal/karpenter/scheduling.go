package karpenter

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ShortenScheduler reduces a kube-scheduler FailedScheduling message to its
// reasons: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't
// match Pod's node affinity/selector. preemption: ..." becomes
// "Insufficient cpu, node affinity". Resource shortages come first (they are
// why the nodes that would do are full), then the others by how many nodes
// gave them. A message of another form is returned with its known phrases
// shortened, else whole.
func ShortenScheduler(msg string) string {
	msg = fold(msg)
	body := msg
	if i := strings.Index(body, " preemption:"); i >= 0 {
		body = body[:i]
	}
	body = strings.TrimSuffix(strings.TrimSpace(body), ".")
	if strings.HasPrefix(body, "no nodes available to schedule pods") {
		return "no nodes"
	}
	items := []string{body}
	if head, rest, ok := strings.Cut(body, " nodes are available"); ok && isFraction(head) {
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		if rest == "" {
			if strings.HasPrefix(head, "0/0") {
				return "no nodes"
			}
			return body
		}
		items = strings.Split(rest, ", ")
	}
	type tally struct {
		short        string
		n, first     int
		insufficient bool
	}
	var tallies []tally
	for i, item := range items {
		n, text := leadingCount(item)
		short := shortReason(text)
		if short == "" {
			continue
		}
		found := false
		for j := range tallies {
			if tallies[j].short == short {
				tallies[j].n += n
				found = true
			}
		}
		if !found {
			tallies = append(tallies, tally{short: short, n: n, first: i, insufficient: strings.HasPrefix(short, "Insufficient ")})
		}
	}
	if len(tallies) == 0 {
		return msg
	}
	sort.SliceStable(tallies, func(a, b int) bool {
		ta, tb := tallies[a], tallies[b]
		if ta.insufficient != tb.insufficient {
			return ta.insufficient
		}
		if ta.n != tb.n {
			return ta.n > tb.n
		}
		return ta.first < tb.first
	})
	out := make([]string, len(tallies))
	for i, t := range tallies {
		out[i] = t.short
	}
	return strings.Join(out, ", ")
}

// isFraction reports whether s is "N/M".
func isFraction(s string) bool {
	a, b, ok := strings.Cut(s, "/")
	return ok && isDigits(a) && isDigits(b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// leadingCount splits "3 Insufficient cpu" into 3 and "Insufficient cpu"
// (1 and the whole item without a count).
func leadingCount(item string) (int, string) {
	item = strings.TrimSpace(item)
	num, rest, ok := strings.Cut(item, " ")
	if ok && isDigits(num) {
		if n, err := strconv.Atoi(num); err == nil {
			return n, strings.TrimSpace(rest)
		}
	}
	return 1, item
}

// shortReason names one scheduler reason in a few words.
func shortReason(text string) string {
	text = strings.TrimSpace(strings.TrimSuffix(text, "."))
	if strings.HasPrefix(text, "Insufficient ") {
		return text
	}
	for _, r := range []struct{ phrase, short string }{
		{"node affinity/selector", "node affinity"},
		{"[NodeAffinity]", "node affinity"},
		{"untolerated taint", "untolerated taint"},
		{"anti-affinity", "pod anti-affinity"},
		{"pod affinity", "pod affinity"},
		{"topology spread", "topology spread"},
		{"were unschedulable", "node unschedulable"},
		{"volume node affinity conflict", "volume node affinity"},
		{"free ports", "host ports"},
		{"Too many pods", "too many pods"},
		{"max volume count", "volume limit"},
		{"unbound immediate PersistentVolumeClaims", "unbound PersistentVolumeClaims"},
		{"no available volume zone", "volume zone"},
	} {
		if strings.Contains(text, r.phrase) {
			return r.short
		}
	}
	return strings.TrimPrefix(text, "node(s) ")
}

// ShortenKarpenter reduces Karpenter's scheduling error (the text after
// "Failed to schedule pod, ") to its reason: `NodePool "x" limits
// exhausted` (both limits messages, each way Karpenter versions write the
// pool: `for nodepool "x"`, `for nodepool: "x"`, `(NodePool=x)`), "no
// compatible instance types", "untolerated taint", "incompatible
// requirements", ... It returns the NodePools a limits message names.
func ShortenKarpenter(err string) (string, []string) {
	err = fold(err)
	if pools, ok := limitPools(err); ok {
		return LimitsExhausted(pools), pools
	}
	lower := strings.ToLower(err)
	for _, r := range []struct{ phrase, short string }{
		{"volume", "volume requirements"},
		{"did not tolerate", "untolerated taint"},
		{"dynamic resource", "dynamic resources"},
		{"minvalues", "minValues not met"},
		{"no instance type", NoCompatibleInstanceTypes},
		{"instance types", NoCompatibleInstanceTypes},
		{"incompatible", "incompatible requirements"},
		{"no nodepools found", "no NodePools"},
		{"no dynamic nodepools", "no NodePools"},
	} {
		if strings.Contains(lower, r.phrase) {
			return r.short, nil
		}
	}
	return err, nil
}

// LimitsExhausted words the limits reason for the NodePools named
// (`NodePool "default" limits exhausted`).
func LimitsExhausted(pools []string) string {
	switch len(pools) {
	case 0:
		return "NodePool " + limitsExhausted
	case 1:
		return "NodePool " + strconv.Quote(pools[0]) + " " + limitsExhausted
	}
	q := make([]string, len(pools))
	for i, p := range pools {
		q[i] = strconv.Quote(p)
	}
	return "NodePools " + strings.Join(q, ", ") + " " + limitsExhausted
}

// limitPools finds the limits phrases in err and the pools they name.
func limitPools(err string) ([]string, bool) {
	var pools []string
	found := false
	for _, phrase := range []string{"exceed limits for nodepool", "limits have been exhausted for nodepool"} {
		rest := err
		for {
			i := strings.Index(rest, phrase)
			if i < 0 {
				break
			}
			found = true
			rest = rest[i+len(phrase):]
			if name := poolName(rest); name != "" && !slices.Contains(pools, name) {
				pools = append(pools, name)
			}
		}
	}
	return pools, found
}

// poolName reads the pool named right after a limits phrase.
func poolName(s string) string {
	s = strings.TrimLeft(s, ": ")
	if rest, ok := strings.CutPrefix(s, `"`); ok {
		if j := strings.IndexByte(rest, '"'); j > 0 {
			return rest[:j]
		}
		return ""
	}
	if rest, ok := strings.CutPrefix(s, "(NodePool="); ok {
		if j := strings.IndexAny(rest, "),"); j > 0 {
			return rest[:j]
		}
	}
	return ""
}

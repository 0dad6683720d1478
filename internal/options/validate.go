package options

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// SortSpec is a parsed --node-sort.
type SortSpec struct {
	// Key is "creation" or a label key (computed labels included).
	Key string
	// Descending: for creation, oldest first (the default); for labels and
	// computed values, largest first.
	Descending bool
}

// SortCreation is the --node-sort key for node creation time.
const SortCreation = "creation"

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Validate checks every value and fills the derived fields. Errors name the
// flag and the offending value.
func (o *Options) Validate() error {
	sel, err := labels.Parse(o.NodeSelector)
	if err != nil {
		return flagErrorf("node-selector", "invalid --node-selector %q: %v", o.NodeSelector, err)
	}
	o.Selector = sel

	o.Sort, err = ParseSort(o.NodeSort)
	if err != nil {
		return err
	}

	colors := strings.Split(o.Style, ",")
	if len(colors) != 3 {
		return flagErrorf("style", "invalid --style %q: want three colours (good,ok,bad), e.g. %s", o.Style, DefaultStyle)
	}
	for i, c := range colors {
		c = strings.TrimSpace(c)
		if !hexColor.MatchString(c) {
			return flagErrorf("style", "invalid --style %q: %q is not a colour like #04B575", o.Style, c)
		}
		o.Colors[i] = c
	}

	if len(o.Resources) == 0 {
		return flagErrorf("resources", "invalid --resources: name at least one resource, e.g. cpu")
	}
	seen := map[string]bool{}
	for i, r := range o.Resources {
		r = strings.TrimSpace(r)
		if errs := validation.IsQualifiedName(r); len(errs) > 0 {
			return flagErrorf("resources", "invalid --resources %q: %q is not a resource name", strings.Join(o.Resources, ","), r)
		}
		if seen[r] {
			return flagErrorf("resources", "invalid --resources %q: %q is listed twice", strings.Join(o.Resources, ","), r)
		}
		seen[r] = true
		o.Resources[i] = r
	}

	for i, l := range o.ExtraLabels {
		l = strings.TrimSpace(l)
		if !validLabelKey(l) {
			return flagErrorf("extra-labels", "invalid --extra-labels: %q is not a label key", l)
		}
		if unmeasured(l) {
			return flagErrorf("extra-labels", "invalid --extra-labels: %q: usage is measured for cpu and memory only (%s, %s)", l, LabelCPUUsed, LabelMemoryUsed)
		}
		o.ExtraLabels[i] = l
	}

	if o.UsageInterval < MinUsageInterval {
		return flagErrorf("usage-interval", "invalid --usage-interval %s: must be at least %s (metrics-server samples no faster)", o.UsageInterval, MinUsageInterval)
	}

	if o.DemoSpeed <= 0 {
		return flagErrorf("demo-speed", "invalid --demo-speed %v: must be above 0", o.DemoSpeed)
	}
	if err := o.validateRecord(); err != nil {
		return err
	}
	if err := o.validateContexts(); err != nil {
		return err
	}
	return o.validateOutput()
}

// validateOutput checks -o, --once, --watch and --timeout.
func (o *Options) validateOutput() error {
	if o.Output != "" && !slices.Contains(OutputFormats, o.Output) {
		return flagErrorf("output", "invalid --output %q: want one of %s", o.Output, strings.Join(OutputFormats, ", "))
	}
	switch {
	case o.Watch && o.Once:
		return flagErrorf("watch", "--watch and --once do not go together: --watch streams, --once prints one snapshot")
	case o.Watch && o.Output != "ndjson":
		return flagErrorf("watch", "--watch streams changes as NDJSON: use it with -o ndjson")
	case o.Timeout <= 0:
		return flagErrorf("timeout", "invalid --timeout %v: must be above 0 (e.g. 30s)", o.Timeout)
	}
	return nil
}

// ParseSort parses a --node-sort value: "creation" or a label key, optionally
// followed by "=asc" or "=dsc" (default dsc).
func ParseSort(s string) (SortSpec, error) {
	key, order, hasOrder := strings.Cut(strings.TrimSpace(s), "=")
	spec := SortSpec{Key: key, Descending: true}
	if hasOrder {
		switch order {
		case "asc":
			spec.Descending = false
		case "dsc", "desc":
		default:
			return SortSpec{}, flagErrorf("node-sort", "invalid --node-sort %q: order must be asc or dsc, not %q", s, order)
		}
	}
	if key == "" {
		return SortSpec{}, flagErrorf("node-sort", "invalid --node-sort %q: name creation or a label key", s)
	}
	if key != SortCreation {
		if !validLabelKey(key) {
			return SortSpec{}, flagErrorf("node-sort", "invalid --node-sort %q: %q is not a label key", s, key)
		}
		if unmeasured(key) {
			return SortSpec{}, flagErrorf("node-sort", "invalid --node-sort %q: usage is measured for cpu and memory only (%s, %s)", s, LabelCPUUsed, LabelMemoryUsed)
		}
	}
	return spec, nil
}

// String is the canonical form, for messages.
func (s SortSpec) String() string {
	if s.Descending {
		return fmt.Sprintf("%s=dsc", s.Key)
	}
	return fmt.Sprintf("%s=asc", s.Key)
}

// UsedLabelResource reads the resource out of a computed used label,
// eks-node-viewer/node-cpu-used or eks-node-viewer/node-memory-used: what
// metrics.k8s.io says the node uses (the only two resources it reports).
// ok is false for any other key.
func UsedLabelResource(label string) (resource string, ok bool) {
	switch label {
	case LabelCPUUsed:
		return "cpu", true
	case LabelMemoryUsed:
		return "memory", true
	}
	return "", false
}

// unmeasured: a computed used label of a resource metrics.k8s.io does not
// report (eks-node-viewer/node-pods-used).
func unmeasured(key string) bool {
	_, ok := UsedLabelResource(key)
	return !ok && strings.HasPrefix(key, "eks-node-viewer/node-") && strings.HasSuffix(key, "-used")
}

// The computed used labels.
const (
	LabelCPUUsed    = "eks-node-viewer/node-cpu-used"
	LabelMemoryUsed = "eks-node-viewer/node-memory-used"
)

// validLabelKey accepts label keys and the computed usage labels, whose
// resource part may itself contain a slash (eks-node-viewer/node-nvidia.com/gpu-usage).
func validLabelKey(key string) bool {
	if r, ok := UsageLabelResource(key); ok {
		key = r
	}
	return len(validation.IsQualifiedName(key)) == 0
}

// UsageLabelResource reads the resource out of a computed usage label,
// eks-node-viewer/node-<resource>-usage; the resource may contain a slash
// (eks-node-viewer/node-nvidia.com/gpu-usage is nvidia.com/gpu). ok is false
// for any other key, and for an empty resource. The resource is not checked
// further.
func UsageLabelResource(label string) (resource string, ok bool) {
	const prefix, suffix = "eks-node-viewer/node-", "-usage"
	if !strings.HasPrefix(label, prefix) || !strings.HasSuffix(label, suffix) || len(label) <= len(prefix)+len(suffix) {
		return "", false
	}
	return label[len(prefix) : len(label)-len(suffix)], true
}

package options

import (
	"fmt"
	"regexp"
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
		o.ExtraLabels[i] = l
	}

	if o.DemoSpeed <= 0 {
		return flagErrorf("demo-speed", "invalid --demo-speed %v: must be above 0", o.DemoSpeed)
	}
	return o.validateRecord()
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

package ui

import (
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/termtext"
)

// milliCPUThreshold: below 10 allocatable cores, cpu reads best in millicores.
const milliCPUThreshold = 10_000

var binaryUnits = [...]string{"B", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}

// FormatPair renders a used/allocatable pair in human units, with both sides
// in the same unit so they can be compared at a glance: cpu as millicores
// ("1800m/3560m") below 10 cores, else cores ("12.5/96 cores"); memory,
// ephemeral-storage and hugepages in binary units ("12.3Gi/31.4Gi"); anything
// else (pods, nvidia.com/gpu, ...) as plain numbers ("3/8").
//
// The unit is chosen by the larger side (normally the allocatable one).
func FormatPair(resource string, q cluster.Quantity) string {
	switch {
	case resource == "cpu":
		return formatCPU(q)
	case isBytes(resource):
		return formatBytes(q)
	}
	return formatCount(q.Used) + "/" + formatCount(q.Allocatable)
}

func isBytes(resource string) bool {
	return resource == "memory" || resource == "ephemeral-storage" ||
		strings.HasPrefix(resource, "hugepages-")
}

func formatCPU(q cluster.Quantity) string {
	if max(q.Used, q.Allocatable) < milliCPUThreshold {
		return strconv.FormatInt(q.Used, 10) + "m/" + strconv.FormatInt(q.Allocatable, 10) + "m"
	}
	return formatDecimal(float64(q.Used)/1000, 2) + "/" + formatDecimal(float64(q.Allocatable)/1000, 2) + " cores"
}

func formatBytes(q cluster.Quantity) string {
	used, alloc := q.Used/1000, q.Allocatable/1000
	scale := max(used, alloc)
	unit := 0
	for unit < len(binaryUnits)-1 && scale >= int64(1)<<(10*(unit+1)) {
		unit++
	}
	if unit == 0 {
		return formatCount(q.Used) + "B/" + formatCount(q.Allocatable) + "B"
	}
	div := float64(int64(1) << (10 * unit))
	suffix := binaryUnits[unit]
	return strconv.FormatFloat(float64(used)/div, 'f', 1, 64) + suffix + "/" +
		strconv.FormatFloat(float64(alloc)/div, 'f', 1, 64) + suffix
}

// formatCount renders a milli-unit count as a plain number ("37,000"), with
// up to three decimals when it is fractional.
func formatCount(milli int64) string {
	if milli%1000 == 0 {
		return groupThousands(strconv.FormatInt(milli/1000, 10))
	}
	return formatDecimal(float64(milli)/1000, 3)
}

// formatDecimal renders v with at most prec decimals, trailing zeros trimmed,
// and thousands separators.
func formatDecimal(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return groupThousands(s)
}

// formatMoney renders v with exactly prec decimals and thousands separators.
func formatMoney(v float64, prec int) string {
	return groupThousands(strconv.FormatFloat(v, 'f', prec, 64))
}

// groupThousands inserts commas into the integer part of a decimal number.
func groupThousands(s string) string {
	start := 0
	if strings.HasPrefix(s, "-") {
		start = 1
	}
	end := strings.IndexByte(s, '.')
	if end < 0 {
		end = len(s)
	}
	digits := end - start
	if digits <= 3 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + digits/3)
	b.WriteString(s[:start])
	for i := start; i < end; i++ {
		if i > start && (end-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	b.WriteString(s[end:])
	return b.String()
}

// currencySymbol maps a pricing currency to the symbol shown before amounts.
func currencySymbol(currency string) string {
	if currency == "CNY" {
		return "¥"
	}
	return "$"
}

// age is the time from t to now as kubectl shows it; never negative.
func age(now, t time.Time) string {
	return duration.HumanDuration(max(now.Sub(t), 0))
}

// maxShownFraction caps a usage fraction as shown: requests saturate at
// math.MaxInt64 milli-units (a pod asking for 10P cpu), and a node asked
// for more than 999% of itself reads "999%" with a full bar, never a
// negative or wrapped number.
const maxShownFraction = 9.99

// shownFraction is frac clamped to [0, maxShownFraction] (NaN is 0).
func shownFraction(frac float64) float64 {
	if !(frac > 0) {
		return 0
	}
	return min(frac, maxShownFraction)
}

// sanitize makes text from the cluster safe for one terminal line (see
// termtext.Clean). Every such string passes through it once, before
// anything measures it.
func sanitize(s string) string { return termtext.Clean(s) }

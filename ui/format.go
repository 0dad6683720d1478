package ui

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
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

// sanitize makes text from the cluster (names, labels, annotations, event
// reasons and messages, notes built from them) safe for one terminal line.
// Every such string passes through it once, before anything measures it.
// The rules:
//   - a whole escape sequence becomes one '?': CSI (ESC [ or U+009B,
//     parameters and intermediates, up to its final byte), OSC (ESC ] or
//     U+009D), DCS (ESC P or U+0090), SOS (ESC X or U+0098), PM (ESC ^ or
//     U+009E) and APC (ESC _ or U+009F) up to BEL or ST (ESC \ or U+009C),
//     or to the end of the string when unterminated; any other ESC with its
//     intermediates and final byte (ESC c, ESC ( B, ESC 7); a lone ESC;
//   - tab, newline, vertical tab, form feed, carriage return, U+0085 (NEL),
//     U+2028 and U+2029 (line and paragraph separators) become a space;
//   - every other C0 or C1 control and DEL becomes '?';
//   - invisible format characters (Unicode category Cf: bidi embeddings,
//     overrides and isolates U+202A-202E and U+2066-2069, marks U+200E,
//     U+200F and U+061C, zero-width spaces and joiners, U+FEFF, soft
//     hyphen, tag characters) become '?': they reorder or hide what is
//     shown, and terminals disagree on their width;
//   - bytes that are not UTF-8 become '?'.
//
// The result holds no byte below 0x20, no DEL and no C1 control, so nothing
// drawn from it can move the cursor, set the title, write the clipboard or
// clear the screen.
func sanitize(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++ // printable ASCII, the common case
	}
	if i == len(s) {
		return s
	}
	for j := i; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || unsafeRune(r) || (r == utf8.RuneError && size == 1) {
			return sanitizeFrom(s, j)
		}
		j += size
	}
	return s
}

// unsafeRune: the non-control runes sanitize replaces (and U+2028/9).
func unsafeRune(r rune) bool {
	return r >= 0xa0 && (unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029')
}

// sanitizeFrom rewrites s from byte i, the first one sanitize changes.
func sanitizeFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i = skipEscape(s, i+1)
			b.WriteByte('?')
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
			b.WriteByte('?')
			continue
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(s, i+size)
			b.WriteByte('?')
			continue
		case r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == 0x85 || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || unsafeRune(r) || (r == utf8.RuneError && size == 1):
			b.WriteByte('?')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// skipEscape returns the end of the escape sequence whose ESC ends before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// nF: intermediates 0x20-0x2F, then a final 0x30-0x7E.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI returns the end of a control sequence whose introducer ends
// before i: parameter and intermediate bytes, then a final byte 0x40-0x7E.
// Any other byte ends it early (and is looked at again).
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString returns the end of a control string (OSC, DCS, SOS, PM, APC)
// whose introducer ends before i: up to and including BEL, ESC \ or U+009C,
// or the end of s.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // another sequence starts: this one ends here
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
		i++
	}
	return i
}

package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// shortenMiddle fits plain (unstyled) text into width cells by cutting its
// middle: "i-0123456789abcdef0" -> "i-0123…cdef0". Both ends of a name carry
// its meaning (a prefix, an instance ID's tail). Text that fits is returned
// as is; a width under 2 gives what fits of the start.
func shortenMiddle(s string, width int) string {
	w := dispWidth(s)
	if w <= width {
		return s
	}
	if width < 2 {
		return ansi.Truncate(s, max(width, 0), "")
	}
	keep := width - 1 // one cell for the ellipsis
	head := (keep + 1) / 2
	tail := keep - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, w-tail, "")
}

// padTo pads styled text with spaces to width cells (no-op when wider).
func padTo(s string, width int) string {
	if d := width - lineWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// shortenNames fits names into width cells each. Names that share a domain
// suffix (".ec2.internal", ".us-west-2.compute.internal") lose it first,
// since it tells them apart from nothing: "ip-10-0-0-10…"; what is still too
// long is shortened in the middle ("ip-192…-10-1").
func shortenNames(names []string, width int) []string {
	suffix := commonDomain(names)
	out := make([]string, len(names))
	for i, n := range names {
		if dispWidth(n) > width && suffix != "" {
			base := strings.TrimSuffix(n, suffix)
			n = base + "…"
			if dispWidth(n) > width {
				n = shortenMiddle(base, width)
			}
		}
		if dispWidth(n) > width {
			n = shortenMiddle(n, width)
		}
		out[i] = n
	}
	return out
}

// commonDomain is the longest suffix starting at a "." that every name
// has (and that leaves something before it), or "".
func commonDomain(names []string) string {
	if len(names) == 0 {
		return ""
	}
	suffix := names[0]
	for _, n := range names[1:] {
		for !strings.HasSuffix(n, suffix) {
			i := strings.IndexByte(suffix[1:], '.')
			if i < 0 {
				return ""
			}
			suffix = suffix[1+i:]
		}
	}
	if i := strings.IndexByte(suffix, '.'); i != 0 {
		if i < 0 {
			return ""
		}
		suffix = suffix[i:]
	}
	for _, n := range names {
		if len(n) == len(suffix) {
			return ""
		}
	}
	return suffix
}

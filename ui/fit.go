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

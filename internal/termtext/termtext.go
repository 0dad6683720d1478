// Package termtext makes text from a cluster safe to print on a terminal:
// the one sanitiser shared by the screen and the plain-text outputs.
package termtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes text from the cluster (names, labels, annotations, event
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
func Clean(s string) string {
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

// unsafeRune: the non-control runes Clean replaces (and U+2028/9).
func unsafeRune(r rune) bool {
	return r >= 0xa0 && (unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029')
}

// sanitizeFrom rewrites s from byte i, the first one Clean changes.
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

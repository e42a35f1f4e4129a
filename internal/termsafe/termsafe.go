// Package termsafe makes user data (benchmark names, labels,
// configuration values, file names) safe to print to a terminal or into
// Markdown.
//
// The rule, applied by [Escape] everywhere benchdb prints text or
// Markdown: a printable character (strconv.IsPrint: letters, marks,
// numbers, punctuation, symbols and the ASCII space) is printed as it
// is; any other character is printed as its Go escape, as strconv.Quote
// writes it without the quotes: \a \b \f \n \r \t \v, \x1b for other
// ASCII controls and DEL, \u0085 or \u202e for non-printable Unicode
// (C1 controls, line separators, bidirectional overrides) and \U000e0001
// beyond; a byte that is not valid UTF-8 is printed as \xff. Backslashes
// themselves are not doubled, so names holding backslashes show as they
// are. JSON, CSV and `benchdb export` are data, not display: they carry
// the stored bytes unchanged.
package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every character that is not printable replaced by
// its Go escape, and every byte that is not valid UTF-8 by \xNN (see the
// package documentation). A string of printable characters is returned
// unchanged.
func Escape(s string) string {
	if printable(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[s[i]>>4])
			b.WriteByte("0123456789abcdef"[s[i]&0xf])
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\u2028', '\n'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// Lines is Escape for text whose newlines are layout, such as a
// multi-line error message: each line is escaped and the newlines kept.
func Lines(s string) string {
	if printable(strings.ReplaceAll(s, "\n", "")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

// printable reports whether Escape would return s unchanged.
func printable(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !strconv.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}

// Control reports the index of the first byte of s that a terminal could
// take as a control (a C0 control other than allowed, DEL, the UTF-8 of
// a C1 control, or a byte that is not valid UTF-8), or -1. Tests use it
// to check output; allowed lists layout controls such as "\n\t".
func Control(s, allowed string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return i
		case (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)) && !strings.ContainsRune(allowed, r):
			return i
		}
		i += size
	}
	return -1
}

package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPGEscapeText checks that the escape of PostgreSQL text is valid
// UTF-8 without NUL, leaves ordinary text alone, gives back the bytes it
// escaped, and unescapes a concatenation of escapes as the
// concatenation of the texts (as run_summary's labels need).
func FuzzPGEscapeText(f *testing.F) {
	for _, s := range []string{"", "plain", "caf\xe9", "a\x00b", "\ue000", "\ue00041", "\xee\x80", "é", "\xff\xfe\ue000\x00"} {
		f.Add(s, "x\xc3")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ea, eb := pgEscapeText(a), pgEscapeText(b)
		if !utf8.ValidString(ea) || strings.IndexByte(ea, 0) >= 0 {
			t.Fatalf("escape of %q is %q: not valid UTF-8 without NUL", a, ea)
		}
		if got := pgUnescapeText(ea); got != a {
			t.Fatalf("unescape(escape(%q)) = %q", a, got)
		}
		if got := pgUnescapeText(ea + "=" + eb); got != a+"="+b {
			t.Fatalf("unescape of the escapes of %q and %q joined = %q", a, b, got)
		}
		if utf8.ValidString(a) && !strings.ContainsRune(a, 0) && !strings.ContainsRune(a, pgEscapeRune) && ea != a {
			t.Fatalf("ordinary text %q escaped as %q", a, ea)
		}
	})
}

func TestPGEscapeText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"BenchmarkA-8", "BenchmarkA-8"},
		{"caf\xe9", "caf\ue000E9"},
		{"a\x00b", "a\ue00000b"},
		{"\ue000", "\ue000EE\ue00080\ue00080"},
	} {
		if got := pgEscapeText(tt.in); got != tt.want {
			t.Errorf("pgEscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

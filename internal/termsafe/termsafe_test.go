package termsafe_test

import (
	"strings"
	"testing"

	"github.com/benchdb/benchdb/internal/termsafe"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"BenchmarkSelect/depth=1000-2", "BenchmarkSelect/depth=1000-2"},
		{"üñíçødé µs/op ±", "üñíçødé µs/op ±"},
		{`back\slash "q" 'q'`, `back\slash "q" 'q'`},
		{"Ctl/\x1b[2J\a\x01", `Ctl/\x1b[2J\a\x01`},
		{"a\r\b\t\n\v\f\x00z", `a\r\b\t\n\v\f\x00z`},
		{"del\x7f", `del\x7f`},
		{"c1\u0085\u009b", `c1\u0085\u009b`},
		{"sep\u2028bidi\u202e", `sep\u2028bidi\u202e`},
		{"bad\xff\xfeutf8\xc3", `bad\xff\xfeutf8\xc3`},
		{"nbsp\u00a0", `nbsp\u00a0`},
		{"replacement\ufffd", "replacement\ufffd"},
		{"tag\U000e0041", `tag\U000e0041`},
	} {
		got := termsafe.Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if i := termsafe.Control(got, ""); i >= 0 {
			t.Errorf("Escape(%q) = %q holds a control at %d", tc.in, got, i)
		}
	}
}

func TestLines(t *testing.T) {
	got := termsafe.Lines("first \x1b[31m\nsecond\r\n")
	if want := "first \\x1b[31m\nsecond\\r\n"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if s := "plain\nlines\n"; termsafe.Lines(s) != s {
		t.Errorf("Lines(%q) changed it", s)
	}
}

func TestControl(t *testing.T) {
	for _, tc := range []struct {
		in, allowed string
		want        int
	}{
		{"plain ü", "", -1},
		{"a\nb", "\n", -1},
		{"a\nb", "", 1},
		{"ab\x1b", "\n\t", 2},
		{"a\u009b", "", 1},
		{"a\xff", "", 1},
		{"\x7f", "", 0},
	} {
		if got := termsafe.Control(tc.in, tc.allowed); got != tc.want {
			t.Errorf("Control(%q, %q) = %d, want %d", tc.in, tc.allowed, got, tc.want)
		}
	}
}

func BenchmarkEscape(b *testing.B) {
	s := strings.Repeat("BenchmarkSelect/depth=1000-2 ", 4)
	for b.Loop() {
		termsafe.Escape(s)
	}
}

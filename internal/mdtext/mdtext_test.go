package mdtext_test

import (
	"strings"
	"testing"

	"github.com/benchdb/benchdb/internal/mdtext"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Encode/size=1k-2", "Encode/size=1k-2"},
		{"a|b", `a\|b`},
		{"<script>&amp;", "&lt;script&gt;&amp;amp;"},
		{"*x* _y_ `z` [l](u)", "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u)"},
		{`back\slash`, `back\\slash`},
		{"two\nlines\r", `two\\nlines\\r`}, // termsafe's Go escapes, backslash doubled
		{"\x1b[2J", `\\x1b\[2J`},
	}
	for _, tt := range tests {
		if got := mdtext.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEscape_oneRow: whatever a name holds, a table row that shows it is
// one line with as many unescaped pipes as cells.
func TestEscape_oneRow(t *testing.T) {
	for _, name := range []string{"a\nb", "a\r\nb|c", "x\u2028y", "|||", "a\\|b"} {
		row := "| " + mdtext.Escape(name) + " | 1 |"
		if strings.ContainsAny(row, "\n\r\u2028") {
			t.Errorf("row for %q spans lines: %q", name, row)
		}
		if n := strings.Count(row, "|") - strings.Count(row, `\|`); n != 3 {
			t.Errorf("row for %q has %d unescaped pipes, want 3: %q", name, n, row)
		}
	}
}

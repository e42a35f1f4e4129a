package store

import "testing"

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"SELECT '?' , ? -- why?\n, \"a?\", ?", "SELECT '?' , $1 -- why?\n, \"a?\", $2"},
		{"INSERT INTO r VALUES (7, ?, ?), (7, ?, ?)", "INSERT INTO r VALUES (7, $1, $2), (7, $3, $4)"},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/tmp/x.sqlite", "/tmp/x.sqlite"},
		{"postgres://u:pw@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgresql://h/db?password=pw&user=u", "postgresql://h/db?password=xxxxx&user=u"},
		{"postgres://u:p%zz@h/db", "postgres://xxxxx@h/db"},
	} {
		if got := RedactAddress(tc.in); got != tc.want {
			t.Errorf("RedactAddress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

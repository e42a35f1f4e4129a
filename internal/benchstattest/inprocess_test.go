package benchstattest

import "testing"

// TestStat checks that Stat makes a cell per file (benchstat's -col
// .file) and unit, and a table per configuration.
func TestStat(t *testing.T) {
	a := "goos: linux\npkg: p\nBenchmarkA-8 1 10 ns/op 3 B/op\nBenchmarkA-8 1 12 ns/op 3 B/op\npkg: q\nBenchmarkA-8 1 11 ns/op 3 B/op\n"
	b := "goos: linux\npkg: p\nBenchmarkA-8 1 20 ns/op 3 B/op\nBenchmarkA-8 1 22 ns/op 3 B/op\nBenchmarkB-8 1 21 ns/op 3 B/op\n"
	// Tables (pkg p, q) x units (2) x rows (A, B) x columns (old, new):
	// p: A old, A new, B new; q: A old; for each unit.
	if n, err := Stat(Input{"old", []byte(a)}, Input{"new", []byte(b)}); n != 8 || err != nil {
		t.Errorf("Stat = %d, %v; want 8 cells", n, err)
	}
}

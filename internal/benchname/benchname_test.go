package benchname_test

import (
	"testing"

	"github.com/benchdb/benchdb/internal/benchname"
)

func TestSplitProcs(t *testing.T) {
	for _, tt := range []struct{ in, name, procs string }{
		{"Select/n=10-2", "Select/n=10", "2"},
		{"Leaf-16", "Leaf", "16"},
		{"Leaf", "Leaf", ""},
		{"a-b/c", "a-b/c", ""},
		{"a-2/c", "a-2/c", ""},
		{"Odd-", "Odd-", ""},
		{"-2", "-2", ""},
	} {
		if n, p := benchname.SplitProcs(tt.in); n != tt.name || p != tt.procs {
			t.Errorf("SplitProcs(%q) = %q, %q; want %q, %q", tt.in, n, p, tt.name, tt.procs)
		}
	}
}

func TestExactPattern(t *testing.T) {
	if p := benchname.ExactPattern("BenchmarkA/x=1.5/y"); p != `^BenchmarkA$/^x=1\.5$/^y$` {
		t.Errorf("ExactPattern = %q", p)
	}
}

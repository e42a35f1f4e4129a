package runner_test

import (
	"testing"

	"github.com/benchdb/benchdb/runner"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		bench, skip, name string
		want              bool
	}{
		{".", "", "BenchmarkA", true},
		{"", "", "BenchmarkA", false},
		{"A", "", "BenchmarkB", false},
		{"A$", "", "BenchmarkA/x=1", true},
		{"A/x=1", "", "BenchmarkA/x=1/y=2", true},
		{"A/x=1", "", "BenchmarkA/x=10", true},
		{"A/^x=1$", "", "BenchmarkA/x=10", false},
		{"A/x=1", "", "BenchmarkA", false}, // partial: only its sub-benchmarks run
		{"A/x", "", "BenchmarkB/x=1", false},
		{"C|A/x", "", "BenchmarkA/x=1", true},
		{"C|A/x", "", "BenchmarkA/y=1", false},
		{"C|A/x", "", "BenchmarkC/y=1", true},
		{"A/(x|y)=1", "", "BenchmarkA/y=1", true}, // '|' inside parentheses is no alternation
		{"A/[/]", "", "BenchmarkA/z", false},      // '/' inside brackets is no level separator
		{".", "A", "BenchmarkA/x=1", false},       // a skipped parent hides its children
		{".", "/x=1", "BenchmarkA", true},         // partial skip does not skip
		{".", "/x=1", "BenchmarkA/x=1", false},
		{".", "/x=1", "BenchmarkA/x=2", true},
		{".", "/^p=(a|b)$|//^p=(a|b)$", "BenchmarkA/q=1/p=a", false},
		{".", "/^p=(a|b)$|//^p=(a|b)$", "BenchmarkA/p=b/q=1", false},
		{".", "/^p=(a|b)$|//^p=(a|b)$", "BenchmarkA/q=1/p=c", true},
	}
	for _, tt := range tests {
		got, err := runner.Matches(tt.bench, tt.skip, tt.name)
		if err != nil {
			t.Errorf("Matches(%q, %q, %q): %v", tt.bench, tt.skip, tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Matches(%q, %q, %q) = %v, want %v", tt.bench, tt.skip, tt.name, got, tt.want)
		}
	}
}

func TestMatches_BadPattern(t *testing.T) {
	for _, p := range [][2]string{{"A/(", ""}, {".", "x/["}} {
		if _, err := runner.Matches(p[0], p[1], "BenchmarkA"); err == nil {
			t.Errorf("Matches(%q, %q): nil error for a bad pattern", p[0], p[1])
		}
	}
}

func TestSkipValues(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		values []string
		levels []int
		want   string
	}{
		{"none", "profile", nil, []int{2}, ""},
		{"no levels", "profile", []string{"a"}, nil, ""},
		{"quoted and sorted", "profile", []string{"elixir-1.6.3", "elixir-1.5.1", "elixir-1.5.1"}, []int{2},
			`/^profile=(elixir-1\.5\.1|elixir-1\.6\.3)$`},
		{"shallowest level first", "p", []string{"x"}, []int{3, 2, 3},
			`/^p=(x)$|//^p=(x)$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runner.SkipValues(tt.key, tt.values, tt.levels); got != tt.want {
				t.Errorf("SkipValues = %q, want %q", got, tt.want)
			}
		})
	}
}

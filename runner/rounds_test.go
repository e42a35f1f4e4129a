package runner_test

import (
	"testing"

	"github.com/benchdb/benchdb/runner"
)

func TestRoundsNote(t *testing.T) {
	for _, tc := range []struct {
		count, procs int
		want         string
	}{
		{6, 0, ""},
		{6, 1, ""},
		{6, 6, " (in 6 test processes per package, one after another: -count 1 each)"},
		{6, 4, " (in 4 test processes per package, one after another: -count 2, 2, 1 and 1)"},
		{5, 2, " (in 2 test processes per package, one after another: -count 3 and 2)"},
	} {
		if got := runner.RoundsNote(runner.Config{Count: tc.count, Processes: tc.procs}); got != tc.want {
			t.Errorf("RoundsNote(count %d, processes %d) = %q, want %q", tc.count, tc.procs, got, tc.want)
		}
	}
}

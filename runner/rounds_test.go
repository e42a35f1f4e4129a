package runner_test

import (
	"context"
	"errors"
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

// TestRun_processesCancelled: a run of several processes whose context is
// cancelled stops as interrupted, before starting another round.
func TestRun_processesCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := runner.Run(ctx, runner.Config{Dir: MustFixtureDir(t), Packages: []string{fixture + "/procs"}, Count: 2, Processes: 2})
	var re *runner.Error
	if !errors.As(err, &re) || re.Kind != runner.Interrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with a cancelled context: %v, want an interrupted *Error", err)
	}
	if res == nil || res.Complete || res.Results != 0 {
		t.Errorf("Result %+v, want an incomplete one without results", res)
	}
}

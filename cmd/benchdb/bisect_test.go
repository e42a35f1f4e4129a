package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
)

// TestBisect_notReproduced bisects two commits that leave the measured
// benchmark alone: an empty range is a usage error, and a change that
// the measurement does not reproduce exits 1 and says so on both
// outputs. The threshold is an elevenfold change, which the machine's
// noise on two runs of the same code does not reach (at 50% a loaded
// machine once measured +58% between them). Finding a first bad commit, and resuming, is TestBisect, in
// the integration tier.
func TestBisect_notReproduced(t *testing.T) {
	repo := abtest.MustRepo(t)
	good := repo.Git("rev-parse", "HEAD")
	repo.Commit("one", nil)
	db := filepath.Join(t.TempDir(), "b.sqlite")
	code, _, stderr := runCLI(t, nil, "--db", db, "bisect", "--dir", repo.Dir, "--good", good, "--bad", good+"~0", "--bench", "Work")
	if code != exitError || !strings.Contains(stderr, "not a first-parent descendant") {
		t.Errorf("empty range: exit %d %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, nil, "--db", db, "bisect", "--dir", repo.Dir, "--good", "HEAD~1", "--bad", "HEAD", "--bench", "Fixed",
		"--rounds", "6", "--max-rounds", "6", "--threshold", "1000", "--benchtime", "2000x")
	if code != exitRegression || !strings.Contains(stderr, "not reproduced") || !strings.Contains(stdout, "not reproduced") {
		t.Errorf("not reproduced: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestBisect_Usage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bisect"}, "want --good and --bad, or --resume ID, or --from-report"},
		{[]string{"bisect", "--good", "a", "--bad", "b"}, "want --good, --bad and --bench"},
		{[]string{"bisect", "--good", "a", "--bad", "b", "--resume", "x"}, "one of them"},
		{[]string{"bisect", "--resume", "x", "--rounds", "3"}, "--rounds 3"},
		{[]string{"bisect", "--resume", "x", "--count", "-1"}, "--count -1: want 1 to 10000"},
		{[]string{"bisect", "--resume", "x", "--within", "mean"}, `--within "mean"`},
		{[]string{"bisect", "--resume", "x", "--profile", "heap"}, `--profile "heap": unknown profile kind`},
		{[]string{"bisect", "--resume", "x", "--count", "5"}, "bisect --resume: --count is the bisection's own, stored with its runs; drop it"},
		{[]string{"bisect", "--resume", "x", "--benchtime", "1s"}, "--benchtime is the bisection's own"},
		{[]string{"bisect", "--resume", "x", "./pkg"}, `packages and go test flags are the bisection's own, stored with its runs; drop "./pkg"`},
		{[]string{"bisect", "--resume", "nosuch"}, "no such bisection"},
		{[]string{"bisect", "--from-report"}, "no runs stored"},
	} {
		db := filepath.Join(t.TempDir(), "x.sqlite")
		code, _, stderr := runCLI(t, nil, append([]string{"--db", db}, tt.args...)...)
		if code != exitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("benchdb %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}

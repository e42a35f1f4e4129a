package bisect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
	"github.com/benchdb/benchdb/bisect"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustHistory makes a repository of n commits after the initial one:
// commit slow (1-based) doubles BenchmarkWork's work, commit broken does
// not build (the next one repairs it). It returns the commits, oldest
// first, with the initial commit at index 0.
func mustHistory(t *testing.T, n, slow, broken int, factor float64) (*abtest.Repo, []string) {
	t.Helper()
	repo := abtest.MustRepo(t)
	commits := []string{repo.Git("rev-parse", "HEAD")}
	iters := abtest.BaseIters
	for i := 1; i <= n; i++ {
		files := map[string]string{}
		msg := fmt.Sprintf("commit %d", i)
		if i == slow {
			iters = int(float64(iters) * factor)
			files["knobs.go"] = abtest.Knobs(iters, false, false)
			msg += ": slower"
		}
		if i == broken {
			files["broken.go"] = abtest.Broken
			msg += ": does not build"
		}
		if broken > 0 && i == broken+1 {
			files["broken.go"] = ""
		}
		commits = append(commits, repo.Commit(msg, files))
	}
	return repo, commits
}

func TestRun_BadInput(t *testing.T) {
	repo, commits := mustHistory(t, 1, 0, 0, 1)
	db := storetest.Open(t)
	for _, tt := range []struct {
		opts bisect.Options
		want string
	}{
		{bisect.Options{Dir: repo.Dir, Good: "nosuch", Bad: "HEAD"}, `good: unknown revision "nosuch"`},
		{bisect.Options{Dir: repo.Dir, Good: "HEAD", Bad: commits[0]}, "not a first-parent descendant"},
		{bisect.Options{Dir: repo.Dir, Resume: "nosuch-id"}, "no such bisection"},
		{bisect.Options{Dir: t.TempDir(), Good: "a", Bad: "b"}, "not a git repository"},
	} {
		tt.opts.Store = db
		_, err := bisect.Run(context.Background(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestPattern(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"Work", "^BenchmarkWork$"},
		{"Work-2", "^BenchmarkWork$"},
		{"Select/profile=elixir-1.5.1/pool=8-2", `^BenchmarkSelect$/^profile=elixir-1\.5\.1$/^pool=8$`},
	} {
		if got := bisect.Pattern(tt.name); got != tt.want {
			t.Errorf("Pattern(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

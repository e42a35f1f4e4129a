//go:build integration

package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
)

// TestReport_confirmRunsAb follows a nightly report's advice: a history
// stored under a real repository's commits, where BenchmarkWork doubled
// at the second commit, gives a regression whose confirm command, run as
// it stands (its words unquoted as a shell would), measures the two
// commits again with benchdb ab and finds the same regression.
func TestReport_confirmRunsAb(t *testing.T) {
	repo := abtest.MustRepo(t)
	good := strings.TrimSpace(repo.Git("rev-parse", "--short", "HEAD"))
	bad := repo.Commit("twice the work", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)})
	bad = strings.TrimSpace(repo.Git("rev-parse", "--short", bad))
	db := filepath.Join(t.TempDir(), "nightly.sqlite")
	for i := range 12 {
		commit, ns := good, 1000
		if i >= 9 {
			commit, ns = bad, 2000
		}
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/slow\n")
		for j := range 5 {
			fmt.Fprintf(&b, "BenchmarkWork-2 \t1000\t%d.%d%d ns/op\n", ns, j, i)
		}
		args := []string{"--db", db, "ingest", "--label", "commit=" + commit, "--label", "host=ci", "--time", fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1), "-"}
		if code, _, stderr := runCLI(t, strings.NewReader(b.String()), args...); code != 0 {
			t.Fatalf("benchdb %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
	}
	out := mustRunCLI(t, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json")
	var rep struct {
		Regressions []struct {
			Benchmark string
			Confirm   *string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	if len(rep.Regressions) != 1 || rep.Regressions[0].Confirm == nil {
		t.Fatalf("report: %s\nwant one regression with a confirm command", out)
	}
	cmd := *rep.Regressions[0].Confirm
	want := "benchdb ab " + good + " " + bad + " example.com/slow -- -bench '^BenchmarkWork$' -cpu 2"
	if cmd != want {
		t.Fatalf("confirm %q, want %q", cmd, want)
	}
	// The words as a POSIX shell reads them: Confirm quotes with single
	// quotes only, around whole words.
	var args []string
	for _, w := range strings.Fields(cmd)[1:] {
		args = append(args, strings.Trim(w, "'"))
	}
	// ab's own options go before its revisions: where, and fewer rounds.
	args = append([]string{"--db", filepath.Join(t.TempDir(), "ab.sqlite"), args[0], "--dir", repo.Dir, "--rounds", "6", "--format", "json"}, args[1:]...)
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("benchdb %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	var abRep struct {
		Rows []struct {
			Name    string
			Unit    string
			Verdict *string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &abRep); err != nil {
		t.Fatalf("ab JSON: %v\n%s", err, stdout)
	}
	found := false
	for _, r := range abRep.Rows {
		if strings.HasPrefix(r.Name, "Fixed") {
			t.Errorf("ab ran BenchmarkFixed too: the confirm command's -bench must select Work alone")
		}
		if r.Name == "Work-2" && r.Unit == "sec/op" {
			found = true
			if r.Verdict == nil || *r.Verdict != "regression" {
				t.Errorf("ab: Work's verdict %v, want regression", r.Verdict)
			}
		}
	}
	if !found {
		t.Errorf("ab: no Work-2 sec/op row (-cpu 2):\n%s", stdout)
	}
}

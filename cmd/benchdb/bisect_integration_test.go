//go:build integration

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
)

func TestBisect(t *testing.T) {
	repo := abtest.MustRepo(t)
	good := repo.Git("rev-parse", "HEAD")
	repo.Commit("one", nil)
	slow := repo.Commit("slower", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)})
	repo.Commit("three", nil)
	db := filepath.Join(t.TempDir(), "b.sqlite")
	args := []string{"--db", db, "bisect", "--dir", repo.Dir, "--good", good, "--bad", "HEAD", "--bench", "Work",
		"--rounds", "6", "--benchtime", "1000x", "--count", "10", "--shuffle", "1", "--format", "json", "--", "-cpu", "1"}
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var res struct {
		ID       string `json:"id"`
		Found    bool   `json:"found"`
		FirstBad struct {
			Commit, Subject string
		} `json:"first_bad"`
		Steps []struct{ Outcome string } `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	if !res.Found || res.FirstBad.Commit != slow || res.FirstBad.Subject != "slower" {
		t.Errorf("found %v first bad %+v, want %s\n%s", res.Found, res.FirstBad, slow, stdout)
	}
	if !strings.Contains(stderr, "bisect step 1 of about") {
		t.Errorf("no step progress:\n%s", stderr)
	}
	// Resume: the same answer, from the store.
	code, stdout, stderr = runCLI(t, nil, "--db", db, "bisect", "--dir", repo.Dir, "--resume", res.ID)
	if code != exitOK || !strings.Contains(stdout, "first bad commit: "+slow) || !strings.Contains(stdout, "from the store") {
		t.Errorf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Not reproduced: exit 1.
	code, stdout, stderr = runCLI(t, nil, "--db", db, "bisect", "--dir", repo.Dir, "--good", good, "--bad", good+"~0", "--bench", "Work")
	if code != exitError || !strings.Contains(stderr, "not a first-parent descendant") {
		t.Errorf("empty range: exit %d %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, nil, "--db", db, "bisect", "--dir", repo.Dir, "--good", "HEAD~1", "--bad", "HEAD", "--bench", "Fixed",
		"--rounds", "6", "--max-rounds", "6", "--threshold", "50", "--benchtime", "10000x")
	if code != exitRegression || !strings.Contains(stderr, "not reproduced") || !strings.Contains(stdout, "not reproduced") {
		t.Errorf("not reproduced: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBisect_profile bisects the why fixture's change (two empty commits
// after it) with --profile cpu,alloc: the first bad commit and its parent
// are profiled once more, the profiles are stored with the final
// measurement's runs, and benchdb why on those runs names the functions
// the change added. A resumed bisection finds them stored and profiles
// nothing again.
func TestBisect_profile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds four revisions and runs them with profiles")
	}
	repo := mustWhymodRepo(t)
	for _, msg := range []string{"after 1", "after 2"} {
		cmd := exec.Command("git", "commit", "-q", "--allow-empty", "-m", msg)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git commit: %v\n%s", err, out)
		}
	}
	db := filepath.Join(t.TempDir(), "b.sqlite")
	code, stdout, stderr := runCLI(t, nil, "--db", db, "bisect", "--dir", repo, "--good", "HEAD~3", "--bad", "HEAD", "--bench", "Op",
		"--rounds", "6", "--benchtime", "20ms", "--shuffle", "1", "--profile", "cpu,alloc", "--pprof-time", "300ms", "--format", "json", "./...")
	if code != exitOK {
		t.Fatalf("bisect --profile: exit %d\n%s", code, stderr)
	}
	var res struct {
		ID       string `json:"id"`
		FirstBad struct {
			Subject string
		} `json:"first_bad"`
		FinalRuns *struct {
			LastGood int64 `json:"last_good"`
			FirstBad int64 `json:"first_bad"`
		} `json:"final_runs"`
		Profiled bool `json:"profiled"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	if res.FirstBad.Subject != "new" || res.FinalRuns == nil || !res.Profiled {
		t.Fatalf("first bad %q, final runs %v, profiled %v; want new, two runs, true\n%s", res.FirstBad.Subject, res.FinalRuns, res.Profiled, stdout)
	}
	if !strings.Contains(stderr, "bisect: profiling ") || !strings.Contains(stderr, fmt.Sprintf("stored 2 profiles (and their setup profiles) with run %d (new)", res.FinalRuns.FirstBad)) {
		t.Errorf("bisect --profile: no profiling progress or storing message:\n%s", stderr)
	}
	old, new := strconv.FormatInt(res.FinalRuns.LastGood, 10), strconv.FormatInt(res.FinalRuns.FirstBad, 10)
	checkTop(t, mustRunCLI(t, "--db", db, "why", "--format", "json", old, new))
	// The runs are those of the measurement of the first bad commit
	// against its parent.
	show := mustRunCLI(t, "--db", db, "show", new)
	if !strings.Contains(show, "side=new") || !strings.Contains(show, "bisect="+res.ID) || !strings.Contains(show, "profiles: 2 (and 2 setup profiles)") {
		t.Errorf("show %s:\n%s", new, show)
	}

	_, before := counts(t, db)
	code, stdout, stderr = runCLI(t, nil, "--db", db, "bisect", "--dir", repo, "--resume", res.ID, "--profile", "cpu,alloc")
	if code != exitOK || strings.Contains(stderr, "profiling") || !strings.Contains(stdout, "with profiles: benchdb why "+old+" "+new) {
		t.Errorf("resume --profile: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, after := counts(t, db); after != before {
		t.Errorf("resume --profile: %d profiles, want the %d stored before", after, before)
	}
}

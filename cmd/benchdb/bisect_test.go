package main

import (
	"encoding/json"
	"path/filepath"
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
		"--rounds", "6", "--benchtime", "10000x", "--shuffle", "1", "--format", "json", "--", "-cpu", "1"}
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

func TestBisect_Usage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bisect"}, "want --good and --bad, or --resume ID, or --from-report"},
		{[]string{"bisect", "--good", "a", "--bad", "b"}, "want --good, --bad and --bench"},
		{[]string{"bisect", "--good", "a", "--bad", "b", "--resume", "x"}, "one of them"},
		{[]string{"bisect", "--resume", "x", "--rounds", "3"}, "--rounds 3"},
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

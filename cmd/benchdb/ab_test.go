package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
)

// TestAb_AA runs benchdb ab HEAD HEAD (one build, two short rounds) on
// the abtest module: the flags reach the report, both sides are stored
// with their labels, the stored sides compare, and the text output says
// it is an A/A test. What a real change does to the verdict and the exit
// status is TestAb, in the integration tier.
func TestAb_AA(t *testing.T) {
	repo := abtest.MustRepo(t)
	db := filepath.Join(t.TempDir(), "ab.sqlite")
	code, stdout, stderr := runCLI(t, nil, "--db", db, "ab", "--dir", repo.Dir, "--rounds", "2", "--benchtime", "100x", "--count", "1",
		"--shuffle", "5", "--format", "json", "--label", "ci=yes", "HEAD", "HEAD", ".", "--", "-cpu", "1")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s", code, stderr)
	}
	var rep struct {
		ID     string `json:"id"`
		Seed   uint64 `json:"seed"`
		Rounds int    `json:"rounds"`
		AA     bool   `json:"aa"`
		Old    struct {
			Rev   string `json:"rev"`
			RunID *int64 `json:"run_id"`
		} `json:"old"`
		Rows []struct {
			Name    string   `json:"name"`
			Unit    string   `json:"unit"`
			Ratio   *float64 `json:"ratio"`
			Verdict *string  `json:"verdict"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	if rep.Seed != 5 || rep.Rounds != 2 || !rep.AA || rep.Old.Rev != "HEAD" || rep.Old.RunID == nil {
		t.Errorf("report header: %+v", rep)
	}
	names := map[string]bool{}
	for _, r := range rep.Rows {
		if r.Unit == "sec/op" {
			names[r.Name] = true
		}
	}
	if !names["Work"] || !names["Fixed"] {
		t.Errorf("sec/op rows %v, want Work and Fixed:\n%s", names, stdout)
	}
	if !strings.Contains(stderr, "round 2/2") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	out := mustRunCLI(t, "--db", db, "compare", "old=ab:"+rep.ID+" side:old", "new=ab:"+rep.ID+" side:new")
	if !strings.Contains(out, "Work") || !strings.Contains(out, "Fixed") {
		t.Errorf("compare of the stored sides:\n%s", out)
	}
	runs := mustRunCLI(t, "--db", db, "runs")
	if !strings.Contains(runs, "ci=yes") || !strings.Contains(runs, "side=new") || !strings.Contains(runs, "side=old") {
		t.Errorf("runs:\n%s", runs)
	}
}

func TestAb_Usage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ab"}, "want OLD and NEW"},
		{[]string{"ab", "HEAD"}, "want OLD and NEW"},
		{[]string{"ab", "--rounds", "0", "a", "b"}, "--rounds 0"},
		{[]string{"ab", "--benchtime", "soon", "a", "b"}, `--benchtime "soon"`},
		{[]string{"ab", "--shuffle", "x", "a", "b"}, `--shuffle "x"`},
		{[]string{"ab", "--count", "0", "a", "b"}, "--count 0: want 1 to 10000"},
		{[]string{"ab", "--within", "mean", "a", "b"}, `--within "mean": want best or median`},
		{[]string{"ab", "a", "b", "--", "-nosuch"}, "-nosuch: not a flag"},
		{[]string{"ab", "--dir", "/nonexistent-dir-for-ab", "a", "b"}, "/nonexistent-dir-for-ab: not a git repository"},
	}
	for _, tt := range tests {
		db := filepath.Join(t.TempDir(), "x.sqlite")
		code, _, stderr := runCLI(t, nil, append([]string{"--db", db}, tt.args...)...)
		if code != exitError || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("benchdb %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}

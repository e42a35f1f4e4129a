//go:build integration

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/ab/abtest"
)

func TestAb(t *testing.T) {
	repo := abtest.MustRepo(t)
	repo.Commit("twice the work", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)})
	db := filepath.Join(t.TempDir(), "ab.sqlite")

	code, stdout, stderr := runCLI(t, nil, "--db", db, "ab", "--dir", repo.Dir, "--rounds", "10", "--benchtime", "5000x", "--count", "2",
		"--shuffle", "5", "--format", "json", "--fail-on-regression", "--label", "ci=yes", "HEAD~1", "HEAD", ".", "--", "-cpu", "1")
	if code != exitRegression {
		t.Fatalf("exit %d, want %d (regression)\n%s", code, exitRegression, stderr)
	}
	var rep struct {
		ID          string `json:"id"`
		Seed        uint64 `json:"seed"`
		Rounds      int    `json:"rounds"`
		Within      string `json:"within"`
		Repetitions int    `json:"repetitions"`
		Old         struct {
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
	if rep.Seed != 5 || rep.Rounds != 10 || rep.Within != "best" || rep.Repetitions != 2 || rep.Old.Rev != "HEAD~1" || rep.Old.RunID == nil {
		t.Errorf("report header: %+v", rep)
	}
	found := false
	for _, r := range rep.Rows {
		if r.Name == "Work" && r.Unit == "sec/op" {
			found = true
			if r.Verdict == nil || *r.Verdict != "regression" {
				t.Errorf("Work: verdict %v, want regression", r.Verdict)
			}
		}
	}
	if !found {
		t.Errorf("no Work sec/op row:\n%s", stdout)
	}
	if !strings.Contains(stderr, "round 10/10") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	// The stored runs work with compare, by their label.
	out := mustRunCLI(t, "--db", db, "compare", "old=ab:"+rep.ID+" side:old", "new=ab:"+rep.ID+" side:new")
	if !strings.Contains(out, "Work") {
		t.Errorf("compare of the stored sides:\n%s", out)
	}
	runs := mustRunCLI(t, "--db", db, "runs")
	if !strings.Contains(runs, "ci=yes") || !strings.Contains(runs, "side=new") {
		t.Errorf("runs:\n%s", runs)
	}
}

// TestAb_Interrupt sends SIGINT to a running benchdb ab and checks that it
// exits 2, stores nothing and leaves no worktree or temporary file.
func TestAb_Interrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchdb and runs it as a process")
	}
	repo := abtest.MustRepo(t)
	repo.Commit("slower", map[string]string{"knobs.go": abtest.Knobs(3*abtest.BaseIters, false, false)})
	bin := mustBuildBenchdb(t)
	tmp := t.TempDir()
	db := filepath.Join(t.TempDir(), "ab.sqlite")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := benchdbProc(ctx, bin, tmp, "--db", db, "ab", "--dir", repo.Dir, "--benchtime", "3s", "HEAD~1", "HEAD")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "round 1/10") {
			cmd.Process.Signal(syscall.SIGINT)
			break
		}
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitError {
		t.Errorf("exit %d (%v), want 2\n%s", code, err, strings.Join(lines, "\n"))
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("left in TMPDIR: %v", ents)
	}
	if wt := repo.Worktrees(); len(wt) != 0 {
		t.Errorf("worktrees left: %v", wt)
	}
	code, out, _ := runCLI(t, nil, "--db", db, "runs", "--format", "json")
	if code == 0 && strings.TrimSpace(out) != "[]" {
		t.Errorf("runs stored after SIGINT: %s", out)
	}
}

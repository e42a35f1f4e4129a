//go:build integration

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestReport_confirmUnderLoad is the nightly loop on real nights: slowmod
// (the real-noise corpus's module, in a real git repository) measured by
// go test -bench as a nightly job would, eight nights at commit A, then
// a commit B that adds a file no build reads, measured three nights while
// busy loops in this process take the CPUs (the machine slowed down the
// night B landed). The report calls B's nights regressions; report
// --confirm, run while the loops still run, measures A against B
// alternately, so that the load falls on both alike: no regression may
// be confirmed, and each must be refuted or left undecided (pending
// measurement), at least one refuted. The figures are logged.
func TestReport_confirmUnderLoad(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	repo, _, a := slowmodRepo(t)
	db := filepath.Join(t.TempDir(), "nightly.sqlite")
	night := func(i int, commit string) {
		t.Helper()
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-count", "5", "-benchtime", "50ms", ".")
		cmd.Dir = repo.Dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("night %d: go test -bench: %v\n%s", i, err, out)
		}
		ingestNight(t, db, host, commit, i, string(out))
	}
	for i := range 8 {
		night(i, a)
	}
	b := repo.Git("rev-parse", "--short", repo.Commit("notes", map[string]string{"NOTES": "no build reads this\n"}))

	// The load: one busy loop more than there are CPUs, stopped by the
	// test whatever happens.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				if n%(1<<16) == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
			}
		}()
	}
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopLoad()
	for i := 8; i < 11; i++ {
		night(i, b)
	}

	rep := readReport(t, db)
	if len(rep.Regressions) == 0 {
		stopLoad()
		t.Skipf("the load did not make the report call B's nights regressions: %+v", rep)
	}
	for _, r := range rep.Regressions {
		t.Logf("before: %s regressed (history)", r.Benchmark)
	}
	code, stdout, stderr := runCLI(t, nil, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json", "--confirm", "10", "--dir", repo.Dir)
	stopLoad()
	var after reportOut
	if err := json.Unmarshal([]byte(stdout), &after); code != 0 || err != nil {
		t.Fatalf("report --confirm: exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	refuted := 0
	for _, p := range after.Pending {
		if p.AB != nil && p.AB.Verdict == "refuted" {
			refuted++
			t.Logf("after: %s pending: history %+.0f%%, ab %s", p.Benchmark, p.Pct, p.AB)
		}
	}
	for _, r := range after.Regressions {
		t.Logf("after: %s still a regression, ab %v", r.Benchmark, r.AB)
		if r.AB == nil || r.AB.Verdict == "confirmed" {
			t.Errorf("%s: ab %v; B changed no code: want it refuted or undecided", r.Benchmark, r.AB)
		}
	}
	t.Logf("%d regressions in the history under load; after report --confirm: %d refuted, %d left (undecided)", len(rep.Regressions), refuted, len(after.Regressions))
	if refuted == 0 {
		t.Errorf("ab refuted none of the %d regressions the load made", len(rep.Regressions))
	}
}

//go:build integration

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/ab/abtest"
)

// TestReport_confirmRunsAb follows a nightly report's advice: a history
// stored under a real repository's commits, where BenchmarkWork doubled
// at the second commit, gives a regression whose confirm command, run as
// it stands (its words unquoted as a shell would) in the same store,
// measures the two commits again with benchdb ab and finds the same
// regression; the report then shows ab's measurement beside it, and
// gives no command any more.
func TestReport_confirmRunsAb(t *testing.T) {
	repo, good, bad := twoCommits(t, "twice the work", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)})
	db := storeHistory(t, good, bad, 2)

	rep := readReport(t, db)
	if len(rep.Regressions) != 1 || rep.Regressions[0].Confirm == nil {
		t.Fatalf("report: %+v\nwant one regression with a confirm command", rep)
	}
	cmd := *rep.Regressions[0].Confirm
	// At about 2 µs/op: repetitions of 0.4 ms, 80 a run.
	want := regexp.MustCompile(`^benchdb ab --benchtime (199|200)x --count 80 ` + good + " " + bad + ` example\.com/slow -- -bench '\^BenchmarkWork\$' -cpu 2$`)
	if !want.MatchString(cmd) {
		t.Fatalf("confirm %q, want %s", cmd, want)
	}
	stdout := runConfirm(t, db, repo.Dir, cmd, "--rounds", "6", "--format", "json")
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

	// The same report, with ab's runs in the store: the regression
	// stands, measured again (about +100%), and ab's runs are no nights
	// of the history.
	rep = readReport(t, db)
	if len(rep.Regressions) != 1 || len(rep.Pending) != 0 {
		t.Fatalf("report after ab: %+v\nwant the regression alone", rep)
	}
	r := rep.Regressions[0]
	if r.AB == nil || r.AB.Verdict != "confirmed" || r.AB.Pct < 50 || r.AB.Rounds != 6 || r.Confirm != nil {
		t.Errorf("report after ab: %+v, ab %+v; want ab confirmed near +100%% in 6 rounds, no confirm command", r, r.AB)
	}
	if rep.Series[0].Runs != 12 {
		t.Errorf("series of %d runs, want the 12 nights", rep.Series[0].Runs)
	}
}

// TestReport_abRefutesMachine: the second commit changed nothing but a
// comment, yet the stored nights ran 60% slower from it on, as when the
// machine's host slowed down the night the commit landed. The report
// calls it a regression; its confirm command, run in the same store,
// measures the two commits alternately, finds them alike, and the
// report then lists the change as pending, "ab: no such change", not
// as a regression.
func TestReport_abRefutesMachine(t *testing.T) {
	repo, good, bad := twoCommits(t, "a file no build reads", map[string]string{"NOTES": "nothing that runs\n"})
	db := storeHistory(t, good, bad, 1.6)

	rep := readReport(t, db)
	if len(rep.Regressions) != 1 || rep.Regressions[0].Confirm == nil {
		t.Fatalf("report: %+v\nwant one regression with a confirm command", rep)
	}
	runConfirm(t, db, repo.Dir, *rep.Regressions[0].Confirm, "--rounds", "6")
	rep = readReport(t, db)
	if len(rep.Regressions) != 0 || len(rep.Pending) != 1 {
		t.Fatalf("report after ab: %+v\nwant no regression, one pending", rep)
	}
	p := rep.Pending[0]
	if p.Benchmark != "Work-2" || p.AB == nil || p.AB.Verdict != "refuted" || p.AB.Pct > 20 || p.AB.Pct < -20 || p.Pct < 50 {
		t.Errorf("pending %+v, ab %+v; want the history's +60%% refuted by ab near 0%%", p, p.AB)
	}
}

// twoCommits makes abtest's repository and commits files on top of its
// first commit; it returns the repository and both commits' short
// hashes.
func twoCommits(t *testing.T, msg string, files map[string]string) (repo *abtest.Repo, good, bad string) {
	t.Helper()
	repo = abtest.MustRepo(t)
	good = repo.Git("rev-parse", "--short", "HEAD")
	bad = repo.Git("rev-parse", "--short", repo.Commit(msg, files))
	return repo, good, bad
}

type reportAB struct {
	Verdict string
	Pct     float64
	LoPct   *float64 `json:"lo_pct"`
	HiPct   *float64 `json:"hi_pct"`
	Rounds  int
}

// String shows the measurement as the tests log it.
func (a *reportAB) String() string {
	if a.LoPct == nil || a.HiPct == nil {
		return fmt.Sprintf("%+.1f%% in %d rounds, %s", a.Pct, a.Rounds, a.Verdict)
	}
	return fmt.Sprintf("%+.1f%% [%+.1f%%, %+.1f%%] in %d rounds, %s", a.Pct, *a.LoPct, *a.HiPct, a.Rounds, a.Verdict)
}

type reportOut struct {
	Series      []struct{ Runs int }
	Regressions []struct {
		Benchmark string
		Commit    *string
		Confirm   *string
		AB        *reportAB
	}
	Suspects []struct {
		Benchmark string
		Commit    *string
		Confirm   *string
	}
	Pending []struct {
		Benchmark string
		Pct       float64
		AB        *reportAB
	}
}

// storeHistory stores twelve nights of BenchmarkWork-2 in package
// example.com/slow on this host: commit good at 1000 ns/op for nine
// nights, then commit bad at factor times that.
func storeHistory(t *testing.T, good, bad string, factor float64) string {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	return storeHistoryOn(t, host, good, bad, factor)
}

// storeHistoryOn is storeHistory with the runs labelled host.
func storeHistoryOn(t *testing.T, host, good, bad string, factor float64) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "nightly.sqlite")
	for i := range 12 {
		commit, ns := good, 1000.0
		if i >= 9 {
			commit, ns = bad, 1000*factor
		}
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/slow\n")
		for j := range 5 {
			fmt.Fprintf(&b, "BenchmarkWork-2 \t1000\t%.2f ns/op\n", ns*(1+0.001*float64(j)+0.0003*float64(i%3)+0.00001*float64(i)))
		}
		ingestNight(t, db, host, commit, i, b.String())
	}
	return db
}

// ingestNight stores text in db as night i (2026-11-(i+1), 03:00 UTC) of
// host, at commit.
func ingestNight(t *testing.T, db, host, commit string, i int, text string) {
	t.Helper()
	args := []string{"--db", db, "ingest", "--label", "commit=" + commit, "--label", "host=" + host,
		"--time", fmt.Sprintf("2026-11-%02dT03:00:00Z", i+1), "-"}
	if code, _, stderr := runCLI(t, strings.NewReader(text), args...); code != 0 {
		t.Fatalf("benchdb %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
}

func readReport(t *testing.T, db string) reportOut {
	t.Helper()
	out := mustRunCLI(t, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json")
	var rep reportOut
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	return rep
}

// runConfirm runs a report's confirm command in store db, its words as a
// POSIX shell reads them (Confirm quotes with single quotes only, around
// whole words), with ab's own options before its revisions: the
// repository dir, then opts. It returns ab's output.
func runConfirm(t *testing.T, db, dir, cmd string, opts ...string) string {
	t.Helper()
	var args []string
	for _, w := range strings.Fields(cmd)[1:] {
		args = append(args, strings.Trim(w, "'"))
	}
	args = slices.Concat([]string{"--db", db, args[0], "--dir", dir}, opts, args[1:])
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("benchdb %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// TestReport_confirmFlag: report --confirm runs the confirm commands
// itself, in the repository --dir names, and writes the report that
// reads them back: the machine's +60% at a commit that changed no code
// is pending, not a regression. A repository without the commits makes
// each measurement fail with a message, and the report is still written
// as the history alone judges it.
func TestReport_confirmFlag(t *testing.T) {
	repo, good, bad := twoCommits(t, "a file no build reads", map[string]string{"NOTES": "nothing that runs\n"})
	db := storeHistory(t, good, bad, 1.6)

	other := abtest.MustRepo(t) // holds neither commit
	code, stdout, stderr := runCLI(t, nil, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json", "--confirm", "3", "--dir", other.Dir)
	var rep reportOut
	if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil {
		t.Fatalf("report --confirm in another repository: exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if len(rep.Regressions) != 1 || !strings.Contains(stderr, "measuring 1 of 1 again: benchdb ab") || !strings.Contains(stderr, "--confirm: example.com/slow.Work-2 sec/op:") {
		t.Errorf("report --confirm in another repository: %+v\nstderr:\n%s\nwant the regression as it was, and why the measurement failed", rep, stderr)
	}

	code, stdout, stderr = runCLI(t, nil, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json", "--confirm", "3", "--dir", repo.Dir)
	if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil {
		t.Fatalf("report --confirm: exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if len(rep.Regressions) != 0 || len(rep.Pending) != 1 || rep.Pending[0].AB == nil || rep.Pending[0].AB.Verdict != "refuted" {
		t.Errorf("report --confirm: %+v\nstderr:\n%s\nwant the regression refuted by ab, pending", rep, stderr)
	}

	// Nights stored as another host's: ab's runs (this host's) are not
	// read back, and the report says so.
	db = storeHistoryOn(t, "elsewhere", good, bad, 1.6)
	code, stdout, stderr = runCLI(t, nil, "--db", db, "report", "--now", "2026-11-13T00:00:00Z", "--format", "json", "--confirm", "3", "--dir", repo.Dir)
	if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil {
		t.Fatalf("report --confirm, another host: exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if len(rep.Regressions) != 1 || !strings.Contains(stderr, "measured, but not read back") {
		t.Errorf("report --confirm, another host: %+v\nstderr:\n%s\nwant the regression, and why ab's runs were not read", rep, stderr)
	}
}

// TestReport_confirmNextPair: a real step stored a night late. Commit
// noop changed nothing that runs, yet its one night ran 55% slow (the
// machine); the next commit doubled BenchmarkWork's work. The nights put
// the change at noop, one run early. report --confirm measures noop
// against good with benchdb ab, which finds them alike; the report that
// reads that back offers the next pair, noop to bad, which the same
// report --confirm measures too: the regression stands at bad, confirmed
// by ab, and noop's change is pending, the machine's.
func TestReport_confirmNextPair(t *testing.T) {
	repo := abtest.MustRepo(t)
	good := repo.Git("rev-parse", "--short", "HEAD")
	noop := repo.Git("rev-parse", "--short", repo.Commit("a file no build reads", map[string]string{"NOTES": "nothing that runs\n"}))
	bad := repo.Git("rev-parse", "--short", repo.Commit("twice the work", map[string]string{"knobs.go": abtest.Knobs(2*abtest.BaseIters, false, false)}))
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	db := filepath.Join(t.TempDir(), "nightly.sqlite")
	levels := []float64{1, 1.01, 0.99, 1.02, 0.98, 1, 1.01, 0.99, 1.02, 0.98, 1.55, 2, 2.02, 1.98}
	for i, f := range levels {
		commit := good
		switch {
		case i == 10:
			commit = noop
		case i > 10:
			commit = bad
		}
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/slow\n")
		for j := range 5 {
			fmt.Fprintf(&b, "BenchmarkWork-2 \t1000\t%.2f ns/op\n", 1000*f*(1+0.001*float64(j)))
		}
		ingestNight(t, db, host, commit, i, b.String())
	}
	report := func(extra ...string) (reportOut, string) {
		t.Helper()
		args := slices.Concat([]string{"--db", db, "report", "--now", "2026-11-15T00:00:00Z", "--format", "json"}, extra)
		code, stdout, stderr := runCLI(t, nil, args...)
		var rep reportOut
		if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil {
			t.Fatalf("benchdb %s: exit %d, %v\n%s\n%s", strings.Join(args, " "), code, err, stdout, stderr)
		}
		return rep, stderr
	}
	rep, _ := report()
	if len(rep.Regressions) != 1 || rep.Regressions[0].Confirm == nil || !strings.Contains(*rep.Regressions[0].Confirm, " "+good+" "+noop+" ") {
		t.Fatalf("report: %+v\nwant one regression, at %s (the night before the step), with a confirm command", rep, noop)
	}

	rep, stderr := report("--confirm", "3", "--dir", repo.Dir)
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "measuring") {
			t.Log(l)
		}
	}
	for i, pair := range []string{good + " " + noop, noop + " " + bad} {
		if want := regexp.MustCompile(fmt.Sprintf(`measuring %d of %d again: benchdb ab .* %s `, i+1, i+1, pair)); !want.MatchString(stderr) {
			t.Errorf("report --confirm did not measure %s as measurement %d (%s)", pair, i+1, want)
		}
	}
	if len(rep.Regressions) != 1 || len(rep.Pending) != 1 || len(rep.Suspects) != 0 {
		t.Fatalf("report --confirm: %+v\nwant a regression, the refuted change pending, no suspect", rep)
	}
	r, p := rep.Regressions[0], rep.Pending[0]
	if r.Commit == nil || *r.Commit != bad || r.AB == nil || r.AB.Verdict != "confirmed" || r.AB.Pct < 50 || r.Confirm != nil {
		t.Errorf("regression %+v, ab %v; want it at %s, confirmed by ab near +100%%, no confirm command", r, r.AB, bad)
	}
	if p.AB == nil || p.AB.Verdict != "refuted" {
		t.Errorf("pending %+v, ab %v; want %s's change refuted by ab", p, p.AB, noop)
	}
}

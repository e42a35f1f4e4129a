//go:build integration

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
)

// TestWhy runs the fixture's old and new versions with profiles (real go
// test runs), and checks that benchdb why names the functions the new
// version added, that a stored profile exports byte for byte and go tool
// pprof reads it, and that bad input fails in one line with nothing
// changed.
func TestWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test with profiles")
	}
	dir := mustWhymodDir(t)
	db := filepath.Join(t.TempDir(), "db.sqlite")
	run := []string{"--db", db, "run", "--dir", dir, "--count", "2", "--benchtime", "20ms", "--pprof", "cpu,alloc", "--pprof-time", "300ms"}
	out := mustRunCLI(t, append(run, "./...")...)
	if !strings.Contains(out, "stored run 1: 6 results") || !strings.Contains(out, "stored 6 profiles (and their setup") {
		t.Fatalf("run 1:\n%s", out)
	}
	t.Setenv("WHYMOD_NEW", "1")
	out = mustRunCLI(t, append(run, "--bench", "Op", "./...")...)
	if !strings.Contains(out, "stored run 2: 2 results") || !strings.Contains(out, "stored 2 profiles (and their setup") {
		t.Fatalf("run 2:\n%s", out)
	}

	t.Run("two runs", func(t *testing.T) {
		checkTop(t, mustRunCLI(t, "--db", db, "why", "1", "2", "--bench", "Op", "--format", "json"))
		text := mustRunCLI(t, "--db", db, "why", "1", "2", "--bench", "Op")
		if !strings.Contains(text, "Op-2 (run 1) → Op-2 (run 2)") || !strings.Contains(text, "work.extraScan") {
			t.Errorf("why text:\n%s", text)
		}
	})
	t.Run("two benchmarks of one run", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "why", "1@Pair/version=old", "1@Pair/version=new", "--format", "json")
		checkTop(t, out)
		md := mustRunCLI(t, "--db", db, "why", "1@Pair/version=old", "1@Pair/version=new", "--format", "markdown")
		if !strings.Contains(md, "| flat Δ/op |") || !strings.Contains(md, "`work.extraScan`") {
			t.Errorf("why markdown:\n%s", md)
		}
	})
	t.Run("html", func(t *testing.T) {
		page := filepath.Join(t.TempDir(), "why.html")
		mustRunCLI(t, "--db", db, "why", "--output", page, "1", "2", "--bench", "Op")
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		html := string(b)
		for _, want := range []string{"<svg", "<rect", "work.extraScan", "work.extraAlloc"} {
			if !strings.Contains(html, want) {
				t.Errorf("why.html lacks %q", want)
			}
		}
		for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
			if strings.Contains(html, bad) {
				t.Errorf("why.html is not self-contained: it has %q", bad)
			}
		}
	})
	t.Run("export", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "cpu.pprof")
		mustRunCLI(t, "--db", db, "export", "--profile", "cpu", "--bench", "Op", "--output", f, "2")
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sdb, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := sdb.Profiles(context.Background(), 2)
		if err != nil || len(ps) != 4 {
			t.Fatalf("profiles of run 2: %v %v", ps, err)
		}
		cpu := ps[2] // alloc, alloc setup, cpu, cpu setup
		want, err := sdb.ProfileData(context.Background(), cpu)
		sdb.Close()
		if err != nil {
			t.Fatal(err)
		}
		if cpu.Kind != "cpu" || cpu.Setup || !ps[3].Setup || ps[3].Iters != 1 || !bytes.Equal(got, want) {
			t.Fatalf("exported %d bytes, differ from the %d stored %s profile", len(got), len(want), cpu.Kind)
		}
		stdout := mustRunCLI(t, "--db", db, "export", "--profile", "cpu", "--bench", "Op", "2")
		if stdout != string(want) {
			t.Error("export to standard output differs from the stored profile")
		}
		if _, err := exec.LookPath("go"); err != nil {
			t.Skip("no go command for go tool pprof")
		}
		top, err := exec.Command("go", "tool", "pprof", "-top", f).CombinedOutput()
		if err != nil || !strings.Contains(string(top), "extraScan") {
			t.Errorf("go tool pprof -top %s: %v\n%s", f, err, top)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		in := filepath.Join(t.TempDir(), "in.txt")
		if err := os.WriteFile(in, []byte("pkg: example.com/whymod/work\nBenchmarkOp-2 \t 10\t 100 ns/op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRunCLI(t, "--db", db, "ingest", in) // run 3, no profiles
		runs, profiles := counts(t, db)
		sdb, err := sql.Open("sqlite3", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		// Corrupt the stored CPU profile of Pair/version=new in run 1.
		if _, err := sdb.Exec(`UPDATE profile SET data = x'1f8b08000000000000ff' WHERE run_id = 1 AND name LIKE 'Pair/version=new%' AND kind = 'cpu'`); err != nil {
			t.Fatal(err)
		}
		sdb.Close()
		tests := []struct {
			name    string
			args    []string
			wantErr string
		}{
			{"run without profiles", []string{"why", "3", "2"}, `benchdb: why: 3 (run 3) holds no profiles: store some with benchdb run --pprof cpu,alloc`},
			{"corrupt profile", []string{"why", "1@Pair/version=old", "1@Pair/version=new", "--kind", "cpu"}, "benchdb: why: cpu profile: Pair/version=new-2 (run 1): profile 1: parse profile: "},
			{"no such benchmark", []string{"why", "1", "2", "--bench", "Nope"}, `benchdb: why: no cpu or alloc profile of 1 (run 1) matches benchmark "Nope"`},
			{"over the size limit", append(run, "--pprof", "cpu", "--pprof-max-size", "100", "--bench", "Op", "./..."), " is over the limit of 100 B: profile too large (see --pprof-max-size); nothing stored"},
			{"bad kind", append(run, "--pprof", "heap", "./..."), `benchdb: --pprof "heap": unknown profile kind "heap" (want cpu, alloc or cpu,alloc)`},
			{"with a server", append(run, "--server", "http://127.0.0.1:1", "./..."), "benchdb: --pprof works with a local store only"},
			{"export ambiguous", []string{"export", "--profile", "cpu", "1"}, "benchdb: export: --profile cpu --bench \"\" matches 3 profiles"},
			{"export no profiles", []string{"export", "--profile", "cpu", "3"}, "benchdb: export: run 3 holds no profiles"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				args := tt.args
				if args[0] != "--db" {
					args = append([]string{"--db", db}, args...)
				}
				code, stdout, stderr := runCLI(t, nil, args...)
				last := stderr
				if i := strings.LastIndex(strings.TrimSuffix(last, "\n"), "\nbenchdb: "); i >= 0 && args[2] == "run" {
					last = last[i+1:] // after run's progress lines
				}
				line, ok := errorLine(last)
				if code != 2 || !strings.Contains(line, tt.wantErr) || !ok {
					t.Errorf("exit %d, stderr %q; want 2 and one line containing %q", code, stderr, tt.wantErr)
				}
				if args[2] != "run" && stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				if r, p := counts(t, db); r != runs || p != profiles {
					t.Errorf("after the error: %d runs and %d profiles, want %d and %d", r, p, runs, profiles)
				}
			})
		}
	})
	t.Run("show", func(t *testing.T) { showProfiles(t, db) })
}

// showProfiles checks that benchdb show lists the profiles of run 2 (the
// fixture's new version, profiled for cpu and alloc) with the digest of
// the bytes export writes, and none for run 3, which has none.
func showProfiles(t *testing.T, db string) {
	text := mustRunCLI(t, "--db", db, "show", "2")
	if !strings.Contains(text, "profiles: 2 (and 2 setup profiles)") || !regexp.MustCompile(`(?m)^cpu +Op(-\d+)? +- +\d+ +[0-9.]+ (B|KiB)$`).MatchString(text) ||
		!regexp.MustCompile(`(?m)^alloc +Op(-\d+)? +- +1 \(setup\) +[0-9.]+ (B|KiB)$`).MatchString(text) {
		t.Errorf("show 2 does not list its profiles:\n%s", text)
	}
	var j struct {
		Profiles []struct {
			Pkg, Name, Side, Kind, SHA256 string
			Setup                         bool
			Iters, Size                   int64
		} `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(mustRunCLI(t, "--db", db, "show", "--format", "json", "2")), &j); err != nil {
		t.Fatal(err)
	}
	exported := mustRunCLI(t, "--db", db, "export", "--profile", "cpu", "--bench", "Op", "2")
	sum := sha256.Sum256([]byte(exported))
	found := false
	for _, p := range j.Profiles {
		if p.Kind == "cpu" && !p.Setup {
			found = p.SHA256 == hex.EncodeToString(sum[:]) && p.Size == int64(len(exported)) && p.Iters > 1 && p.Pkg == "example.com/whymod/work"
		}
	}
	if len(j.Profiles) != 4 || !found {
		t.Errorf("show --format json 2: %d profiles, cpu digest and size matching the export: %v\n%+v", len(j.Profiles), found, j.Profiles)
	}
	if out := mustRunCLI(t, "--db", db, "show", "3"); strings.Contains(out, "profiles:") {
		t.Errorf("show 3 lists profiles it does not have:\n%s", out)
	}
	if out := mustRunCLI(t, "--db", db, "show", "--format", "json", "3"); !strings.Contains(out, `"profiles": []`) {
		t.Errorf("show --format json 3: want an empty profiles list:\n%s", out)
	}
}

// mustWhymodDir returns the fixture module whose new version adds CPU
// work in extraScan and allocations in extraAlloc (see
// profdiff/testdata/whymod).
func mustWhymodDir(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "profdiff", "testdata", "whymod"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// whyJSON is the part of benchdb why --format json the tests read.
type whyJSON struct {
	Comparisons []struct {
		Pkg     string  `json:"pkg"`
		OldName string  `json:"old_name"`
		NewName string  `json:"new_name"`
		OldRuns []int64 `json:"old_runs"`
		NewRuns []int64 `json:"new_runs"`
		Results []struct {
			Kind         string                      `json:"kind"`
			Unit         string                      `json:"unit"`
			Change       float64                     `json:"change"`
			ChangeSource string                      `json:"change_source"`
			Old          struct{ Measured *float64 } `json:"old"`
			Functions    []struct {
				Name      string   `json:"name"`
				FlatDelta float64  `json:"flat_delta"`
				FlatShare *float64 `json:"flat_share"`
				Paths     []struct {
					Frames []string `json:"frames"`
				} `json:"paths"`
			} `json:"functions"`
		} `json:"results"`
	} `json:"comparisons"`
}

// checkTop checks that why's JSON names extraScan first for CPU and
// extraAlloc first for allocations.
func checkTop(t *testing.T, out string) {
	t.Helper()
	var w whyJSON
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		t.Fatalf("why --format json: %v\n%s", err, out)
	}
	if len(w.Comparisons) != 1 || len(w.Comparisons[0].Results) != 2 {
		t.Fatalf("why: want one comparison of two kinds:\n%s", out)
	}
	want := map[string]string{"cpu": "example.com/whymod/work.extraScan", "alloc": "example.com/whymod/work.extraAlloc"}
	for _, r := range w.Comparisons[0].Results {
		if len(r.Functions) == 0 || r.Functions[0].Name != want[r.Kind] {
			t.Errorf("why: top %s function is not %s:\n%s", r.Kind, want[r.Kind], out)
			continue
		}
		f := r.Functions[0]
		if r.ChangeSource != "measured" || f.FlatShare == nil || *f.FlatShare <= 0 {
			t.Errorf("why: %s share of %s: %v (change from %s)", r.Kind, f.Name, f.FlatShare, r.ChangeSource)
		}
		if len(f.Paths) == 0 || !strings.HasSuffix(strings.Join(f.Paths[0].Frames, " > "), "work.Op > "+f.Name) {
			t.Errorf("why: %s has no call path through work.Op: %+v", f.Name, f.Paths)
		}
		if r.Kind == "alloc" && (f.FlatDelta < 4000 || f.FlatDelta > 4200) {
			t.Errorf("why: extraAlloc grew by %g B/op, want about 4096", f.FlatDelta)
		}
	}
}

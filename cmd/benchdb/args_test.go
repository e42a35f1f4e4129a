package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPositionalArgs checks that show, export, runs, compare and ingest
// take their own flags after their arguments, as if they came first, and
// that "--", "-" and single-dash selectors keep their meaning.
func TestPositionalArgs(t *testing.T) {
	dir := t.TempDir()
	db := mustIngestedDB(t)
	for _, tc := range []struct {
		name          string
		after, before []string // the same command, flags after and before
	}{
		{"show", []string{"show", "1", "--format", "json"}, []string{"show", "--format", "json", "1"}},
		{"show =", []string{"show", "1", "--format=json"}, []string{"show", "--format", "json", "1"}},
		{"show db", []string{"show", "2", "--db", db}, []string{"show", "--db", db, "2"}},
		{"export", []string{"export", "1", "2", "--db", db}, []string{"export", "--db", db, "1", "2"}},
		{"runs", []string{"runs", "--format", "json", "--db", db}, []string{"runs", "--db", db, "--format", "json"}},
		{"compare", []string{"compare", "1", "2", "--format", "csv", "--alpha", "0.5"}, []string{"compare", "--format", "csv", "--alpha", "0.5", "1", "2"}},
		{"compare bool", []string{"compare", "1", "2", "--fdr", "--sort=delta"}, []string{"compare", "--fdr", "--sort", "delta", "1", "2"}},
		{"compare negated query", []string{"compare", "1", "-branch:main", "--format", "json"}, []string{"compare", "--format", "json", "1", "-branch:main"}},
		{"last flag wins", []string{"show", "--format", "text", "1", "--format", "json"}, []string{"show", "--format", "json", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after := mustRunCLI(t, append([]string{"--db", db}, tc.after...)...)
			before := mustRunCLI(t, append([]string{"--db", db}, tc.before...)...)
			if after != before {
				t.Errorf("benchdb %s:\n%s\nwant as benchdb %s:\n%s", strings.Join(tc.after, " "), after, strings.Join(tc.before, " "), before)
			}
			if len(after) < 20 {
				t.Errorf("benchdb %s: output %q too short to compare", strings.Join(tc.after, " "), after)
			}
		})
	}

	t.Run("ingest", func(t *testing.T) {
		// Flags after the files: labels add up with those before,
		// --strict and --time apply, and "--" makes a file name that
		// starts with "--" a file.
		basic, err := filepath.Abs("testdata/runs/basic.txt")
		if err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		if err := os.WriteFile("--dashed.txt", []byte("BenchmarkD 1 5 ns/op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		newDB := filepath.Join(dir, "ingest.sqlite")
		code, stdout, stderr := runCLI(t, strings.NewReader("BenchmarkS 1 7 ns/op\n"), "--db", newDB, "ingest", "--label", "a=1", basic, "-",
			"--label", "b=2", "--time=2026-03-01T10:00:00Z", "--strict", "--", "--dashed.txt")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if want := "-: stored as run 2: 1 result\n--dashed.txt: stored as run 3: 1 result\n"; !strings.HasSuffix(stdout, want) {
			t.Errorf("stdout %q, want it to end with %q", stdout, want)
		}
		runs := mustRunsJSON(t, newDB)
		if len(runs) != 3 {
			t.Fatalf("%d runs, want 3", len(runs))
		}
		for _, r := range runs {
			if len(r.Labels) != 2 || r.Labels["a"] != "1" || r.Labels["b"] != "2" || r.Time != "2026-03-01T10:00:00Z" {
				t.Errorf("run %d: labels %v, time %s; want a=1 b=2 at 2026-03-01T10:00:00Z", r.ID, r.Labels, r.Time)
			}
		}
		// --strict after the file fails it on its malformed line.
		bad := filepath.Join(dir, "bad.txt")
		if err := os.WriteFile(bad, []byte("BenchmarkA 1 1 ns/op\nBenchmarkA 1 1x ns/op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runCLI(t, nil, "--db", newDB, "ingest", bad, "--strict"); code != 2 || !strings.Contains(stderr, "(--strict)") {
			t.Errorf("ingest bad.txt --strict: exit %d, %q", code, stderr)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			args       []string
			code       int
			wantStdout string
			wantStderr string
		}{
			{[]string{"show", "1", "--bogus"}, 2, "", "benchdb: show: --bogus after the arguments is not a flag of show (put -- before an argument that starts with -)\n"},
			{[]string{"show", "1", "--format"}, 2, "", "benchdb: show: flag needs an argument: --format\n"},
			{[]string{"show", "1", "--format", "xml"}, 2, "", "benchdb: --format \"xml\": want one of text, json\n"},
			{[]string{"show", "1", "-format", "json"}, 2, "", "benchdb: show: flag -format after the arguments: put flags before them\n"},
			{[]string{"compare", "1", "--fdr=maybe"}, 2, "", "benchdb: compare: invalid value \"maybe\" for flag --fdr: "},
			{[]string{"compare", "1", "--", "--format"}, 2, "", "benchdb: compare: "},
			{[]string{"runs", "extra", "--format", "json"}, 2, "", "benchdb: runs: unexpected argument \"extra\"\n"},
			{[]string{"show", "1", "--help"}, 0, "benchdb show [command options] RUN", ""},
		} {
			code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout, tc.wantStdout) || !strings.HasPrefix(stderr, tc.wantStderr) || (tc.wantStderr == "") != (stderr == "") {
				t.Errorf("benchdb %s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr %q",
					strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.wantStdout, tc.wantStderr)
			}
		}
	})
}

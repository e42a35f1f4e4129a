package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/urfave/cli/v2"
)

// runMain runs benchdb as main does, through run, with the given stdout.
func runMain(t *testing.T, stdout *bytes.Buffer, args ...string) (int, string) {
	t.Helper()
	var errOut bytes.Buffer
	var w interface{ Write([]byte) (int, error) } = stdout
	if stdout == nil {
		w = fullWriter{}
	}
	code := run(context.Background(), append([]string{"benchdb"}, args...), w, &errOut)
	return code, errOut.String()
}

// fullWriter fails every write, as a write to /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestRun_WriteErrorIsAnError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.sqlite")
	bench := filepath.Join(t.TempDir(), "b.txt")
	if err := os.WriteFile(bench, []byte("BenchmarkX 10 5 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"suites"},
		{"profiles"},
		{"--help"},
		{"suites", "--help"},
		{"--db", db, "ingest", bench},
		{"--db", db, "runs"},
		{"--db", db, "export", "latest"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stderr := runMain(t, nil, args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !strings.Contains(stderr, "write standard output: no space left on device") {
				t.Errorf("stderr %q, want the write error", stderr)
			}
		})
	}
}

func TestRun_UsageErrors(t *testing.T) {
	tests := []struct {
		args        []string
		first, want string
	}{
		{[]string{"frobnicate"}, "benchdb: unknown command frobnicate",
			"usage: benchdb [--db PATH] COMMAND [options] [ARGS...] (benchdb --help for more)"},
		{[]string{"help", "frobnicate"}, "benchdb: unknown command frobnicate",
			"usage: benchdb [--db PATH] COMMAND [options] [ARGS...] (benchdb --help for more)"},
		{[]string{"\x1b[31mred"}, `benchdb: unknown command \x1b[31mred`,
			"usage: benchdb [--db PATH] COMMAND [options] [ARGS...] (benchdb --help for more)"},
		{[]string{"--bogus", "runs"}, "benchdb: flag provided but not defined: -bogus",
			"usage: benchdb [--db PATH] COMMAND [options] [ARGS...] (benchdb --help for more)"},
		{[]string{"runs", "--bogus"}, "benchdb: runs: flag provided but not defined: -bogus",
			"usage: benchdb runs [options] (benchdb runs --help for more)"},
		{[]string{"compare", "--\x1b]0;title\x07"}, `benchdb: compare: flag provided but not defined: -\x1b]0;title\a`,
			"usage: benchdb compare [options] SEL... (benchdb compare --help for more)"},
		{[]string{"show"}, "benchdb: show: want one RUN, got 0 arguments",
			"usage: benchdb show [options] RUN (benchdb show --help for more)"},
		{[]string{"runs", "--format", "xml"}, `benchdb: --format "xml": want one of text, json`,
			"usage: benchdb runs [options] (benchdb runs --help for more)"},
		{[]string{"scenario", "--workers", "many"}, `benchdb: scenario: invalid value "many" for flag -workers: parse error`,
			"usage: benchdb scenario [options] (benchdb scenario --help for more)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			code, stderr := runMain(t, &out, tt.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing (no help page)", out.String())
			}
			want := tt.first + "\n" + tt.want + "\n"
			if stderr != want {
				t.Errorf("stderr\n%q\nwant\n%q", stderr, want)
			}
		})
	}
}

func TestReport_OneLine(t *testing.T) {
	var buf bytes.Buffer
	code := report(errors.Join(errors.New("run incomplete: build failed: x"), errors.New("a.go:1: bad\n\tb.go:2: \x1bworse")), &buf)
	if code != exitError {
		t.Errorf("exit %d", code)
	}
	want := "benchdb: run incomplete: build failed: x; a.go:1: bad; b.go:2: \\x1bworse\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// TestDBFlagWinsOverEnv checks that an explicit --db, before or after the
// command name, wins over BENCHDB_DB.
func TestDBFlagWinsOverEnv(t *testing.T) {
	dir := t.TempDir()
	bench := filepath.Join(dir, "b.txt")
	if err := os.WriteFile(bench, []byte("BenchmarkX 10 5 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(dir, "env.sqlite")
	t.Setenv("BENCHDB_DB", env)
	for _, tt := range []struct {
		name string
		args func(db string) []string
	}{
		{"before", func(db string) []string { return []string{"--db", db, "ingest", bench} }},
		{"after", func(db string) []string { return []string{"ingest", "--db", db, bench} }},
		{"after the file", func(db string) []string { return []string{"ingest", bench, "--db", db} }},
		{"both", func(db string) []string {
			return []string{"--db", filepath.Join(dir, "global.sqlite"), "ingest", "--db", db, bench}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "flag.sqlite")
			var out bytes.Buffer
			if code, stderr := runMain(t, &out, tt.args(db)...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if _, err := os.Stat(db); err != nil {
				t.Errorf("--db %s not written: %v", db, err)
			}
			for _, other := range []string{env, filepath.Join(dir, "global.sqlite")} {
				if _, err := os.Stat(other); err == nil {
					t.Errorf("%s written, want only the explicit --db", other)
				}
			}
		})
	}
	t.Run("env alone", func(t *testing.T) {
		var out bytes.Buffer
		if code, stderr := runMain(t, &out, "ingest", bench); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(env); err != nil {
			t.Errorf("BENCHDB_DB not used: %v", err)
		}
	})
	t.Run("neither", func(t *testing.T) {
		// With no --db and no BENCHDB_DB the store is ./benchdb.sqlite;
		// a read command names it (the test does not chdir, so the
		// file is not looked for in the package's directory: the path
		// is named, which is all this checks).
		os.Unsetenv("BENCHDB_DB") // restored by t.Setenv above
		code, _, stderr := runCLI(t, nil, "runs")
		if want := "open store " + defaultDB + ":"; code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q: want 2 and %q", code, stderr, want)
		}
	})
}

// TestEnvFlagsAreGlobalOnly checks the rule that makes an explicit flag
// win over its environment variable: a flag with an environment variable
// is read by one flag set only. A copy of a global flag after the
// command name must not read the variable too, or it would win over the
// global flag given explicitly (`BENCHDB_DB=a benchdb --db b ingest`).
func TestEnvFlagsAreGlobalOnly(t *testing.T) {
	app := newApp(&bytes.Buffer{}, &bytes.Buffer{})
	global := map[string]bool{}
	for _, f := range app.Flags {
		for _, n := range f.Names() {
			global[n] = true
		}
	}
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			env := envVars(f)
			if len(env) == 0 {
				continue
			}
			if slices.ContainsFunc(f.Names(), func(n string) bool { return global[n] }) {
				t.Errorf("benchdb %s --%s reads %v, as the global flag does: the environment would win over an explicit global --%s",
					cmd.Name, f.Names()[0], env, f.Names()[0])
			}
		}
	}
}

// envVars returns a flag's environment variables.
func envVars(f cli.Flag) []string {
	if df, ok := f.(cli.DocGenerationFlag); ok {
		return df.GetEnvVars()
	}
	return nil
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 results"}, {1, "1 result"}, {2, "2 results"}} {
		if got := plural(tt.n, "result"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// errorLine returns the error line of a failed command's stderr, and
// whether stderr is that one line, or that line and a usage line as a
// usage error has.
func errorLine(stderr string) (string, bool) {
	first, rest, _ := strings.Cut(stderr, "\n")
	if rest == "" {
		return first, strings.HasSuffix(stderr, "\n")
	}
	return first, strings.HasPrefix(rest, "usage: benchdb") && strings.HasSuffix(rest, " --help for more)\n") && strings.Count(rest, "\n") == 1
}

package main

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseLabels parses two --label values. Either the error is a usage
// error of one line naming the flag, or every label round-trips: written
// back as key=value, each parses to the same key and value.
func FuzzParseLabels(f *testing.F) {
	for _, s := range [][2]string{
		{"branch=main", "commit=abc123"},
		{"k=", "x=a=b"},
		{"=v", "k"},
		{"k=v", "k=w"},
		{"html=<script>alert(1)</script>", "sql='; DROP TABLE runs; --"},
		{"quote=\"it's\"", "ctl=a\tb\x01c\x7f"},
		{"bad=\xff\xfe", "nul=a\x00b"},
		{"a b=c", "k=line\nbreak"},
		{"k=cr\r", "üñí=çødé"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		labels, err := parseLabels([]string{a, b})
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Errorf("parseLabels: %v (%T), want a usage error", err, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "--label ") || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("parseLabels: error %q does not name --label on one line", msg)
			}
			return
		}
		if len(labels) != 2 {
			t.Fatalf("parseLabels(%q, %q) = %q: want two labels", a, b, labels)
		}
		for _, l := range []string{a, b} {
			k, v, _ := strings.Cut(l, "=")
			if got, ok := labels[k]; !ok || got != v {
				t.Errorf("parseLabels: label %q gives %q=%q, want %q=%q", l, k, got, k, v)
			}
		}
		var flags []string
		for k, v := range labels {
			flags = append(flags, k+"="+v)
		}
		again, err := parseLabels(flags)
		if err != nil || !maps.Equal(again, labels) {
			t.Errorf("labels %q written back as %q parse to %q, %v", labels, flags, again, err)
		}
	})
}

// FuzzIngest_time runs `benchdb ingest --time T`. Either it fails with
// exit status 2 and a one-line error naming --time, storing nothing, or
// the run is stored at exactly T (an empty T means now) and every command
// that lists runs still works.
func FuzzIngest_time(f *testing.F) {
	for _, s := range []string{
		"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123456789+02:00", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+01:00",
		"2026-02-30T00:00:00Z", "yesterday", "2026-01-02", "2026-01-02T03:04:05", "1e9", "-1",
		"2026-01-02T03:04:05+24:00", "2026-01-02T03:04:05Z\n", "2026-01-02 03:04:05Z",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	db := filepath.Join(dir, "benchdb.sqlite")
	input := filepath.Join(dir, "in.txt")
	n := 0
	f.Fuzz(func(t *testing.T, s string) {
		n++ // unique content, so that no ingest is a duplicate
		text := "iteration: " + strconv.Itoa(n) + "\nBenchmarkA-2 1 1 ns/op\n"
		if err := os.WriteFile(input, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		before := runCount(t, db)
		start := time.Now()
		code, _, stderr := runCLI(t, nil, "--db", db, "ingest", "--time", s, input)
		end := time.Now()
		if code != 0 {
			if line, ok := errorLine(stderr); code != 2 || !strings.HasPrefix(line, "benchdb: --time ") || !ok {
				t.Errorf("ingest --time %q: exit %d, stderr %q; want 2 and one line naming --time", s, code, stderr)
			}
			if after := runCount(t, db); after != before {
				t.Errorf("failed ingest --time %q: %d runs before, %d after", s, before, after)
			}
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil && s != "" { // an empty --time means now
			t.Fatalf("ingest accepted --time %q, which is not RFC 3339: %v", s, err)
		}
		runs := mustRunsJSON(t, db)
		if len(runs) != before+1 {
			t.Fatalf("%d runs after ingest, want %d", len(runs), before+1)
		}
		found := false
		for _, r := range runs {
			got, err := time.Parse(time.RFC3339Nano, r.Time)
			if err != nil {
				t.Fatalf("runs --format json: time %q: %v", r.Time, err)
			}
			if r.Config["iteration"] == strconv.Itoa(n) {
				found = true
				if s == "" && (got.Before(start) || got.After(end)) {
					t.Errorf("--time \"\" stored as %q, want the time of the ingest", r.Time)
				}
				if s != "" && !got.Equal(want) {
					t.Errorf("--time %q stored as %q", s, r.Time)
				}
			}
		}
		if !found {
			t.Errorf("the run of --time %q is not listed", s)
		}
	})
}

// mustRunsJSON returns what `benchdb runs --format json` prints.
func mustRunsJSON(tb testing.TB, db string) []runJSON {
	tb.Helper()
	out := mustRunCLI(tb, "--db", db, "runs", "--format", "json")
	var runs []runJSON
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		tb.Fatalf("runs --format json: %v\n%s", err, out)
	}
	return runs
}

// runCount returns the number of stored runs, 0 if there is no database.
func runCount(tb testing.TB, db string) int {
	tb.Helper()
	if _, err := os.Stat(db); err != nil {
		return 0
	}
	return len(mustRunsJSON(tb, db))
}

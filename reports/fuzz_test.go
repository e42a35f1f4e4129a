package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
)

// fuzzRuns are the runs selectors are matched against.
func fuzzRuns() []store.Run {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []store.Run{
		{ID: 2, Time: t0, Labels: map[string]string{"profile": "elixir-1.5.1", "branch": "main"}, Config: map[string]string{"goos": "linux", "pkg": "a"}},
		{ID: 7, Time: t0.Add(time.Hour), Labels: map[string]string{"profile": "roundrobin", "branch": "main", "note": "it's \"quoted\""}, Config: map[string]string{"goos": "linux"}},
		{ID: 4, Time: t0.Add(2 * time.Hour), Labels: map[string]string{"branch": "dev"}, Config: map[string]string{"goos": "darwin", "pkg": "b"}},
	}
}

// FuzzParseSelector parses arbitrary selector text. An error is one line
// naming the selector; a selector that parses prints (String) as text
// that parses to the same selector, and matches only stored runs, each
// once, oldest first.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{
		"42", "0", "99999999999999999999", "latest", "latest~0", "latest~2", "latest~99999999999999999999", "latest~-1",
		"old=latest~1", "base=profile:elixir-1.5.1", "profile:elixir-1.5.1", ".fullname:Select/pool=8",
		"branch:main commit:abc123", "pr=branch:(main OR dev)", "branch:main -profile:roundrobin", "*", "x=*",
		"", "=", "x=", "=x", "a:(b", "a:\"unterminated", "goos:linux AND (", "note:\"it's \\\"quoted\\\"\"",
		"'; DROP TABLE run; --", "name=<b>x</b>:y", "a\x00b:c", "\xff:\xfe", "a:b\nc:d", "-x=branch:main",
	} {
		f.Add(s)
	}
	runs := fuzzRuns()
	order := map[int64]int{}
	for i, r := range runs {
		order[r.ID] = i
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := reports.ParseSelector(s)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") {
				t.Errorf("ParseSelector(%q): error is not one line: %q", s, msg)
			}
			return
		}
		again, err := reports.ParseSelector(sel.String())
		if err != nil {
			t.Fatalf("ParseSelector(%q) = %q, which does not parse: %v", s, sel, err)
		}
		if again.Name != sel.Name || again.Text != sel.Text || again.String() != sel.String() {
			t.Errorf("ParseSelector(%q) = {%q %q}; parsed again {%q %q}", s, sel.Name, sel.Text, again.Name, again.Text)
		}
		ids, err := sel.Match(runs)
		if err != nil {
			if len(ids) != 0 || strings.Contains(err.Error(), "\n") {
				t.Errorf("Match: %v with ids %v", err, ids)
			}
			return
		}
		last := -1
		for _, id := range ids {
			i, ok := order[id]
			if !ok || i <= last {
				t.Fatalf("%q matches %v: not stored runs, each once, oldest first", s, ids)
			}
			last = i
		}
	})
}

// fuzzSource returns a source with two runs of a few benchmarks.
func fuzzSource(tb testing.TB) *reports.MemSource {
	tb.Helper()
	src := &reports.MemSource{}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, text := range []string{
		"goos: linux\npkg: a\nUnit hits/op better=higher\n" +
			"BenchmarkSelect/profile=x/depth=10-2 100 10 ns/op 3 hits/op\nBenchmarkSelect/profile=x/depth=10-2 100 11 ns/op 3 hits/op\n" +
			"BenchmarkSelect/profile=y/depth=10-2 100 20 ns/op 4 hits/op\nBenchmarkSelect/profile=y/depth=10-2 100 21 ns/op 4 hits/op\n" +
			"BenchmarkOther-2 10 5 ns/op\nBenchmarkOther-2 10 6 ns/op\n" +
			// Non-finite values: NaN is excluded, ±Inf kept.
			"BenchmarkOdd-2 1 NaN ns/op 1e308 hits/op\nBenchmarkOdd-2 1 +Inf ns/op 0 hits/op\nBenchmarkOdd-2 1 -Inf MB/s NaN hits/op\n",
		"goos: linux\npkg: a\n" +
			"BenchmarkSelect/profile=x/depth=10-2 100 12 ns/op 2 hits/op\nBenchmarkSelect/profile=x/depth=10-2 100 13 ns/op 2 hits/op\n" +
			"BenchmarkSelect/profile=y/depth=10-2 100 19 ns/op 5 hits/op\nBenchmarkSelect/profile=y/depth=10-2 100 18 ns/op 5 hits/op\n" +
			"BenchmarkOdd-2 1 NaN ns/op 4.9e-324 hits/op\nBenchmarkOdd-2 1 0 ns/op +Inf hits/op\n" +
			"pkg: <b>\"b\"</b>\nBenchmarkOther-2 10 7 ns/op\nBenchmarkOther-2 10 8 ns/op\n",
	} {
		labels := map[string]string{"branch": []string{"main", "dev"}[i], "html": "<script>x</script>"}
		if _, err := src.AddString(text, "run", labels, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	return src
}

// FuzzCompare_options compares two runs with arbitrary filter and
// projection expressions (--filter, --row, --col, --table, --ignore).
// Whatever they are, Compare either returns a one-line error (an
// *OptionError for a bad expression) or a comparison that every writer
// renders: valid JSON, CSV that reads back, text and Markdown.
func FuzzCompare_options(f *testing.F) {
	for _, o := range [][5]string{
		{"*", "", "", "", ""},
		{".name:Select", "/depth", "/profile", "", ""},
		{"/profile:(x OR y) -.name:Other", ".fullname", "branch", ".config", "goos"},
		{".unit:ns/op", "/profile@(y x)", ".sel", "pkg", ""},
		{"branch:main", ".name", "html", ".unit", "pkg"},
		{"*", "/nokey", "", "", ""},
		{"(", "", "", "", ""},
		{"*", "@num", "", "", ""},
		{"*", "/depth@num", "/profile@alpha", ".config .unit", "/x"},
		{".name:(Select", "", "", "", ""},
		{"*", "", ".sel@(b a)", "", ""},
		{"'; DROP TABLE run; --", "", "", "", ""},
		{"pkg:\"<b>\\\"b\\\"</b>\"", ".name", "pkg", "", ""},
	} {
		f.Add(o[0], o[1], o[2], o[3], o[4])
	}
	src := fuzzSource(f)
	sels := []reports.Selector{mustSelector(f, "a=1"), mustSelector(f, "b=2")}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, filter, row, col, table, ignore string) {
		opts := reports.Options{Filter: filter, Row: row, Col: col, Table: table, Ignore: ignore}
		cmp, err := reports.Compare(ctx, src, sels, opts)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") {
				t.Errorf("Compare(%+v): error is not one line: %q", opts, msg)
			}
			var oe *reports.OptionError
			if _, nerr := reports.NewBuilder(opts); nerr != nil && !errors.As(nerr, &oe) {
				t.Errorf("NewBuilder(%+v): %v (%T), want an *OptionError", opts, nerr, nerr)
			}
			return
		}
		var js bytes.Buffer
		if err := cmp.WriteJSON(&js); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		if !json.Valid(js.Bytes()) {
			t.Fatalf("WriteJSON wrote invalid JSON:\n%s", js.String())
		}
		var csvOut bytes.Buffer
		if err := cmp.WriteCSV(&csvOut, nil, reports.CSVOptions{Verdicts: true}); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		r := csv.NewReader(&csvOut)
		r.FieldsPerRecord = -1
		if _, err := r.ReadAll(); err != nil {
			t.Fatalf("WriteCSV wrote CSV that does not read back: %v", err)
		}
		for name, write := range map[string]func(io.Writer) error{
			"text":     func(w io.Writer) error { return cmp.WriteText(w, reports.TextOptions{Verdicts: true}) },
			"markdown": cmp.WriteMarkdown,
		} {
			if err := write(io.Discard); err != nil {
				t.Errorf("write %s: %v", name, err)
			}
		}
		if n := cmp.Regressions(); n < 0 || n > countRows(cmp) {
			t.Errorf("Regressions() = %d of %d rows", n, countRows(cmp))
		}
	})
}

func countRows(c *reports.Comparison) int {
	n := 0
	for _, t := range c.Tables {
		n += len(t.Rows)
	}
	return n
}

func mustSelector(tb testing.TB, s string) reports.Selector {
	tb.Helper()
	sel, err := reports.ParseSelector(s)
	if err != nil {
		tb.Fatal(err)
	}
	return sel
}

package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

const goodLines = "goos: linux\npkg: x\nBenchmarkA-2 100 12 ns/op\nBenchmarkA-2 100 13 ns/op\n"

func TestDB_Ingest_badInput(t *testing.T) {
	long := "BenchmarkLong-2 1 " + strings.Repeat("1 x/op ", 10000) + "\n"
	tests := []struct {
		name    string
		input   string
		strict  bool
		wantErr string // the whole message
		is      error
	}{
		{name: "empty", input: "", wantErr: "in.txt: empty input", is: store.ErrNoResults},
		{name: "blank lines only", input: "\n  \n\t\n", wantErr: "in.txt: empty input", is: store.ErrNoResults},
		{name: "no results", input: "goos: linux\nPASS\nok x 0.1s\n", wantErr: "in.txt: no benchmark results", is: store.ErrNoResults},
		{name: "only malformed results", input: "BenchmarkA-2 100 12\n", wantErr: "in.txt: no benchmark results", is: store.ErrNoResults},
		{name: "binary NUL", input: goodLines + "ab\x00cd\n", wantErr: "in.txt:5: binary data, not benchmark output"},
		{name: "binary invalid UTF-8", input: "\xff\xfe\x01garbage", wantErr: "in.txt:1: binary data, not benchmark output"},
		{name: "line over 64 KiB", input: goodLines + long + goodLines, wantErr: "in.txt:5: line longer than 65535 bytes"},
		{name: "truncated last line", input: goodLines + "BenchmarkA-2 100 1", wantErr: "in.txt:5: truncated result line at end of input: missing units"},
		{name: "strict, malformed line", input: goodLines + "BenchmarkB-2 100 x ns/op\n" + goodLines, strict: true,
			wantErr: "in.txt:5: parsing measurement: invalid syntax (--strict)"},
		{name: "JSON, output line over 64 KiB", input: `{"Action":"output","Package":"p","Output":"` + strings.Repeat("x", 70000) + `\n"}` + "\n",
			wantErr: "in.txt:1: output line longer than 65535 bytes"},
		{name: "JSON, strict, malformed event", input: `{"Action":"output","Package":"p","Output":"BenchmarkA 1 2 ns/op\n"}` + "\n{\"Action\":\n", strict: true,
			wantErr: "in.txt:2: malformed go test -json event: unexpected end of JSON input (--strict)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t)
			ctx := context.Background()
			// Something stored before, which must survive.
			mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
			before := mustDump(t, db.Path())

			_, err := db.Ingest(ctx, strings.NewReader(tt.input), store.IngestOptions{Name: "in.txt", Strict: tt.strict})
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error:\n got %q\nwant %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			// Fatal input errors are *InputError, never a *Warning
			// (which describes a line skipped while the rest is stored).
			var ie *store.InputError
			var w *store.Warning
			if !errors.As(err, &ie) || errors.As(err, &w) {
				t.Errorf("error %v is a %T, want an *store.InputError", err, err)
			}
			if after := mustDump(t, db.Path()); after != before {
				t.Errorf("database changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

func TestDB_Ingest_skippedLines(t *testing.T) {
	db := storetest.Open(t)
	input := goodLines +
		"BenchmarkB-2 100 x ns/op\n" + // line 5
		"BenchmarkC-2\n" + // a -v start line: not an error
		"BenchmarkD-2 100\n" + // line 7
		"Unit ns/op better=higher\n" + "Unit ns/op better=lower\n" + // line 9: conflicting
		"BenchmarkE-2 100 5 ns/op"
	got, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "in.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Results != 3 || got.SkippedLines != 3 {
		t.Errorf("got %d results, %d skipped lines; want 3, 3", got.Results, got.SkippedLines)
	}
	var msgs []string
	for _, w := range got.Warnings {
		msgs = append(msgs, w.Error())
		if sw, ok := w.(*store.Warning); !ok || sw.Name != "in.txt" || sw.Line == 0 {
			t.Errorf("warning %v is a %T %+v, want a *store.Warning with the name and line", w, w, w)
		}
	}
	want := []string{
		"in.txt:5: parsing measurement: invalid syntax",
		"in.txt:7: missing measurements",
		"in.txt:9: metadata better of unit ns/op already set to higher",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	run, err := db.Run(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Results != 3 || run.SkippedLines != 3 {
		t.Errorf("stored run has %d results, %d skipped lines; want 3, 3", run.Results, run.SkippedLines)
	}
	dup, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "again.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if dup.DuplicateOf != got.ID || dup.Results != 3 || dup.SkippedLines != 3 {
		t.Errorf("duplicate: %+v, want a duplicate of run %d with 3 results, 3 skipped lines", dup, got.ID)
	}
}

// TestDB_Ingest_atomic checks that an error found only while storing (a
// context cancelled halfway through) leaves nothing behind.
func TestDB_Ingest_atomic(t *testing.T) {
	db := storetest.Open(t)
	mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
	before := mustDump(t, db.Path())

	var sb strings.Builder
	for i := range 5000 {
		sb.WriteString("BenchmarkX-2 100 ")
		sb.WriteString(strings.Repeat("1", 1+i%5))
		sb.WriteString(" ns/op\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &cancelAfter{r: strings.NewReader(sb.String()), n: sb.Len() + sb.Len()/2, cancel: cancel}
	_, err := db.Ingest(ctx, r, store.IngestOptions{Name: "big"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if after := mustDump(t, db.Path()); after != before {
		t.Errorf("database changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	// The store still works.
	mustIngestFile(t, db, "testdata/roundtrip/config-change.txt", store.IngestOptions{})
}

// cancelAfter calls cancel once n bytes have been read through it (the
// first read pass covers the input once, so n beyond its length cancels
// in the second pass, while rows are being inserted).
type cancelAfter struct {
	r      *strings.Reader
	n      int
	read   int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read >= c.n {
		c.cancel()
	}
	return n, err
}

func (c *cancelAfter) Seek(off int64, whence int) (int64, error) {
	return c.r.Seek(off, whence)
}

// goTestJSON converts benchmark text to `go test -json` events the way
// test2json splits them: a benchmark's name and its figures arrive in
// separate events.
func goTestJSON(t testing.TB, text string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	ev := func(action, out string) {
		e := map[string]any{"Time": "2026-11-28T10:00:00Z", "Action": action, "Package": "example.com/fib"}
		if action == "output" {
			e["Output"] = out
		}
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	ev("start", "")
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		if name, rest, ok := strings.Cut(line, "\t"); ok && strings.HasPrefix(line, "Benchmark") {
			ev("output", name+"\t")
			ev("output", rest)
			continue
		}
		ev("output", line)
	}
	ev("pass", "")
	return buf.String()
}

func TestDB_Ingest_goTestJSON(t *testing.T) {
	for _, file := range roundTripFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			db := storetest.Open(t)
			ctx := context.Background()
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			js := goTestJSON(t, string(text))
			got, err := db.Ingest(ctx, strings.NewReader(js), store.IngestOptions{Name: "test.json"})
			if err != nil {
				t.Fatal(err)
			}
			want := mustReadRecords(t, bytes.NewReader(text), file)
			if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
				t.Errorf("Results differ from the text input:\n%s", d)
			}
			// The text is the same content: a duplicate.
			dup := mustIngestFile(t, db, file, store.IngestOptions{})
			if dup.DuplicateOf != got.ID {
				t.Errorf("text after JSON: DuplicateOf = %d, want %d", dup.DuplicateOf, got.ID)
			}
		})
	}
}

func TestDB_Ingest_goTestJSONWarnings(t *testing.T) {
	db := storetest.Open(t)
	input := `{"Action":"output","Package":"p","Output":"goos: linux\n"}` + "\n" +
		`{"Action":"output","Package":"p","Output":"BenchmarkA-2 \t"}` + "\n" +
		`{"Action":"output","Package":"p","Output":"100\t12 ns/op\n"}` + "\n" +
		`{"Action":"output",` + "\n" +
		`{"Action":"output","Package":"p","Output":"BenchmarkB-2 \t"}` + "\n" +
		`{"Action":"output","Package":"p","Output":"100\tx ns/op\n"}` + "\n"
	got, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "t.json"})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range got.Warnings {
		msgs = append(msgs, w.Error())
	}
	want := "t.json:4: malformed go test -json event: unexpected end of JSON input\n" +
		"t.json:6: parsing measurement: invalid syntax"
	if strings.Join(msgs, "\n") != want || got.Results != 1 || got.SkippedLines != 2 {
		t.Errorf("got %d results, %d skipped, warnings\n%s\nwant 1, 2,\n%s", got.Results, got.SkippedLines, strings.Join(msgs, "\n"), want)
	}
	// The JSON is decoded once, by NewInput; Check and an ingest from a
	// pipe (copied as it is read) replay the same lines and warnings.
	for _, how := range []string{"check", "pipe"} {
		var res store.Ingested
		var err error
		if how == "check" {
			res, err = store.Check(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "t.json"})
		} else {
			res, err = storetest.Open(t).Ingest(context.Background(), io.MultiReader(strings.NewReader(input)), store.IngestOptions{Name: "t.json"})
		}
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		msgs = msgs[:0]
		for _, w := range res.Warnings {
			msgs = append(msgs, w.Error())
		}
		if strings.Join(msgs, "\n") != want || res.Results != 1 || res.SkippedLines != 2 {
			t.Errorf("%s: got %d results, %d skipped, warnings\n%s\nwant 1, 2,\n%s", how, res.Results, res.SkippedLines, strings.Join(msgs, "\n"), want)
		}
	}
}

// TestDB_Ingest_realGoTestJSON ingests real `go test -json -v -bench`
// output (benchmark lines split across events, test logs in between).
func TestDB_Ingest_realGoTestJSON(t *testing.T) {
	const file = "testdata/json/fib.json"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The reference: every Output field, concatenated.
	var text strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var ev struct{ Action, Output string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Action == "output" {
			text.WriteString(ev.Output)
		}
	}
	want := mustReadRecords(t, strings.NewReader(text.String()), file)
	if len(want.results) != 6 {
		t.Fatalf("reference has %d results, want 6", len(want.results))
	}
	db := storetest.Open(t)
	got := mustIngestFile(t, db, file, store.IngestOptions{})
	if got.Results != 6 || got.SkippedLines != 0 {
		t.Errorf("got %+v, want 6 results, no skipped lines", got)
	}
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Errorf("Results differ from the extracted output:\n%s", d)
	}
}

// TestDB_Results_largeGroups checks results of one benchmark repeated
// more often than one stored group holds.
func TestDB_Results_largeGroups(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	var buf bytes.Buffer
	if err := benchgen.Write(&buf, benchgen.Options{Lines: 1250, Count: 250, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	input := buf.Bytes()
	db := storetest.Open(t)
	got, err := db.Ingest(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: "gen"})
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadRecords(t, bytes.NewReader(input), "gen")
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Errorf("Results differ:\n%s", d)
	}
	// 5 benchmarks of 250 results: a group ends at 100 results
	// (maxGroup), 100, 100 and 50 for each benchmark; the value block of
	// 100 results (ns/op with one decimal, iters, B/op and allocs/op the
	// same for each) takes about 3 bytes a result, well under 800
	// (maxGroupBytes).
	if n := querySamples(t, db.Path(), `SELECT count(*), sum(n), max(n), max(length(data)) < 400 FROM result_group`); n != "15 1250 100 1\n" {
		t.Errorf("groups, results, largest, largest under 400 bytes: %q, want 15 1250 100 1", n)
	}
}

// TestDB_Results_rawValues checks that values a value block cannot keep
// as short decimals (full-precision floats, NaN, infinities, negative
// zero) come back bit for bit, and that the rows they make are split to
// stay under maxGroupBytes.
func TestDB_Results_rawValues(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	var sb strings.Builder
	sb.WriteString("goos: linux\n")
	r := rand.New(rand.NewPCG(3, 4))
	special := []string{"NaN", "+Inf", "-Inf", "-0", "0", "1e-300", "1.7976931348623157e+308", "123456789012345678901234"}
	for i := range 250 {
		v := strconv.FormatFloat(r.Float64()*1e6, 'g', -1, 64)
		if i%10 == 0 {
			v = special[(i/10)%len(special)]
		}
		fmt.Fprintf(&sb, "BenchmarkRaw-8\t%d\t%s ns/op\t%s x/op\n", 1000+r.IntN(1000), v, strconv.FormatFloat(r.NormFloat64(), 'g', -1, 64))
	}
	input := sb.String()
	db := storetest.Open(t)
	got, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadRecords(t, strings.NewReader(input), "raw")
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Errorf("Results differ:\n%s", d)
	}
	// About 26 bytes a result in raw form: 100 results (3 units'
	// worth) would take 2,600 bytes, so each 100 is split in four.
	if n := querySamples(t, db.Path(), `SELECT count(*), sum(n), max(n), max(length(data)) <= 800 FROM result_group`); n != "10 250 25 1\n" {
		t.Errorf("groups, results, largest, largest within 800 bytes: %q, want 10 250 25 1", n)
	}

}

// TestDB_Ingest_sharedNames checks that runs share interned names, both
// when the store has few names (all cached up front) and many.
func TestDB_Ingest_sharedNames(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	for _, names := range []int{40, 250} {
		t.Run(fmt.Sprint("names=", names), func(t *testing.T) {
			db := storetest.Open(t)
			// Up to 50 names are loaded up front, 100 are cached.
			store.SetNameCache(db, 100)
			for seed := range 2 {
				var buf bytes.Buffer
				if err := benchgen.Write(&buf, benchgen.Options{Lines: names, Count: 1, Seed: uint64(seed)}); err != nil {
					t.Fatal(err)
				}
				input := buf.Bytes()
				got, err := db.Ingest(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: "gen"})
				if err != nil {
					t.Fatal(err)
				}
				want := mustReadRecords(t, bytes.NewReader(input), "gen")
				if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
					t.Fatalf("run %d differs:\n%s", got.ID, d)
				}
			}
			if got := querySamples(t, db.Path(), `SELECT count(*) FROM name`); got != fmt.Sprintf("%d\n", names) {
				t.Errorf("%s names stored, want %d", strings.TrimSpace(got), names)
			}
		})
	}
}

// TestDB_Ingest_interleaved checks that results of benchmarks run one
// after the other (go test -count 1 in a loop) are grouped by benchmark,
// not stored a row per result, and come back in input order, each with
// its line in the result_line view; and that more benchmarks at once
// than ingest keeps open, a configuration line between repetitions and
// a change of units each end the groups they must.
func TestDB_Ingest_interleaved(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the SQLite file itself
	var sb strings.Builder
	sb.WriteString("goos: linux\npkg: example.com/a\n")
	for i := range 6 {
		if i == 4 {
			sb.WriteString("pkg: example.com/b\n\n")
		}
		for b := range 3 {
			fmt.Fprintf(&sb, "BenchmarkX%d-8 \t 100\t %d ns/op\n", b, 10*b+i)
		}
		if i == 1 {
			// A blank line and a change of units for X0.
			sb.WriteString("\nBenchmarkX0-8 \t 100\t 5 ns/op\t 3 B/op\n")
		}
	}
	// Many distinct benchmarks, each twice, more than ingest keeps open.
	sb.WriteString("pkg: example.com/c\n")
	for range 2 {
		for b := range 1500 {
			fmt.Fprintf(&sb, "BenchmarkMany%d \t 1\t %d ns/op\n", b, b)
		}
	}
	input := sb.String()
	db := storetest.Open(t)
	got, err := db.Ingest(context.Background(), strings.NewReader(input), store.IngestOptions{Name: "loop"})
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadRecords(t, strings.NewReader(input), "loop")
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Errorf("Results differ:\n%s", d)
	}
	// Package a: X0 on lines 3 and 6, then 10 with B/op and 11 and 14
	// with ns/op again, each change of units ending its group; X1 and X2
	// across the blank line. Package b's configuration line ends them
	// all.
	if rows := querySamples(t, db.Path(), `SELECT n.name, g.line, g.n, benchdb_lines(g.data) FROM result_group g JOIN name n ON n.id = g.name_id WHERE n.name LIKE 'X%' ORDER BY g.line`); rows != ""+
		"X0-8 3 2 [0,3]\n"+
		"X1-8 4 4 [0,3,8,11]\n"+
		"X2-8 5 4 [0,3,8,11]\n"+
		"X0-8 10 1 <nil>\n"+
		"X0-8 11 2 [0,3]\n"+
		"X0-8 19 2 [0,3]\n"+
		"X1-8 20 2 [0,3]\n"+
		"X2-8 21 2 [0,3]\n" {
		t.Errorf("result groups:\n%s", rows)
	}
	// The view gives each result its input line.
	if rows := querySamples(t, db.Path(), `SELECT group_concat(line, ' ') FROM (SELECT rl.line FROM result_line rl JOIN name n ON n.id = rl.name_id WHERE n.name = 'X1-8' ORDER BY rl.line)`); rows != "4 7 12 15 20 23\n" {
		t.Errorf("lines of X1-8 in result_line: %q", rows)
	}
	// 1500 benchmarks in turn: the 1024 open groups are stored when the
	// 1025th benchmark starts, before any has a second result, so each
	// result is a group of its own (memory stays bounded).
	if rows := querySamples(t, db.Path(), `SELECT count(*), sum(n) FROM result_group g JOIN name n ON n.id = g.name_id WHERE n.name LIKE 'Many%'`); rows != "3000 3000\n" {
		t.Errorf("groups and results of the Many benchmarks: %q", rows)
	}
}

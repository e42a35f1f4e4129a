package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// fuzzSeeds are inputs, real and malformed, that every ingest fuzz target
// starts from, beside the round-trip fixtures.
var fuzzSeeds = []string{
	goodLines,
	"",
	"\n\n",
	"BenchmarkA-2 100 12\n",
	"BenchmarkA-2 100 1",
	goodLines + "BenchmarkB-2 100 x ns/op\n",
	goodLines + "BenchmarkA-2 100 12 ns/op 3 B/op 1 allocs/op 9.5 MB/s 7 custom/op\n",
	"Unit ns/op better=higher\nUnit ns/op assume=exact\n" + goodLines,
	"Unit x/op better=higher\nUnit x/op better=lower\nBenchmarkA 1 2 x/op\n",
	"goos: linux\r\npkg: x\r\nBenchmarkA-2 100 12 ns/op\r\n",
	"key: value with: colon\n\tBenchmarkA 1 1 ns/op\nBenchmarkA 1 NaN ns/op\nBenchmarkA 1 +Inf ns/op\nBenchmarkA 1 -Inf x/op\n",
	"BenchmarkA/name=<script>alert(1)</script>-2 1 1 ns/op\nnote: '; DROP TABLE run; --\nBenchmarkA/q=\"x\"-2 1 2 ns/op\n",
	"pkg: a\nBenchmarkA 1 1 ns/op\npkg: b\nBenchmarkA 1 2 ns/op\npkg:\nBenchmarkA 1 3 ns/op\n",
	"BenchmarkA 1 1 ns/op\x00\n",
	"\xff\xfe BenchmarkA 1 1 ns/op\n",
	"BenchmarkA 18446744073709551616 1 ns/op\nBenchmarkA -1 1 ns/op\nBenchmarkA 1 1e400 ns/op\n",
	"BenchmarkA 1 1 ns/op\n" + strings.Repeat("x", 70000) + "\n",
	"{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkA 1 2 ns/op\\n\"}\n",
	"{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkA \"}\n{\"Action\":\"output\",\"Package\":\"q\",\"Output\":\"BenchmarkB 1 3 ns/op\\n\"}\n{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"1 2 ns/op\"}\n",
	"{\"Action\":\n{}\nnot json\n{\"Output\":null}\n",
	// Issue 11's shapes: configuration churn (keys added, deleted,
	// re-added), no newline at all, NaN/Inf, huge and tiny values, a
	// stray Latin-1 byte.
	"k1: a\nBenchmarkA 1 1 ns/op\nk2: b\nBenchmarkA 1 2 ns/op\nk1:\nBenchmarkA 1 3 ns/op\nk1: c\nk2: d\nBenchmarkA 1 4 ns/op\nk3: e\n",
	"BenchmarkA 1 1 ns/op " + strings.Repeat("BenchmarkA 1 1 ns/op ", 4000),
	"BenchmarkA 1 NaN ns/op\nBenchmarkA 1 Inf B/op\nBenchmarkA 1 -Inf allocs/op\n",
	"BenchmarkA 1 1.7976931348623157e308 ns/op\nBenchmarkA 1 5e-324 ns/op\nBenchmarkA 1 -0 ns/op\nBenchmarkA 9223372036854775807 1e-300 x/op\n",
	"owner: Jos\xe9\nBenchmarkA 1 1 ns/op\n",
	// A key deleted and set again moves to the end of the reader's
	// configuration; a deletion moves the last key into its place.
	// The export must reproduce both orders (CI's fuzzing found the
	// first).
	"k1: a\nBenchmarkA 1 1 ns/op\nk2: b\nBenchmarkA 1 2 ns/op\nk1:\nk1: c\nk2: d\nBenchmarkA 1 4 ns/op\n",
	"a: 1\nb: 2\nc: 3\nBenchmarkA 1 1 ns/op\na:\nBenchmarkA 1 2 ns/op\nd: 4\na: 5\nBenchmarkA 1 3 ns/op\nb:\nc:\nb: 6\nBenchmarkA 1 4 ns/op\n",
}

// addIngestSeeds adds the seeds and the round-trip fixtures to f.
func addIngestSeeds(f *testing.F) {
	f.Helper()
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, file := range roundTripFiles(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// normalizeLines does to text input what Ingest does to each line: it
// drops one carriage return before each newline (and at the end).
func normalizeLines(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return bytes.Join(lines, []byte("\n"))
}

// isJSONInput reports whether Ingest reads b as `go test -json` output:
// its first byte that is not white space is '{'.
func isJSONInput(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// FuzzDB_Ingest stores arbitrary input. Whatever it is, Ingest either
// stores what benchfmt reads from it, such that the export reads back the
// same results and Unit metadata and a second ingest is a duplicate, or
// refuses it with an *InputError and stores nothing.
func FuzzDB_Ingest(f *testing.F) {
	addIngestSeeds(f)
	db := storetest.Open(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, in []byte) {
		before, err := db.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Ingest(ctx, bytes.NewReader(in), store.IngestOptions{Name: "fuzz.txt"})
		if err != nil {
			var ie *store.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Ingest: %v (%T), want an *InputError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Errorf("error %q does not name the input", err)
			}
			after, err := db.Runs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("failed Ingest (%v) changed the run count from %d to %d", ie, len(before), len(after))
			}
			return
		}
		if got.ID <= 0 || got.Results <= 0 {
			t.Fatalf("Ingest = %+v, want a run with results", got)
		}
		stored := mustStoredResults(t, db, got.ID)
		if len(stored) != got.Results {
			t.Errorf("Results gives %d results, Ingest said %d", len(stored), got.Results)
		}
		if got.DuplicateOf == 0 && !isJSONInput(in) {
			// benchfmt reads the same from the original text.
			want := mustReadRecords(t, bytes.NewReader(normalizeLines(in)), "fuzz.txt")
			if d := diffResults(stored, want.results); d != "" {
				t.Errorf("stored results differ from benchfmt's reading of the input:\n%s", d)
			}
		}

		// The run's digest gives a report what Results gives.
		if d := diffSamples(digestSamples(t, db, []int64{got.ID}), resultSamples(t, db, []int64{got.ID})); d != "" {
			t.Errorf("Samples differs from Results:\n%s", d)
		}

		// The export reads back as what is stored, without errors.
		var exp bytes.Buffer
		if err := db.Export(ctx, &exp, got.ID); err != nil {
			t.Fatal(err)
		}
		back := mustReadRecords(t, bytes.NewReader(exp.Bytes()), "export")
		if len(back.errs) != 0 {
			t.Errorf("export has syntax errors %q:\n%s", back.errs, exp.String())
		}
		if d := diffResults(back.results, stored); d != "" {
			t.Errorf("export reads back differently:\n%s\nexport:\n%s", d, exp.String())
		}
		meta, err := db.UnitMetadata(ctx, []int64{got.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(back.units) != len(meta) {
			t.Errorf("export has %d Unit metadata, the store %d", len(back.units), len(meta))
		}

		// The same content again is a duplicate of the stored run.
		again, err := db.Ingest(ctx, bytes.NewReader(in), store.IngestOptions{Name: "again.txt"})
		if err != nil {
			t.Fatalf("second Ingest: %v", err)
		}
		if again.DuplicateOf != got.ID || again.Results != got.Results {
			t.Errorf("second Ingest = %+v, want a duplicate of run %d with %d results", again, got.ID, got.Results)
		}
	})
}

// jsonEvents writes text as `go test -json` output events of package pkg,
// cutting the text into pieces at the offsets cuts gives (each taken
// modulo the text's length), as test2json cuts a benchmark line.
func jsonEvents(t testing.TB, text string, cuts []byte) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	emit := func(action, out string) {
		e := map[string]any{"Action": action, "Package": "example.com/p"}
		if action == "output" {
			e["Output"] = out
		}
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	emit("start", "")
	pos := 0
	for _, c := range cuts {
		if pos >= len(text) {
			break
		}
		n := 1 + int(c)%(len(text)-pos)
		emit("output", text[pos:pos+n])
		pos += n
	}
	if pos < len(text) {
		emit("output", text[pos:])
	}
	emit("pass", "")
	return buf.String()
}

// FuzzDB_Ingest_goTestJSON checks that `go test -json` output, however its
// output is cut into events, is the same content as the text it carries:
// when Ingest stores the text, it finds the JSON form a duplicate of it.
func FuzzDB_Ingest_goTestJSON(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, []byte{3, 200, 17})
	}
	for _, file := range roundTripFiles(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), []byte{20, 1, 1, 90, 255, 7})
	}
	db := storetest.Open(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text string, cuts []byte) {
		if isJSONInput([]byte(text)) {
			return // already JSON: FuzzDB_Ingest covers it
		}
		if !utf8.ValidString(text) {
			return // JSON strings cannot carry it: encoding makes it U+FFFD
		}
		txt, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: "fuzz.txt"})
		if err != nil {
			return
		}
		js := jsonEvents(t, text, cuts)
		got, err := db.Ingest(ctx, strings.NewReader(js), store.IngestOptions{Name: "fuzz.json"})
		if err != nil {
			t.Fatalf("text stored as run %d, its go test -json form fails: %v\n%s", txt.ID, err, js)
		}
		if got.DuplicateOf != txt.ID || got.Results != txt.Results {
			t.Errorf("JSON form: Ingest = %+v, want a duplicate of run %d with %d results\n%s", got, txt.ID, txt.Results, js)
		}
	})
}

// FuzzDB_Ingest_labels stores a run with an arbitrary label. Labels are
// bound as query parameters, never pasted into SQL: whatever their bytes
// (quotes, SQL, HTML, control characters, NUL, invalid UTF-8), Run and
// Runs give them back exactly.
func FuzzDB_Ingest_labels(f *testing.F) {
	for _, s := range [][2]string{
		{"branch", "main"},
		{"sql", "'; DROP TABLE run; --"},
		{"x'); DELETE FROM label; --", "\"quoted\" and 'single'"},
		{"html", "<script>alert(1)</script>&amp;"},
		{"ctl", "a\tb\x01c\x7f\x1b[31mred"},
		{"bad", "\xff\xfe\xfd"},
		{"nul", "a\x00b"},
		{"", ""},
	} {
		f.Add(s[0], s[1])
	}
	db := storetest.Open(f)
	ctx := context.Background()
	n := 0
	f.Fuzz(func(t *testing.T, k, v string) {
		n++ // unique content, so that no ingest is a duplicate
		input := "iteration: " + strconv.Itoa(n) + "\nBenchmarkA 1 1 ns/op\n"
		labels := map[string]string{k: v, "other": "x"}
		got, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "in.txt", Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		run, err := db.Run(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(run.Labels, labels) {
			t.Errorf("Run(%d).Labels = %q, want %q", got.ID, run.Labels, labels)
		}
		runs, err := db.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != n {
			t.Fatalf("%d runs, want %d", len(runs), n)
		}
		if last := runs[len(runs)-1]; last.ID != got.ID || !maps.Equal(last.Labels, labels) {
			t.Errorf("Runs: last run %d has labels %q, want run %d with %q", last.ID, last.Labels, got.ID, labels)
		}
	})
}

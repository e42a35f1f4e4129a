package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

func roundTripFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("testdata/roundtrip/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no round-trip fixtures: %v", err)
	}
	return files
}

func TestDB_Export_roundTrip(t *testing.T) {
	for _, file := range roundTripFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			db := storetest.Open(t)
			ctx := context.Background()
			orig, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := mustReadRecords(t, bytes.NewReader(orig), file)
			got := mustIngestFile(t, db, file, store.IngestOptions{})
			if got.Results != len(want.results) {
				t.Errorf("Ingest: Results = %d, want %d", got.Results, len(want.results))
			}
			if got.SkippedLines != len(want.errs) {
				t.Errorf("Ingest: SkippedLines = %d, want %d (%q)", got.SkippedLines, len(want.errs), want.errs)
			}

			// Results gives what benchfmt reads from the original.
			if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
				t.Errorf("Results differ from the original:\n%s", d)
			}

			// The export reads back as the original.
			var buf bytes.Buffer
			if err := db.Export(ctx, &buf, got.ID); err != nil {
				t.Fatal(err)
			}
			back := mustReadRecords(t, bytes.NewReader(buf.Bytes()), "export")
			if d := diffResults(back.results, want.results); d != "" {
				t.Errorf("export differs from the original:\n%s\nexport:\n%s", d, buf.String())
			}
			if len(back.errs) != 0 {
				t.Errorf("export has syntax errors: %q", back.errs)
			}
			if len(back.units) != len(want.units) {
				t.Errorf("export has %d unit metadata, want %d", len(back.units), len(want.units))
			}
			for k, w := range want.units {
				if g := back.units[k]; g == nil || g.Value != w.Value || g.OrigUnit != w.OrigUnit {
					t.Errorf("unit metadata %v: got %+v, want %+v", k, g, w)
				}
			}
		})
	}
}

func TestDB_Ingest_duplicate(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	file := "testdata/roundtrip/basic.txt"
	first := mustIngestFile(t, db, file, store.IngestOptions{Labels: map[string]string{"a": "1"}})
	if first.DuplicateOf != 0 {
		t.Fatalf("first ingest: DuplicateOf = %d, want 0", first.DuplicateOf)
	}
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	crlf := strings.ReplaceAll(string(orig), "\n", "\r\n")
	tests := []struct {
		name  string
		input io.Reader
		opts  store.IngestOptions
	}{
		{"same bytes, other labels", strings.NewReader(string(orig)), store.IngestOptions{Labels: map[string]string{"b": "2"}}},
		{"CRLF line endings", strings.NewReader(crlf), store.IngestOptions{}},
		{"from a pipe", onlyReader{strings.NewReader(string(orig))}, store.IngestOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Ingest(ctx, tt.input, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := store.Ingested{ID: first.ID, DuplicateOf: first.ID, Results: first.Results}
			if got.ID != want.ID || got.DuplicateOf != want.DuplicateOf || got.Results != want.Results {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Errorf("Runs: %d runs, want 1", len(runs))
	}
}

// onlyReader hides every method but Read, as a pipe would.
type onlyReader struct{ r *strings.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestDB_Ingest_pipe(t *testing.T) {
	db := storetest.Open(t)
	orig, err := os.ReadFile("testdata/roundtrip/config-change.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Ingest(context.Background(), onlyReader{strings.NewReader(string(orig))}, store.IngestOptions{Name: "-"})
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadRecords(t, bytes.NewReader(orig), "-")
	if d := diffResults(mustStoredResults(t, db, got.ID), want.results); d != "" {
		t.Errorf("Results differ:\n%s", d)
	}
}

func TestDB_Runs(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)
	t2 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.FixedZone("x", 3600))
	b := mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{Time: t2, Labels: map[string]string{"branch": "main", "commit": "abc"}})
	a := mustIngestFile(t, db, "testdata/roundtrip/config-change.txt", store.IngestOptions{Time: t1})
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("got %d runs, want 2", len(runs))
	}
	if runs[0].ID != a.ID || runs[1].ID != b.ID {
		t.Errorf("Runs order: got ids %d, %d; want %d, %d (oldest first)", runs[0].ID, runs[1].ID, a.ID, b.ID)
	}
	if !runs[0].Time.Equal(t1) || !runs[1].Time.Equal(t2) {
		t.Errorf("times: got %v, %v; want %v, %v", runs[0].Time, runs[1].Time, t1, t2)
	}
	if runs[1].Labels["branch"] != "main" || runs[1].Labels["commit"] != "abc" || len(runs[1].Labels) != 2 {
		t.Errorf("labels: got %v", runs[1].Labels)
	}
	// Config holds the first value of each key; a key deleted later stays.
	wantCfg := map[string]string{"goos": "linux", "goarch": "amd64", "pkg": "example.com/a", "note": "first", "commit": "abc123"}
	if !equalMaps(runs[0].Config, wantCfg) {
		t.Errorf("config: got %v, want %v", runs[0].Config, wantCfg)
	}
	if runs[0].Results != 9 || runs[1].Results != 9 {
		t.Errorf("results: got %d, %d; want 9, 9", runs[0].Results, runs[1].Results)
	}
	one, err := db.Run(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if one.ID != b.ID || !one.Time.Equal(t2) || !equalMaps(one.Labels, runs[1].Labels) || !equalMaps(one.Config, runs[1].Config) || one.Results != 9 {
		t.Errorf("Run(%d) = %+v, want %+v", b.ID, one, runs[1])
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestDB_Run_noRun(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	if _, err := db.Run(ctx, 42); !errors.Is(err, store.ErrNoRun) {
		t.Errorf("Run(42): got %v, want ErrNoRun", err)
	}
	err := db.Results(ctx, []int64{42}, func(int64, *benchfmt.Result) error { return nil })
	if !errors.Is(err, store.ErrNoRun) {
		t.Errorf("Results(42): got %v, want ErrNoRun", err)
	}
	if err := db.Export(ctx, &bytes.Buffer{}, 42); !errors.Is(err, store.ErrNoRun) {
		t.Errorf("Export(42): got %v, want ErrNoRun", err)
	}
	if _, err := db.UnitMetadata(ctx, []int64{42}); !errors.Is(err, store.ErrNoRun) {
		t.Errorf("UnitMetadata(42): got %v, want ErrNoRun", err)
	}
}

func TestDB_Results_severalRuns(t *testing.T) {
	db := storetest.Open(t)
	a := mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
	b := mustIngestFile(t, db, "testdata/roundtrip/config-change.txt", store.IngestOptions{})
	var order []int64
	err := db.Results(context.Background(), []int64{b.ID, a.ID}, func(id int64, r *benchfmt.Result) error {
		if len(order) == 0 || order[len(order)-1] != id {
			order = append(order, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != b.ID || order[1] != a.ID {
		t.Errorf("runs visited in order %v, want [%d %d]", order, b.ID, a.ID)
	}
	stop := errors.New("stop")
	n := 0
	err = db.Results(context.Background(), []int64{a.ID}, func(int64, *benchfmt.Result) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("fn's error: got %v after %d calls, want stop after 1", err, n)
	}
}

func TestDB_UnitMetadata(t *testing.T) {
	db := storetest.Open(t)
	a := mustIngestFile(t, db, "testdata/roundtrip/config-change.txt", store.IngestOptions{})
	got, err := db.UnitMetadata(context.Background(), []int64{a.ID, a.ID})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range got {
		lines = append(lines, m.Unit+" "+m.OrigUnit+" "+m.Key+"="+m.Value)
	}
	want := []string{"scanned/op scanned/op assume=exact", "scanned/op scanned/op better=lower", "peak-B peak-B better=lower"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

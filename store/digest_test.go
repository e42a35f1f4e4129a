package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// samplesBy is what a report reads of runs: the values of each run,
// package, name and unit, sorted, keyed "run pkg name unit".
type samplesBy map[string][]float64

// resultSamples reads runs ids through Results, as a report did.
func resultSamples(tb testing.TB, db *store.DB, ids []int64) samplesBy {
	tb.Helper()
	out := samplesBy{}
	err := db.Results(context.Background(), ids, func(id int64, r *benchfmt.Result) error {
		pkg := r.GetConfig("pkg")
		for _, v := range r.Values {
			k := fmt.Sprintf("%d %s %s %s", id, pkg, r.Name.Full(), v.Unit)
			out[k] = append(out[k], v.Value)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// digestSamples reads runs ids through Samples.
func digestSamples(tb testing.TB, db *store.DB, ids []int64) samplesBy {
	tb.Helper()
	out := samplesBy{}
	last := int64(-1)
	err := db.Samples(context.Background(), ids, func(id int64, pkg, name, unit string, values []float64) error {
		if id != last && slices.Index(ids, id) < slices.Index(ids, last) {
			tb.Errorf("run %d after run %d, not in the order asked", id, last)
		}
		last = id
		if len(values) == 0 {
			tb.Errorf("run %d %s %s: no values", id, name, unit)
		}
		k := fmt.Sprintf("%d %s %s %s", id, pkg, name, unit)
		out[k] = append(out[k], values...)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func diffSamples(got, want samplesBy) string {
	var b strings.Builder
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			fmt.Fprintf(&b, "missing %s\n", k)
			continue
		}
		if len(g) != len(w) {
			fmt.Fprintf(&b, "%s: %d values, want %d\n", k, len(g), len(w))
			continue
		}
		for i := range g {
			if math.Float64bits(g[i]) != math.Float64bits(w[i]) && !(math.IsNaN(g[i]) && math.IsNaN(w[i])) {
				fmt.Fprintf(&b, "%s: %v, want %v\n", k, g, w)
				break
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "extra %s\n", k)
		}
	}
	return b.String()
}

// digestInput has what a digest must get right: packages that change
// and are deleted, a result without one, values that tidying leaves as
// they are (0 ns/op), rates, NaN and infinities, interleaved
// benchmarks, and a group too long for one row.
func digestInput() string {
	var b strings.Builder
	b.WriteString("goos: linux\nBenchmarkNoPkg 10 5 ns/op\n")
	b.WriteString("pkg: example.com/a\n")
	for i := range 3 {
		fmt.Fprintf(&b, "BenchmarkA-2 100 %d ns/op 0 B/op\nBenchmarkB-2 100 %d.5 ns/op 3 MB/s\n", 100+i, 7*i)
	}
	b.WriteString("BenchmarkA-2 100 0 ns/op 0 B/op\nBenchmarkB-2 100 NaN ns/op +Inf MB/s\n")
	b.WriteString("pkg:\nBenchmarkA-2 100 9 ns/op 1 B/op\npkg: example.com/b\n")
	for i := range 100 {
		fmt.Fprintf(&b, "BenchmarkLong-2 1 %d.%d ns/op -%d custom/op\n", 1234567*i, i, i)
	}
	return b.String()
}

// TestDB_Samples checks that Samples gives what Results gives a report,
// for every value, on the store's test inputs and every input shape:
// from the run blocks on SQLite, from the run digests on PostgreSQL.
func TestDB_Samples(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	var ids []int64
	ingest := func(name string, text []byte) {
		res, err := db.Ingest(ctx, strings.NewReader(string(text)), store.IngestOptions{Name: name})
		if err != nil || res.DuplicateOf != 0 {
			t.Fatalf("%s: %+v, %v", name, res, err)
		}
		ids = append(ids, res.ID)
	}
	for _, f := range []string{"testdata/roundtrip/basic.txt", "testdata/roundtrip/config-change.txt", "testdata/migrate/churn.txt"} {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ingest(f, text)
	}
	ingest("digest", []byte(digestInput()))
	for i, s := range storetest.Shapes {
		input, _ := s.Input(t, 3000, uint64(i+1)) // grouped and json alike would be one run
		ingest(s.Name, input)
	}
	want := resultSamples(t, db, ids)
	if len(want) < 1000 {
		t.Fatalf("only %d benchmarks and units: the inputs are too small", len(want))
	}
	if d := diffSamples(digestSamples(t, db, ids), want); d != "" {
		t.Errorf("Samples differs from Results:\n%s", d)
	}
	// Runs in another order, one of them twice.
	some := []int64{ids[3], ids[0], ids[3]}
	if d := diffSamples(digestSamples(t, db, some[1:]), resultSamples(t, db, some[1:])); d != "" {
		t.Errorf("Samples of runs %v differs from Results:\n%s", some[1:], d)
	}
	if err := db.Samples(ctx, []int64{ids[0], 9999}, func(int64, string, string, string, []float64) error { return nil }); !strings.Contains(fmt.Sprint(err), "run 9999") {
		t.Errorf("Samples of a missing run: %v", err)
	}

	if storetest.OnPostgres() {
		return
	}
	// A SQLite store keeps no digest from schema version 8: Samples
	// reads the run blocks, which Results reads too.
	if n := mustQueryInt(t, db.Path(), `SELECT count(*) FROM sqlite_master WHERE name = 'run_digest'`); n != 0 {
		t.Errorf("a SQLite store has a run_digest table")
	}
	if n := mustQueryInt(t, db.Path(), `SELECT count(DISTINCT run_id) FROM run_block`); n != len(ids) {
		t.Errorf("run blocks of %d runs, want %d", n, len(ids))
	}
}

// TestDB_Open_migrateDigests opens a store written before version 7:
// the migrations write each run's digest (version 7), then its run
// blocks (version 8, which drops the digests), whose Samples give what
// Results gives.
func TestDB_Open_migrateDigests(t *testing.T) {
	storetest.SQLiteOnly(t)
	path := mustLoadSQL(t, "testdata/migrate/v1-two-runs.sql", t.TempDir()+"/old.sqlite")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := mustQueryInt(t, path, `SELECT count(DISTINCT run_id) FROM run_block`); n != 2 {
		t.Fatalf("run blocks of %d runs after migration, want 2", n)
	}
	ids := []int64{1, 2}
	want := resultSamples(t, db, ids)
	if len(want) == 0 {
		t.Fatal("no results")
	}
	if d := diffSamples(digestSamples(t, db, ids), want); d != "" {
		t.Errorf("Samples differs from Results after migration:\n%s", d)
	}
}

// TestDB_Open_migrateDigestsPostgres opens a PostgreSQL store at
// version 6 (one made now, its run_digest dropped): the migration writes
// each run's digest from the JSON rows, which gives what Results gives.
func TestDB_Open_migrateDigestsPostgres(t *testing.T) {
	ctx := context.Background()
	addr := storetest.PostgresAddr(t)
	db, err := store.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, text := range []string{digestInput(), "pkg: x\nBenchmarkX 1 2 ns/op\n"} {
		res, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: "in"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ID)
	}
	want := resultSamples(t, db, ids)
	db.Close()
	raw, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DROP TABLE run_digest; UPDATE schema_version SET version = 6`); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchemaVersion {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	var runs int
	if err := raw.QueryRow(`SELECT count(DISTINCT run_id) FROM run_digest`).Scan(&runs); err != nil || runs != len(ids) {
		t.Fatalf("digests of %d runs after migration (%v), want %d", runs, err, len(ids))
	}
	if d := diffSamples(digestSamples(t, db, ids), want); d != "" {
		t.Errorf("Samples differs from Results after migration:\n%s", d)
	}
}

// TestDB_Samples_order checks that Samples gives a run's values of a
// benchmark in the order the input wrote them, as Results does: a run
// of several test processes writes each process's samples after the one
// before's, and its stretches in the same order, and the nightly report
// pairs them by that order (nightly's pairedLevels). The values are in
// no sorted order, interleaved with another benchmark's, across a
// configuration change, on SQLite (run blocks) and PostgreSQL (digests).
func TestDB_Samples_order(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	input := "pkg: example.com/a\n" +
		"BenchmarkA-2 10 50 ns/op\nBenchmarkB-2 10 7 ns/op\nBenchmarkA-2 10 30 ns/op\n" +
		"note: round 2\nBenchmarkA-2 10 90 ns/op\nBenchmarkB-2 10 3 ns/op\nBenchmarkA-2 10 10 ns/op\n" +
		"pkg: benchdb/probe\nBenchmarkProbe/kind=stretch/pkg=example.com:a 1 2.5 stretch\n" +
		"BenchmarkProbe/kind=stretch/pkg=example.com:a 1 1.25 stretch\nBenchmarkProbe/kind=stretch/pkg=example.com:a 1 4 stretch\n"
	res, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "order"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	err = db.Samples(ctx, []int64{res.ID}, func(_ int64, pkg, name, unit string, values []float64) error {
		k := pkg + " " + name + " " + unit
		got[k] = append(got[k], values...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string][]float64{
		"example.com/a A-2 sec/op":                                   {50, 30, 90, 10},
		"example.com/a B-2 sec/op":                                   {7, 3},
		"benchdb/probe Probe/kind=stretch/pkg=example.com:a stretch": {2.5, 1.25, 4},
	} {
		g := slices.Clone(got[k])
		if strings.HasSuffix(k, "sec/op") {
			for i := range g {
				g[i] = math.Round(g[i] * 1e9) // tidied from ns/op
			}
		}
		if !slices.Equal(g, want) {
			t.Errorf("%s: %v, want %v (in the order written)", k, g, want)
		}
	}
}

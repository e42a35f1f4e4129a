package store_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// BenchmarkBackendIngest stores the same generated input (1e5 result
// lines) on SQLite and PostgreSQL, each iteration into a fresh store.
// PostgreSQL needs BENCHDB_TEST_POSTGRES (see .ci/postgres.sh).
func BenchmarkBackendIngest(b *testing.B) {
	input := benchInput(b, 100000, 10, 1)
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				db, err := store.Open(ctx, be.Addr(b))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.Ingest(ctx, bytes.NewReader(input), store.IngestOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}

// BenchmarkBackendResults reads back two runs of 1e5 result lines, as
// compare does, on each backend.
func BenchmarkBackendResults(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, be.Addr(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for seed := range uint64(2) {
				if _, err := db.Ingest(ctx, bytes.NewReader(benchInput(b, 100000, 10, seed+1)), store.IngestOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				var buf bytes.Buffer
				if err := db.Export(ctx, &buf, 1, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBackendCompare compares two stored runs of 1e5 result lines
// each as benchdb compare does (reports.Compare, then its text table), on
// each backend.
func BenchmarkBackendCompare(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, be.Addr(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for seed := range uint64(2) {
				if _, err := db.Ingest(ctx, bytes.NewReader(benchInput(b, 100000, 10, seed+1)), store.IngestOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			var sels []reports.Selector
			for _, s := range []string{"old=1", "new=2"} {
				sel, err := reports.ParseSelector(s)
				if err != nil {
					b.Fatal(err)
				}
				sels = append(sels, sel)
			}
			for b.Loop() {
				c, err := reports.Compare(ctx, db, sels, reports.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if err := c.WriteText(io.Discard, reports.TextOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCopy copies a SQLite store of 1,000,000 results (10 runs of
// 1e5 result lines) into a new store on each backend, as benchdb copy
// does. It reports results copied per second.
func BenchmarkCopy(b *testing.B) {
	const runs, lines = 10, 100000
	ctx := context.Background()
	src, err := store.Open(ctx, storetest.Backends[0].Addr(b))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	for i := range uint64(runs) {
		if _, err := src.Ingest(ctx, bytes.NewReader(benchInput(b, lines, 10, i+1)), store.IngestOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	for _, be := range storetest.Backends {
		b.Run("results=1e6/to="+be.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dst, err := store.Open(ctx, be.Addr(b))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := store.Copy(ctx, src, dst, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if len(res) != runs || res[runs-1].Ingested.Results != lines {
					b.Fatalf("copied %d runs: %+v", len(res), res[len(res)-1])
				}
				dst.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(runs*lines*b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}

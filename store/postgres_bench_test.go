package store_test

import (
	"bytes"
	"context"
	"testing"

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

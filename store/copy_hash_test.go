package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestCopy_ContentHash copies runs whose export is not the text that was
// ingested (test output around the results, CRLF line ends, go test
// -json): a copy keeps the run's identity, so copying there and back,
// copying between two stores that both got the original, or ingesting
// the original into a store that has the copy never stores a run twice.
func TestCopy_ContentHash(t *testing.T) {
	ctx := context.Background()
	inputs := []string{
		"goos: linux\npkg: example.com/a\nBenchmarkA-8 100 1200 ns/op\n--- BENCH: BenchmarkA-8\n    a_test.go:10: noise\nPASS\nok  \texample.com/a\t1.2s\n",
		"BenchmarkB-8 \t 10\t 5 ns/op\r\nBenchmarkB-8 \t 10\t 6 ns/op\r\n",
		`{"Action":"output","Package":"x","Output":"BenchmarkC-8 \t 1\t 3 ns/op\n"}` + "\n",
	}
	open := func(t *testing.T, be storetest.Backend) *store.DB {
		db, err := store.Open(ctx, be.Addr(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	ingest := func(t *testing.T, db *store.DB, in string) store.Ingested {
		t.Helper()
		res, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{Name: "in.txt"})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	count := func(t *testing.T, db *store.DB) int {
		t.Helper()
		return len(mustRuns(t, db))
	}
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			a := open(t, storetest.Backends[0]) // a machine's SQLite file
			b := open(t, be)                    // the shared store
			for _, in := range inputs {
				ingest(t, a, in)
			}
			// There and back, twice.
			for range 2 {
				if _, err := store.Copy(ctx, a, b, nil, nil); err != nil {
					t.Fatal(err)
				}
				res, err := store.Copy(ctx, b, a, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range res {
					if r.Ingested.DuplicateOf != r.From {
						t.Errorf("copy back of run %d: %+v, want a duplicate of run %d", r.From, r.Ingested, r.From)
					}
				}
			}
			if n, m := count(t, a), count(t, b); n != len(inputs) || m != len(inputs) {
				t.Errorf("after copies there and back: %d and %d runs, want %d each", n, m, len(inputs))
			}
			// The original ingested into the shared store is the copy.
			for i, in := range inputs {
				if res := ingest(t, b, in); res.DuplicateOf != int64(i+1) {
					t.Errorf("input %d ingested after its copy: %+v, want a duplicate of run %d", i, res, i+1)
				}
			}
			// A copy of a copy keeps the identity too.
			c := open(t, storetest.Backends[0])
			if _, err := store.Copy(ctx, b, c, nil, nil); err != nil {
				t.Fatal(err)
			}
			for i, in := range inputs {
				if res := ingest(t, c, in); res.DuplicateOf != int64(i+1) {
					t.Errorf("input %d ingested after a copy of its copy: %+v, want a duplicate of run %d", i, res, i+1)
				}
			}
		})
	}
}

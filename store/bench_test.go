package store_test

import (
	"bytes"
	"context"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
	"github.com/benchdb/benchdb/store/storetest"
)

// benchInput returns generated benchmark output of n result lines.
func benchInput(b *testing.B, n, count int, seed uint64) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := benchgen.Write(&buf, benchgen.Options{Lines: n, Count: count, Seed: seed}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchCases are the shapes of generated input: lines result lines, each
// benchmark repeated count times in a row.
var benchCases = []struct {
	name         string
	lines, count int
}{
	{"lines=1e5/count=10", 100000, 10},
	{"lines=1e5/count=1000", 100000, 1000},
}

// benchEachInput runs read as a sub-benchmark on the input of each of
// benchCases, and reports the input's result lines read per second.
func benchEachInput(b *testing.B, read func(b *testing.B, input []byte)) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			input := benchInput(b, bc.lines, bc.count, 1)
			b.SetBytes(int64(len(input)))
			read(b, input)
			b.ReportMetric(float64(bc.lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkDB_Ingest measures ingesting generated files into a fresh
// store; it reports result lines per second.
func BenchmarkDB_Ingest(b *testing.B) {
	benchEachInput(b, func(b *testing.B, input []byte) {
		for b.Loop() {
			b.StopTimer()
			db := storetest.Open(b)
			b.StartTimer()
			if _, err := db.Ingest(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: "gen"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBenchfmt_Reader is the floor for BenchmarkDB_Ingest: reading
// the same input with benchfmt alone, cloning nothing.
func BenchmarkBenchfmt_Reader(b *testing.B) {
	benchEachInput(b, func(b *testing.B, input []byte) {
		for b.Loop() {
			r := benchfmt.NewReader(bytes.NewReader(input), "gen")
			for r.Scan() {
			}
			if r.Err() != nil {
				b.Fatal(r.Err())
			}
		}
	})
}

// BenchmarkDB_Results measures reading two stored runs back, as compare
// does; it reports results per second.
func BenchmarkDB_Results(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			n := bc.lines
			db := storetest.Open(b)
			var ids []int64
			for seed := range 2 {
				input := benchInput(b, n, bc.count, uint64(seed))
				got, err := db.Ingest(context.Background(), bytes.NewReader(input), store.IngestOptions{Name: "gen"})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, got.ID)
			}
			for b.Loop() {
				seen := 0
				err := db.Results(context.Background(), ids, func(_ int64, r *benchfmt.Result) error {
					seen++
					return nil
				})
				if err != nil || seen != 2*n {
					b.Fatalf("read %d results, %v; want %d", seen, err, 2*n)
				}
			}
			b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}

package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/internal/benchgen"
)

// shapes are the input shapes of BenchmarkShape_Ingest (issues 11 and
// 17): each benchmark's -count results in a row, 200 benchmarks
// interleaved, a new configuration key before every result, one key
// changing before every result, and every result its own benchmark.
var shapes = []benchgen.Options{
	{Shape: benchgen.ShapeGrouped, Count: 10},
	{Shape: benchgen.ShapeInterleaved, Benchmarks: 200},
	{Shape: benchgen.ShapeConfigChurn, Benchmarks: 200},
	{Shape: benchgen.ShapeConfigChange, Benchmarks: 200},
	{Shape: benchgen.ShapeDistinct},
}

// BenchmarkShape_Ingest measures, for each input shape at 10^4, 10^5 and
// 10^6 result lines (10^4 and 10^5 for configuration churn, whose input
// itself grows with the square of the lines in benchfmt's result
// configurations), ingest into a new store (impl=benchdb) against
// reading the same text with benchfmt and cloning every result as
// benchstat does (impl=benchfmt), in the same process. It reports the
// database's size (db-B), the input's (in-B) and its gzip'ed size
// (gz-B), so that time and size per line can be compared across sizes:
//
//	go test ./store -run '^$' -bench Shape -benchtime 1x
func BenchmarkShape_Ingest(b *testing.B) {
	ctx := context.Background()
	for _, shape := range shapes {
		for _, lines := range []int{1e4, 1e5, 1e6} {
			if shape.Shape == benchgen.ShapeConfigChurn && lines > 1e5 {
				continue
			}
			opts := shape
			opts.Lines, opts.Seed = lines, 1
			var input bytes.Buffer
			if err := benchgen.Write(&input, opts); err != nil {
				b.Fatal(err)
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(input.Bytes())
			zw.Close()
			name := fmt.Sprintf("shape=%s/lines=%d", shape.Shape, lines)
			b.Run(name+"/impl=benchdb", func(b *testing.B) {
				b.SetBytes(int64(input.Len()))
				var size int64
				for b.Loop() {
					b.StopTimer()
					dir, err := os.MkdirTemp("", "benchdb-shape-*")
					if err != nil {
						b.Fatal(err)
					}
					db, err := store.Open(ctx, dir+"/benchdb.sqlite")
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if _, err := db.Ingest(ctx, bytes.NewReader(input.Bytes()), store.IngestOptions{Name: "gen"}); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					db.Close()
					fi, err := os.Stat(dir + "/benchdb.sqlite")
					if err != nil {
						b.Fatal(err)
					}
					size = fi.Size()
					os.RemoveAll(dir)
					b.StartTimer()
				}
				b.ReportMetric(float64(size), "db-B")
				b.ReportMetric(float64(input.Len()), "in-B")
				b.ReportMetric(float64(gz.Len()), "gz-B")
				b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			})
			b.Run(name+"/impl=benchfmt", func(b *testing.B) {
				b.SetBytes(int64(input.Len()))
				for b.Loop() {
					r := benchfmt.NewReader(bytes.NewReader(input.Bytes()), "gen")
					var kept []*benchfmt.Result
					for r.Scan() {
						if res, ok := r.Result().(*benchfmt.Result); ok {
							kept = append(kept, res.Clone())
						}
					}
					if r.Err() != nil {
						b.Fatal(r.Err())
					}
					if len(kept) != lines {
						b.Fatalf("read %d results, want %d", len(kept), lines)
					}
				}
				b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			})
		}
	}
}

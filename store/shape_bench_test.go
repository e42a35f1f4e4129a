package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// maxChurnStatLines is the largest config-churn input the Shape
// benchmarks give benchstat: benchstat projects every result's whole
// configuration (.config), which on that shape holds a key per result
// so far, so its time grows with the square of the lines (10^4 lines
// took it over a minute, 10^5 would take hours). Above it only benchdb
// runs.
const maxChurnStatLines = 10_000

// gzipSize returns the size of b compressed with gzip's default level.
func gzipSize(b []byte) int {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	return gz.Len()
}

// BenchmarkShape_Ingest measures, for each input shape (storetest.Shapes) at
// 10^5 result lines (more with $BENCHDB_SHAPE_LINES=100000,1000000),
// ingest into a new SQLite store against benchstat's parse and analysis
// of the same file in the same process (benchstattest.Stat), one after
// the other in each iteration. ns/op is benchdb's time;
// benchstat-ns/op is benchstat's and x-benchstat the ratio of the two
// (the goal is at most 1); x-benchstat-cpu is the ratio of the CPU
// time (user and system) the process spent on each, the fairer figure
// on a loaded machine. db-B is the database's size, gz-B the gzip'ed
// input's and db/gz their ratio (the goal is at most 2):
//
//	go test ./store -run '^$' -bench Shape -count 10
func BenchmarkShape_Ingest(b *testing.B) {
	ctx := context.Background()
	for _, sc := range storetest.Shapes {
		for _, lines := range storetest.ShapeLines(b) {
			b.Run(fmt.Sprintf("shape=%s/lines=%d", sc.Name, lines), func(b *testing.B) {
				input, text := sc.Input(b, lines, 1)
				withStat := !sc.Quadratic || lines <= maxChurnStatLines
				dir := b.TempDir()
				b.SetBytes(int64(len(input)))
				var size int64
				var stat, cpu, statCPU time.Duration
				i := 0
				for b.Loop() {
					b.StopTimer()
					path := filepath.Join(dir, fmt.Sprintf("shape%d.sqlite", i))
					i++
					db, err := store.Open(ctx, path)
					if err != nil {
						b.Fatal(err)
					}
					runtime.GC() // neither pays for the other's garbage
					c0 := processCPU(b)
					b.StartTimer()
					got, err := db.Ingest(ctx, bytes.NewReader(input), store.IngestOptions{Name: "gen"})
					b.StopTimer()
					cpu += processCPU(b) - c0
					if err != nil {
						b.Fatal(err)
					}
					if got.Results != lines {
						b.Fatalf("stored %d results, want %d", got.Results, lines)
					}
					if err := db.Close(); err != nil {
						b.Fatal(err)
					}
					if size, err = fileSize(path); err != nil {
						b.Fatal(err)
					}
					os.Remove(path)
					if withStat {
						runtime.GC()
						start, c0 := time.Now(), processCPU(b)
						cells, err := benchstattest.Stat(benchstattest.Input{Name: "gen", Data: text})
						stat += time.Since(start)
						statCPU += processCPU(b) - c0
						if err != nil || cells == 0 {
							b.Fatalf("benchstat: %d cells, %v", cells, err)
						}
					}
					b.StartTimer()
				}
				gz := gzipSize(input)
				b.ReportMetric(float64(size), "db-B")
				b.ReportMetric(float64(gz), "gz-B")
				b.ReportMetric(float64(size)/float64(gz), "db/gz")
				if withStat {
					b.ReportMetric(float64(stat.Nanoseconds())/float64(b.N), "benchstat-ns/op")
					b.ReportMetric(b.Elapsed().Seconds()/stat.Seconds(), "x-benchstat")
					b.ReportMetric(cpu.Seconds()/statCPU.Seconds(), "x-benchstat-cpu")
				}
			})
		}
	}
}

// processCPU returns the CPU time (user and system) the process has
// used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fileSize returns the size of the SQLite file at path with its WAL, if
// one is left.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	n := fi.Size()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		n += wal.Size()
	}
	return n, nil
}

package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// maxQuadraticLines is the largest input of the config-churn shape the
// Shape benchmarks compare: every result there is a table of its own
// holding a configuration key per result so far, so both benchstat's
// work and the comparison's size grow with the square of the lines.
const maxQuadraticLines = 10_000

// BenchmarkShape_Compare measures, for each input shape
// (storetest.Shapes) at 10^5 result lines per run (more with
// $BENCHDB_SHAPE_LINES=100000,1000000), comparing two stored runs of
// that shape (Compare and the text output, from a SQLite store) against
// benchstat's parse and analysis of the two text files in the same
// process (benchstattest.Stat), one after the other in each iteration.
// ns/op is benchdb's time, benchstat-ns/op benchstat's and x-benchstat
// the ratio of the two (the goal is at most 0.3), x-benchstat-cpu the
// ratio of the CPU time the process spent on each:
//
//	go test ./reports -run '^$' -bench Shape -count 10
func BenchmarkShape_Compare(b *testing.B) {
	ctx := context.Background()
	sels := mustSelectors(b, "old=1", "new=2")
	for _, sc := range storetest.Shapes {
		for _, lines := range storetest.ShapeLines(b) {
			b.Run(fmt.Sprintf("shape=%s/lines=%d", sc.Name, lines), func(b *testing.B) {
				if sc.Quadratic && lines > maxQuadraticLines {
					b.Skipf("%s grows with the square of the lines: compared up to %d lines", sc.Name, maxQuadraticLines)
				}
				db := storetest.Open(b)
				var texts []benchstattest.Input
				for i, name := range []string{"old", "new"} {
					input, text := sc.Input(b, lines, uint64(i+1))
					got, err := db.Ingest(ctx, bytes.NewReader(input), store.IngestOptions{Name: name, Time: time.Unix(int64(i), 0)})
					if err != nil {
						b.Fatal(err)
					}
					if got.ID != int64(i+1) {
						b.Fatalf("stored run %d, want %d", got.ID, i+1)
					}
					texts = append(texts, benchstattest.Input{Name: name, Data: text})
				}
				var stat, cpu, statCPU time.Duration
				b.ResetTimer()
				for b.Loop() {
					b.StopTimer()
					runtime.GC() // neither pays for the other's garbage
					c0 := cpuTime(b)
					b.StartTimer()
					c, err := reports.Compare(ctx, db, sels, reports.Options{})
					if err != nil {
						b.Fatal(err)
					}
					if err := c.WriteText(io.Discard, reports.TextOptions{}); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					cpu += cpuTime(b) - c0
					runtime.GC()
					start, c0 := time.Now(), cpuTime(b)
					cells, err := benchstattest.Stat(texts...)
					stat += time.Since(start)
					statCPU += cpuTime(b) - c0
					if err != nil || cells == 0 {
						b.Fatalf("benchstat: %d cells, %v", cells, err)
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(stat.Nanoseconds())/float64(b.N), "benchstat-ns/op")
				b.ReportMetric(b.Elapsed().Seconds()/stat.Seconds(), "x-benchstat")
				b.ReportMetric(cpu.Seconds()/statCPU.Seconds(), "x-benchstat-cpu")
			})
		}
	}
}

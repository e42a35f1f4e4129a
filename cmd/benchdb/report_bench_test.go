package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	"github.com/benchdb/benchdb/store"
)

// reportRuns returns the history lengths BenchmarkReport measures:
// $BENCHDB_REPORT_RUNS, comma-separated (such as 1000,10000), or 100,
// 300 and 1000.
func reportRuns(tb testing.TB) []int {
	env := os.Getenv("BENCHDB_REPORT_RUNS")
	if env == "" {
		return []int{100, 300, 1000}
	}
	var out []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || n < 1 {
			tb.Fatalf("BENCHDB_REPORT_RUNS: bad count %q", f)
		}
		out = append(out, int(n))
	}
	return out
}

// BenchmarkReport measures `benchdb report` end to end over a SQLite file
// holding runs nights of 200 benchmarks (5 samples each): opening the
// store, reading every result, the analysis and the HTML page. cpu-sec/op
// is the process's CPU time (user and system) per report: on a busy
// machine the wall time also measures waiting.
func BenchmarkReport(b *testing.B) {
	for _, runs := range reportRuns(b) {
		b.Run(fmt.Sprintf("runs=%d", runs), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "history.sqlite")
			db, err := store.Open(context.Background(), path)
			if err != nil {
				b.Fatal(err)
			}
			var bs []nightlytest.Bench
			for i := range 200 {
				bs = append(bs, nightlytest.Bench{
					Pkg: fmt.Sprintf("example.com/p%d", i/50), Name: fmt.Sprintf("Op/size=%d", i), Unit: "ns/op",
					Base: float64(100 + 37*i), CV: 0.01, NightCV: 0.003,
				})
			}
			for _, r := range nightlytest.Generate(nightlytest.Config{Seed: 1, Nights: runs, Samples: 5, Start: reportEpoch,
				Labels: map[string]string{"host": "bench"}, Benchmarks: bs}) {
				if _, err := db.Ingest(context.Background(), bytes.NewReader(r.Text), store.IngestOptions{Name: "gen", Labels: r.Labels, Time: r.Time}); err != nil {
					b.Fatal(err)
				}
			}
			db.Close()
			b.ResetTimer()
			c0 := reportCPU(b)
			for b.Loop() {
				code, _, stderr := runCLI(b, nil, "--db", path, "report", "--format", "html", "-o", filepath.Join(b.TempDir(), "r.html"))
				if code != 0 {
					b.Fatal(stderr)
				}
			}
			b.ReportMetric((reportCPU(b)-c0).Seconds()/float64(b.N), "cpu-sec/op")
		})
	}
}

// reportCPU returns the CPU time the process has used.
func reportCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

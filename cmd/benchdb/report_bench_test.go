package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	"github.com/benchdb/benchdb/store"
)

// BenchmarkReport measures `benchdb report` end to end over a SQLite file
// holding runs nights of 200 benchmarks (5 samples each): opening the
// store, reading every result, the analysis and the HTML page.
func BenchmarkReport(b *testing.B) {
	for _, runs := range []int{100, 300, 1000} {
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
			for b.Loop() {
				code, _, stderr := runCLI(b, nil, "--db", path, "report", "--format", "html", "-o", filepath.Join(b.TempDir(), "r.html"))
				if code != 0 {
					b.Fatal(stderr)
				}
			}
		})
	}
}

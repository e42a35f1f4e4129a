package nightly_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

// benchHistory returns runs nights of 200 benchmarks, 5 samples each, a
// tenth of them with a step late in the history.
func benchHistory(runs int) []nightlytest.Run {
	var bs []nightlytest.Bench
	for i := range 200 {
		b := nightlytest.Bench{
			Pkg: fmt.Sprintf("example.com/p%d", i/50), Name: fmt.Sprintf("Op/size=%d", i), Unit: "ns/op",
			Base: float64(100 + 37*i), CV: []float64{0.005, 0.01, 0.02, 0.03}[i%4], NightCV: 0.003, Outliers: 0.01,
		}
		if i%10 == 0 {
			b.Step, b.StepNight = 0.15, runs-3
		}
		bs = append(bs, b)
	}
	return nightlytest.Generate(nightlytest.Config{Seed: 1, Nights: runs, Samples: 5, Start: epoch,
		Labels: map[string]string{"host": "bench"}, Benchmarks: bs})
}

// BenchmarkBuild measures a report over histories of 200 benchmarks
// (5 samples a run) as the history grows, reading from memory.
func BenchmarkBuild(b *testing.B) {
	for _, runs := range []int{100, 300, 1000} {
		b.Run(fmt.Sprintf("runs=%d", runs), func(b *testing.B) {
			src := nightlytest.MustMemSource(b, benchHistory(runs))
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for b.Loop() {
				rep, err := nightly.Build(context.Background(), src, nightly.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Regressions) < 15 {
					b.Fatalf("%d regressions, want about 20", len(rep.Regressions))
				}
			}
			// CPU time is steadier than wall time on a shared machine.
			b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-sec/op")
		})
	}
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

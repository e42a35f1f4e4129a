// Package procs has a benchmark that reports the process it ran in, for
// the tests of Config.Processes.
package procs

import (
	"os"
	"testing"
)

func BenchmarkPID(b *testing.B) {
	s := 0
	for b.Loop() {
		s++
	}
	b.ReportMetric(float64(os.Getpid()), "pid")
}

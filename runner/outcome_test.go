package runner_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
)

func TestOutcomes(t *testing.T) {
	input := `BenchmarkScenario/profile=x-1.5-2  1  4000000000 ns/op  1 runaway  90000 peak-queue  0 drain-ms  100 peak-B
BenchmarkScenario/profile=x-1.5-2  1  4000000000 ns/op  0 runaway  50000 peak-queue  900 drain-ms  300 peak-B
BenchmarkScenario/profile=y-2      1  2000000000 ns/op  0 runaway  5000 peak-queue  120 drain-ms  10 peak-B
BenchmarkScenario/profile=a-2      1  2000000000 ns/op  1 runaway  5000 peak-queue
BenchmarkScenario-2                1  2000000000 ns/op  1 runaway
BenchmarkSelect/profile=y/depth=0-2  100  5 ns/op
`
	outcomes := runner.NewOutcomes("Scenario", "profile")
	rd := benchfmt.NewReader(strings.NewReader(input), "in")
	for rd.Scan() {
		if r, ok := rd.Result().(*benchfmt.Result); ok {
			outcomes.Add(r)
		}
	}
	got := outcomes.Sorted([]string{"y", "x-1.5"})
	var b bytes.Buffer
	for _, o := range got {
		q, _ := runner.Median(o.PeakQueue)
		d, dok := runner.Median(o.DrainMS)
		by, _ := runner.Median(o.PeakBytes)
		b.WriteString(o.Value + " " + o.Verdict() + " " + ftoa(q) + " " + ftoa(by))
		if dok {
			b.WriteString(" " + ftoa(d))
		}
		b.WriteString("\n")
	}
	want := "y drained 5000 10 120\nx-1.5 runaway in 1 of 2 70000 200 900\na runaway 5000 0\n"
	if b.String() != want {
		t.Errorf("outcomes:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestMedian(t *testing.T) {
	if _, ok := runner.Median(nil); ok {
		t.Error("Median(nil): ok")
	}
	if m, _ := runner.Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("Median(3 1 2) = %v", m)
	}
	if m, _ := runner.Median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("Median(4 1 2 3) = %v", m)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

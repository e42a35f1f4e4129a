package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
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

func TestReadOutcomes(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	ingest := func(text string) int64 {
		t.Helper()
		got, err := db.Ingest(ctx, strings.NewReader(text), store.IngestOptions{Name: "in"})
		if err != nil {
			t.Fatal(err)
		}
		return got.ID
	}
	keyedRun := ingest("BenchmarkSelect/profile=y/depth=0-2 100 5 ns/op\n" +
		"BenchmarkScenario/profile=y-2 1 2000000000 ns/op 0 runaway 5000 peak-queue 120 drain-ms 10 peak-B\n" +
		"BenchmarkScenario/profile=y-2 1 2000000000 ns/op 1 runaway 9000 peak-queue\n")
	plainRun := ingest("BenchmarkReceive/mode=scan/depth=10-2 100 5 ns/op\n")
	o, keyed, err := runner.ReadOutcomes(ctx, db, keyedRun, "Scenario", "profile")
	if err != nil || !keyed {
		t.Fatalf("ReadOutcomes = %v, %v; want keyed", keyed, err)
	}
	if got := o.Sorted([]string{"y"}); len(got) != 1 || got[0].Verdict() != "runaway in 1 of 2" || !slices.Equal(got[0].PeakQueue, []float64{5000, 9000}) {
		t.Errorf("outcomes %+v, want y: runaway in 1 of 2, peak queues 5000 and 9000", got)
	}
	o, keyed, err = runner.ReadOutcomes(ctx, db, plainRun, "Scenario", "profile")
	if err != nil || keyed || len(o.Sorted([]string{"y"})) != 0 {
		t.Errorf("run without profile levels: keyed %v, %v, outcomes %v; want none", keyed, err, o.Sorted([]string{"y"}))
	}
	db.Close()
	if _, _, err := runner.ReadOutcomes(ctx, db, keyedRun, "Scenario", "profile"); err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("read results of run %d: ", keyedRun)) {
		t.Errorf("closed store: %v, want an error naming the run", err)
	}
}

package runner_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
)

// probeResults parses benchmark-format text and returns, for each result
// of the probe's package, its full name, and the number of results of
// other packages.
func probeResults(t *testing.T, text []byte) (probe []string, other int) {
	t.Helper()
	r := benchfmt.NewReader(bytes.NewReader(text), "probe")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if res.GetConfig("pkg") != runner.ProbePackage {
			other++
			continue
		}
		if len(res.Values) != 1 || res.Values[0].Unit != "sec/op" || !(res.Values[0].Value > 0) {
			t.Errorf("probe result %s: values %+v, want one positive sec/op", res.Name, res.Values)
		}
		probe = append(probe, res.Name.String())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return probe, other
}

func TestProbe(t *testing.T) {
	var buf bytes.Buffer
	if err := runner.Probe(context.Background(), &buf, runner.ProbeConfig{Count: 3, Duration: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	names, other := probeResults(t, buf.Bytes())
	want := "Probe/kind=cpu Probe/kind=cpu Probe/kind=cpu Probe/kind=mem Probe/kind=mem Probe/kind=mem"
	if got := strings.Join(names, " "); got != want || other != 0 {
		t.Errorf("probe results %q (and %d others), want %q", got, other, want)
	}
}

func TestProbe_Cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := runner.Probe(ctx, &buf, runner.ProbeConfig{}); err != context.Canceled {
		t.Errorf("Probe with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestRunProbed(t *testing.T) {
	res, n, err := runner.RunProbed(t.Context(), runner.Config{
		Dir: MustFixtureDir(t), Packages: []string{fixture + "/pass"}, Benchtime: "1x",
	}, runner.ProbeConfig{Count: 2, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	names, other := probeResults(t, res.Output)
	// Two samples of each kind before the run and two after.
	if n != 8 || len(names) != 8 {
		t.Errorf("RunProbed counted %d probe results, output holds %d (%q), want 8", n, len(names), names)
	}
	if other != res.Results || other == 0 {
		t.Errorf("output holds %d other results, Results = %d", other, res.Results)
	}
}

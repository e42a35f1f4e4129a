package scenario_test

import (
	"testing"

	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/suites"
	"github.com/benchdb/benchdb/suites/scenario"
	"github.com/benchdb/benchdb/suites/suitetest"
)

func BenchmarkScenario(b *testing.B) { scenario.Scenario(b) }

func TestSuite(t *testing.T) {
	if err := suitetest.Check(scenario.Suite{}); err != nil {
		t.Error(err)
	}
	s, err := suites.Lookup("scenario")
	if err != nil {
		t.Fatal(err)
	}
	bs := s.Benchmarks()
	if len(bs) != len(profiles.All()) {
		t.Fatalf("%d benchmarks, want one per profile", len(bs))
	}
	for i, p := range profiles.All() {
		if want := "BenchmarkScenario/profile=" + p.Name; bs[i].Name != want {
			t.Errorf("benchmark %d is %s, want %s", i, bs[i].Name, want)
		}
	}
}

// TestBench runs the roundrobin leaf once through testing.Benchmark, as a
// program would, and checks its metrics.
func TestBench(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs a live scenario at 50,000 events/s, too fast for -short or the race detector")
	}
	var leaf suites.Benchmark
	for _, b := range (scenario.Suite{}).Benchmarks() {
		if b.Name == "BenchmarkScenario/profile=roundrobin" {
			leaf = b
		}
	}
	res := testing.Benchmark(leaf.F)
	if res.N < 1 {
		t.Fatalf("benchmark did not run: %+v", res)
	}
	m := res.Extra
	if m["runaway"] != 0 || m["peak-queue"] < 1000 || m["peak-B"] < m["peak-queue"]*100 {
		t.Errorf("roundrobin: metrics %v, want a drained run whose pause queued thousands of events", m)
	}
	if _, ok := m["drain-ms"]; !ok {
		t.Errorf("roundrobin drained but reports no drain-ms: %v", m)
	}
}

package beam

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/model"
	"github.com/benchdb/benchdb/scenario"
)

// harness is the Harness the tests share, so that erlc compiles its
// module once per test process; TestMain closes it.
var harness struct {
	once sync.Once
	h    *Harness
	err  error
}

// mustHarness returns the shared Harness, or skips the test where erl is
// absent. Tests use it one at a time.
func mustHarness(tb testing.TB) *Harness {
	tb.Helper()
	harness.once.Do(func() { harness.h, harness.err = Find() })
	if errors.Is(harness.err, ErrNoErl) {
		tb.Skipf("skipping: %v", harness.err)
	}
	if harness.err != nil {
		tb.Fatal(harness.err)
	}
	return harness.h
}

func TestMain(m *testing.M) {
	code := m.Run()
	if harness.h != nil {
		harness.h.Close()
	}
	os.Exit(code)
}

func TestParseCosts(t *testing.T) {
	out := []byte("noise\nCost s0=4.0e-6 rate=49990.5 handled=49990 calls=2\n" +
		"Cost isolated_depth=0 service=5.0e-6\nCost isolated_depth=1000 service=2.5e-5\nCost isolated_depth=10000 service=2.45e-4\n")
	c, err := parseCosts(out, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.S0 != 4e-6 || c.ArrivalRate != 49990.5 || len(c.Service) != 3 {
		t.Fatalf("costs = %+v", c)
	}
	m := c.Model()
	// c(1000) = (25µs − 5µs)/(2·1000) = 10ns; c(10000) = 240µs/20000 = 12ns.
	if m.S0 != 4e-6 || m.K != 2 || len(m.Scan) != 2 ||
		math.Abs(m.Scan[0].C-10e-9) > 1e-15 || math.Abs(m.Scan[1].C-12e-9) > 1e-15 || m.C != m.Scan[1].C {
		t.Errorf("model = %+v", m)
	}
	for _, bad := range []string{
		"Cost isolated_depth=0 service=1e-6\n",
		"Cost s0=x rate=1\n",
		"Cost s0=1e-6 rate=1\nCost isolated_depth=10 service=1e-6\nCost isolated_depth=5 service=1e-6\n",
		"Cost s0=1e-6 rate=1\nCost isolated_depth=10\n",
		"Cost s0=1e-6 rate=1\nCost depth=10 service=x events=5\n",
	} {
		if _, err := parseCosts([]byte(bad), 1); err == nil {
			t.Errorf("parseCosts(%q): no error", bad)
		}
	}
}

// TestCosts_Model_live pools live bins into groups of queue length.
func TestCosts_Model_live(t *testing.T) {
	out := []byte("Cost s0=2e-6 rate=10000 handled=1 calls=1\n" +
		"Cost depth=50 service=2.1e-6 events=500\n" + // below 100: not used
		"Cost depth=400 service=6e-6 events=100\n" + // c (6µs − 2µs)/400 = 10ns
		"Cost depth=710 service=7e-6 cycle=9e-6 events=40\nCost depth=750 service=8e-6 cycle=10e-6 events=60\n" + // 697..758, pooled: n 734, cycle 9.6µs
		"Cost depth=800 service=8e-6 events=40\n" + // the next group, 758..826: too few events
		"Cost depth=2000 service=30e-6 events=30\n" + // too few events
		"Cost depth=20000 service=402e-6 events=60\n")
	c, err := parseCosts(out, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Live) != 7 || c.Live[2].Cycle != 9e-6 || c.Live[0].Cycle != 0 {
		t.Fatalf("Live = %+v", c.Live)
	}
	m := c.Model()
	if len(m.Scan) != 3 {
		t.Fatalf("Scan = %+v, want three groups", m.Scan)
	}
	if p := m.Scan[0]; p.N != 400 || math.Abs(p.C-10e-9) > 1e-15 {
		t.Errorf("group at 400 = %+v, want c 10ns", p)
	}
	if p := m.Scan[1]; p.N != 734 || math.Abs(p.C-7.6e-6/734) > 1e-15 {
		t.Errorf("group at 697..758 = %+v, want n 734, c (9.6µs − 2µs)/734 from the cycle times", p)
	}
	if p := m.Scan[2]; p.N != 20000 || math.Abs(p.C-20e-9) > 1e-15 {
		t.Errorf("group at 20,000 = %+v, want c 20ns", p)
	}
	if m.C != m.Scan[1].C {
		t.Errorf("C = %v, want c at the deepest point up to 10,000", m.C)
	}
	if _, err := parseCosts([]byte("Cost s0=1e-6 rate=1\nCost depth=10 service=1e-6 cycle=x events=5\n"), 1); err == nil {
		t.Error("bad cycle accepted")
	}
}

// TestParseCosts_stalls reads the queue's median and the runtime's
// stalls, and Model turns them into Q0 and the median longest stall of a
// stretch as long as the critical pause.
func TestParseCosts_stalls(t *testing.T) {
	out := []byte("Cost s0=4.0e-6 rate=50000.0 handled=50000 calls=1 queue_median=20.0 queue_mean=90.0 queue_samples=500 live_ms=100 stopped=0.01\n" +
		"Stall t_ms=5.000 late_us=3000.0\nStall t_ms=5.010 late_us=3010.0\nStall t_ms=25.000 late_us=500.0\n" +
		"Stall t_ms=45.000 late_us=1000.0\nStall t_ms=65.000 late_us=2000.0\nStall t_ms=99.000 late_us=400.0\n" +
		"Cost isolated_depth=0 service=4.0e-6\nCost isolated_depth=1000 service=1.4e-5\n")
	c, err := parseCosts(out, 1)
	if err != nil {
		t.Fatal(err)
	}
	c.Rate = 50000
	if c.QueueMedian != 20 || len(c.Stalls) != 1 || c.Stalls[0].Live != 100*time.Millisecond || len(c.Stalls[0].Ticks) != 6 || c.Stalls[0].Stopped != 0.01 ||
		c.Stalls[0].Ticks[1] != (Stall{At: 5010 * time.Microsecond, Late: 3010 * time.Microsecond}) {
		t.Fatalf("costs = %+v", c)
	}
	// Stretches of 20ms: longest stalls 3.01, 0.5, 1, 2, 0.4ms, less the
	// 1% of 20ms that S(n) pays for: median 0.8ms.
	if got := c.TypicalStall(20 * time.Millisecond); got != 800*time.Microsecond {
		t.Errorf("TypicalStall(20ms) = %v, want 0.8ms", got)
	}
	// Stretches longer than the log: one, its longest stall less 1% of
	// the log's 100ms.
	if got := c.TypicalStall(time.Second); got != 2010*time.Microsecond {
		t.Errorf("TypicalStall(1s) = %v, want 2.01ms", got)
	}
	// Where the runtime stops often, the longest stop is less than the
	// share S(n) pays for: no stall term.
	often := Costs{Stalls: []StallLog{{Live: 100 * time.Millisecond, Stopped: 0.3, Ticks: []Stall{{At: 10 * time.Millisecond, Late: 5 * time.Millisecond}}}}}
	if got := often.TypicalStall(50 * time.Millisecond); got != 0 {
		t.Errorf("TypicalStall with 30%% stopped = %v, want 0", got)
	}
	if got := (Costs{}).TypicalStall(time.Millisecond); got != 0 {
		t.Errorf("TypicalStall without logs = %v, want 0", got)
	}
	// c = 10ns, n* = (1 − 0.2)/(50000·10ns) = 1600; (n* − Q0)/λ = 31.6ms:
	// three stretches (the last takes the rest), longest 3.01, 1, 2ms,
	// less 1% of 31.6ms: median 1.684ms.
	m := c.Model()
	if m.Q0 != 20 || math.Abs(m.Stall-1.684e-3) > 1e-9 {
		t.Errorf("model Q0 %v, stall %v; want 20, 1.684ms", m.Q0, m.Stall)
	}
	// Merged measurements keep their logs apart and take the median queue.
	mc := MergeCosts(c, c, Costs{S0: 4e-6, K: 1, QueueMedian: 100})
	if mc.QueueMedian != 20 || len(mc.Stalls) != 2 || mc.Rate != 50000 {
		t.Errorf("merged: queue median %v, %d stall logs, rate %v; want 20, 2, 50000", mc.QueueMedian, len(mc.Stalls), mc.Rate)
	}
	for _, bad := range []string{
		"Stall t_ms=1 late_us=1\nCost s0=1e-6 rate=1 live_ms=10\n",
		"Cost s0=1e-6 rate=1 live_ms=10\nStall t_ms=x late_us=1\n",
		"Cost s0=1e-6 rate=1 live_ms=0\n",
		"Cost s0=1e-6 rate=1 queue_median=x\n",
		"Cost s0=1e-6 rate=1 live_ms=10 stopped=2\n",
	} {
		if _, err := parseCosts([]byte(bad), 1); err == nil {
			t.Errorf("parseCosts(%q): no error", bad)
		}
	}
}

func TestParseScenario(t *testing.T) {
	out := []byte("Sample t=0.010000 queue=3 memory=2000\nPause start_queue=12 resume_queue=480 paused_us=10003.5 late_us=-250.0\nSample t=0.020000 queue=500 memory=90000\n" +
		"Result outcome=drained peak_queue=500 peak_memory=90000 drain_ms=12.500 final_queue=3 elapsed_ms=700.000\n" +
		"BenchmarkScenario/runtime=beam/rate=50000/pause=10ms/calls=1/tick=1ms-2\t1\t700000000 ns/op\t0 runaway\t500 peak-queue\t12.500 drain-ms\t90000 peak-B\n")
	res, err := parseScenario(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != model.Drained || res.PeakQueue != 500 || res.PeakBytes != 90000 ||
		res.DrainTime != 12500*time.Microsecond || res.End != 700*time.Millisecond || len(res.Series) != 2 ||
		res.Series[1].Queue != 500 || res.Series[1].T != 20*time.Millisecond ||
		res.StartQueue != 12 || res.ResumeQueue != 480 || res.Paused != 10003500*time.Nanosecond || res.Late != -250*time.Microsecond {
		t.Errorf("result = %+v", res)
	}
	r := benchfmt.NewReader(strings.NewReader(string(res.Benchmark)), "beam")
	n := 0
	for r.Scan() {
		if br, ok := r.Result().(*benchfmt.Result); ok {
			n++
			if v, _ := br.Value("peak-queue"); v != 500 || br.GetConfig("pkg") != ScenarioPackage {
				t.Errorf("benchmark %s: peak-queue %v, pkg %q", br.Name, v, br.GetConfig("pkg"))
			}
		}
	}
	if n != 1 {
		t.Errorf("%d results in %q, want 1", n, res.Benchmark)
	}
	for _, bad := range []string{
		"Sample t=0.01 queue=1 memory=1\n",
		"Result outcome=maybe peak_queue=1 peak_memory=1 drain_ms=0 final_queue=1 elapsed_ms=1\nBenchmarkX 1 1 ns/op\n",
		"Result outcome=drained peak_queue=1 peak_memory=1 drain_ms=0 final_queue=1 elapsed_ms=1\n",
		"Pause start_queue=1 resume_queue=x paused_us=1 late_us=0\n" + // valid but for the Pause line
			"Result outcome=drained peak_queue=1 peak_memory=1 drain_ms=0 final_queue=1 elapsed_ms=1\nBenchmarkX 1 1 ns/op\n",
	} {
		if _, err := parseScenario([]byte(bad)); err == nil {
			t.Errorf("parseScenario(%q): no error", bad)
		}
	}
}

// TestParseScenario_arrivals reads the arrivals around the pause and the
// router's trace after it, and CatchUp finds the largest millisecond's
// arrivals within the pause's length after the resume (not the ones
// before the pause or during it).
func TestParseScenario_arrivals(t *testing.T) {
	tail := "Result outcome=drained peak_queue=1 peak_memory=1 drain_ms=0 final_queue=1 elapsed_ms=1\nBenchmarkX 1 1 ns/op\n"
	out := []byte("Pause start_queue=12 resume_queue=80 paused_us=2000.0 late_us=0.0\n" +
		"Arrivals from_ms=-2 counts=90,50,0,0,300,40,50,50\n" +
		"Arrived during=0 expected=100.0 after=340 expected_after=100.0\n" +
		"Trace t_ms=0.010 queue=80\nTrace t_ms=0.250 queue=380\n" + tail)
	res, err := parseScenario(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.ArrivalsFrom != -2*time.Millisecond || len(res.Arrivals) != 8 || res.Arrivals[4] != 300 ||
		res.ArrivedDuring != 0 || res.ArrivedAfter != 340 || len(res.Trace) != 2 ||
		res.Trace[1].T != 250*time.Microsecond || res.Trace[1].Queue != 380 {
		t.Errorf("result = %+v", res)
	}
	// ms -2 and -1 are before the pause, 0 and 1 during it, 2 and 3
	// the pause's length after it.
	if got := res.CatchUp(); got != 300 {
		t.Errorf("CatchUp() = %d, want 300", got)
	}
	if got := (ScenarioResult{}).CatchUp(); got != 0 {
		t.Errorf("CatchUp() without arrivals = %d, want 0", got)
	}
	for _, bad := range []string{"Arrivals from_ms=-10 counts=1,x,3\n", "Arrivals counts=1\n", "Trace t_ms=1 queue=\n", "Arrived during=1\n"} {
		if _, err := parseScenario([]byte(bad + tail)); err == nil {
			t.Errorf("parseScenario(%q): no error", bad)
		}
	}
}

func TestScenarioConfig_Validate(t *testing.T) {
	for _, c := range []ScenarioConfig{
		{Rate: -1}, {Calls: -1}, {Tick: 500 * time.Microsecond}, {Queue: "heap"},
		{Pause: time.Second, Duration: time.Second}, {SampleEvery: time.Microsecond},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if err := (ScenarioConfig{Pause: time.Second}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// TestHarness_Receive runs the real harness on small depths and checks
// the output is benchmark format that names line up with the Go suite's.
func TestHarness_Receive(t *testing.T) {
	h := mustHarness(t)
	out, err := h.Receive(context.Background(), ReceiveOptions{Depths: []int{0, 100}, Benchtime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(strings.NewReader(string(out)), "beam")
	names := map[string]bool{}
	for r.Scan() {
		br, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		names["Benchmark"+string(br.Name.Full())] = true
		if br.GetConfig("pkg") != ReceivePackage {
			t.Errorf("%s: pkg %q", br.Name, br.GetConfig("pkg"))
		}
		if v, ok := br.Value("sec/op"); !ok || !(v > 0) {
			t.Errorf("%s: sec/op %v", br.Name, v)
		}
		if strings.Contains(string(br.Name), "mode=scan") {
			if _, ok := br.Value("sec/msg"); !ok {
				t.Errorf("%s: no ns/msg", br.Name)
			}
		}
	}
	if len(names) != 8 {
		t.Errorf("%d benchmarks, want 2 modes x 2 queues x 2 depths: %v", len(names), names)
	}
	v, err := h.Version(context.Background())
	if err != nil || v.OTP == "" || v.Schedulers < 1 {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	want := "BenchmarkReceive/runtime=beam/mode=scan/depth=100-" + itoa(v.Schedulers)
	if !names[want] {
		t.Errorf("no %s among %v", want, names)
	}
	// Benchmarks lists what Receive runs, in its order.
	var order []string
	for line := range strings.Lines(string(out)) {
		if name, _, ok := strings.Cut(line, "\t"); ok && strings.HasPrefix(name, "Benchmark") {
			order = append(order, strings.TrimSuffix(name, "-"+itoa(v.Schedulers)))
		}
	}
	if list := Benchmarks(ReceiveOptions{Depths: []int{0, 100}}); strings.Join(list, " ") != strings.Join(order, " ") {
		t.Errorf("Benchmarks = %q,\nReceive ran %q", list, order)
	}
	if _, err := h.Receive(context.Background(), ReceiveOptions{Modes: []string{"peek"}}); err == nil {
		t.Error("unknown mode accepted")
	}
}

// TestHarness_Scenario runs a small scenario with a long pause at a low
// rate: the queue must reach the pause's backlog, and the run decide.
func TestHarness_Scenario(t *testing.T) {
	h := mustHarness(t)
	res, err := h.Scenario(context.Background(), ScenarioConfig{
		Rate: 2000, Calls: 1, At: 50 * time.Millisecond, Pause: 200 * time.Millisecond,
		Duration: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 200ms at 2,000/s queues about 400 events, and k=1 at ~10ns a
	// message drains that at once on an idle machine. On a loaded one the
	// producers are starved too (a peak of 240 at load 10), so the peak is
	// held against what arrived during the pause, which all queued: that
	// and a decided outcome hold on any machine; the outcome against the
	// model is the integration tier's (TestCheckModel_withinQuarter).
	if res.ArrivedDuring < 50 || res.PeakQueue < res.ArrivedDuring/2 || (res.Outcome != model.Drained && res.Outcome != model.Runaway) {
		t.Errorf("outcome %v, peak %d, %d arrived during the pause: want a decided run after a peak of at least half of what arrived", res.Outcome, res.PeakQueue, res.ArrivedDuring)
	}
	t.Logf("outcome %v, peak %d, arrived during the pause %d", res.Outcome, res.PeakQueue, res.ArrivedDuring)
	if len(res.Series) < 10 || !strings.Contains(string(res.Benchmark), "BenchmarkScenario/runtime=beam/rate=2000/pause=200ms/calls=1/tick=1ms-") {
		t.Errorf("%d samples, benchmark %q", len(res.Series), res.Benchmark)
	}
}

// TestHarness_selftest runs the harness's checks of its own pure
// functions in a real BEAM: the share of a live run the producers stood
// still stays within [0, 1] when a stall began before the run.
func TestHarness_selftest(t *testing.T) {
	h := mustHarness(t)
	out, err := h.run(t.Context(), "selftest")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "Selftest ok" {
		t.Errorf("selftest printed %q, want \"Selftest ok\"", got)
	}
}

// TestHarness_cancel checks that ctx kills erl.
func TestHarness_cancel(t *testing.T) {
	h := mustHarness(t)
	if _, err := h.Version(context.Background()); err != nil { // compiles the harness
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Scenario(ctx, ScenarioConfig{Rate: 1000, Pause: 20 * time.Second, Duration: 30 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v after the context ended", d)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestMergeCosts(t *testing.T) {
	a := Costs{S0: 2e-6, ArrivalRate: 100, K: 2,
		Service: []DepthCost{{0, 3e-6}, {1000, 20e-6}},
		Live:    []LiveCost{{Depth: 500, Seconds: 5e-6, Events: 60}, {Depth: 4000, Seconds: 50e-6, Events: 80}}}
	b := Costs{S0: 4e-6, ArrivalRate: 300, K: 2,
		Service: []DepthCost{{0, 5e-6}},
		Live:    []LiveCost{{Depth: 530, Seconds: 7e-6, Events: 40}}}
	// s0 is the median: one starved measurement does not move it.
	starved := Costs{S0: 500e-6, ArrivalRate: 200, K: 2, Service: []DepthCost{{0, 4e-6}}}
	if m := MergeCosts(a, b, starved); m.S0 != 4e-6 {
		t.Errorf("median s0 of 2µs, 4µs, 500µs = %v", m.S0)
	}
	m := MergeCosts(a, b)
	if m.S0 != 3e-6 || m.ArrivalRate != 200 || m.K != 2 {
		t.Errorf("merged s0 %v, rate %v, k %d; want 3µs, 200, 2", m.S0, m.ArrivalRate, m.K)
	}
	if len(m.Service) != 1 || m.Service[0].Depth != 0 || math.Abs(m.Service[0].Seconds-4e-6) > 1e-15 {
		t.Errorf("merged isolated costs %+v, want depth 0 only, 4µs", m.Service)
	}
	if len(m.Live) != 3 || m.Live[0].Depth != 500 || m.Live[1].Depth != 530 || m.Live[2].Depth != 4000 {
		t.Fatalf("merged live bins %+v, want depths 500, 530, 4000", m.Live)
	}
	// The bins at 500 and 530 pool into one group (488..532) of 100
	// events: n 512, S 5.8µs, c (5.8µs − 3µs)/(2·512).
	got := m.Model()
	if len(got.Scan) != 2 || got.Scan[0].N != 512 || math.Abs(got.Scan[0].C-2.8e-6/1024) > 1e-15 {
		t.Errorf("model of the merged costs: %+v", got.Scan)
	}
	if one := MergeCosts(a); one.S0 != a.S0 || len(one.Live) != 2 {
		t.Errorf("MergeCosts of one = %+v", one)
	}
	if z := MergeCosts(); z.S0 != 0 || z.Live != nil {
		t.Errorf("MergeCosts of none = %+v", z)
	}
}

func TestModelCheck_Ratio(t *testing.T) {
	m := ModelCheck{Predicted: 20 * time.Millisecond, PredictedOK: true,
		Bracket: scenario.Bracket{Drained: 20 * time.Millisecond, Runaway: 45 * time.Millisecond}}
	// The estimate is the bracket's geometric mean, 30ms.
	if r := m.Ratio(); math.Abs(r-1.5) > 1e-9 {
		t.Errorf("Ratio = %v, want 1.5", r)
	}
	m.Bracket.Runaway = 0
	if r := m.Ratio(); r != 0 {
		t.Errorf("Ratio without a bracket = %v, want 0", r)
	}
	// No finite T* to start from: an error before any erl runs.
	_, err := (&Harness{}).CheckModel(context.Background(), ScenarioConfig{Rate: 1000}, Costs{S0: 1e-6, K: 0}, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "no finite critical pause") {
		t.Errorf("CheckModel with k = 0: %v", err)
	}
}

func TestBeforePauseEnd(t *testing.T) {
	c := ScenarioConfig{At: 300 * time.Millisecond, Pause: 20 * time.Millisecond}
	tests := []struct {
		outcome model.Outcome
		end     time.Duration
		want    bool
	}{
		{model.Runaway, 250 * time.Millisecond, true},  // before the pause
		{model.Runaway, 310 * time.Millisecond, true},  // during it
		{model.Runaway, 900 * time.Millisecond, false}, // after it: the pause's doing
		{model.Drained, 250 * time.Millisecond, false},
		{model.Runaway, 0, false}, // no end time
	}
	for _, tt := range tests {
		r := ScenarioResult{Result: model.Result{Outcome: tt.outcome, End: tt.end}, StartQueue: 50}
		if got := beforePauseEnd(r, c); got != tt.want {
			t.Errorf("%v at %v: beforePauseEnd = %v, want %v", tt.outcome, tt.end, got, tt.want)
		}
	}
	// A router that had fallen behind before its pause: more than the
	// drain level (500 at the default rate) queued when it stopped.
	for _, o := range []model.Outcome{model.Runaway, model.Drained} {
		behind := ScenarioResult{Result: model.Result{Outcome: o, End: 900 * time.Millisecond}, StartQueue: 8900}
		if !beforePauseEnd(behind, c) {
			t.Errorf("%v with 8,900 queued when the pause started: not the machine's", o)
		}
	}
	// A late timer: the router stopped 384ms for a pause of 20ms.
	late := ScenarioResult{Result: model.Result{Outcome: model.Drained, End: 900 * time.Millisecond}, StartQueue: 50, Paused: 384 * time.Millisecond}
	if !beforePauseEnd(late, c) {
		t.Error("a pause of 20ms that lasted 384ms: not the machine's")
	}
	late.Paused = 21 * time.Millisecond
	if beforePauseEnd(late, c) {
		t.Error("a pause of 20ms that lasted 21ms: the machine's")
	}
	// A runaway after the runtime stood still: no sample for 60ms (a
	// quarter of the pause is 5ms, twice the sampling interval 20ms).
	var series []model.Sample
	for ms := 0; ms <= 600; ms += 10 {
		if ms > 400 && ms < 460 {
			continue
		}
		series = append(series, model.Sample{T: time.Duration(ms) * time.Millisecond})
	}
	stood := ScenarioResult{Result: model.Result{Outcome: model.Runaway, End: 900 * time.Millisecond, Series: series}, StartQueue: 50, Paused: 20 * time.Millisecond}
	if !beforePauseEnd(stood, c) {
		t.Error("a runaway after 60ms without a sample: not the machine's")
	}
	stood.Outcome = model.Drained // drained despite the stop: a valid drain
	if beforePauseEnd(stood, c) {
		t.Error("a drain after 60ms without a sample: the machine's")
	}
	if got := maxGap(series, 300*time.Millisecond); got != 60*time.Millisecond {
		t.Errorf("maxGap = %v, want 60ms", got)
	}
	if got := (ScenarioConfig{}).withDefaults().At; got != 300*time.Millisecond {
		t.Errorf("default At = %v, want scenario.DefaultAt", got)
	}
}

// TestFocusBacklogs: the ladder around n* is rungs·n*, at least 100,
// at most what the rate builds in maxBuild (5 s), without repeats; no
// ladder without a finite n* or with every rung past that bound.
func TestFocusBacklogs(t *testing.T) {
	got := FocusBacklogs(2000, 50000, FocusRungs())
	want := []int{1200, 1440, 1700, 1900, 2100, 2400, 2800, 3300}
	if !slices.Equal(got, want) {
		t.Errorf("FocusBacklogs(2000) = %v, want %v", got, want)
	}
	if got := FocusBacklogs(100, 50000, []float64{0.5, 0.9, 1.0, 1.2}); !slices.Equal(got, []int{100, 120}) {
		t.Errorf("FocusBacklogs(100) = %v, want [100 120]", got)
	}
	if got := FocusBacklogs(math.Inf(1), 50000, FocusRungs()); got != nil {
		t.Errorf("FocusBacklogs(+Inf) = %v, want nil", got)
	}
	// At 2,000 events/s a backlog of 10,000 takes 5 s to build: an n* of
	// 9,000 keeps the rungs up to 9,450, one of 100,000 (the router at a
	// low rate) gets no ladder.
	if got := FocusBacklogs(9000, 2000, FocusRungs()); !slices.Equal(got, []int{5400, 6480, 7650, 8550, 9450}) {
		t.Errorf("FocusBacklogs(9000, 2000/s) = %v", got)
	}
	if got := FocusBacklogs(100000, 2000, FocusRungs()); got != nil {
		t.Errorf("FocusBacklogs(100000, 2000/s) = %v, want nil", got)
	}
	for i, r := range FocusRungs()[1:] {
		if r/FocusRungs()[i] > 1.2+1e-9 {
			t.Errorf("rungs %v and %v more than 20%% apart", FocusRungs()[i], r)
		}
	}
}

// TestMonotone: a slow group among faster deeper ones is pooled with
// them until S(n) does not fall.
func TestMonotone(t *testing.T) {
	us := 1e-6
	got := monotone([]liveMean{{500, 10 * us, 100}, {600, 62 * us, 60}, {700, 11 * us, 100}, {800, 12 * us, 100}, {900, 40 * us, 100}})
	// 62 and 11 pool to 30.125µs at 662.5 (160 events), which pools with
	// 12 to 23.15µs at 715.4 (260 events).
	want := []liveMean{{500, 10 * us, 100}, {(600*60 + 700*100 + 800*100) / 260.0, (62*60 + 11*100 + 12*100) * us / 260, 260}, {900, 40 * us, 100}}
	if len(got) != len(want) {
		t.Fatalf("monotone = %+v, want %+v", got, want)
	}
	for i := range want {
		if math.Abs(got[i].N-want[i].N) > 1e-9 || math.Abs(got[i].S-want[i].S) > 1e-15 || got[i].W != want[i].W {
			t.Errorf("group %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].S < got[i-1].S {
			t.Errorf("S falls from %v to %v", got[i-1].S, got[i].S)
		}
	}
	// Through Model: the spike no longer makes the tipping point.
	c := Costs{S0: 4e-6, K: 2, Live: []LiveCost{
		{Depth: 500, Cycle: 10e-6, Seconds: 10e-6, Events: 100}, {Depth: 1000, Cycle: 62e-6, Seconds: 62e-6, Events: 60},
		{Depth: 1400, Cycle: 20e-6, Seconds: 20e-6, Events: 300}, {Depth: 2000, Cycle: 36e-6, Seconds: 36e-6, Events: 300},
		{Depth: 2500, Cycle: 44e-6, Seconds: 44e-6, Events: 300}}}
	n, ok := c.Model().TippingQueue(25000)
	if !ok || n < 2000 || n > 2500 {
		t.Errorf("n* = %.0f, want between 2,000 and 2,500 (S crosses 40µs there)", n)
	}
}

// TestMajority: a pause's outcome is the majority of up to three runs,
// and the runs stop as soon as one outcome has it.
func TestMajority(t *testing.T) {
	D, R := model.Drained, model.Runaway
	for _, tc := range []struct {
		runs []model.Outcome
		want model.Outcome
		used int
	}{
		{[]model.Outcome{D, D, R}, D, 2},
		{[]model.Outcome{R, R, D}, R, 2},
		{[]model.Outcome{D, R, R}, R, 3},
		{[]model.Outcome{R, D, D}, D, 3},
	} {
		used := 0
		got, err := majority(votes, func() (model.Outcome, error) {
			used++
			return tc.runs[used-1], nil
		})
		if err != nil || got != tc.want || used != tc.used {
			t.Errorf("majority(%v) = %v, %v after %d runs, want %v after %d", tc.runs, got, err, used, tc.want, tc.used)
		}
	}
	boom := errors.New("boom")
	if _, err := majority(votes, func() (model.Outcome, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("majority's error = %v, want boom", err)
	}
}

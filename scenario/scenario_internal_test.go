package scenario

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/model"
)

// mustNotLeak fails tb if, once the test is done, goroutines of this
// package are still running.
func mustNotLeak(tb testing.TB) {
	tb.Helper()
	tb.Cleanup(func() {
		var leaked []string
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			buf := make([]byte, 1<<20)
			leaked = leaked[:0]
			for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
				if strings.Contains(g, "testing.tRunner") {
					continue // a test, or this check
				}
				if strings.Contains(g, "benchdb/scenario.") || strings.Contains(g, "benchdb/mailbox.") {
					leaked = append(leaked, g)
				}
			}
			if len(leaked) == 0 {
				return
			}
		}
		tb.Errorf("%d goroutines outlive the scenario:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	})
}

func TestRun_CapStopsRunawayAndReleasesMemory(t *testing.T) {
	tests := []struct {
		name     string
		capQueue int
		capBytes int64
		want     int // messages at which the cap is reached
	}{
		{"queue cap", 4000, 0, 4000},
		{"bytes cap", 0, 3000 * int64(EventBytes), 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustNotLeak(t)
			dir := t.TempDir()
			var held *mailbox.Mailbox
			cfg := Config{
				Profile: testProfile("k=1", 1), Rate: 20000, Pause: time.Hour, Duration: 2 * time.Hour,
				CapQueue: tt.capQueue, CapBytes: tt.capBytes, Dir: dir,
				onMailbox: func(mb *mailbox.Mailbox) { held = mb },
			}
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != model.Runaway {
				t.Fatalf("outcome %v, want runaway", res.Outcome)
			}
			// Producers hold off at the cap; what arrives between two
			// samples (20,000/s for 10ms, and a 1ms batch) may overshoot.
			if res.PeakQueue < tt.want || res.PeakQueue > tt.want+1000 {
				t.Errorf("peak queue %d, want the cap %d (plus at most one sample's arrivals)", res.PeakQueue, tt.want)
			}
			if res.PeakBytes != int64(res.PeakQueue)*int64(EventBytes) {
				t.Errorf("peak bytes %d for %d messages of %d bytes", res.PeakBytes, res.PeakQueue, EventBytes)
			}
			if res.End > time.Minute {
				t.Errorf("run ended at %v: it did not stop at the cap", res.End)
			}
			if held.Len() != 0 || held.Bytes() != 0 || !held.Closed() {
				t.Errorf("after the run the router's mailbox holds %d messages, %d bytes (closed %v); want it emptied",
					held.Len(), held.Bytes(), held.Closed())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the writers' directory was left behind: %v", entries)
			}
		})
	}
}

func TestRun_WritesPayloads(t *testing.T) {
	mustNotLeak(t)
	for _, discard := range []bool{false, true} {
		var samples int
		cfg := Config{
			Profile: testProfile("k=0", 0), Rate: 5000, At: 10 * time.Millisecond, Pause: 20 * time.Millisecond,
			Duration: 5 * time.Second, Discard: discard, Dir: t.TempDir(),
			Progress: func(model.Sample) { samples++ },
		}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != model.Drained || res.Sent == 0 || res.Sent != res.Delivered+res.Dropped {
			t.Fatalf("discard=%v: %v, sent %d delivered %d dropped %d; want drained with every event accounted for",
				discard, res.Outcome, res.Sent, res.Delivered, res.Dropped)
		}
		want := res.Delivered * PayloadBytes
		if discard {
			want = 0
		}
		if res.Written != want {
			t.Errorf("discard=%v: wrote %d bytes, want %d", discard, res.Written, want)
		}
		if samples != len(res.Series) || samples < 2 {
			t.Errorf("progress saw %d samples, series has %d", samples, len(res.Series))
		}
	}
}

func TestRun_ContextCancelled(t *testing.T) {
	mustNotLeak(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	cfg := Config{Profile: testProfile("k=1", 1), Rate: 10000, Pause: time.Hour, Duration: 2 * time.Hour, Discard: true}
	_, err := Run(ctx, cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run after the context's deadline: %v, want context.DeadlineExceeded", err)
	}
}

func TestConfig_Validate(t *testing.T) {
	ok := Config{Profile: testProfile("k=0", 0), Pause: time.Second}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no profile", func(c *Config) { c.Profile = Profile{} }, "no profile"},
		{"negative rate", func(c *Config) { c.Rate = -1 }, "rate"},
		{"pause past the end", func(c *Config) { c.Duration = time.Second }, "duration"},
		{"negative cap", func(c *Config) { c.CapQueue = -1 }, "must not be negative"},
		{"rate too high", func(c *Config) { c.Rate = 1e8 }, "at most 1e+07 events per second"},
		{"too many workers", func(c *Config) { c.Workers = 1e9 }, "at most 1000"},
		{"queue cap too high", func(c *Config) { c.CapQueue = 1e9 }, "at most 10000000 messages"},
		{"bytes cap too high", func(c *Config) { c.CapBytes = 1 << 40 }, "1073741824 bytes"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error about %s", tt.name, err, tt.want)
		}
	}
}

func TestCalibrate(t *testing.T) {
	mustNotLeak(t)
	for _, k := range []int{0, 1, 2} {
		costs, err := Calibrate(context.Background(), Config{Profile: testProfile("p", k), Discard: true})
		if err != nil {
			t.Fatal(err)
		}
		if costs.K != k || costs.Validate() != nil || costs.C <= 0 {
			t.Errorf("k=%d: costs %v", k, costs)
		}
	}
}

// TestProduce_BurstStopsAtCap gives a producer a clock that jumps a
// second ahead, as after a long descheduling: it owes 100,000 events, and
// it must stop sending at the queue cap rather than pay the debt.
func TestProduce_BurstStopsAtCap(t *testing.T) {
	mustNotLeak(t)
	start := time.Now()
	var calls atomic.Int64
	cfg := Config{Rate: 1e5, Producers: 1, CapQueue: 1000, CapBytes: 1 << 30,
		Now: func() time.Time {
			if calls.Add(1) == 1 {
				return start
			}
			return start.Add(time.Second)
		}}
	r := &run{cfg: cfg, self: mailbox.New()}
	defer drop(r.self)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.produce(ctx, 0) })
	deadline := time.Now().Add(10 * time.Second)
	for r.self.Len() < cfg.CapQueue && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a few more ticks
	n := r.self.Len()
	cancel()
	wg.Wait()
	if n < cfg.CapQueue || n > cfg.CapQueue+64 {
		t.Errorf("queue %d after the burst, want the cap %d (at most 64 more)", n, cfg.CapQueue)
	}
}

// TestScanDepth checks where Calibrate measures c a second time: at n*,
// clamped, and not again near the first depth or without a tipping point.
func TestScanDepth(t *testing.T) {
	tests := []struct {
		name  string
		costs model.Costs
		rate  float64
		want  int
		ok    bool
	}{
		// n* = (1 − 0.15)/(50000·1·5e-9) = 3400.
		{"n* below the first depth", model.Costs{S0: 3e-6, C: 5e-9, K: 1}, 50000, 3400, true},
		// n* = 0.85/(50000·2·0.5e-9) = 17000.
		{"n* above it", model.Costs{S0: 3e-6, C: 0.5e-9, K: 2}, 50000, 17000, true},
		// n* = 0.85/(50000·1·1.7e-9) = 10000: measured already.
		{"n* at the first depth", model.Costs{S0: 3e-6, C: 1.7e-9, K: 1}, 50000, 0, false},
		{"clamped below", model.Costs{S0: 3e-6, C: 1e-7, K: 1}, 50000, calibMinDepth, true},
		{"clamped above", model.Costs{S0: 3e-6, C: 1e-12, K: 1}, 50000, calibMaxDepth, true},
		{"no calls", model.Costs{S0: 3e-6, C: 5e-9, K: 0}, 50000, 0, false},
		{"overloaded", model.Costs{S0: 30e-6, C: 5e-9, K: 1}, 50000, 0, false},
	}
	for _, tt := range tests {
		d, ok := scanDepth(tt.costs, tt.rate)
		if ok != tt.ok || (ok && math.Abs(float64(d-tt.want)) > 1) {
			t.Errorf("%s: scanDepth = %d, %v; want %d, %v", tt.name, d, ok, tt.want, tt.ok)
		}
	}
}

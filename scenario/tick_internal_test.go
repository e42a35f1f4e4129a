package scenario

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

func TestConfig_tick(t *testing.T) {
	cfg := Config{Profile: testProfile("t", 0), Tick: -time.Millisecond}
	if err := cfg.Validate(); err == nil {
		t.Error("negative tick accepted")
	}
	cfg.Tick = 5 * time.Millisecond
	if got := cfg.Sim(model.Costs{S0: 1e-6, C: 1e-9, K: 1}).Tick; got != 5*time.Millisecond {
		t.Errorf("Sim().Tick = %v, want the config's 5ms", got)
	}
}

// TestRun_tick checks that producers with a tick send in bursts: while
// the router is paused the queue only ever takes a few distinct values,
// one per burst (bursts may merge on a busy machine, never split).
func TestRun_tick(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]bool{}
	cfg := Config{
		Profile: testProfile("t", 0), Rate: 5000, Tick: 20 * time.Millisecond,
		At: 0, Pause: 200 * time.Millisecond, Duration: 2 * time.Second,
		SampleEvery: time.Millisecond, Discard: true,
		Progress: func(s model.Sample) {
			if s.T > 10*time.Millisecond && s.T < 190*time.Millisecond {
				mu.Lock()
				seen[s.Queue] = true
				mu.Unlock()
			}
		},
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// 180ms of 20ms ticks: about 9 bursts of 50 from each of 2 producers.
	if len(seen) > 25 || len(seen) < 2 {
		t.Errorf("%d distinct queue lengths during the pause, want a few bursts' worth (%v)", len(seen), seen)
	}
	if res.Outcome != model.Drained {
		t.Errorf("outcome %v, want drained", res.Outcome)
	}
}

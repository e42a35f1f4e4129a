//go:build integration

package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/benchdb/benchdb/model"
)

// TestRun_OutcomeFollowsModel calibrates elixir-1.5.1, whose picks make
// one code-server call, then runs it live with pauses well below (T*/8)
// and well above (4·T*) the model's T*: the first must drain, the second
// run away. The margins are wide because the machine may be shared. The
// roundrobin profile, which makes no calls, drains after the long pause.
// It is the fast variant of the default-settings check (which is an
// integration test in cmd/benchdb). Its outcomes depend on the machine's
// speed staying put between the calibration and the runs, so it is an
// integration test too: the default run keeps the outcomes that do not
// (TestRun_CapStopsRunawayAndReleasesMemory: an endless pause runs away;
// TestRun_WritesPayloads and TestExperiment_live: no calls, a short pause
// drains).
func TestRun_OutcomeFollowsModel(t *testing.T) {
	mustNotLeak(t)
	ctx := context.Background()
	incident, err := LookupProfile("elixir-1.5.1")
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := LookupProfile("roundrobin")
	if err != nil {
		t.Fatal(err)
	}
	base := Config{At: 20 * time.Millisecond, Discard: true, Profile: incident}
	costs, err := Calibrate(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	// A rate at which the router is busy a tenth of the time (slower
	// under the race detector), so the producers' batches and the
	// sampler's noise are small beside n*.
	base.Rate = min(40000, 0.1/costs.S0)
	tstar, ok := costs.CriticalPause(base.Rate)
	if !ok || costs.K != 1 {
		t.Fatalf("elixir-1.5.1 has no T*: %v", costs)
	}
	n, _ := costs.TippingQueue(base.Rate)
	t.Logf("%v: n* = %.0f, T* = %v at %.0f/s", costs, n, tstar, base.Rate)
	if drain := DefaultDrainQueue(base.Rate); n < float64(10*drain) {
		t.Skipf("n* = %.0f is too close to the steady queue %d for a clear outcome on this machine", n, drain)
	}
	tests := []struct {
		name    string
		profile Profile
		pause   time.Duration
		want    model.Outcome
	}{
		{"elixir-1.5.1 pause T*/8", incident, tstar / 8, model.Drained},
		{"elixir-1.5.1 pause 4·T*", incident, 4 * tstar, model.Runaway},
		{"roundrobin pause 4·T*", fixed, 4 * tstar, model.Drained},
	}
	for _, tt := range tests {
		cfg := base
		cfg.Profile = tt.profile
		cfg.Pause = tt.pause
		backlog := int(cfg.Rate * cfg.Pause.Seconds())
		cfg.CapQueue = max(2*backlog, 20*DefaultDrainQueue(cfg.Rate))
		cfg.Duration = cfg.At + 5*cfg.Pause + 2*time.Second
		res, err := Run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != tt.want {
			t.Errorf("%s (%v): %v, want %v; peak %d, final %d, backlog %d", tt.name, tt.pause, res.Outcome, tt.want, res.PeakQueue, res.FinalQueue, backlog)
		}
		if res.Sent != res.Delivered+res.Dropped {
			t.Errorf("%s: sent %d, delivered %d, dropped %d: events lost", tt.name, res.Sent, res.Delivered, res.Dropped)
		}
		if res.ArrivalRate < cfg.Rate/2 || res.ArrivalRate > cfg.Rate*1.5 {
			t.Errorf("%s: measured arrival rate %.0f/s, set %.0f/s", tt.name, res.ArrivalRate, cfg.Rate)
		}
	}
}

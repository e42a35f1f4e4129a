//go:build explore

package beam

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

func envF(k string, d float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(k), 64); err == nil {
		return v
	}
	return d
}

func TestExplore(t *testing.T) {
	h := mustHarness(t)
	ctx := context.Background()
	rate := envF("RATE", 50000)
	k := int(envF("K", 1))
	reps := int(envF("REPS", 3))
	for i := 0; i < int(envF("COSTREPS", 3)); i++ {
		c, err := h.Costs(ctx, CostOptions{Rate: rate, Calls: k, Tick: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		m := c.Model()
		p, _ := m.CriticalPauseTick(rate, time.Millisecond)
		t.Logf("costs %d: T* %v  %v", i, p, m)
		for _, b := range c.Live {
			if b.Depth > 200 {
				t.Logf("   live n=%.0f S=%.2fus cyc=%.2fus ev=%d  c=%.2fns", b.Depth, b.Seconds*1e6, b.Cycle*1e6, b.Events, (b.Cycle-c.S0)/float64(k)/b.Depth*1e9)
			}
		}
	}
	var pauses []time.Duration
	for _, s := range []string{os.Getenv("PAUSES")} {
		for _, f := range splitComma(s) {
			d, _ := time.ParseDuration(f)
			pauses = append(pauses, d)
		}
	}
	type acc struct{ dt, dn, n float64 }
	bins := map[int]*acc{}
	for _, p := range pauses {
		run := 0
		for r := 0; r < reps; r++ {
			cfg := ScenarioConfig{Rate: rate, Calls: k, Tick: time.Millisecond, Pause: p}
			cfg = cfg.withDefaults()
			backlog := rate * p.Seconds()
			cfg.CapQueue = min(cfg.CapQueue, max(int(2*backlog), 20*cfg.DrainQueue))
			cfg.Duration = cfg.At + 5*p + 2*time.Second
			res, err := h.Scenario(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome.String() == "runaway" {
				run++
			}
			// queue just after resume
			var q0 int
			end := cfg.At + p
			s := res.Series
			for i := 1; i < len(s); i++ {
				if s[i].T >= end && q0 == 0 {
					q0 = s[i].Queue
				}
				if s[i-1].T >= end+5*time.Millisecond {
					dt := (s[i].T - s[i-1].T).Seconds()
					dn := float64(s[i].Queue - s[i-1].Queue)
					mn := float64(s[i].Queue+s[i-1].Queue) / 2
					if mn < 100 {
						continue
					}
					b := int(math.Round(4 * math.Log2(mn)))
					a := bins[b]
					if a == nil {
						a = &acc{}
						bins[b] = a
					}
					a.dt += dt
					a.dn += dn
					a.n += mn * dt
				}
			}
			t.Logf("pause %v run %d: %v peak %d q@resume %d end %v", p, r, res.Outcome, res.PeakQueue, q0, res.End)
		}
		t.Logf("pause %v: %d/%d runaway", p, run, reps)
	}
	var keys []int
	for b := range bins {
		keys = append(keys, b)
	}
	sort.Ints(keys)
	for _, b := range keys {
		a := bins[b]
		mu := rate - a.dn/a.dt
		t.Logf("traj n=%.0f time=%.0fms dn/dt=%.0f/s  mu=%.0f/s  S=%.2fus", a.n/a.dt, a.dt*1e3, a.dn/a.dt, mu, 1e6/mu)
	}
	_ = fmt.Sprint
}

func splitComma(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		if r == ',' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
		} else {
			cur += string(r)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

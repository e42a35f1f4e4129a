package profiles_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/dispatch/dispatchtest"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/mailbox/mailboxtest"
	"github.com/benchdb/benchdb/profiles"
	"github.com/benchdb/benchdb/rng"
)

func fill(mb *mailbox.Mailbox, depth int) {
	for range depth {
		mb.Send(mailbox.Message{Kind: 1, Size: 100})
	}
}

// TestPicker_Pick checks that every built-in profile's picker makes the
// calls its profile data says, and scans the mailbox only when it calls.
func TestPicker_Pick(t *testing.T) {
	const picks = 5
	for _, p := range profiles.All() {
		for _, pool := range []int{1, 8} {
			for _, depth := range []int{0, 300} {
				t.Run(fmt.Sprintf("%s/pool=%d/depth=%d", p.Name, pool, depth), func(t *testing.T) {
					self := mailbox.New()
					fill(self, depth)
					pk, err := profiles.NewPicker(p, self, dispatchtest.MustCodeServer(t), pool, 1)
					if err != nil {
						t.Fatal(err)
					}
					for range picks {
						i, err := pk.Pick(context.Background())
						if err != nil {
							t.Fatal(err)
						}
						if i < 0 || i >= pool {
							t.Fatalf("Pick = %d, outside the pool of %d", i, pool)
						}
					}
					trips := uint64(picks * p.RoundTripsPerPick)
					check := []struct {
						what      string
						got, want uint64
					}{
						{"Picks", pk.Picks(), picks},
						{"ProtocolCalls", pk.ProtocolCalls(), uint64(picks * p.ProtocolCallsPerPick)},
						{"RoundTrips", pk.RoundTrips(), trips},
						{"Scanned", pk.Scanned(), trips * uint64(depth+1)},
						{"Draws", pk.Draws(), wantDraws(p, picks, pool)},
						{"mailbox Len", uint64(self.Len()), uint64(depth)},
					}
					for _, c := range check {
						if c.got != c.want {
							t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
						}
					}
				})
			}
		}
	}
}

func wantDraws(p profiles.Profile, picks, pool int) uint64 {
	switch p.Selection {
	case profiles.CountReservoir, profiles.Reservoir:
		return uint64(picks * pool) // a list's count is unknown: reservoir
	case profiles.Uniform:
		return uint64(picks)
	}
	return 0
}

// TestPicker_Pick_marker checks the reference-tagged receive: the same
// round trips, one message looked at each.
func TestPicker_Pick_marker(t *testing.T) {
	p, err := profiles.Lookup("elixir-1.5.1")
	if err != nil {
		t.Fatal(err)
	}
	p.Receive = dispatch.ReceiveMarker
	self := mailbox.New()
	fill(self, 1000)
	pk, err := profiles.NewPicker(p, self, dispatchtest.MustCodeServer(t), 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := pk.Pick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if pk.RoundTrips() != 3 || pk.Scanned() != 3 {
		t.Errorf("RoundTrips %d Scanned %d, want 3 and 3", pk.RoundTrips(), pk.Scanned())
	}
}

// TestPicker_uniformity checks that the profiles' random pickers pick
// every worker equally often (seeded chi-square, p = 0.001).
func TestPicker_uniformity(t *testing.T) {
	const pool, picks = 8, 8000
	crit := 26.1 // chi-square, 7 degrees of freedom, upper 0.001
	for _, name := range []string{"elixir-1.5.1-consolidated", "elixir-1.6.3", "roundrobin"} {
		t.Run(name, func(t *testing.T) {
			p, err := profiles.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			pk, err := profiles.NewPicker(p, mailbox.New(), dispatchtest.MustCodeServer(t), pool, 42)
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]float64, pool)
			for range picks {
				i, err := pk.Pick(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				counts[i]++
			}
			var x2 float64
			for _, c := range counts {
				d := c - picks/pool
				x2 += d * d / (picks / pool)
			}
			if x2 > crit {
				t.Errorf("chi-square %.1f > %.1f: counts %v", x2, crit, counts)
			}
		})
	}
}

func TestPicker_Pick_serverDown(t *testing.T) {
	p, err := profiles.Lookup("elixir-1.5.1")
	if err != nil {
		t.Fatal(err)
	}
	cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
	pk, err := profiles.NewPicker(p, mailbox.New(), cs, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	cs.Stop()
	_, err = pk.Pick(context.Background())
	if !errors.Is(err, dispatch.ErrServerDown) || !strings.Contains(err.Error(), "elixir-1.5.1") {
		t.Errorf("err = %v, want ErrServerDown naming the profile", err)
	}
}

func TestNewPicker_errors(t *testing.T) {
	p151, _ := profiles.Lookup("elixir-1.5.1")
	p163, _ := profiles.Lookup("elixir-1.6.3")
	tests := []struct {
		name    string
		p       profiles.Profile
		pool    int
		noCS    bool
		wantErr string
	}{
		{"empty pool", p163, 0, false, rng.ErrEmptyPool.Error()},
		{"no code server", p151, 8, true, "needs a code server"},
		{"invalid profile", profiles.Profile{Name: "x"}, 8, false, "profile x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs *dispatch.CodeServer
			if !tt.noCS {
				cs = dispatchtest.MustCodeServer(t)
			}
			_, err := profiles.NewPicker(tt.p, mailbox.New(), cs, tt.pool, 1)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	// Profiles that make no call need no code server.
	for _, p := range profiles.All() {
		if p.NeedsCodeServer() {
			continue
		}
		if _, err := profiles.NewPicker(p, mailbox.New(), nil, 8, 1); err != nil {
			t.Errorf("%s without a code server: %v", p.Name, err)
		}
	}
}

func TestStartPicker(t *testing.T) {
	for _, p := range profiles.All() {
		t.Run(p.Name, func(t *testing.T) {
			mailboxtest.MustNotLeak(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			self := mailbox.New()
			fill(self, 10)
			pk, stop, err := profiles.StartPicker(ctx, p, self, 8, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if _, err := pk.Pick(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := pk.RoundTrips(), uint64(p.RoundTripsPerPick); got != want {
				t.Errorf("RoundTrips = %d, want %d", got, want)
			}
			cancel() // stops the code server: a calling profile now fails
			if p.RoundTripsPerPick > 0 {
				_, err := pk.Pick(context.Background())
				for err == nil { // the server may answer once more before it stops
					_, err = pk.Pick(context.Background())
				}
				if !errors.Is(err, dispatch.ErrServerDown) {
					t.Errorf("after cancel: err = %v, want ErrServerDown", err)
				}
			}
			stop()
			stop()
		})
	}
	_, _, err := profiles.StartPicker(context.Background(), profiles.All()[0], mailbox.New(), 0, 1)
	if err == nil {
		t.Error("no error for an empty pool")
	}
}

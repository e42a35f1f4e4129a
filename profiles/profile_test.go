package profiles_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/profiles"
)

func TestProfiles(t *testing.T) {
	want := []string{"elixir-1.5.1", "elixir-1.5.1-otp21", "elixir-1.5.1-consolidated", "elixir-1.6.3", "elixir-1.6.3-consolidated", "roundrobin"}
	if got := profiles.Names(); !slices.Equal(got, want) {
		t.Fatalf("ProfileNames = %v, want %v", got, want)
	}
	ps := profiles.All()
	ps[0].Name = "changed" // the caller's copy
	if profiles.All()[0].Name != "elixir-1.5.1" {
		t.Error("Profiles returned the registry's own slice")
	}
	// DESIGN.md's table.
	facts := map[string]struct {
		sel          profiles.Selection
		mode         dispatch.Mode
		calls, trips int
	}{
		"elixir-1.5.1":              {profiles.CountReservoir, dispatch.Unconsolidated, 1, 1},
		"elixir-1.5.1-otp21":        {profiles.CountReservoir, dispatch.Unconsolidated, 1, 0},
		"elixir-1.5.1-consolidated": {profiles.CountReservoir, dispatch.Consolidated, 1, 0},
		"elixir-1.6.3":              {profiles.Reservoir, dispatch.Unconsolidated, 0, 0},
		"elixir-1.6.3-consolidated": {profiles.Reservoir, dispatch.Consolidated, 0, 0},
		"roundrobin":                {profiles.Modulo, dispatch.Consolidated, 0, 0},
	}
	for name, f := range facts {
		p, err := profiles.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Selection != f.sel || p.Dispatch != f.mode || p.ProtocolCallsPerPick != f.calls || p.RoundTripsPerPick != f.trips {
			t.Errorf("%s = %+v, want %+v", name, p, f)
		}
	}
	_, err := profiles.Lookup("elixir-9")
	if !errors.Is(err, profiles.ErrUnknown) || !strings.Contains(err.Error(), "roundrobin") {
		t.Errorf("LookupProfile(elixir-9): err = %v", err)
	}
}

func TestParseProfiles(t *testing.T) {
	const good = `{"name": "p", "doc": "d", "selection": "modulo", "dispatch": "consolidated", "lookup": "call", "receive": "scan", "source": "exrop"}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"ok", `{"profiles": [` + good + `]}`, ""},
		{"pcg and marker", `{"profiles": [{"name": "p", "doc": "d", "selection": "uniform", "dispatch": "cached", "lookup": "module-loaded", "receive": "marker", "source": "pcg"}]}`, ""},
		{"empty", `{"profiles": []}`, "no profiles"},
		{"not json", `{"profiles": [`, "parse profiles test.json"},
		{"unknown field", `{"profiles": [{"name": "p", "colour": "red"}]}`, `unknown field "colour"`},
		{"duplicate", `{"profiles": [` + good + `,` + good + `]}`, "profile 2: name p used twice"},
		{"no name", `{"profiles": [{"doc": "d"}]}`, "profile 1: profile without a name"},
		{"bad selection", `{"profiles": [{"name": "p", "doc": "d", "selection": "dice"}]}`, `selection "dice"`},
		{"bad dispatch", `{"profiles": [{"name": "p", "doc": "d", "selection": "modulo", "dispatch": "magic", "source": "exrop"}]}`, `dispatch mode "magic"`},
		{"bad source", `{"profiles": [{"name": "p", "doc": "d", "selection": "modulo", "dispatch": "cached", "source": "dice"}]}`, `source "dice"`},
		{"two-line doc", `{"profiles": [{"name": "p", "doc": "a\nb"}]}`, "one non-empty line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := profiles.Parse("test.json", strings.NewReader(tt.in))
			if tt.wantErr == "" {
				if err != nil || len(ps) != 1 {
					t.Fatalf("got %d profiles, %v", len(ps), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

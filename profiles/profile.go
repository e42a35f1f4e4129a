package profiles

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/benchdb/benchdb/dispatch"
)

// ErrUnknown is returned (wrapped) by Lookup for a name that
// no profile has.
var ErrUnknown = errors.New("unknown profile")

// A Selection says how a profile picks a worker from a list.
type Selection string

// Selections.
const (
	// CountReservoir is Elixir 1.5's Enum.random on a list:
	// Enumerable.count through the protocol (one dispatch), which for a
	// list answers "unknown", then a reservoir sample (one draw per
	// element).
	CountReservoir Selection = "count-reservoir"
	// Reservoir is Elixir 1.6's list clause: the reservoir sample, no
	// protocol call.
	Reservoir Selection = "reservoir"
	// Modulo is a round-robin counter: no draw, no call.
	Modulo Selection = "modulo"
	// Uniform is one plain draw of an index, for comparison.
	Uniform Selection = "uniform"
)

// Sources of random numbers a profile can draw from.
const (
	SourceExrop = "exrop" // rng.Exrop, OTP's default
	SourcePCG   = "pcg"   // math/rand/v2's PCG
)

// A Profile is one runtime version's set of choices. Its JSON form is the
// one in profiles.json and in `benchdb profiles --format json`.
type Profile struct {
	Name string `json:"name"`
	// Doc is one line saying what the profile models.
	Doc string `json:"doc"`
	// Elixir and OTP are the versions modelled, where there are any.
	Elixir string `json:"elixir,omitempty"`
	OTP    string `json:"otp,omitempty"`

	Selection Selection            `json:"selection"`
	Dispatch  dispatch.Mode        `json:"dispatch"`
	Lookup    dispatch.Lookup      `json:"lookup"`
	Receive   dispatch.ReceiveMode `json:"receive"`
	// Source is the PRNG a pick draws from: "exrop" or "pcg".
	Source string `json:"source"`

	// ProtocolCallsPerPick and RoundTripsPerPick are the facts from the
	// Elixir and OTP sources (DESIGN.md's profile table) that a Picker
	// for the profile must reproduce: protocol dispatches, and code
	// server round trips, per pick from a list.
	ProtocolCallsPerPick int `json:"protocol_calls_per_pick"`
	RoundTripsPerPick    int `json:"round_trips_per_pick"`
}

// Validate reports the first problem with p: a missing name or doc, or an
// unknown selection, dispatch, lookup, receive mode or source.
func (p Profile) Validate() error {
	if p.Name == "" {
		return errors.New("profile without a name")
	}
	if p.Doc == "" || strings.Contains(p.Doc, "\n") {
		return fmt.Errorf("profile %s: doc must be one non-empty line", p.Name)
	}
	switch p.Selection {
	case CountReservoir, Reservoir, Modulo, Uniform:
	default:
		return fmt.Errorf("profile %s: selection %q: want %s, %s, %s or %s",
			p.Name, p.Selection, CountReservoir, Reservoir, Modulo, Uniform)
	}
	if err := p.DispatchOptions().Validate(); err != nil {
		return fmt.Errorf("profile %s: %w", p.Name, err)
	}
	switch p.Source {
	case SourceExrop, SourcePCG:
	default:
		return fmt.Errorf("profile %s: source %q: want %s or %s", p.Name, p.Source, SourceExrop, SourcePCG)
	}
	if p.ProtocolCallsPerPick < 0 || p.RoundTripsPerPick < 0 {
		return fmt.Errorf("profile %s: negative calls per pick", p.Name)
	}
	return nil
}

// DispatchOptions returns the dispatch options the profile sets.
func (p Profile) DispatchOptions() dispatch.Options {
	return dispatch.Options{Mode: p.Dispatch, Lookup: p.Lookup, Receive: p.Receive}
}

// Parse reads a profiles file ({"profiles": [...]}) from r and
// validates each profile. name is the file's name in errors. Unknown
// fields and duplicate names are errors.
func Parse(name string, r io.Reader) ([]Profile, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var file struct {
		Profiles []Profile `json:"profiles"`
	}
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("parse profiles %s: %w", name, err)
	}
	if len(file.Profiles) == 0 {
		return nil, fmt.Errorf("parse profiles %s: no profiles", name)
	}
	seen := make(map[string]bool)
	for i, p := range file.Profiles {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("parse profiles %s: profile %d: %w", name, i+1, err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("parse profiles %s: profile %d: name %s used twice", name, i+1, p.Name)
		}
		seen[p.Name] = true
	}
	return file.Profiles, nil
}

//go:embed profiles.json
var profilesJSON []byte

// builtinProfiles is parsed from profiles.json at init and never changed.
var builtinProfiles = mustParseProfiles()

func mustParseProfiles() []Profile {
	ps, err := Parse("profiles/profiles.json", bytes.NewReader(profilesJSON))
	if err != nil {
		panic(err) // the embedded file is part of the program
	}
	return ps
}

// All returns the built-in profiles, in the order of profiles.json.
// The slice is the caller's.
func All() []Profile {
	return append([]Profile(nil), builtinProfiles...)
}

// Names returns the built-in profiles' names, in order.
func Names() []string {
	names := make([]string, len(builtinProfiles))
	for i, p := range builtinProfiles {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the built-in profile called name, or an error
// wrapping ErrUnknown that lists the known names.
func Lookup(name string) (Profile, error) {
	for _, p := range builtinProfiles {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("profile %q: %w (known: %s)", name, ErrUnknown, strings.Join(Names(), ", "))
}

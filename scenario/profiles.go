package scenario

import (
	"context"

	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/profiles"
)

// FromSuite returns the scenario's view of a version profile: k is the
// profile's code-server round trips per pick, and its picker is
// profiles.StartPicker's, with a code server of its own (started and
// stopped with the run) when the profile calls one.
func FromSuite(p profiles.Profile) Profile {
	return Profile{
		Name:  p.Name,
		Calls: p.RoundTripsPerPick,
		NewPicker: func(ctx context.Context, self *mailbox.Mailbox, pool int, seed uint64) (Picker, func(), error) {
			return profiles.StartPicker(ctx, p, self, pool, seed)
		},
	}
}

// Profiles returns the built-in version profiles (profiles.All), in
// their order.
func Profiles() []Profile {
	var out []Profile
	for _, p := range profiles.All() {
		out = append(out, FromSuite(p))
	}
	return out
}

// LookupProfile returns the built-in profile with the given name.
func LookupProfile(name string) (Profile, error) {
	p, err := profiles.Lookup(name)
	if err != nil {
		return Profile{}, err
	}
	return FromSuite(p), nil
}

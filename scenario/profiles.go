package scenario

import (
	"context"
	"fmt"
	"strings"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/rng"
)

// pickerSpec is how a version profile picks a worker: an optional
// Enumerable.count dispatch on the pool (a list), then a selection.
type pickerSpec struct {
	name     string
	count    *dispatch.Options // nil: no protocol call
	strategy rng.Strategy
	calls    int
}

// specs are the version profiles of DESIGN.md.
func specs() []pickerSpec {
	return []pickerSpec{
		{"elixir-1.5.1", &dispatch.Options{Mode: dispatch.Unconsolidated, Lookup: dispatch.LookupCall, Receive: dispatch.ReceiveScan}, rng.Reservoir, 1},
		{"elixir-1.5.1-consolidated", &dispatch.Options{Mode: dispatch.Consolidated}, rng.Reservoir, 0},
		{"elixir-1.6.3", nil, rng.Reservoir, 0},
		{"elixir-1.6.3-consolidated", nil, rng.Reservoir, 0},
		{"roundrobin", nil, rng.Modulo, 0},
	}
}

// Profiles returns the built-in version profiles, in DESIGN.md's order.
func Profiles() []Profile {
	var out []Profile
	for _, s := range specs() {
		out = append(out, s.profile())
	}
	return out
}

// LookupProfile returns the built-in profile with the given name.
func LookupProfile(name string) (Profile, error) {
	var names []string
	for _, p := range Profiles() {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("unknown profile %q: want one of %s", name, strings.Join(names, ", "))
}

func (s pickerSpec) profile() Profile {
	return Profile{
		Name:  s.name,
		Calls: s.calls,
		NewPicker: func(ctx context.Context, self *mailbox.Mailbox, pool int, seed uint64) (Picker, func(), error) {
			sel, err := rng.NewSelector(s.strategy, rng.NewExrop(seed))
			if err != nil {
				return nil, nil, err
			}
			p := &specPicker{sel: sel, pool: dispatch.Value{Type: dispatch.List, Len: pool}}
			stop := func() {}
			if s.count != nil {
				var cs *dispatch.CodeServer
				if s.count.Mode != dispatch.Consolidated {
					cs = dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
					stop = cs.Stop
				}
				p.count, err = dispatch.NewDispatcher(dispatch.NewEnumerable(), self, cs, *s.count)
				if err != nil {
					stop()
					return nil, nil, err
				}
			}
			return p, stop, nil
		},
	}
}

// specPicker picks as Enum.random(list) does in the profile's version.
type specPicker struct {
	count *dispatch.Dispatcher
	sel   rng.Selector
	pool  dispatch.Value
}

func (p *specPicker) Pick(ctx context.Context) (int, error) {
	if p.count != nil {
		if _, _, err := p.count.Count(ctx, p.pool); err != nil {
			return 0, err
		}
	}
	return p.sel.Pick(p.pool.Len)
}

package profiles

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/rng"
)

// A Picker picks a worker from a pool (an Elixir list of P workers) the
// way a profile does, making exactly the protocol dispatches and code
// server calls that profile makes, with their replies received through
// the mailbox of the process that picks. A Picker belongs to that
// process: Pick must be called from one goroutine at a time. RoundTrips
// and Scanned may be read from any goroutine while it picks; Picks,
// ProtocolCalls and Draws, bumped on every pick, are plain counters for
// the owner (or for anyone once the owner has stopped), so that a pick
// costs no atomic operation.
type Picker struct {
	profile Profile
	pool    dispatch.Value

	sel  rng.Selector         // the profile's selection (the reservoir after a count)
	disp *dispatch.Dispatcher // CountReservoir only: Enumerable.count

	picks uint64
}

// NeedsCodeServer reports whether a Picker for p calls a code server: its
// selection dispatches Enumerable.count and its protocols are not
// consolidated.
func (p Profile) NeedsCodeServer() bool {
	return p.Selection == CountReservoir && p.Dispatch != dispatch.Consolidated
}

// NewPicker returns a picker for profile p in the process that owns self,
// over a pool of pool workers, drawing from a generator seeded with seed.
// cs is the code server its dispatches call; it may be nil when
// p.NeedsCodeServer() is false. It returns an error for an invalid
// profile, a pool smaller than 1, or a missing code server.
func NewPicker(p Profile, self *mailbox.Mailbox, cs *dispatch.CodeServer, pool int, seed uint64) (*Picker, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("new picker: %w", err)
	}
	if pool < 1 {
		return nil, fmt.Errorf("new picker %s: pool of %d workers: %w", p.Name, pool, rng.ErrEmptyPool)
	}
	if self == nil {
		return nil, fmt.Errorf("new picker %s: nil mailbox", p.Name)
	}
	if p.NeedsCodeServer() && cs == nil {
		return nil, fmt.Errorf("new picker %s: %s dispatch needs a code server", p.Name, p.Dispatch)
	}
	var src rng.Source
	switch p.Source {
	case SourcePCG:
		src = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	default:
		src = rng.NewExrop(seed)
	}
	pk := &Picker{profile: p, pool: dispatch.Value{Type: dispatch.List, Len: pool}}
	var err error
	switch p.Selection {
	case CountReservoir:
		pk.sel = &rng.ReservoirSelector{Source: src}
		if !p.NeedsCodeServer() {
			cs = nil
		}
		if cs != nil && p.Lookup == dispatch.LookupModuleLoaded {
			// A running release has loaded its modules long before the
			// first pick: OTP 21's short cut then answers every lookup
			// locally.
			cs.Preload(dispatch.NewEnumerable().Modules()...)
		}
		pk.disp, err = dispatch.NewDispatcher(dispatch.NewEnumerable(), self, cs, p.DispatchOptions())
	case Reservoir:
		pk.sel, err = rng.NewSelector(rng.Reservoir, src)
	case Uniform:
		pk.sel, err = rng.NewSelector(rng.Uniform, src)
	case Modulo:
		pk.sel, err = rng.NewSelector(rng.Modulo, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("new picker %s: %w", p.Name, err)
	}
	return pk, nil
}

// StartPicker is NewPicker for a process that has no code server to
// share: it starts one if p needs it (NeedsCodeServer), and stop stops
// it. The server also stops when ctx is done. stop waits for the server
// goroutine to end and is safe to call more than once.
func StartPicker(ctx context.Context, p Profile, self *mailbox.Mailbox, pool int, seed uint64) (pk *Picker, stop func(), err error) {
	if !p.NeedsCodeServer() {
		pk, err = NewPicker(p, self, nil, pool, seed)
		return pk, func() {}, err
	}
	cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
	unwatch := context.AfterFunc(ctx, cs.Stop)
	stop = func() {
		unwatch()
		cs.Stop()
	}
	pk, err = NewPicker(p, self, cs, pool, seed)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return pk, stop, nil
}

// Profile returns the picker's profile.
func (pk *Picker) Profile() Profile { return pk.profile }

// Pick returns the index of the chosen worker, in [0, pool). Under a
// count-reservoir profile it first dispatches Enumerable.count for the
// list, which for an unconsolidated protocol is a code server call, and
// returns that call's error (ErrServerDown, ctx.Err()) if it fails. A
// list does not know its count ({:error, Enumerable.List}), so the pick
// is then the reservoir sample, as in Elixir 1.5.
func (pk *Picker) Pick(ctx context.Context) (int, error) {
	pk.picks++
	if pk.disp != nil {
		if _, _, err := pk.disp.Count(ctx, pk.pool); err != nil {
			return 0, fmt.Errorf("pick (%s): %w", pk.profile.Name, err)
		}
	}
	return pk.sel.Pick(pk.pool.Len)
}

// Picks reports how many picks were made.
func (pk *Picker) Picks() uint64 { return pk.picks }

// ProtocolCalls reports how many protocol dispatches the picks made.
func (pk *Picker) ProtocolCalls() uint64 {
	if pk.disp == nil {
		return 0
	}
	return pk.disp.Dispatches()
}

// RoundTrips reports how many code server calls the picks made.
func (pk *Picker) RoundTrips() uint64 {
	if pk.disp == nil {
		return 0
	}
	return pk.disp.RoundTrips()
}

// Scanned reports how many messages of the picking process's mailbox the
// code server calls looked at.
func (pk *Picker) Scanned() uint64 {
	if pk.disp == nil {
		return 0
	}
	return pk.disp.Scanned()
}

// Draws reports how many random values the picks drew.
func (pk *Picker) Draws() uint64 { return pk.sel.Draws() }

package dispatch

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/benchdb/benchdb/mailbox"
)

// A Mode says how a dispatch finds a protocol's implementation.
type Mode string

// Dispatch modes.
const (
	// Consolidated looks the implementation up in a table built at
	// compile time: no call.
	Consolidated Mode = "consolidated"
	// Unconsolidated asks the code server on every dispatch whether the
	// implementation module is loaded.
	Unconsolidated Mode = "unconsolidated"
	// Cached asks the code server once per type and remembers the answer.
	Cached Mode = "cached"
)

// A Lookup says how an unconsolidated or cached dispatch asks whether a
// module is loaded.
type Lookup string

// Lookups.
const (
	// LookupCall always calls the code server, as code:ensure_loaded does
	// in OTP 20.
	LookupCall Lookup = "call"
	// LookupModuleLoaded checks erlang:module_loaded first and calls only
	// for a module not loaded yet, as OTP 21 does.
	LookupModuleLoaded Lookup = "module-loaded"
)

// Options configure a Dispatcher. The zero Lookup is LookupCall and the
// zero Receive is ReceiveScan, OTP 20's behaviour; Mode must be set.
type Options struct {
	Mode    Mode
	Lookup  Lookup
	Receive ReceiveMode
}

// Validate reports an error for an unknown mode, lookup or receive mode.
func (o Options) Validate() error {
	switch o.Mode {
	case Consolidated, Unconsolidated, Cached:
	default:
		return fmt.Errorf("dispatch mode %q: want %s, %s or %s", o.Mode, Consolidated, Unconsolidated, Cached)
	}
	switch o.Lookup {
	case "", LookupCall, LookupModuleLoaded:
	default:
		return fmt.Errorf("lookup %q: want %s or %s", o.Lookup, LookupCall, LookupModuleLoaded)
	}
	switch o.Receive {
	case "", ReceiveScan, ReceiveMarker:
	default:
		return fmt.Errorf("receive mode %q: want %s or %s", o.Receive, ReceiveScan, ReceiveMarker)
	}
	return nil
}

// A Dispatcher dispatches a protocol's functions for one process, the
// owner of the mailbox self, through which its code server calls receive
// their replies. Like the mailbox's receive, a Dispatcher is used by that
// one goroutine. RoundTrips and Scanned may be read from any goroutine
// while it runs; Dispatches, bumped on every dispatch, is a plain counter
// for the owner (or for anyone once the owner has stopped), so that a
// consolidated dispatch costs no atomic operation.
type Dispatcher struct {
	proto *Protocol
	self  *mailbox.Mailbox
	cs    *CodeServer
	opts  Options

	// The options as flags, so that a dispatch compares no strings.
	consolidated, cached, moduleLoaded bool

	modules [numTypes]ModuleID // the module each type's dispatch asks for
	cache   [numTypes]*Impl    // Cached: implementations found so far

	dispatches uint64
	roundTrips atomic.Uint64
	scanned    atomic.Uint64
}

// NewDispatcher returns a dispatcher for p in the process that owns self.
// cs may be nil for the Consolidated mode only.
func NewDispatcher(p *Protocol, self *mailbox.Mailbox, cs *CodeServer, opts Options) (*Dispatcher, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("new dispatcher: %w", err)
	}
	if opts.Lookup == "" {
		opts.Lookup = LookupCall
	}
	if opts.Receive == "" {
		opts.Receive = ReceiveScan
	}
	if p == nil || self == nil {
		return nil, fmt.Errorf("new dispatcher: nil protocol or mailbox")
	}
	if cs == nil && opts.Mode != Consolidated {
		return nil, fmt.Errorf("new dispatcher: %s dispatch needs a code server", opts.Mode)
	}
	d := &Dispatcher{
		proto: p, self: self, cs: cs, opts: opts,
		consolidated: opts.Mode == Consolidated,
		cached:       opts.Mode == Cached,
		moduleLoaded: opts.Lookup == LookupModuleLoaded,
	}
	for t := range numTypes {
		d.modules[t] = NoModule
		if cs != nil {
			d.modules[t] = cs.Module(p.Module(t))
		}
	}
	return d, nil
}

// Options returns the dispatcher's options, with defaults filled in.
func (d *Dispatcher) Options() Options { return d.opts }

// ImplFor returns the implementation of the protocol for v's type, found
// as the dispatcher's mode says. It returns an *UndefinedError if there is
// none, and an error wrapping ErrServerDown if a code server call it
// needed got the 'DOWN' clause.
func (d *Dispatcher) ImplFor(ctx context.Context, v Value) (*Impl, error) {
	d.dispatches++
	t := v.Type
	if t < 0 || t >= numTypes {
		return nil, &UndefinedError{Protocol: d.proto.name, Value: v}
	}
	if d.consolidated {
		if im := d.proto.impls[t]; im != nil {
			return im, nil
		}
		return nil, &UndefinedError{Protocol: d.proto.name, Value: v}
	}
	if d.cached {
		if im := d.cache[t]; im != nil {
			return im, nil
		}
	}
	loaded, err := d.ensureLoaded(ctx, d.modules[t])
	if err != nil {
		return nil, fmt.Errorf("dispatch %s for %v: %w", d.proto.name, v, err)
	}
	im := d.proto.impls[t]
	if !loaded || im == nil {
		return nil, &UndefinedError{Protocol: d.proto.name, Value: v}
	}
	if d.cached {
		d.cache[t] = im
	}
	return im, nil
}

// Count dispatches the protocol's count function for v: it returns the
// number of elements and true, or false if the type does not know it in
// O(1) (a list), or the dispatch's error.
func (d *Dispatcher) Count(ctx context.Context, v Value) (int, bool, error) {
	im, err := d.ImplFor(ctx, v)
	if err != nil {
		return 0, false, err
	}
	n, ok := im.Count(v)
	return n, ok, nil
}

// ensureLoaded is Code.ensure_compiled? for the module: a local check or
// a code server call, as the lookup says.
func (d *Dispatcher) ensureLoaded(ctx context.Context, id ModuleID) (bool, error) {
	if d.moduleLoaded && d.cs.ModuleLoaded(id) {
		return true, nil
	}
	before := d.self.Scanned()
	loaded, err := d.cs.EnsureLoaded(ctx, d.self, id, d.opts.Receive)
	d.roundTrips.Add(1)
	d.scanned.Add(d.self.Scanned() - before)
	return loaded, err
}

// Dispatches reports how many dispatches (ImplFor or Count) were made. It
// is for the owning goroutine, or for others after the owner stopped.
func (d *Dispatcher) Dispatches() uint64 { return d.dispatches }

// RoundTrips reports how many code server calls the dispatches made.
func (d *Dispatcher) RoundTrips() uint64 { return d.roundTrips.Load() }

// Scanned reports how many messages of the owner's mailbox the code
// server calls' receives looked at.
func (d *Dispatcher) Scanned() uint64 { return d.scanned.Load() }

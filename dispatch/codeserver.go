package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/benchdb/benchdb/mailbox"
)

// Message kinds of the code server protocol. They are negative so that
// they never clash with an application's own kinds (>= 0) in a shared
// mailbox.
const (
	// KindCall is a request to the code server: Tag is the ModuleID,
	// Ref the caller's reference, Body the caller's *mailbox.Mailbox.
	KindCall int32 = -1 - iota
	// KindReply is the server's answer, {code_server, Reply}: Tag is 1
	// if the module is loaded and 0 if there is no such module, Ref the
	// request's reference.
	KindReply
	// KindDown is a monitor's 'DOWN' message: Ref is the monitor's
	// reference.
	KindDown
)

// ErrServerDown is returned (wrapped) by a call whose code server stopped
// before it replied: the 'DOWN' clause of code_server:call.
var ErrServerDown = errors.New("code server down")

// A ModuleID names a module on a code server's path. NoModule stands for
// a module that is not on the path: asking for it costs a round trip and
// gets "no such module" back.
type ModuleID int32

// NoModule is the ModuleID of a module that is not on the code path.
const NoModule ModuleID = -1

// A ReceiveMode says how a call finds its reply in the caller's mailbox.
type ReceiveMode string

// Receive modes.
const (
	// ReceiveScan scans from the head of the mailbox, as OTP 20's
	// code_server:call does: its reply pattern {code_server, Reply} holds
	// no reference, so every queued message is looked at.
	ReceiveScan ReceiveMode = "scan"
	// ReceiveMarker skips what was queued before the request, as BEAM
	// does for a reference-tagged receive (gen_server:call).
	ReceiveMarker ReceiveMode = "marker"
)

// A CodeServer is the model of Erlang's code_server: one goroutine with
// its own mailbox that answers ensure_loaded requests one at a time. It
// loads a module on the first request for it. Its methods are safe for
// concurrent use.
type CodeServer struct {
	mb      *mailbox.Mailbox
	ids     map[string]ModuleID
	names   []string
	loaded  []atomic.Bool
	answers atomic.Uint64
	done    chan struct{}

	mu       sync.Mutex
	monitors map[monitorKey]struct{}
	stopped  bool
}

type monitorKey struct {
	caller *mailbox.Mailbox
	ref    uint64
}

// NewCodeServer starts a code server whose code path holds the named
// modules, none of them loaded yet. Stop it with Stop.
func NewCodeServer(path ...string) *CodeServer {
	cs := newCodeServer(path)
	go cs.serve()
	return cs
}

// newCodeServer returns a code server that is not serving yet.
func newCodeServer(path []string) *CodeServer {
	cs := &CodeServer{
		mb:       mailbox.New(),
		ids:      make(map[string]ModuleID, len(path)),
		loaded:   make([]atomic.Bool, len(path)),
		done:     make(chan struct{}),
		monitors: make(map[monitorKey]struct{}),
	}
	for _, name := range path {
		if _, dup := cs.ids[name]; dup {
			continue
		}
		cs.ids[name] = ModuleID(len(cs.names))
		cs.names = append(cs.names, name)
	}
	cs.loaded = cs.loaded[:len(cs.names)]
	return cs
}

// serve is the server process: receive a request, answer it, repeat,
// until the mailbox is closed.
func (cs *CodeServer) serve() {
	defer close(cs.done)
	ctx := context.Background()
	isCall := func(m *mailbox.Message) bool { return m.Kind == KindCall }
	for {
		req, err := cs.mb.Receive(ctx, isCall)
		if err != nil {
			return // closed by Stop
		}
		caller, ok := req.Body.(*mailbox.Mailbox)
		if !ok {
			continue
		}
		var found int32
		if id := ModuleID(req.Tag); id >= 0 && int(id) < len(cs.loaded) {
			cs.loaded[id].Store(true)
			found = 1
		}
		cs.answers.Add(1)
		caller.Send(mailbox.Message{Kind: KindReply, Tag: found, Ref: req.Ref})
	}
}

// Module returns the ModuleID of the named module, or NoModule if it is
// not on the code path.
func (cs *CodeServer) Module(name string) ModuleID {
	if id, ok := cs.ids[name]; ok {
		return id
	}
	return NoModule
}

// ModuleLoaded reports whether the module is loaded, without a call: the
// erlang:module_loaded check OTP 21 puts in front of code:ensure_loaded.
func (cs *CodeServer) ModuleLoaded(id ModuleID) bool {
	return id >= 0 && int(id) < len(cs.loaded) && cs.loaded[id].Load()
}

// Preload marks the named modules on the code path as loaded without a
// call, as a release booted in embedded mode has them loaded before any
// process runs. Names not on the path are ignored. Safe for concurrent use.
func (cs *CodeServer) Preload(names ...string) {
	for _, name := range names {
		if id := cs.Module(name); id != NoModule {
			cs.loaded[id].Store(true)
		}
	}
}

// Answers reports how many requests the server has answered.
func (cs *CodeServer) Answers() uint64 { return cs.answers.Load() }

// Len reports the number of requests queued in the server's mailbox.
func (cs *CodeServer) Len() int { return cs.mb.Len() }

// EnsureLoaded asks the server, with a synchronous call from the process
// that owns self, to load module id, and reports whether it exists. The
// reply is received through self, from the head (ReceiveScan) or from a
// marker made before the request (ReceiveMarker). If the server stops
// before it replies, EnsureLoaded returns an error wrapping
// ErrServerDown; if ctx ends first, ctx.Err() (a late reply then stays in
// self, as it would in Erlang).
//
// The call is code_server:call of OTP 20: monitor the server, send the
// request, receive {code_server, Reply} or the monitor's 'DOWN', then
// demonitor.
func (cs *CodeServer) EnsureLoaded(ctx context.Context, self *mailbox.Mailbox, id ModuleID, mode ReceiveMode) (bool, error) {
	ref := self.MakeRef()
	var opts mailbox.ReceiveOptions
	var match mailbox.Match
	switch mode {
	case ReceiveScan, "":
		match = func(m *mailbox.Message) bool {
			return m.Kind == KindReply || (m.Kind == KindDown && m.Ref == ref)
		}
	case ReceiveMarker:
		opts.From = self.Mark()
		match = func(m *mailbox.Message) bool {
			return (m.Kind == KindReply || m.Kind == KindDown) && m.Ref == ref
		}
	default:
		return false, fmt.Errorf("code server call: unknown receive mode %q", mode)
	}
	cs.monitor(self, ref)
	cs.mb.Send(mailbox.Message{Kind: KindCall, Tag: int32(id), Ref: ref, Body: self})
	m, err := self.ReceiveWith(ctx, match, opts)
	if err != nil {
		cs.demonitor(ctx, self, ref, opts.From)
		return false, fmt.Errorf("code server call: %w", err)
	}
	if m.Kind == KindDown {
		return false, fmt.Errorf("code server call ensure_loaded %s: %w", cs.name(id), ErrServerDown)
	}
	cs.demonitor(ctx, self, ref, opts.From)
	return m.Tag == 1, nil
}

func (cs *CodeServer) name(id ModuleID) string {
	if id >= 0 && int(id) < len(cs.names) {
		return cs.names[id]
	}
	return "(not on path)"
}

// monitor makes the server send a KindDown message with ref to caller when
// it stops, or at once if it has stopped already.
func (cs *CodeServer) monitor(caller *mailbox.Mailbox, ref uint64) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.stopped {
		caller.Send(mailbox.Message{Kind: KindDown, Ref: ref})
		return
	}
	cs.monitors[monitorKey{caller, ref}] = struct{}{}
}

// demonitor removes the monitor. If the server already stopped and sent
// its 'DOWN' message, demonitor takes that message out of the caller's
// mailbox (erlang:demonitor(Ref, [flush])): Stop sends it under the lock,
// so it is queued by the time demonitor sees the monitor gone.
func (cs *CodeServer) demonitor(ctx context.Context, caller *mailbox.Mailbox, ref uint64, from mailbox.Marker) {
	cs.mu.Lock()
	key := monitorKey{caller, ref}
	_, active := cs.monitors[key]
	delete(cs.monitors, key)
	cs.mu.Unlock()
	if active {
		return
	}
	isDown := func(m *mailbox.Message) bool { return m.Kind == KindDown && m.Ref == ref }
	caller.ReceiveWith(ctx, isDown, mailbox.ReceiveOptions{From: from})
}

// Stop stops the server: callers waiting for a reply, and later callers,
// get ErrServerDown. It waits for the server goroutine to end and is safe
// to call more than once.
func (cs *CodeServer) Stop() {
	cs.mu.Lock()
	if !cs.stopped {
		cs.stopped = true
		for k := range cs.monitors {
			k.caller.Send(mailbox.Message{Kind: KindDown, Ref: k.ref})
		}
		clear(cs.monitors)
	}
	cs.mu.Unlock()
	cs.mb.Close()
	<-cs.done
}

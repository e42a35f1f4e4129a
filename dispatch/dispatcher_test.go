package dispatch_test

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
)

func TestDispatcher_Count(t *testing.T) {
	const depth, calls = 500, 4
	list := dispatch.Value{Type: dispatch.List, Len: 8}
	tests := []struct {
		opts           dispatch.Options
		wantRoundTrips uint64
		wantScanned    uint64
	}{
		{dispatch.Options{Mode: dispatch.Consolidated}, 0, 0},
		{dispatch.Options{Mode: dispatch.Unconsolidated}, calls, calls * (depth + 1)},
		{dispatch.Options{Mode: dispatch.Unconsolidated, Receive: dispatch.ReceiveMarker}, calls, calls},
		{dispatch.Options{Mode: dispatch.Unconsolidated, Lookup: dispatch.LookupModuleLoaded}, 1, depth + 1},
		{dispatch.Options{Mode: dispatch.Cached}, 1, depth + 1},
		{dispatch.Options{Mode: dispatch.Cached, Lookup: dispatch.LookupModuleLoaded, Receive: dispatch.ReceiveMarker}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.opts.Mode, tt.opts.Lookup, tt.opts.Receive), func(t *testing.T) {
			mailboxtest.MustNotLeak(t)
			cs := dispatchtest.MustCodeServer(t)
			self := mailbox.New()
			fill(self, depth)
			d, err := dispatch.NewDispatcher(dispatch.NewEnumerable(), self, cs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for range calls {
				n, ok, err := d.Count(context.Background(), list)
				if err != nil {
					t.Fatal(err)
				}
				if n != 0 || ok {
					t.Errorf("Count(list) = %d, %t; want 0, false (a list must be walked)", n, ok)
				}
			}
			if got := d.Dispatches(); got != calls {
				t.Errorf("Dispatches = %d, want %d", got, calls)
			}
			if got := d.RoundTrips(); got != tt.wantRoundTrips {
				t.Errorf("RoundTrips = %d, want %d", got, tt.wantRoundTrips)
			}
			if got := cs.Answers(); got != tt.wantRoundTrips {
				t.Errorf("server Answers = %d, want %d", got, tt.wantRoundTrips)
			}
			if got := d.Scanned(); got != tt.wantScanned {
				t.Errorf("Scanned = %d, want %d", got, tt.wantScanned)
			}
			checkEvents(t, self, depth)
		})
	}
}

func TestDispatcher_ImplFor_undefined(t *testing.T) {
	tuple := dispatch.Value{Type: dispatch.Tuple, Len: 2}
	tests := []struct {
		mode           dispatch.Mode
		wantRoundTrips uint64 // for two dispatches
	}{
		{dispatch.Consolidated, 0},
		{dispatch.Unconsolidated, 2},
		{dispatch.Cached, 2}, // a missing implementation is not cached
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			cs := dispatchtest.MustCodeServer(t)
			d, err := dispatch.NewDispatcher(dispatch.NewEnumerable(), mailbox.New(), cs, dispatch.Options{Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				_, err = d.ImplFor(context.Background(), tuple)
				var ue *dispatch.UndefinedError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want *UndefinedError", err)
				}
				if got, want := err.Error(), "protocol Enumerable not implemented for Tuple of 2 elements"; got != want {
					t.Errorf("err = %q, want %q", got, want)
				}
			}
			if got := d.RoundTrips(); got != tt.wantRoundTrips {
				t.Errorf("RoundTrips = %d, want %d", got, tt.wantRoundTrips)
			}
		})
	}
}

func TestDispatcher_ImplFor_serverDown(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	for _, mode := range []dispatch.Mode{dispatch.Unconsolidated, dispatch.Cached} {
		t.Run(string(mode), func(t *testing.T) {
			cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
			cs.Stop()
			d, err := dispatch.NewDispatcher(dispatch.NewEnumerable(), mailbox.New(), cs, dispatch.Options{Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.ImplFor(context.Background(), dispatch.Value{Type: dispatch.List})
			if !errors.Is(err, dispatch.ErrServerDown) {
				t.Fatalf("err = %v, want ErrServerDown", err)
			}
			if !strings.Contains(err.Error(), "Enumerable.List") {
				t.Errorf("err = %q, want it to name the module", err)
			}
		})
	}
}

func TestNewDispatcher_errors(t *testing.T) {
	p := dispatch.NewEnumerable()
	tests := []struct {
		name    string
		opts    dispatch.Options
		noCS    bool
		wantErr string
	}{
		{"no mode", dispatch.Options{}, false, `dispatch mode ""`},
		{"bad mode", dispatch.Options{Mode: "fast"}, false, `dispatch mode "fast"`},
		{"bad lookup", dispatch.Options{Mode: dispatch.Cached, Lookup: "guess"}, false, `lookup "guess"`},
		{"bad receive", dispatch.Options{Mode: dispatch.Cached, Receive: "peek"}, false, `receive mode "peek"`},
		{"no server", dispatch.Options{Mode: dispatch.Unconsolidated}, true, "needs a code server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs *dispatch.CodeServer
			if !tt.noCS {
				cs = dispatchtest.MustCodeServer(t)
			}
			_, err := dispatch.NewDispatcher(p, mailbox.New(), cs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	d, err := dispatch.NewDispatcher(p, mailbox.New(), nil, dispatch.Options{Mode: dispatch.Consolidated})
	if err != nil {
		t.Fatalf("consolidated without a server: %v", err)
	}
	if o := d.Options(); o.Lookup != dispatch.LookupCall || o.Receive != dispatch.ReceiveScan {
		t.Errorf("defaults = %+v, want call and scan", o)
	}
}

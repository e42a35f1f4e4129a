package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
	"github.com/benchdb/benchdb/dispatch/dispatchtest"
	"github.com/benchdb/benchdb/mailbox"
	"github.com/benchdb/benchdb/mailbox/mailboxtest"
)

func TestCodeServer_EnsureLoaded(t *testing.T) {
	tests := []struct {
		mode        dispatch.ReceiveMode
		module      string
		depth       int
		wantLoaded  bool
		wantScanned uint64
	}{
		{dispatch.ReceiveScan, "Enumerable.List", 0, true, 1},
		{dispatch.ReceiveScan, "Enumerable.List", 1000, true, 1001},
		{dispatch.ReceiveScan, "Enumerable.Tuple", 1000, false, 1001},
		{dispatch.ReceiveMarker, "Enumerable.List", 0, true, 1},
		{dispatch.ReceiveMarker, "Enumerable.List", 1000, true, 1},
		{dispatch.ReceiveMarker, "Enumerable.Tuple", 1000, false, 1},
		{"", "Enumerable.Map", 10, true, 11}, // the zero mode scans
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/depth=%d", tt.mode, tt.module, tt.depth), func(t *testing.T) {
			mailboxtest.MustNotLeak(t)
			cs := dispatchtest.MustCodeServer(t)
			self := mailbox.New()
			fill(self, tt.depth)
			id := cs.Module(tt.module)
			if cs.ModuleLoaded(id) {
				t.Fatalf("%s loaded before any request", tt.module)
			}
			for call := 1; call <= 3; call++ {
				before := self.Scanned()
				loaded, err := cs.EnsureLoaded(context.Background(), self, id, tt.mode)
				if err != nil {
					t.Fatal(err)
				}
				if loaded != tt.wantLoaded {
					t.Errorf("call %d: loaded = %t, want %t", call, loaded, tt.wantLoaded)
				}
				if got := self.Scanned() - before; got != tt.wantScanned {
					t.Errorf("call %d: scanned %d, want %d", call, got, tt.wantScanned)
				}
				if got := cs.Answers(); got != uint64(call) {
					t.Errorf("Answers = %d after %d calls", got, call)
				}
			}
			if cs.ModuleLoaded(id) != tt.wantLoaded {
				t.Errorf("ModuleLoaded = %t, want %t", cs.ModuleLoaded(id), tt.wantLoaded)
			}
			checkEvents(t, self, tt.depth)
		})
	}
}

func TestCodeServer_Module(t *testing.T) {
	cs := dispatchtest.MustCodeServer(t)
	if id := cs.Module("Enumerable.List"); id == dispatch.NoModule {
		t.Error("Enumerable.List not on the path")
	}
	if id := cs.Module("Enumerable.Tuple"); id != dispatch.NoModule {
		t.Errorf("Enumerable.Tuple = %d, want NoModule", id)
	}
	if cs.ModuleLoaded(dispatch.NoModule) {
		t.Error("NoModule reported loaded")
	}
}

func TestCodeServer_EnsureLoaded_badMode(t *testing.T) {
	cs := dispatchtest.MustCodeServer(t)
	_, err := cs.EnsureLoaded(context.Background(), mailbox.New(), 0, "sideways")
	if err == nil {
		t.Fatal("no error for an unknown receive mode")
	}
	if cs.Answers() != 0 {
		t.Error("a call with a bad mode reached the server")
	}
}

// TestCodeServer_Stop checks that a call to a stopped server gets the
// 'DOWN' clause at once, and leaves no message behind.
func TestCodeServer_Stop(t *testing.T) {
	for _, mode := range []dispatch.ReceiveMode{dispatch.ReceiveScan, dispatch.ReceiveMarker} {
		t.Run(string(mode), func(t *testing.T) {
			mailboxtest.MustNotLeak(t)
			cs := dispatch.NewCodeServer("M")
			cs.Stop()
			cs.Stop() // harmless
			self := mailbox.New()
			fill(self, 5)
			_, err := cs.EnsureLoaded(context.Background(), self, cs.Module("M"), mode)
			if !errors.Is(err, dispatch.ErrServerDown) {
				t.Fatalf("err = %v, want ErrServerDown", err)
			}
			checkEvents(t, self, 5)
		})
	}
}

func TestCodeServer_EnsureLoaded_cancel(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	cs := dispatchtest.MustCodeServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	self := mailbox.New()
	// The call is sent; the receive then finds the context done before
	// or after the reply arrives. Either way there is an answer or an
	// error, never a hang.
	loaded, err := cs.EnsureLoaded(ctx, self, cs.Module("Enumerable.List"), dispatch.ReceiveMarker)
	if err == nil && !loaded {
		t.Error("no error and not loaded")
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestCodeServer_concurrent has several processes call one server at
// once; every call is answered through its own caller's mailbox.
func TestCodeServer_concurrent(t *testing.T) {
	mailboxtest.MustNotLeak(t)
	cs := dispatchtest.MustCodeServer(t)
	const procs, calls = 6, 200
	var wg sync.WaitGroup
	for p := range procs {
		wg.Go(func() {
			self := mailbox.New()
			fill(self, p*10)
			mode := dispatch.ReceiveScan
			if p%2 == 1 {
				mode = dispatch.ReceiveMarker
			}
			for range calls {
				loaded, err := cs.EnsureLoaded(context.Background(), self, cs.Module("Enumerable.Map"), mode)
				if err != nil || !loaded {
					t.Errorf("process %d: %t, %v", p, loaded, err)
					return
				}
			}
			if self.Len() != p*10 {
				t.Errorf("process %d: %d messages left, want %d", p, self.Len(), p*10)
			}
		})
	}
	wg.Wait()
	if got := cs.Answers(); got != procs*calls {
		t.Errorf("Answers = %d, want %d", got, procs*calls)
	}
}

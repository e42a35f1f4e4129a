package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// mustAllocsProfile returns a real pprof file (gzip-compressed protobuf)
// of this process's allocations.
func mustAllocsProfile(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("allocs").WriteTo(&buf, 0); err != nil {
		tb.Fatal(err)
	}
	if buf.Len() < 2 || buf.Bytes()[0] != 0x1f || buf.Bytes()[1] != 0x8b {
		tb.Fatalf("allocs profile is not gzip-compressed")
	}
	return buf.Bytes()
}

func mustIngestRun(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	in := "pkg: example.com/p\nBenchmarkF-2 \t 100\t 20 ns/op\nBenchmarkG-2 \t 100\t 30 ns/op\n"
	got, err := db.Ingest(context.Background(), strings.NewReader(in), store.IngestOptions{Name: "in.txt"})
	if err != nil {
		tb.Fatal(err)
	}
	return got.ID
}

func TestDB_AddProfiles(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	id := mustIngestRun(t, db)
	data := mustAllocsProfile(t)
	cpu := append([]byte(nil), data...)
	ps := []store.Profile{
		{Pkg: "example.com/p", Name: "G-2", Kind: store.ProfileAlloc, Iters: 100, Data: data},
		{Pkg: "example.com/p", Name: "F-2", Kind: store.ProfileCPU, Iters: 7, Data: cpu},
	}
	if err := db.AddProfiles(ctx, id, ps, store.ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Profiles(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Profiles: got %d, want 2", len(got))
	}
	sum := sha256.Sum256(data)
	if p := got[0]; p.Name != "F-2" || p.Kind != "cpu" || p.Iters != 7 || p.Size != int64(len(data)) || p.SHA256 != hex.EncodeToString(sum[:]) || p.RunID != id || p.Data != nil {
		t.Errorf("Profiles()[0] = %+v", p)
	}
	if p := got[1]; p.Name != "G-2" || p.Kind != "alloc" || p.Iters != 100 || p.Pkg != "example.com/p" {
		t.Errorf("Profiles()[1] = %+v", p)
	}
	back, err := db.ProfileData(ctx, got[1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, data) {
		t.Errorf("ProfileData: %d bytes read back differ from the %d stored", len(back), len(data))
	}
	if _, err := db.ProfileData(ctx, store.Profile{RunID: id, Pkg: "example.com/p", Name: "F-2", Kind: "alloc"}); !errors.Is(err, store.ErrNoProfile) {
		t.Errorf("ProfileData of a missing profile: %v, want ErrNoProfile", err)
	}

	// The same profile again fails, and stores nothing of the batch.
	again := []store.Profile{
		{Pkg: "example.com/p", Name: "F-2", Kind: store.ProfileAlloc, Iters: 1, Data: data},
		{Pkg: "example.com/p", Name: "G-2", Kind: store.ProfileAlloc, Iters: 1, Data: data},
	}
	if err := db.AddProfiles(ctx, id, again, store.ProfileOptions{}); err == nil {
		t.Error("AddProfiles of a stored profile: no error")
	}
	if got, _ := db.Profiles(ctx, id); len(got) != 2 {
		t.Errorf("after a failed AddProfiles: %d profiles, want the 2 stored before", len(got))
	}
}

func TestDB_AddProfiles_bad(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	id := mustIngestRun(t, db)
	data := mustAllocsProfile(t)
	ok := store.Profile{Pkg: "p", Name: "F-2", Kind: store.ProfileCPU, Iters: 1, Data: data}
	tests := []struct {
		name    string
		id      int64
		p       store.Profile
		opts    store.ProfileOptions
		wantErr string
		is      error
	}{
		{"over the limit", id, ok, store.ProfileOptions{MaxSize: 100}, "KiB is over the limit of 100 B: profile too large", store.ErrProfileTooLarge},
		{"unknown kind", id, store.Profile{Name: "F-2", Kind: "heap", Iters: 1, Data: data}, store.ProfileOptions{}, `profile of F-2: kind "heap": want cpu or alloc`, nil},
		{"no iterations", id, store.Profile{Name: "F-2", Kind: "cpu", Data: data}, store.ProfileOptions{}, "cpu profile of F-2: iteration count 0: want at least 1", nil},
		{"empty", id, store.Profile{Name: "F-2", Kind: "cpu", Iters: 1}, store.ProfileOptions{}, "cpu profile of F-2: empty", nil},
		{"no run", id + 1, ok, store.ProfileOptions{}, "no such run", store.ErrNoRun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.AddProfiles(ctx, tt.id, []store.Profile{ok, tt.p}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("AddProfiles: %v, want an error containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("AddProfiles: %v, want it to wrap %v", err, tt.is)
			}
			if got, _ := db.Profiles(ctx, id); len(got) != 0 {
				t.Errorf("%d profiles stored after an error, want 0", len(got))
			}
		})
	}
	if _, err := db.Profiles(ctx, id+1); !errors.Is(err, store.ErrNoRun) {
		t.Errorf("Profiles of a missing run: %v, want ErrNoRun", err)
	}
}

func TestDB_AddProfiles_setup(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	id := mustIngestRun(t, db)
	main, setup := mustAllocsProfile(t), []byte("\x1f\x8bsetup")
	ps := []store.Profile{
		{Pkg: "p", Name: "F-2", Kind: store.ProfileCPU, Iters: 1000, Data: main},
		{Pkg: "p", Name: "F-2", Kind: store.ProfileCPU, Setup: true, Iters: 1, Data: setup},
	}
	if err := db.AddProfiles(ctx, id, ps, store.ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Profiles(ctx, id)
	if err != nil || len(got) != 2 || got[0].Setup || !got[1].Setup || got[1].Iters != 1 {
		t.Fatalf("Profiles = %+v, %v", got, err)
	}
	for i, want := range [][]byte{main, setup} {
		if b, err := db.ProfileData(ctx, got[i]); err != nil || !bytes.Equal(b, want) {
			t.Errorf("ProfileData(setup=%v): %d bytes, %v", got[i].Setup, len(b), err)
		}
	}
}

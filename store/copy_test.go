package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestCopy copies the runs of a store to each backend and back to SQLite:
// runs and export are the same, and copying again stores nothing new.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	srcAddr := storetest.Backends[0].Addr(t)
	wantRuns, wantExport := fillStore(t, srcAddr)
	src, err := store.OpenReadOnly(ctx, srcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			addr := be.Addr(t)
			dst, err := store.Open(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			for pass := range 2 {
				calls := 0
				res, err := store.Copy(ctx, src, dst, nil, func(i, n int, r store.CopyResult) { calls++ })
				if err != nil {
					t.Fatal(err)
				}
				if len(res) != len(backendInputs) || calls != len(res) {
					t.Fatalf("pass %d: %d runs copied, %d progress calls; want %d", pass, len(res), calls, len(backendInputs))
				}
				for _, r := range res {
					if dup := r.Ingested.DuplicateOf != 0; dup != (pass == 1) || r.Ingested.ID != r.From {
						t.Errorf("pass %d: run %d: %+v", pass, r.From, r.Ingested)
					}
				}
			}
			// Back to a new SQLite store: the same again.
			back, err := store.Open(ctx, storetest.Backends[0].Addr(t))
			if err != nil {
				t.Fatal(err)
			}
			defer back.Close()
			if _, err := store.Copy(ctx, dst, back, nil, nil); err != nil {
				t.Fatal(err)
			}
			for _, db := range []*store.DB{dst, back} {
				var buf bytes.Buffer
				if err := db.Export(ctx, &buf, 1, 2, 3); err != nil {
					t.Fatal(err)
				}
				if buf.String() != wantExport {
					t.Errorf("%s: export differs:\n%s\nwant:\n%s", db.Path(), buf.String(), wantExport)
				}
				runs, err := db.Runs(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(runs) != 3 || runs[0].Labels["extra"] != "yes" || !runs[2].Time.Equal(mustRuns(t, src)[2].Time) {
					t.Errorf("%s: runs %+v", db.Path(), runs)
				}
			}
			_ = wantRuns
		})
	}
}

func mustRuns(t *testing.T, db *store.DB) []store.Run {
	t.Helper()
	runs, err := db.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
)

// bigInput returns benchmark output of n results with distinct names, so
// that storing it needs many pages.
func bigInput(n int) string {
	var sb strings.Builder
	sb.WriteString("goos: linux\npkg: example.com/big\n")
	for i := range n {
		fmt.Fprintf(&sb, "BenchmarkBig/case=%d-2 \t 1000\t %d ns/op\t %d B/op\n", i, 100+i%37, i%5)
	}
	return sb.String()
}

// TestDB_Ingest_full fills a store that cannot grow (Options.MaxPages, as
// a full disk): Ingest fails with ErrFull, naming the input, and leaves
// every earlier run as it was; once the store can grow again, the same
// input goes in.
func TestDB_Ingest_full(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "benchdb.sqlite")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := mustIngestFile(t, db, "testdata/roundtrip/basic.txt", store.IngestOptions{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	pages := mustQueryInt(t, path, `PRAGMA page_count`)
	before := mustDump(t, path)

	db, err = store.OpenOptions(ctx, path, store.Options{MaxPages: pages + 4})
	if err != nil {
		t.Fatal(err)
	}
	big := bigInput(5000)
	for range 2 { // a second attempt fails the same way
		_, err = db.Ingest(ctx, strings.NewReader(big), store.IngestOptions{Name: "big.txt"})
		if !errors.Is(err, store.ErrFull) {
			t.Fatalf("Ingest into a full store: %v, want ErrFull", err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "ingest big.txt: ") || !strings.HasSuffix(msg, ": database or disk is full") {
			t.Errorf("error %q: want it to name the input and say the database is full", msg)
		}
	}
	// Reading still works, and finds only the first run.
	runs, err := db.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].ID != first.ID || runs[0].Results != first.Results {
		t.Errorf("Runs after the failure: %+v, want only run %d", runs, first.ID)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after := mustDump(t, path); after != before {
		t.Errorf("the failed ingest changed the database:\nbefore\n%s\nafter\n%s", before, after)
	}
	checkIntegrity(t, path)

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Ingest(ctx, strings.NewReader(big), store.IngestOptions{Name: "big.txt"})
	if err != nil {
		t.Fatalf("Ingest once the store can grow: %v", err)
	}
	if got.Results != 5000 || got.DuplicateOf != 0 {
		t.Errorf("Ingest = %+v, want a new run of 5000 results", got)
	}
}

func TestOpenOptions_badMaxPages(t *testing.T) {
	_, err := store.OpenOptions(context.Background(), filepath.Join(t.TempDir(), "x.sqlite"), store.Options{MaxPages: -1})
	if err == nil || !strings.Contains(err.Error(), "MaxPages -1") {
		t.Errorf("got %v, want an error naming MaxPages -1", err)
	}
}

package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestPostgres_IngestNames ingests, on PostgreSQL, runs with more new
// names than one COPY sends and names shared with earlier runs, with a
// name cache too small to hold the store's names (so names are looked up
// in the database while new ones wait for their COPY): every name is
// stored once, numbered 1 to N as on SQLite, and the exports match
// SQLite's.
func TestPostgres_IngestNames(t *testing.T) {
	ctx := context.Background()
	input := func(from, to int) string {
		var sb strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&sb, "BenchmarkN%d-8 10 %d ns/op\n", i, i+1)
			if i%7 == 0 { // the same name again, not in a row
				fmt.Fprintf(&sb, "BenchmarkN%d-8 10 %d ns/op\n", from, i+2)
			}
		}
		return sb.String()
	}
	inputs := []string{input(0, 3000), input(2000, 5500), input(0, 10)}
	var exports []string
	for _, be := range storetest.Backends {
		addr := be.Addr(t)
		db, err := store.Open(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		store.SetNameCache(db, 64)
		for i, in := range inputs {
			if _, err := db.Ingest(ctx, strings.NewReader(in), store.IngestOptions{Name: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := db.Export(ctx, &buf, 1, 2, 3); err != nil {
			t.Fatal(err)
		}
		exports = append(exports, buf.String())
		if be.Name != "postgres" {
			continue
		}
		sdb, err := sql.Open("pgx", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var n, distinct, maxID int
		if err := sdb.QueryRow(`SELECT count(*), count(DISTINCT name), max(id) FROM name`).Scan(&n, &distinct, &maxID); err != nil {
			t.Fatal(err)
		}
		if n != 5500 || distinct != n || maxID != n {
			t.Errorf("names: %d rows, %d distinct, max id %d; want 5500 numbered 1 to 5500", n, distinct, maxID)
		}
	}
	if len(exports) == 2 && exports[0] != exports[1] {
		t.Errorf("exports differ between SQLite and PostgreSQL")
	}
}

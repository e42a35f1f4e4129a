// Package storetest helps tests that need a benchdb store.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/benchdb/benchdb/store"
)

// Open returns a new, empty store in a SQLite file under tb.TempDir(). It
// is closed when the test ends.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "benchdb.sqlite"))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return db
}

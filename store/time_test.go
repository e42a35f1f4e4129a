package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/store"
	"github.com/benchdb/benchdb/store/storetest"
)

// TestDB_Ingest_timeRange checks run times at the edges of what the store
// can hold: years 0000 to 9999 in UTC are stored and read back exactly;
// a time outside (such as 9999-12-31T23:59:59-23:59, year 10000 in UTC)
// is refused before anything is stored, where it once made every later
// Runs call fail.
func TestDB_Ingest_timeRange(t *testing.T) {
	tests := []struct {
		time string
		err  string
	}{
		{time: "0000-01-01T00:00:00Z"},
		{time: "9999-12-31T23:59:59.999999999Z"},
		{time: "2026-11-28T15:04:05.123456789+14:00"},
		{time: "9999-12-31T23:59:59-23:59", err: "is year 10000 in UTC"},
		{time: "0000-01-01T00:00:00+01:00", err: "is year -1 in UTC"},
	}
	db := storetest.Open(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.time, func(t *testing.T) {
			tm, err := time.Parse(time.RFC3339Nano, tt.time)
			if err != nil {
				t.Fatal(err)
			}
			input := goodLines + strings.Repeat("BenchmarkB 1 1 ns/op\n", i+1) // unique content
			got, err := db.Ingest(ctx, strings.NewReader(input), store.IngestOptions{Name: "in.txt", Time: tm})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "ingest in.txt: ") {
					t.Fatalf("Ingest: %v, want an error naming the input and saying %q", err, tt.err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				run, err := db.Run(ctx, got.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !run.Time.Equal(tm) {
					t.Errorf("stored time %v, want %v", run.Time, tm)
				}
			}
			// Every run stays readable.
			if _, err := db.Runs(ctx); err != nil {
				t.Fatalf("Runs: %v", err)
			}
		})
	}
}

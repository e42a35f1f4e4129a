package main

import (
	"context"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
)

// probeResults returns how many results of run id are the calibration
// probe's (package runner.ProbePackage), which benchdb run records with
// every run; 0 when the run cannot be read.
func probeResults(ctx context.Context, db *store.DB, id int64) int {
	n := 0
	err := db.Results(ctx, []int64{id}, func(_ int64, r *benchfmt.Result) error {
		if r.GetConfig("pkg") == runner.ProbePackage {
			n++
		}
		return nil
	})
	if err != nil {
		return 0
	}
	return n
}

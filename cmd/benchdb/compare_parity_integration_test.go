//go:build integration

package main

import "testing"

// TestCompare_ParityLong is TestCompare_Parity on the seeds after the
// default run's, up to seed 1,025 (the default run once kept 25 of them,
// and this the 1,000 after):
// go test -tags integration ./cmd/benchdb -run TestCompare_ParityLong
func TestCompare_ParityLong(t *testing.T) {
	runParity(t, paritySeeds+1, 1025-paritySeeds)
}

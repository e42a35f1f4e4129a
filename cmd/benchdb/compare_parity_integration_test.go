//go:build integration

package main

import "testing"

// TestCompare_ParityLong is TestCompare_Parity on 1,000 more seeds:
// go test -tags integration ./cmd/benchdb -run TestCompare_ParityLong
func TestCompare_ParityLong(t *testing.T) {
	runParity(t, paritySeeds+1, 1000)
}

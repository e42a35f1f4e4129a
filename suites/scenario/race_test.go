//go:build race

package scenario_test

// raceEnabled is true when the race detector is on: it slows the router
// by an order of magnitude, so the fixed settings no longer hold.
const raceEnabled = true

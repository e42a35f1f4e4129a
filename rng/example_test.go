package rng_test

import (
	"fmt"

	"github.com/benchdb/benchdb/rng"
)

// Picking from a pool of 8 writers: the reservoir sample draws once per
// writer, a uniform pick once, round robin never.
func Example() {
	for _, strategy := range rng.Strategies() {
		s, err := rng.NewSelector(strategy, rng.NewExrop(2017))
		if err != nil {
			panic(err)
		}
		var picks []int
		for range 5 {
			i, _ := s.Pick(8)
			picks = append(picks, i)
		}
		fmt.Printf("%-9s draws=%-2d in range: %t\n", strategy, s.Draws(), inRange(picks, 8))
	}
	// Output:
	// reservoir draws=40 in range: true
	// uniform   draws=5  in range: true
	// modulo    draws=0  in range: true
}

func inRange(picks []int, n int) bool {
	for _, p := range picks {
		if p < 0 || p >= n {
			return false
		}
	}
	return true
}

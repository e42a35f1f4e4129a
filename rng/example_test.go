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
		fmt.Printf("%-9s draws=%-2d picks=%v\n", strategy, s.Draws(), picks)
	}
	// Output:
	// reservoir draws=40 picks=[5 5 4 6 6]
	// uniform   draws=5  picks=[7 0 6 6 1]
	// modulo    draws=0  picks=[0 1 2 3 4]
}

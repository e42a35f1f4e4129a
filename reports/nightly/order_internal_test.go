package nightly

import (
	"slices"
	"testing"
)

func TestHistory_Normalize(t *testing.T) {
	h := &history{runs: []int{0, 2, 1, 2}, samples: [][]float64{{1}, {3}, {2}, {4}}}
	h.normalize()
	if !slices.Equal(h.runs, []int{0, 1, 2}) || len(h.samples) != 3 || !slices.Equal(h.samples[2], []float64{3, 4}) {
		t.Errorf("runs %v samples %v", h.runs, h.samples)
	}
}

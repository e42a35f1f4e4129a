package nightly

// This file tells wild single nights (spikes) from changes.

// spikyRate is the share of benchmark-nights of a series that may be
// spikes before the series counts as spiky: a machine with wild nights,
// where a change of one night alone waits for a second.
const spikyRate = 0.005

// calmNights is how many runs a series needs before a change of its
// newest night alone can be reported: until then a wild night cannot be
// told from a change, and a change waits for a second night.
const calmNights = 20

// spikyK is how many noise standard deviations a night must stand out
// from both neighbours to count towards a spiky series: normal noise does
// so once in about 2,500 nights, a heavy-tailed machine far more often.
const spikyK = 4

// spikeK is how many noise standard deviations a night must stand out
// from both its neighbours, on the same side, to count as a spike.
const spikeK = 5

// despike returns x without its spikes, single nights that stand out from
// both neighbours by spikeK*sd on the same side (the newest night, with
// one neighbour, is never one), and the index in x of each value kept.
func despike(x []float64, sd float64) ([]float64, []int) {
	kept := make([]float64, 0, len(x))
	idx := make([]int, 0, len(x))
	lim := spikeK * sd
	for i, l := range x {
		if i > 0 && i < len(x)-1 {
			a, b := l-x[i-1], l-x[i+1]
			if (a > lim && b > lim) || (a < -lim && b < -lim) {
				continue
			}
		}
		kept = append(kept, l)
		idx = append(idx, i)
	}
	return kept, idx
}

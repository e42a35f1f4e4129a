//go:build integration

package nightly_test

import "testing"

// TestBuild_RecallLarge is TestBuild_Recall over 200 histories (1,600
// steps a cell).
func TestBuild_RecallLarge(t *testing.T) { measureRecall(t, 200) }

// TestBuild_FalseAlarmsLarge is TestBuild_FalseAlarms over 300 nights of
// four times as many benchmarks (about 400,000 benchmark-nights).
func TestBuild_FalseAlarmsLarge(t *testing.T) { measureFalseAlarms(t, 300, 4) }

// TestDetection_SyntheticLarge is TestDetection_Synthetic over 50
// histories a noise level (200 steps of each size, 2,400 no-change
// benchmark-nights), the figures of the README's table.
func TestDetection_SyntheticLarge(t *testing.T) {
	rows := measureSweep(t, 50, []float64{0.01, 0.03, 0.05, 0.10, 0.20, 0.30})
	for _, r := range rows {
		if rate := float64(r.alarms) / float64(r.nullNights); r.cv <= 0.03 && rate > 0.002 {
			t.Errorf("CV %.0f%%: false alarm rate %.4f, want <= 0.002", 100*r.cv, rate)
		}
	}
}

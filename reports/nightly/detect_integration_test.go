//go:build integration

package nightly_test

import "testing"

// TestBuild_RecallLarge is TestBuild_Recall over 200 histories (1,600
// steps a cell).
func TestBuild_RecallLarge(t *testing.T) { measureRecall(t, 200) }

// TestBuild_FalseAlarmsLarge is TestBuild_FalseAlarms over 300 nights of
// four times as many benchmarks (about 400,000 benchmark-nights).
func TestBuild_FalseAlarmsLarge(t *testing.T) { measureFalseAlarms(t, 300, 4) }

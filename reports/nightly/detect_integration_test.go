//go:build integration

package nightly_test

import "testing"

// TestBuild_RecallLarge is TestBuild_Recall over 60 histories (7,680
// stepped benchmarks).
func TestBuild_RecallLarge(t *testing.T) { measureRecall(t, 60) }

// TestBuild_FalseAlarmsLarge is TestBuild_FalseAlarms over 300 nights of
// four times as many benchmarks (about 300,000 benchmark-nights).
func TestBuild_FalseAlarmsLarge(t *testing.T) { measureFalseAlarms(t, 300, 4) }

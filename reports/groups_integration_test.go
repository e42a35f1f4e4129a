//go:build integration

package reports_test

import "testing"

// TestCompare_groupsLong is TestCompare_groups on the seeds after the
// default run's, up to seed 1,000 (the default run once took 150):
// go test -tags integration ./reports -run TestCompare_groupsLong
func TestCompare_groupsLong(t *testing.T) {
	compareGroups(t, groupsSeeds+1, 1000)
}

// Package pass has benchmarks that pass: one leaf, and one with a profile
// level beside a level without one, for the -bench/-skip tests.
package pass

import (
	"strconv"
	"testing"
)

func BenchmarkLeaf(b *testing.B) {
	s := 0
	for b.Loop() {
		s++
	}
	b.ReportMetric(3, "widgets/op")
}

func BenchmarkPick(b *testing.B) {
	for _, p := range []string{"old", "old-fixed", "new"} {
		for _, n := range []int{1, 8} {
			b.Run("profile="+p+"/pool="+strconv.Itoa(n), func(b *testing.B) {
				for b.Loop() {
				}
			})
		}
	}
	b.Run("variant=floor", func(b *testing.B) {
		for b.Loop() {
		}
	})
}

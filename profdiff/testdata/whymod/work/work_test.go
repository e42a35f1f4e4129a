package work

import (
	"os"
	"testing"
)

func input() []int {
	xs := make([]int, 1000)
	for i := range xs {
		xs[i] = i
	}
	return xs
}

// BenchmarkOp is the new version when WHYMOD_NEW=1 is in the environment.
func BenchmarkOp(b *testing.B) {
	isNew := os.Getenv("WHYMOD_NEW") == "1"
	xs := input()
	for b.Loop() {
		Op(xs, isNew)
	}
}

// BenchmarkPair holds both versions as sub-benchmarks of one binary.
func BenchmarkPair(b *testing.B) {
	for _, v := range []struct {
		name  string
		isNew bool
	}{{"old", false}, {"new", true}} {
		b.Run("version="+v.name, func(b *testing.B) {
			xs := input()
			for b.Loop() {
				Op(xs, v.isNew)
			}
		})
	}
}

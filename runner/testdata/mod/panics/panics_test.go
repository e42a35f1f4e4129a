// Package panics has a benchmark that finishes, then one that panics.
package panics

import "testing"

func BenchmarkA(b *testing.B) {
	for b.Loop() {
	}
}

func BenchmarkB(b *testing.B) {
	panic("fixture panic in BenchmarkB")
}

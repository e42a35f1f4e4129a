// Package fails has a benchmark that calls b.Fatal between two that pass.
package fails

import "testing"

func BenchmarkA(b *testing.B) {
	for b.Loop() {
	}
}

func BenchmarkB(b *testing.B) {
	b.Fatal("fixture failure in BenchmarkB")
}

func BenchmarkC(b *testing.B) {
	for b.Loop() {
	}
}

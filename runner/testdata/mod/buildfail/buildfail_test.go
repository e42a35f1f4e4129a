// Package buildfail does not compile.
package buildfail

import "testing"

func BenchmarkNever(b *testing.B) {
	var n int = "not a number"
	_ = n
}

// Package slow is a tiny module whose benchmark cost is set by one
// constant, so that a commit can make it slower by a known fraction.
package slow

// Sink keeps results alive.
var Sink uint64

// Work runs n rounds of xorshift.
func Work(n int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// Package slowmod is a test subject for benchdb's real-noise corpus: a few
// benchmarks of different kinds of work whose cost can be raised by a known
// fraction with a build tag (slow5, slow10, slow25, slow100), so that a
// history built from its runs holds real slowdowns of known size measured
// under real machine noise.
//
// Every benchmark repeats one unit of work reps times per operation; the
// base build uses baseReps, a slowN build baseReps*(100+N)/100, so the
// slowdown is exact up to the loop's fixed overhead.
package slowmod

import "sort"

// baseReps is the number of work units per operation without a slowdown.
const baseReps = 20

// Reps is the number of work units one operation does in this build.
const Reps = baseReps * (100 + slowPercent) / 100

// Hash is CPU-bound work: a multiply-xorshift chain.
func Hash(x uint64) uint64 {
	for i := 0; i < 512; i++ {
		x ^= x >> 29
		x *= 0xbf58476d1ce4e5b9
		x ^= x << 11
	}
	return x
}

// Copy is memory-bandwidth work: one copy of src into dst.
func Copy(dst, src []byte) int { return copy(dst, src) }

// Lookup is map work: n lookups in m.
func Lookup(m map[int]int, n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += m[i*7%len(m)]
	}
	return s
}

// Alloc is allocation work: n small slices, most of them garbage at once.
func Alloc(n int) int {
	var keep [][]byte
	s := 0
	for i := 0; i < n; i++ {
		b := make([]byte, 64+i%64)
		s += len(b)
		if i%16 == 0 {
			keep = append(keep, b)
		}
	}
	return s + len(keep)
}

// Sort sorts a copy of src in buf.
func Sort(buf, src []int) int {
	copy(buf, src)
	sort.Ints(buf)
	return buf[len(buf)/2]
}

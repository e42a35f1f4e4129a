// Package work is the fixture of benchdb why's tests: Op does the same
// work in both versions, and the new version adds CPU work in extraScan
// and allocations in extraAlloc.
package work

// Sum is the work both versions do.
//
//go:noinline
func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// extraScan is the CPU work the new version adds.
//
//go:noinline
func extraScan(xs []int, rounds int) int {
	s := 0
	for r := range rounds {
		for _, x := range xs {
			s += x*r ^ s>>3
		}
	}
	return s
}

// extraAlloc is the allocation the new version adds.
//
//go:noinline
func extraAlloc(n int) []byte {
	b := make([]byte, n)
	sink = b
	return b
}

var sink []byte

// Op is one operation of the benchmark, as the new version does it when
// isNew is set.
func Op(xs []int, isNew bool) int {
	s := Sum(xs)
	if isNew {
		s += extraScan(xs, 16)
		s += len(extraAlloc(4096))
	}
	return s
}

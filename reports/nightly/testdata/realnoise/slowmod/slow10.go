//go:build slow10

package slowmod

// slowPercent is the slowdown this build carries: the build tag slow10
// makes every benchmark do 10% more of the same work.
const slowPercent = 10

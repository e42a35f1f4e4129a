//go:build slow100

package slowmod

// slowPercent is the slowdown this build carries: the build tag slow100
// makes every benchmark do 100% more of the same work.
const slowPercent = 100

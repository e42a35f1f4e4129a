//go:build slow25

package slowmod

// slowPercent is the slowdown this build carries: the build tag slow25
// makes every benchmark do 25% more of the same work.
const slowPercent = 25

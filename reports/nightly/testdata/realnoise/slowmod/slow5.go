//go:build slow5

package slowmod

// slowPercent is the slowdown this build carries: the build tag slow5
// makes every benchmark do 5% more of the same work.
const slowPercent = 5

//go:build !slow5 && !slow10 && !slow25 && !slow100

package slowmod

// slowPercent is the slowdown this build carries: none without a slowN tag.
const slowPercent = 0

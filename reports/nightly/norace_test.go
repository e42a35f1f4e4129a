//go:build !race

package nightly_test

const raceDetector = false

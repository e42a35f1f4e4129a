//go:build !amd64

package beam

// brandString returns "": the testing package reads /proc/cpuinfo on
// these architectures.
func brandString() string { return "" }

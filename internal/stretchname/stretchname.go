// Package stretchname writes and reads the names under which `benchdb
// run` stores how long benchmarks waited for a CPU (their stretch):
// `Probe/kind=stretch/pkg=P` for a package, `.../bench=B` for one of its
// benchmarks. The runner writes them and the nightly report reads them;
// neither links the other.
package stretchname

import "strings"

// prefix begins every stretch name (without the Benchmark prefix).
const prefix = "Probe/kind=stretch/pkg="

// Package returns the name of package pkg's stretch: P is the import
// path with its slashes written as colons, which no import path holds.
func Package(pkg string) string {
	return prefix + strings.ReplaceAll(pkg, "/", ":")
}

// Bench returns the name of the stretch of benchmark bench (with or
// without its Benchmark prefix) of package pkg: Package(pkg) +
// "/bench=B", B's "%" and "/" written as "%25" and "%2F" so that the name
// keeps one level per slash.
func Bench(pkg, bench string) string {
	b := strings.TrimPrefix(bench, "Benchmark")
	b = strings.ReplaceAll(strings.ReplaceAll(b, "%", "%25"), "/", "%2F")
	return Package(pkg) + "/bench=" + b
}

// Parse returns the package and, for a benchmark's stretch, the benchmark
// (without the Benchmark prefix; "" for a package's) of a stretch name,
// given with or without the Benchmark prefix; ok is false for any other
// name.
func Parse(name string) (pkg, bench string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "Benchmark"), prefix)
	if !ok {
		return "", "", false
	}
	p, b, isBench := strings.Cut(rest, "/bench=")
	if p == "" || strings.Contains(p, "/") || isBench && (b == "" || strings.Contains(b, "/")) {
		return "", "", false
	}
	if isBench {
		b = strings.ReplaceAll(strings.ReplaceAll(b, "%2F", "/"), "%25", "%")
	}
	return strings.ReplaceAll(p, ":", "/"), b, true
}

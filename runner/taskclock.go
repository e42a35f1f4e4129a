package runner

import (
	"math"
	"time"

	"github.com/benchdb/benchdb/internal/stretchname"
)

// ProbeStretch is the `kind=` level of the results that say how much a
// package's benchmarks waited for a CPU: `BenchmarkProbe/kind=stretch/pkg=P`
// (P the package's import path, its slashes written as colons, which no
// import path holds), in the unit StretchUnit. See TaskClock.
const ProbeStretch = "stretch"

// StretchUnit is the unit of a stretch result: (run + wait) / run.
const StretchUnit = "stretch"

// StretchName returns the probe benchmark name of package pkg's stretch.
func StretchName(pkg string) string {
	return "Benchmark" + stretchname.Package(pkg)
}

// StretchPackage returns the package of a stretch result's name (with or
// without the Benchmark prefix), and whether name is one.
func StretchPackage(name string) (string, bool) {
	pkg, bench, ok := stretchname.Parse(name)
	if !ok || bench != "" {
		return "", false
	}
	return pkg, true
}

// StretchBenchName returns the probe benchmark name of the stretch of one
// benchmark of package pkg: StretchName(pkg) + "/bench=B", B the
// benchmark's name as go test runs it (without the Benchmark prefix and
// the -N GOMAXPROCS suffix), its "%" and "/" written as "%25" and "%2F"
// so that the name keeps one level per slash.
func StretchBenchName(pkg, bench string) string {
	return "Benchmark" + stretchname.Bench(pkg, bench)
}

// StretchBenchmark returns the package and the benchmark (without the
// Benchmark prefix) of a per-benchmark stretch result's name, with or
// without the Benchmark prefix, and whether name is one.
func StretchBenchmark(name string) (pkg, bench string, ok bool) {
	pkg, bench, ok = stretchname.Parse(name)
	if !ok || bench == "" {
		return "", "", false
	}
	return pkg, bench, true
}

// A TaskClock adds up what the kernel's scheduler says about the threads
// of one process: how long they ran on a CPU and how long they waited,
// runnable, for one (Linux's /proc/PID/task/TID/schedstat). A benchmark's
// time per operation is measured on the wall clock, so every nanosecond
// its threads wait for a CPU that another program holds is counted as
// the benchmark's: (run + wait) / run, the stretch, is by how much the
// machine's other work slowed a CPU-bound benchmark down, measured over
// the whole run rather than in a probe's moment before or after it.
//
// Sample it while the process lives (every 50 to 100 ms): a thread that
// ends between two samples loses what it did since the first. Sample
// returns errors.ErrUnsupported where there is no such statistic.
type TaskClock struct {
	pid   int
	tasks map[string][2]uint64 // per thread: run and wait, in ns, at the last sample
	// busiest is the run and wait, in ns, between the last two samples of
	// the thread that ran most between them.
	busiest [2]uint64
}

// Busiest returns how long the thread that ran most between the last two
// samples ran and waited between them: a benchmark's loop is its busiest
// thread, and its wall time is that thread's run and wait, not the
// runtime's other threads' (a garbage collector's workers wait for a CPU
// while the loop holds it, on a machine with nothing else to run).
func (c *TaskClock) Busiest() (run, wait time.Duration) {
	return time.Duration(c.busiest[0]), time.Duration(c.busiest[1])
}

// NewTaskClock returns a clock of process pid's threads.
func NewTaskClock(pid int) *TaskClock {
	return &TaskClock{pid: pid, tasks: map[string][2]uint64{}}
}

// Totals returns the run and wait times of the process's threads so far.
func (c *TaskClock) Totals() (run, wait time.Duration) {
	var r, w uint64
	for _, t := range c.tasks {
		r += t[0]
		w += t[1]
	}
	return time.Duration(r), time.Duration(w)
}

// Stretch returns (run + wait) / run, NaN before any run time.
func (c *TaskClock) Stretch() float64 {
	r, w := c.Totals()
	if r <= 0 {
		return math.NaN()
	}
	return float64(r+w) / float64(r)
}

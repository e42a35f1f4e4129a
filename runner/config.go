package runner

import (
	"io"
	"strconv"
	"time"
)

// Defaults for Config fields left zero.
const (
	DefaultGo    = "go"
	DefaultBench = "."
	// DefaultTick is how often Progress is called while nothing else
	// happens, so that a live line keeps its elapsed time current.
	DefaultTick = time.Second
)

// Config says what to run. Only Packages is required.
type Config struct {
	// Go is the go command; DefaultGo when empty.
	Go string
	// Dir is the directory `go test` runs in, which decides the target
	// module; the current directory when empty.
	Dir string
	// Packages are the import paths or patterns to test.
	Packages []string
	// Bench is the -bench pattern; DefaultBench when empty.
	Bench string
	// Skip is the -skip pattern (see SkipValues); none when empty.
	Skip string
	// Count is -count; go test's default (1) when zero.
	Count int
	// Processes, when above 1, runs the benchmarks in that many test
	// processes per package, one after another in rounds (each round
	// runs every package once), with Count split among them (the first
	// Count%Processes rounds run one more). Repetitions in one process
	// share its placement (its memory layout, the CPU it runs on, what
	// shares its caches), which moves all of them together; samples
	// from several processes show that part of a benchmark's noise and
	// average it out of the level. At most Count; 0 or 1 runs one go
	// test.
	Processes int
	// Benchtime is -benchtime, such as "1s" or "100x"; go test's default
	// when empty.
	Benchtime string
	// Timeout bounds the whole run, build included. When it expires the
	// process group is killed and Run returns an *Error of kind TimedOut.
	// Zero means no limit. (go test's own -timeout does not cover
	// benchmarks: the test binary's alarm stops before they start.)
	Timeout time.Duration
	// Args are extra go test flags, placed after benchdb's own so that
	// they win.
	Args []string
	// Env is added to the environment of `go test`.
	Env []string
	// Expected is the number of result lines expected (leaf benchmarks
	// times Count), used for progress; zero when unknown.
	Expected int
	// Output, when not nil, receives the benchmark output as it arrives,
	// as plain `go test -bench -v` would print it.
	Output io.Writer
	// Progress, when not nil, is called when a benchmark starts or
	// finishes and every Tick in between. Calls never overlap, and they
	// are serialised with writes to Output.
	Progress func(Progress)
	// Tick is the interval between Progress calls when nothing happens;
	// DefaultTick when zero, none when negative.
	Tick time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	// stretch has Run follow the test binaries' scheduler statistics
	// (RunProbed sets it).
	stretch bool
}

// CommandLine returns the go test command line that Run runs for cfg.
func CommandLine(cfg Config) []string {
	goCmd := cfg.Go
	if goCmd == "" {
		goCmd = DefaultGo
	}
	bench := cfg.Bench
	if bench == "" {
		bench = DefaultBench
	}
	args := []string{goCmd, "test", "-json", "-run", "^$", "-bench", bench}
	if cfg.Skip != "" {
		args = append(args, "-skip", cfg.Skip)
	}
	args = append(args, "-benchmem")
	if cfg.Count > 0 {
		args = append(args, "-count", strconv.Itoa(cfg.Count))
	}
	if cfg.Benchtime != "" {
		args = append(args, "-benchtime", cfg.Benchtime)
	}
	// go test would kill a test binary after -timeout plus a minute (10m
	// by default), which a long benchmark run can exceed; Run enforces
	// Config.Timeout itself.
	args = append(args, "-timeout", "0")
	args = append(args, cfg.Args...)
	return append(args, cfg.Packages...)
}

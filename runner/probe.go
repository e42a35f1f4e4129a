package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
)

// ProbePackage is the reserved package name under which a calibration
// probe's results are stored. No Go package can have this import path
// (a first element without a dot is reserved for the standard library, and
// the standard library has no "benchdb"), so probe results never mix with a
// real package's.
const ProbePackage = "benchdb/probe"

// ProbeBenchmark is the base name of the probe's results; the kind of work is
// a `kind=` level of the name: `BenchmarkProbe/kind=cpu` and
// `BenchmarkProbe/kind=mem`.
const ProbeBenchmark = "BenchmarkProbe"

// Default probe settings: five samples of about 40 ms per kind, a fifth of a
// second per probe on an idle machine.
const (
	DefaultProbeCount    = 5
	DefaultProbeDuration = 40 * time.Millisecond
)

// ProbeConfig sets how long a calibration probe measures. The zero value
// uses the Default* constants.
type ProbeConfig struct {
	// Count is the number of samples per kind of work.
	Count int
	// Duration is the approximate length of one sample.
	Duration time.Duration
}

// probeMemWords is the size of the memory-bound probe's table: 4 Mi 32-bit words,
// 16 MiB, larger than the last-level cache of common CI machines, so that
// its dependent loads measure the memory system rather than the cache.
const probeMemWords = 1 << 22

// Probe measures the machine with fixed work that does not depend on the
// code under test: a CPU-bound integer loop (`kind=cpu`) and a chain of
// dependent random loads over 16 MiB (`kind=mem`). It writes the results to
// w in the Go benchmark format, under the package ProbePackage, as
// `go test -bench` would print them, so they are stored and compared like any
// other result. A report reads them as the machine's speed that night: when
// every benchmark and the probe slow down together, the machine did.
//
// Probe runs in the calling goroutine and returns ctx.Err() if the context
// is cancelled between samples.
func Probe(ctx context.Context, w io.Writer, cfg ProbeConfig) error {
	if cfg.Count <= 0 {
		cfg.Count = DefaultProbeCount
	}
	if cfg.Duration <= 0 {
		cfg.Duration = DefaultProbeDuration
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	table := probeTable()
	kinds := []struct {
		name string
		op   func(seed uint64) uint64
	}{
		{"cpu", probeCPU},
		{"mem", func(seed uint64) uint64 { return probeMem(table, seed) }},
	}
	if _, err := fmt.Fprintf(w, "pkg: %s\n", ProbePackage); err != nil {
		return fmt.Errorf("write probe: %w", err)
	}
	var sink uint64
	for _, k := range kinds {
		sink += k.op(1) // warm up: page in the table, settle the clock
		for i := 0; i < cfg.Count; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, d := probeSample(k.op, cfg.Duration, &sink)
			ns := float64(d.Nanoseconds()) / float64(n)
			if _, err := fmt.Fprintf(w, "%s/kind=%s \t%8d\t%12.1f ns/op\n", ProbeBenchmark, k.name, n, ns); err != nil {
				return fmt.Errorf("write probe: %w", err)
			}
		}
	}
	runtime.KeepAlive(sink)
	return nil
}

// probeSample runs op until about d has passed and returns how many times it
// ran and how long that took.
func probeSample(op func(uint64) uint64, d time.Duration, sink *uint64) (int, time.Duration) {
	n := 1
	for {
		start := time.Now()
		for i := 0; i < n; i++ {
			*sink += op(uint64(i) + *sink)
		}
		took := time.Since(start)
		if took >= d || n >= 1<<30 {
			return n, took
		}
		// Aim 20% past d from what n took, at least doubling n, as the
		// testing package does.
		next := n * 2
		if took > 0 {
			if p := int(float64(n) * 1.2 * float64(d) / float64(took)); p > next {
				next = p
			}
		}
		n = next
	}
}

// probeCPU is one unit of CPU-bound work: 1<<16 rounds of a multiply-xorshift
// mix, a dependency chain that stays in registers.
func probeCPU(x uint64) uint64 {
	x |= 1
	for i := 0; i < 1<<16; i++ {
		x ^= x >> 31
		x *= 0x9e3779b97f4a7c15
		x ^= x << 7
	}
	return x
}

// probeTable returns a random cyclic permutation (Sattolo's algorithm, fixed
// seed) over probeMemWords entries: following it visits every entry once in
// an order the prefetcher cannot guess. It is built once per process
// (about 3 s under the race detector) and kept.
var probeTable = sync.OnceValue(newProbeTable)

func newProbeTable() []uint32 {
	t := make([]uint32, probeMemWords)
	for i := range t {
		t[i] = uint32(i)
	}
	s := uint64(0x2545f4914f6cdd1d)
	for i := len(t) - 1; i > 0; i-- {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		j := int(s % uint64(i))
		t[i], t[j] = t[j], t[i]
	}
	return t
}

// probeMem is one unit of memory-bound work: 1<<12 dependent loads along the
// permutation, starting from a place that depends on seed.
func probeMem(t []uint32, seed uint64) uint64 {
	p := uint32(seed % uint64(len(t)))
	for i := 0; i < 1<<12; i++ {
		p = t[p]
	}
	return uint64(p)
}

// RunProbed is Run with the calibration probe measured just before and
// just after the go test run, so that the machine's speed is recorded with
// the run it slowed or sped up. The probe's results are appended to
// Result.Output (its samples from before and after together) and counted
// in the returned int, not in Result.Results. So are, under the same
// package, the stretch of each package whose test binary it followed
// through the run (Result.Stretch, StretchName): how long its threads
// waited for a CPU, against how long they ran; with several test
// processes (Config.Processes), one line a process, in the order the
// processes ran and wrote their samples, which is how the nightly report
// pairs each process's samples with its own stretch. A run that failed, and a
// probe that fails (the context cancelled), leave the output as Run
// returned it.
func RunProbed(ctx context.Context, cfg Config, pc ProbeConfig) (*Result, int, error) {
	var before bytes.Buffer
	errBefore := Probe(ctx, &before, pc)
	cfg.stretch = true
	res, err := Run(ctx, cfg)
	if errBefore != nil || err != nil || res == nil || res.Results == 0 {
		return res, 0, err // an incomplete run is kept as it finished
	}
	var after bytes.Buffer
	if Probe(ctx, &after, pc) != nil {
		return res, 0, err
	}
	out := slices.Clone(res.Output)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, before.Bytes()...)
	// The second probe's "pkg:" line repeats the first's.
	_, rest, _ := bytes.Cut(after.Bytes(), []byte("\n"))
	out = append(out, rest...)
	n := bytes.Count(before.Bytes(), []byte("\n")) - 1 + bytes.Count(rest, []byte("\n"))
	// Each package's stretch, under the probe's package too: the machine's
	// other work as the benchmarks felt it, over the whole of their run.
	for _, pkg := range slices.Sorted(maps.Keys(res.Stretch)) {
		for _, st := range res.Stretch[pkg] {
			if st >= 1 && !math.IsInf(st, 0) {
				out = fmt.Appendf(out, "%s \t%8d\t%12.4f %s\n", StretchName(pkg), 1, st, StretchUnit)
				n++
			}
		}
		// And each of its benchmarks': a spell of load during one of
		// them is diluted in the package's.
		bs := res.BenchStretch[pkg]
		for _, b := range slices.Sorted(maps.Keys(bs)) {
			for _, st := range bs[b] {
				if st >= 1 && !math.IsInf(st, 0) {
					out = fmt.Appendf(out, "%s \t%8d\t%12.4f %s\n", StretchBenchName(pkg, b), 1, st, StretchUnit)
					n++
				}
			}
		}
	}
	res.Output = out
	return res, n, err
}

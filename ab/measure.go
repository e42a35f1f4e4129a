package ab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

// Side names.
const (
	Old = "old"
	New = "new"
)

// Defaults for Config fields left zero.
const (
	DefaultRounds = 10
	DefaultBench  = "."
)

// Config says how to measure two builds against each other.
type Config struct {
	// Rounds is the number of rounds; each runs every OLD and every NEW
	// binary once. DefaultRounds when zero.
	Rounds int
	// FirstRound numbers the first round (0 when zero): a measurement
	// that adds rounds to an earlier one continues its numbering.
	FirstRound int
	// Bench is the -test.bench pattern; DefaultBench when empty.
	Bench string
	// Benchtime is -test.benchtime ("100ms", "1000x") of each
	// repetition; the testing package's default (1s) when empty.
	Benchtime string
	// Count is -test.count: how many times each run of a binary repeats
	// each benchmark; 1 when zero. Analyze makes one value per round of
	// them (AnalysisOptions.Within). On a busy machine many short
	// repetitions (say 250x, 80 times) measure the code rather than the
	// scheduler: a repetition shorter than a time slice often runs
	// undisturbed, and the best one of a round is taken.
	Count int
	// TestArgs are extra test binary flags, spelled -test.x.
	TestArgs []string
	// Seed seeds the order of the rounds; the same seed gives the same
	// order.
	Seed uint64
	// Sequential runs all OLD rounds first and then all NEW rounds, as
	// two separate `go test -count N` runs would. It exists to measure
	// what interleaving buys; ab never uses it by default.
	Sequential bool
	// Env is added to the test binaries' environment.
	Env []string
	// Progress, when not nil, is called when a binary starts and when it
	// prints a result.
	Progress func(Progress)
	// Extra are further runs of every binary after the timed rounds, not
	// used for timing (see ExtraRun).
	Extra []ExtraRun
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// An ExtraRun is one more run of every binary of both sides after the
// timed rounds, with extra test flags: `ab --profile` adds one with
// -test.cpuprofile and -test.memprofile. Its results are not part of the
// measurement.
type ExtraRun struct {
	// Name says what the run is for, in progress and errors ("profile").
	Name string
	// Args returns the extra test binary flags (spelled -test.x) for one
	// side's binary. dir is an empty temporary directory for the files the
	// run writes; it is removed after Done returns.
	Args func(side string, b Binary, dir string) []string
	// Done, when not nil, is called after the run with its standard
	// output (benchmark format) and dir.
	Done func(side string, b Binary, dir string, output []byte) error
}

// Progress is a snapshot of a measurement, given to Config.Progress.
type Progress struct {
	// Round is the round running, counted from 1, of Rounds.
	Round, Rounds int
	// Side is Old or New; Package the binary's import path.
	Side, Package string
	// Benchmark is the last benchmark that finished in this binary's run,
	// or "" when none has yet.
	Benchmark string
	// Done is the number of binary runs finished, of Total.
	Done, Total int
	// Elapsed is the time since the measurement started; Left estimates
	// the rest (zero before the first run finished).
	Elapsed, Left time.Duration
}

// A Measurement is the interleaved runs of two builds.
type Measurement struct {
	// Old and New are the two sides. Each result carries the configuration
	// key "round" with the round it ran in.
	Old, New Side
	// Rounds is the number of rounds run.
	Rounds int
	// Seed is the seed of the order.
	Seed uint64
	// Sequential is Config.Sequential.
	Sequential bool
	// Order says, per round and per package (in Old's binary order), which
	// side ran first: Old or New.
	Order [][]string
	// Warnings are problems that did not stop the measurement (a package
	// only one side has).
	Warnings []string
}

// A Side is one revision's results.
type Side struct {
	Rev     Revision
	Results []*benchfmt.Result
}

// A BenchmarkError reports a benchmark that failed, panicked or made its
// test binary exit with an error, in one side's run.
type BenchmarkError struct {
	Side      string
	Rev       Revision
	Package   string
	Benchmark string // "" when the failure is not tied to one benchmark
	Detail    string
}

func (e *BenchmarkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s revision %s (%s): %s", e.Side, e.Rev.Name, e.Rev.Short(), e.Package)
	if e.Benchmark != "" {
		b.WriteString(" " + e.Benchmark)
	}
	b.WriteString(" failed")
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// ErrNoBenchmarks is returned (wrapped) when the benchmark pattern
// matches no benchmark in either revision.
var ErrNoBenchmarks = errors.New("no benchmarks matched")

// pair is one package's binaries on both sides.
type pair struct {
	old, new Binary
}

// Measure runs the binaries of old and new in cfg.Rounds rounds. Within a
// round each package's OLD and NEW binaries run back to back; which one
// runs first is decided per pair of rounds, at random from cfg.Seed, and
// reversed in the second round of the pair (ABBA or BAAB), so that a
// steady drift of the machine's speed adds as much to one side as to the
// other. The first failure stops the measurement and is returned; the
// Measurement is then nil.
func Measure(ctx context.Context, old, new *Build, cfg Config) (*Measurement, error) {
	if cfg.Rounds <= 0 {
		cfg.Rounds = DefaultRounds
	}
	if cfg.Bench == "" {
		cfg.Bench = DefaultBench
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	m := &Measurement{Old: Side{Rev: old.Rev}, New: Side{Rev: new.Rev}, Rounds: cfg.Rounds, Seed: cfg.Seed, Sequential: cfg.Sequential}
	var pairs []pair
	for _, ob := range old.Binaries {
		found := false
		for _, nb := range new.Binaries {
			if nb.ImportPath == ob.ImportPath {
				pairs = append(pairs, pair{ob, nb})
				found = true
			}
		}
		if !found {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: only in old (%s), not measured", ob.ImportPath, old.Rev.Short()))
		}
	}
	for _, nb := range new.Binaries {
		if !hasBinary(old.Binaries, nb.ImportPath) {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: only in new (%s), not measured", nb.ImportPath, new.Rev.Short()))
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("no package has test binaries in both revisions")
	}
	m.Order = Order(cfg.Rounds, len(pairs), cfg.Seed)

	type job struct {
		round int
		side  string
		p     int
	}
	var jobs []job
	if cfg.Sequential {
		for _, side := range []string{Old, New} {
			for r := range cfg.Rounds {
				for p := range pairs {
					jobs = append(jobs, job{r, side, p})
				}
			}
		}
	} else {
		for r := range cfg.Rounds {
			for p := range pairs {
				first, second := Old, New
				if m.Order[r][p] == New {
					first, second = New, Old
				}
				jobs = append(jobs, job{r, first, p}, job{r, second, p})
			}
		}
	}

	e := &executor{cfg: cfg, now: now, start: now(), total: len(jobs)}
	matched := make([]bool, len(pairs))
	for i, j := range jobs {
		b, side := pairs[j.p].old, &m.Old
		if j.side == New {
			b, side = pairs[j.p].new, &m.New
		}
		round := cfg.FirstRound + j.round
		res, err := e.run(ctx, j.side, side.Rev, b, round, nil)
		if err != nil {
			return nil, err
		}
		if len(res) > 0 {
			matched[j.p] = true
		}
		side.Results = append(side.Results, res...)
		e.done = i + 1
		// After every package ran once on both sides (or on one side, in
		// sequential order), a pattern that matched nothing is an error.
		if j.round == 0 && (cfg.Sequential && i == len(pairs)-1 || !cfg.Sequential && i == 2*len(pairs)-1) {
			if !slices.Contains(matched, true) {
				return nil, fmt.Errorf("-bench %q in %s: %w", cfg.Bench, pkgList(pairs), ErrNoBenchmarks)
			}
		}
	}
	if err := e.extras(ctx, pairs, old.Rev, new.Rev); err != nil {
		return nil, err
	}
	return m, nil
}

// Extra runs only cfg.Extra on the binaries of old and new, one run of
// each binary of both sides per ExtraRun, with no timed rounds: bisect
// uses it to profile the first bad commit and its parent once the
// measurements are done. cfg.Rounds and cfg.FirstRound only number the
// runs (in progress and in the round configuration of their output).
func Extra(ctx context.Context, old, new *Build, cfg Config) error {
	if cfg.Rounds <= 0 {
		cfg.Rounds = 1
	}
	if cfg.Bench == "" {
		cfg.Bench = DefaultBench
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	var pairs []pair
	for _, ob := range old.Binaries {
		for _, nb := range new.Binaries {
			if nb.ImportPath == ob.ImportPath {
				pairs = append(pairs, pair{ob, nb})
			}
		}
	}
	if len(pairs) == 0 {
		return fmt.Errorf("no package has test binaries in both revisions")
	}
	e := &executor{cfg: cfg, now: now, start: now(), total: 2 * len(pairs) * len(cfg.Extra)}
	return e.extras(ctx, pairs, old.Rev, new.Rev)
}

// extras runs every ExtraRun of the configuration on both sides of pairs.
func (e *executor) extras(ctx context.Context, pairs []pair, old, new Revision) error {
	for _, x := range e.cfg.Extra {
		for _, p := range pairs {
			for _, s := range []struct {
				name string
				b    Binary
				rev  Revision
			}{{Old, p.old, old}, {New, p.new, new}} {
				if err := e.extra(ctx, x, s.name, s.rev, s.b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func hasBinary(bs []Binary, path string) bool {
	for _, b := range bs {
		if b.ImportPath == path {
			return true
		}
	}
	return false
}

func pkgList(pairs []pair) string {
	var s []string
	for _, p := range pairs {
		s = append(s, p.old.ImportPath)
	}
	return strings.Join(s, " ")
}

// Order returns, for rounds rounds of n packages, which side runs first in
// each: rounds are taken in pairs, the first of a pair gets a random order
// and the second the reverse (ABBA or BAAB), so that over every pair of
// rounds each side runs first once. An odd last round gets a random order.
func Order(rounds, n int, seed uint64) [][]string {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	order := make([][]string, rounds)
	for r := range order {
		order[r] = make([]string, n)
	}
	for p := range n {
		for r := 0; r < rounds; r += 2 {
			first, second := Old, New
			if rng.IntN(2) == 1 {
				first, second = New, Old
			}
			order[r][p] = first
			if r+1 < rounds {
				order[r+1][p] = second
			}
		}
	}
	return order
}

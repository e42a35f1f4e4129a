// Package nightlytest generates synthetic benchmark histories with known
// changes, for testing and measuring the nightly regression reports.
//
// A history is a sequence of nightly runs in the Go benchmark format. Each
// benchmark has a base value, lognormal noise of a chosen coefficient of
// variation, an optional night-to-night drift, outliers, an optional second
// mode, and optionally one step change of known size at a known night. The
// generator is deterministic for a given seed.
//
// MemSource is an in-memory fake of the store that the reports read from,
// filled from generated (or any) benchmark-format text.
package nightlytest

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// A Bench describes one synthetic benchmark.
type Bench struct {
	// Pkg is the package (the "pkg:" configuration line).
	Pkg string
	// Name is the benchmark name without the "Benchmark" prefix, such as
	// "Select/depth=10".
	Name string
	// Unit is the unit of the one value reported, such as "ns/op" or
	// "MB/s".
	Unit string
	// Base is the value before any step.
	Base float64
	// CV is the coefficient of variation of the lognormal noise of each
	// sample.
	CV float64
	// NightCV is the coefficient of variation of a lognormal factor shared
	// by all samples of one night (machine state, thermal, ...).
	NightCV float64
	// Outliers is the probability that a sample is an outlier, multiplied
	// by a factor between 1.5 and 3 (in the unit's worse direction).
	Outliers float64
	// Bimodal, when nonzero, puts each sample in a second mode that is
	// (1+Bimodal) times the first, with probability one half.
	Bimodal float64
	// Step multiplies every value from night StepNight on by (1+Step).
	Step float64
	// StepNight is the night (0-based) where the step starts; it is used
	// only when Step is nonzero.
	StepNight int
	// Tail is the probability that a night of this benchmark is wild: its
	// level multiplied by a factor between 1.3 and 2.5 (heavy tails of
	// night-to-night noise).
	Tail float64
	// BimodalRuns, when nonzero, puts a whole night in a second mode,
	// (1+BimodalRuns) times the first, with probability one half (a
	// benchmark whose level depends on the memory layout of the run).
	BimodalRuns float64
	// Drift multiplies the level by (1+Drift) every night (slow drift).
	Drift float64
	// First and Last bound the nights (0-based, inclusive) on which the
	// benchmark runs; Last zero means until the end.
	First, Last int
}

// Config describes a history.
type Config struct {
	// Seed seeds the generator.
	Seed uint64
	// Nights is the number of runs.
	Nights int
	// Samples is the number of samples (-count) of each benchmark a night.
	Samples int
	// Start is the time of the first run; runs are Every apart.
	Start time.Time
	// Every is the time between runs (default 24h).
	Every time.Duration
	// Labels are the labels of every run (host, branch, ...). Each run
	// also gets a "commit" label.
	Labels map[string]string
	// Goos, Goarch and CPU are written as configuration lines.
	Goos, Goarch, CPU string
	// Benchmarks are the benchmarks of the history.
	Benchmarks []Bench
	// MachineCV is the coefficient of variation of a lognormal factor
	// shared by every benchmark of a night (and the probe): the machine's
	// speed that night.
	MachineCV float64
	// MachineTail is the probability that the machine is wild on a night:
	// every benchmark (and the probe) multiplied by a factor between 1.3
	// and 2.5.
	MachineTail float64
	// Missing is the probability that a night has no run.
	Missing float64
	// Probe adds benchdb's calibration probe (package benchdb/probe) to
	// every run: its level follows the machine factor, with ProbeCV
	// noise of its own (default 1%).
	Probe   bool
	ProbeCV float64
}

// A Run is one generated nightly run.
type Run struct {
	Time   time.Time
	Labels map[string]string
	// Text is the run's output in the Go benchmark format.
	Text []byte
}

// Generate returns the runs of the history described by cfg, oldest
// first. A missing night (Config.Missing) has no run, so a run's index is
// not always its night.
func Generate(cfg Config) []Run {
	if cfg.Every == 0 {
		cfg.Every = 24 * time.Hour
	}
	if cfg.Samples == 0 {
		cfg.Samples = 5
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6967687479))
	// Machine-wide draws come from their own source, so that adding
	// machine noise does not change the benchmarks' own draws.
	mrng := rand.New(rand.NewPCG(cfg.Seed, 0x6d616368696e65))
	runs := make([]Run, 0, cfg.Nights)
	for night := range cfg.Nights {
		machine := lognormal(mrng, cfg.MachineCV)
		if cfg.MachineTail > 0 && mrng.Float64() < cfg.MachineTail {
			machine *= 1.3 + 1.2*mrng.Float64()
		}
		missing := cfg.Missing > 0 && mrng.Float64() < cfg.Missing
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "goos: %s\ngoarch: %s\n", or(cfg.Goos, "linux"), or(cfg.Goarch, "amd64"))
		if cfg.CPU != "" {
			fmt.Fprintf(&buf, "cpu: %s\n", cfg.CPU)
		}
		pkg := ""
		for _, b := range cfg.Benchmarks {
			// Draw the night factor even when the benchmark does not run,
			// so that a benchmark's values do not depend on the others.
			nightFactor := lognormal(rng, b.NightCV)
			if b.Tail > 0 && rng.Float64() < b.Tail {
				nightFactor *= 1.3 + 1.2*rng.Float64()
			}
			if b.BimodalRuns != 0 && rng.IntN(2) == 1 {
				nightFactor *= 1 + b.BimodalRuns
			}
			if night < b.First || (b.Last != 0 && night > b.Last) {
				continue
			}
			if b.Pkg != pkg {
				fmt.Fprintf(&buf, "pkg: %s\n", b.Pkg)
				pkg = b.Pkg
			}
			higherBetter := len(b.Unit) > 2 && b.Unit[len(b.Unit)-2:] == "/s"
			// The machine slows time units and lowers rates.
			m := machine
			if higherBetter {
				m = 1 / machine
			}
			level := b.Base * nightFactor * m * math.Pow(1+b.Drift, float64(night))
			if b.Step != 0 && night >= b.StepNight {
				level *= 1 + b.Step
			}
			for range cfg.Samples {
				v := level * lognormal(rng, b.CV)
				if b.Bimodal != 0 && rng.IntN(2) == 1 {
					v *= 1 + b.Bimodal
				}
				if b.Outliers > 0 && rng.Float64() < b.Outliers {
					f := 1.5 + 1.5*rng.Float64()
					if higherBetter {
						v /= f
					} else {
						v *= f
					}
				}
				fmt.Fprintf(&buf, "Benchmark%s \t%d\t%.6g %s\n", b.Name, 1000, v, b.Unit)
			}
		}
		if cfg.Probe {
			fmt.Fprintf(&buf, "pkg: benchdb/probe\n")
			for _, kind := range []string{"cpu", "mem"} {
				for range cfg.Samples {
					v := 1e6 * machine * lognormal(mrng, cmp.Or(cfg.ProbeCV, 0.01))
					fmt.Fprintf(&buf, "BenchmarkProbe/kind=%s \t%d\t%.6g ns/op\n", kind, 100, v)
				}
			}
		}
		labels := maps.Clone(cfg.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels["commit"] = fmt.Sprintf("c%04d%08x", night, rng.Uint32())
		if missing {
			continue
		}
		runs = append(runs, Run{
			Time:   cfg.Start.Add(time.Duration(night) * cfg.Every),
			Labels: labels,
			Text:   buf.Bytes(),
		})
	}
	return runs
}

// lognormal returns a lognormal factor with median 1 and coefficient of
// variation cv.
func lognormal(rng *rand.Rand, cv float64) float64 {
	if cv == 0 {
		return 1
	}
	sigma := math.Sqrt(math.Log1p(cv * cv))
	return math.Exp(sigma * rng.NormFloat64())
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Names returns the sorted names of the benchmarks.
func (c Config) Names() []string {
	var names []string
	for _, b := range c.Benchmarks {
		names = append(names, b.Name)
	}
	slices.Sort(names)
	return names
}

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
)

// abPprofFlags are benchdb ab's flags for profiles. ab has no version
// profiles, so its flag is --profile, as the issue names it.
func abPprofFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "after the timed rounds, profile each benchmark of both sides once more and store the profiles (see benchdb why): `KINDS` cpu, alloc or cpu,alloc", Category: catRun},
		&cli.DurationFlag{Name: "pprof-time", Usage: "with --profile: run each profiled benchmark for about `D`", Value: runner.DefaultPprofTime, Category: catRun},
		&cli.Int64Flag{Name: "pprof-max-size", Usage: "with --profile: refuse a profile larger than `BYTES`", Value: store.DefaultMaxProfileSize, Category: catStore},
	}
}

// abPprof collects the profiles benchdb ab --profile takes of each side.
// Its methods are safe for concurrent use.
type abPprof struct {
	kinds   []string
	d       time.Duration
	maxSize int64
	env     []string

	mu     sync.Mutex
	bySide map[string][]store.Profile
}

// newABPprof reads ab's profile flags; it returns nil without --profile.
func newABPprof(c *cli.Context) (*abPprof, error) {
	kinds, err := parsePprofKinds("--profile", c.String("profile"))
	if err != nil || len(kinds) == 0 {
		return nil, err
	}
	if d := c.Duration("pprof-time"); d <= 0 {
		return nil, usagef("--pprof-time %v: want more than 0", d)
	}
	if n := c.Int64("pprof-max-size"); n <= 0 {
		return nil, usagef("--pprof-max-size %d: want more than 0", n)
	}
	return &abPprof{kinds: kinds, d: c.Duration("pprof-time"), maxSize: c.Int64("pprof-max-size"), bySide: map[string][]store.Profile{}}, nil
}

// extraRun is the ab.ExtraRun that profiles one side's binary: the run
// itself (untimed, as ab's configuration says) gives each benchmark's
// time per op, from which runner.ProfileBenchmarks works out the
// iteration counts of the profiled runs of that same binary. A profile
// over the size limit or that does not parse fails the run, so ab stores
// nothing.
func (p *abPprof) extraRun(ctx context.Context) ab.ExtraRun {
	return ab.ExtraRun{
		Name: "profile",
		Done: func(side string, b ab.Binary, _ string, output []byte) error {
			targets := runner.PprofTargets(output, p.d)[b.ImportPath]
			if len(targets) == 0 {
				return nil
			}
			ps, err := runner.ProfileBenchmarks(ctx, runner.PprofConfig{
				Binary: b.Path, PkgDir: b.Dir, Package: b.ImportPath, Env: p.env,
				Targets: targets, Kinds: p.kinds, Setup: true,
			})
			if err != nil {
				return err
			}
			var out []store.Profile
			for _, pp := range ps {
				for _, sp := range pp.Stored(p.kinds, side) {
					if err := checkProfile(sp, p.maxSize); err != nil {
						return err
					}
					out = append(out, sp)
				}
			}
			p.mu.Lock()
			p.bySide[side] = append(p.bySide[side], out...)
			p.mu.Unlock()
			return nil
		},
	}
}

// store adds the collected profiles to the runs ab stored for each side.
func (p *abPprof) store(c *cli.Context, db *store.DB, st *ab.Stored) error {
	if p == nil || st == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, side := range []struct {
		name string
		id   int64
		dup  bool
	}{{ab.Old, st.OldRun, st.OldDuplicate}, {ab.New, st.NewRun, st.NewDuplicate}} {
		ps := p.bySide[side.name]
		if len(ps) == 0 || side.dup {
			continue
		}
		if err := db.AddProfiles(c.Context, side.id, ps, store.ProfileOptions{MaxSize: p.maxSize}); err != nil {
			return fmt.Errorf("ab: run %d (%s) is stored, its profiles are not: %w", side.id, side.name, err)
		}
		fmt.Fprintf(c.App.ErrWriter, "benchdb: stored %d profiles (and their setup profiles) with run %d (%s); see benchdb why %d %d\n",
			len(ps)/2, side.id, side.name, st.OldRun, st.NewRun)
	}
	return nil
}

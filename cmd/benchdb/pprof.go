package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/profdiff/stored"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/profdiff"
	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/store"
)

// pprofFlags are benchdb run's flags for profiles (--pprof, because
// run's --profile picks version profiles).
func pprofFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "pprof", Usage: "after the timed run, profile each benchmark once more and store its pprof profiles: `KINDS` cpu, alloc or cpu,alloc", Category: catRun},
		&cli.DurationFlag{Name: "pprof-time", Usage: "run each profiled benchmark for about `D` (a fixed iteration count worked out from the timed run)", Value: runner.DefaultPprofTime, Category: catRun},
		&cli.Int64Flag{Name: "pprof-max-size", Usage: "refuse a profile larger than `BYTES`", Value: store.DefaultMaxProfileSize, Category: catStore},
	}
}

// parsePprofKinds parses a --pprof value such as "cpu,alloc"; "" gives
// none.
func parsePprofKinds(flag, v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var kinds []string
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if k != store.ProfileCPU && k != store.ProfileAlloc {
			return nil, usagef("%s %q: unknown profile kind %q (want cpu, alloc or cpu,alloc)", flag, v, k)
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

// checkPprofFlags validates run's profile flags before anything runs.
func checkPprofFlags(c *cli.Context) error {
	kinds, err := parsePprofKinds("--pprof", c.String("pprof"))
	if err != nil {
		return err
	}
	if len(kinds) > 0 && c.String("server") != "" {
		return usagef("--pprof works with a local store only: a server takes results, not profiles")
	}
	if d := c.Duration("pprof-time"); d <= 0 {
		return usagef("--pprof-time %v: want more than 0", d)
	}
	if n := c.Int64("pprof-max-size"); n <= 0 {
		return usagef("--pprof-max-size %d: want more than 0", n)
	}
	return nil
}

// profileRun profiles every benchmark of a finished run when --pprof is
// given, and checks each profile (it parses, and it is within
// --pprof-max-size) before anything is stored. It returns nil without
// --pprof.
func profileRun(c *cli.Context, cfg runner.Config, res *runner.Result) ([]store.Profile, error) {
	kinds, err := parsePprofKinds("--pprof", c.String("pprof"))
	if err != nil || len(kinds) == 0 {
		return nil, err
	}
	targets := runner.PprofTargets(res.Output, c.Duration("pprof-time"))
	var out []store.Profile
	for _, pkg := range res.Packages {
		ts := targets[pkg.Path]
		if len(ts) == 0 {
			continue
		}
		fmt.Fprintf(c.App.ErrWriter, "benchdb: profiling %d benchmarks of %s (%s each)\n",
			len(ts), termsafe.Escape(pkg.Path), c.Duration("pprof-time"))
		ps, err := runner.ProfileBenchmarks(c.Context, runner.PprofConfig{
			Go: cfg.Go, Dir: cfg.Dir, Env: cfg.Env, Package: pkg.Path, Targets: ts, Kinds: kinds, Setup: true,
		})
		if err != nil {
			return nil, fmt.Errorf("profile: %w\nnothing stored", err)
		}
		for _, p := range ps {
			for _, sp := range p.Stored(kinds, "") {
				if err := checkProfile(sp, c.Int64("pprof-max-size")); err != nil {
					return nil, err
				}
				out = append(out, sp)
			}
		}
	}
	return out, nil
}

// checkProfile checks a profile as the store would and parses it.
func checkProfile(p store.Profile, maxSize int64) error {
	if err := store.CheckProfile(p, store.ProfileOptions{MaxSize: maxSize}); err != nil {
		return fmt.Errorf("%w (see --pprof-max-size); nothing stored", err)
	}
	if err := profdiff.Check(p.Data); err != nil {
		return fmt.Errorf("%s profile of %s: %w; nothing stored", p.Kind, p.Name, err)
	}
	return nil
}

// storeProfiles stores the profiles of a run just ingested.
func storeProfiles(c *cli.Context, db *store.DB, got store.Ingested, ps []store.Profile) error {
	if len(ps) == 0 {
		return nil
	}
	if got.DuplicateOf != 0 {
		fmt.Fprintf(c.App.ErrWriter, "benchdb: the run is a duplicate of run %d; its profiles are not stored\n", got.DuplicateOf)
		return nil
	}
	start := time.Now()
	if err := db.AddProfiles(c.Context, got.ID, ps, store.ProfileOptions{MaxSize: c.Int64("pprof-max-size")}); err != nil {
		return fmt.Errorf("run %d is stored, its profiles are not: %w", got.ID, err)
	}
	var size int64
	n := 0
	for _, p := range ps {
		size += int64(len(p.Data))
		if !p.Setup {
			n++
		}
	}
	fmt.Fprintf(c.App.Writer, "stored %d profiles (and their setup profiles; %d KiB in all) with run %d in %s; see benchdb why\n",
		n, (size+1023)/1024, got.ID, time.Since(start).Round(time.Millisecond))
	return nil
}

// profileNames lists the distinct "KIND NAME" of ps, at most 10.
func profileNames(ps []store.Profile) string {
	var names []string
	for _, p := range ps {
		n := fmt.Sprintf("%s %s (run %d)", p.Kind, p.Name, p.RunID)
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
	}
	return termsafe.Escape(strings.Join(names, ", "))
}

// exportProfile writes the one stored profile that --profile KIND and
// --bench RE select among the runs ids, byte for byte, to --output or
// standard output.
func exportProfile(c *cli.Context, db *store.DB, ids []int64) error {
	kind := c.String("profile")
	if kind != store.ProfileCPU && kind != store.ProfileAlloc {
		return usagef("--profile %q: want cpu or alloc", kind)
	}
	bench := c.String("bench")
	if _, err := runner.Matches(cmpOr(bench, "."), "", "BenchmarkX"); err != nil {
		return usagef("--bench %q: %v", bench, err)
	}
	ps, err := stored.List(c.Context, db, ids, []string{kind}, bench)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	switch {
	case len(ps) == 0:
		all, err := stored.List(c.Context, db, ids, nil)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if len(all) == 0 {
			return fmt.Errorf("export: %s holds no profiles (benchdb run --pprof cpu,alloc stores them)", stored.RunsText(ids))
		}
		return fmt.Errorf("export: no %s profile matches --bench %q in %s (it holds: %s)", kind, bench, stored.RunsText(ids), profileNames(all))
	case len(ps) > 1:
		return fmt.Errorf("export: --profile %s --bench %q matches %d profiles: %s; narrow --bench (a profile is exported alone)", kind, bench, len(ps), profileNames(ps))
	}
	data, err := db.ProfileData(c.Context, ps[0])
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if out := c.String("output"); out != "" {
		if err := outfile.WriteFile(out, data); err != nil {
			return fmt.Errorf("export: write %s: %w", out, err)
		}
		return nil
	}
	if _, err := c.App.Writer.Write(data); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

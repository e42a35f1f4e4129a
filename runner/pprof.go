package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/benchdb/benchdb/internal/benchname"
	"github.com/benchdb/benchdb/store/storedata"
)

// Kinds of profile a profiled run writes.
const (
	PprofCPU   = storedata.ProfileCPU   // "cpu": -test.cpuprofile
	PprofAlloc = storedata.ProfileAlloc // "alloc": -test.memprofile (its alloc_space and alloc_objects)
)

// DefaultPprofTime is the time a profiled run of one benchmark aims at when
// PprofConfig.Time is zero: about 100 CPU samples at the default rate.
const DefaultPprofTime = time.Second

// A PprofTarget is one benchmark to profile.
type PprofTarget struct {
	// Name is the benchmark's name as its result line prints it, with
	// the Benchmark prefix and the -GOMAXPROCS suffix, if any
	// ("BenchmarkSelect/depth=10-2").
	Name string
	// Iters is the iteration count to run it for (-test.benchtime Nx).
	Iters int64
}

// PprofConfig says which benchmarks of one package to profile and how.
// Profiled runs are separate from the timed run: each benchmark runs
// again, alone, once with -test.cpuprofile and once with -test.memprofile
// (every allocation recorded), for a fixed iteration count, and its
// timing is not kept.
type PprofConfig struct {
	// Go is the go command; DefaultGo when empty.
	Go string
	// Dir is the directory go commands run in (the target module); the
	// current directory when empty.
	Dir string
	// Package is the import path of the package.
	Package string
	// Binary is the package's compiled test binary. When empty,
	// ProfileBenchmarks builds it with `go test -c` into a temporary
	// directory. (benchdb ab passes the binary it built for a revision.)
	Binary string
	// PkgDir is the directory the test binary runs in, as go test would
	// run it (the package's source directory, so that testdata is
	// found). When empty it is found with `go list`.
	PkgDir string
	// Targets are the benchmarks to profile.
	Targets []PprofTarget
	// Kinds are the profiles to write: PprofCPU, PprofAlloc or both.
	Kinds []string
	// Env is added to the environment of the commands.
	Env []string
	// Setup asks for a second profiled run of each benchmark, for one
	// iteration: its profiles hold the work done once per run (the
	// benchmark's setup outside its timed loop, the profiler's own), so
	// that the main profile minus the setup profile, divided by the
	// difference of their iteration counts, is the cost of the loop.
	Setup bool
	// Progress, when not nil, is called before each benchmark is
	// profiled, with its index in Targets.
	Progress func(i int, t PprofTarget)
}

// A Pprof is the outcome of profiling one benchmark.
type Pprof struct {
	// Package and Name are the benchmark's (Name as in PprofTarget).
	Package, Name string
	// Iters is the iteration count the profiled run reported (b.N): the
	// profile's values divided by it are a cost per operation.
	Iters int64
	// CPU and Alloc are the profile files as the test binary wrote them
	// (gzip-compressed pprof protobuf), nil when not asked for.
	CPU, Alloc []byte
	// SetupIters, SetupCPU and SetupAlloc are those of the one-iteration
	// run that PprofConfig.Setup asks for; zero and nil without it.
	SetupIters           int64
	SetupCPU, SetupAlloc []byte
}

// ProfileBenchmarks profiles each of cfg.Targets in turn, and returns one
// Pprof per target, in order. The first failure (a build error, a
// benchmark that fails or prints no result under profiling, a cancelled
// context) ends it with an error naming the package and benchmark.
func ProfileBenchmarks(ctx context.Context, cfg PprofConfig) ([]Pprof, error) {
	if len(cfg.Kinds) == 0 {
		return nil, errors.New("profile benchmarks: no profile kinds")
	}
	for _, k := range cfg.Kinds {
		if k != PprofCPU && k != PprofAlloc {
			return nil, fmt.Errorf("profile benchmarks: unknown profile kind %q (want %s or %s)", k, PprofCPU, PprofAlloc)
		}
	}
	tmp, err := os.MkdirTemp("", "benchdb-pprof-")
	if err != nil {
		return nil, fmt.Errorf("profile benchmarks: %w", err)
	}
	defer os.RemoveAll(tmp)
	goCmd := cfg.Go
	if goCmd == "" {
		goCmd = DefaultGo
	}
	bin, pkgDir := cfg.Binary, cfg.PkgDir
	if pkgDir == "" {
		if pkgDir, err = goOutput(ctx, goCmd, cfg.Dir, cfg.Env, "list", "-f", "{{.Dir}}", cfg.Package); err != nil {
			return nil, &Error{Kind: GoFailed, Package: cfg.Package, Detail: err.Error(), Err: err}
		}
	}
	if bin == "" {
		bin = filepath.Join(tmp, "pkg.test")
		if _, err := goOutput(ctx, goCmd, cfg.Dir, cfg.Env, "test", "-c", "-o", bin, cfg.Package); err != nil {
			return nil, &Error{Kind: BuildFailed, Package: cfg.Package, Detail: err.Error(), Err: err}
		}
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return nil, fmt.Errorf("profile benchmarks: %w", err)
	}
	var out []Pprof
	for i, t := range cfg.Targets {
		if cfg.Progress != nil {
			cfg.Progress(i, t)
		}
		p, err := profileTarget(ctx, cfg, bin, pkgDir, tmp, t)
		if err != nil {
			return out, err
		}
		if cfg.Setup {
			s, err := profileTarget(ctx, cfg, bin, pkgDir, tmp, PprofTarget{Name: t.Name, Iters: 1})
			if err != nil {
				return out, err
			}
			p.SetupIters, p.SetupCPU, p.SetupAlloc = s.Iters, s.CPU, s.Alloc
		}
		out = append(out, p)
	}
	return out, nil
}

// profileTarget profiles target t, one run per kind: a CPU profile with
// -test.cpuprofile, and an allocation profile with -test.memprofile and
// -test.memprofilerate=1, so that every allocation is recorded (exact
// bytes per op, at a cost in speed that the CPU profile must not see).
func profileTarget(ctx context.Context, cfg PprofConfig, bin, pkgDir, tmp string, t PprofTarget) (Pprof, error) {
	p := Pprof{Package: cfg.Package, Name: t.Name}
	for _, k := range cfg.Kinds {
		iters, data, err := profileOne(ctx, cfg, bin, pkgDir, tmp, t, k)
		if err != nil {
			return Pprof{}, err
		}
		p.Iters = iters
		if k == PprofCPU {
			p.CPU = data
		} else {
			p.Alloc = data
		}
	}
	return p, nil
}

// profileOne runs the test binary once for target t and returns the
// iteration count it reported and the profile of kind it wrote.
func profileOne(ctx context.Context, cfg PprofConfig, bin, pkgDir, tmp string, t PprofTarget, kind string) (int64, []byte, error) {
	base, procs := splitProcs(t.Name)
	file := filepath.Join(tmp, kind+".pprof")
	os.Remove(file)
	args := []string{
		"-test.run=^$",
		"-test.bench=" + benchname.ExactPattern(base),
		"-test.benchtime=" + strconv.FormatInt(max(t.Iters, 1), 10) + "x",
		"-test.count=1",
		"-test.cpu=" + strconv.Itoa(procs),
		"-test.benchmem",
		"-test.timeout=0",
	}
	if kind == PprofCPU {
		args = append(args, "-test.cpuprofile="+file)
	} else {
		args = append(args, "-test.memprofile="+file, "-test.memprofilerate=1")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), cfg.Env...)
	setProcessGroup(cmd)
	var stdout, stderr headBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	fail := func(detail string, err error) (int64, []byte, error) {
		k := BenchmarkFailed
		if ctx.Err() != nil {
			k, err = Interrupted, ctx.Err()
		}
		return 0, nil, &Error{Kind: k, Package: cfg.Package, Benchmark: base, Detail: "under " + kind + " profiling: " + detail, Err: err}
	}
	if runErr != nil {
		detail := firstLines(stdout.String()+"\n"+stderr.String(), maxDetailLines)
		if detail == "" {
			detail = runErr.Error()
		}
		return fail(detail, runErr)
	}
	iters, ok := resultIters(stdout.String(), base)
	if !ok {
		return fail("it printed no result line", nil)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fail(fmt.Sprintf("read its profile: %v", err), err)
	}
	return iters, data, nil
}

// resultIters finds the result line of the benchmark named base (without
// its -GOMAXPROCS suffix) in out and returns its iteration count.
func resultIters(out, base string) (int64, bool) {
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if result, _ := classifyLine(line); !result || resultName(line) != base {
			continue
		}
		n, err := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
		return n, err == nil && n > 0
	}
	return 0, false
}

// splitProcs splits a result name into the benchmark name and its
// -GOMAXPROCS suffix (1 when it has none, as testing prints it).
func splitProcs(name string) (string, int) {
	base, procs := benchname.SplitProcs(name)
	if procs == "" {
		return name, 1
	}
	n, _ := strconv.Atoi(procs)
	return base, n
}

// PprofTargets reads benchmark output (the Go benchmark format, as
// Result.Output holds it) and returns, per package (from its "pkg:"
// lines), each benchmark once, in the order of first appearance, with the
// iteration count that makes a profiled run last about d: d divided by
// the benchmark's mean time per operation, at least 1 and at most 1e9.
func PprofTargets(output []byte, d time.Duration) map[string][]PprofTarget {
	type acc struct {
		pkg    string
		ns     float64
		n      int
		target int
	}
	out := map[string][]PprofTarget{}
	seen := map[[2]string]*acc{}
	var order []*acc
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(output))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "pkg:"); ok {
			pkg = strings.TrimSpace(v)
			continue
		}
		if result, _ := classifyLine(line); !result {
			continue
		}
		f := strings.Fields(line)
		name := f[0]
		ns := -1.0
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				ns = v
			case "sec/op":
				ns = v * 1e9
			}
		}
		key := [2]string{pkg, name}
		a := seen[key]
		if a == nil {
			a = &acc{pkg: pkg, target: len(out[pkg])}
			seen[key] = a
			order = append(order, a)
			out[pkg] = append(out[pkg], PprofTarget{Name: name})
		}
		if ns >= 0 {
			a.ns += ns
			a.n++
		}
	}
	for _, a := range order {
		iters := int64(1)
		if a.n > 0 {
			mean := a.ns / float64(a.n)
			iters = int64(math.Min(1e9, math.Max(1, math.Round(float64(d.Nanoseconds())/math.Max(mean, 1e-3)))))
		}
		out[a.pkg][a.target].Iters = iters
	}
	return out
}

// goOutput runs the go command with args in dir and returns its standard
// output, trimmed; its error holds the first lines of standard error.
func goOutput(ctx context.Context, goCmd, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	setProcessGroup(cmd)
	var stderr headBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := firstLines(stderr.String(), maxDetailLines); msg != "" {
			return "", fmt.Errorf("%s %s: %s", goCmd, args[0], msg)
		}
		return "", fmt.Errorf("%s %s: %w", goCmd, args[0], err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Stored returns the profiles of p to store, for each of kinds in order
// (PprofCPU or PprofAlloc, the store's kinds): the timed profile, then the set-up one, each named
// without the "Benchmark" prefix, as the store names results, and with
// side (the ab side, "" for benchdb run). The data is p's, not copied.
func (p *Pprof) Stored(kinds []string, side string) []storedata.Profile {
	name := strings.TrimPrefix(p.Name, "Benchmark")
	var out []storedata.Profile
	for _, k := range kinds {
		data, setup := p.CPU, p.SetupCPU
		if k == PprofAlloc {
			data, setup = p.Alloc, p.SetupAlloc
		}
		out = append(out,
			storedata.Profile{Pkg: p.Package, Name: name, Side: side, Kind: k, Iters: p.Iters, Data: data},
			storedata.Profile{Pkg: p.Package, Name: name, Side: side, Kind: k, Setup: true, Iters: p.SetupIters, Data: setup})
	}
	return out
}

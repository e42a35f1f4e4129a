package ab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Options says what `benchdb ab` does. Old and New are required.
type Options struct {
	// Dir is the module's directory in a git repository; "." when empty.
	Dir string
	// Old and New are git revisions, or "." / "worktree" for the working
	// tree with its uncommitted changes.
	Old, New string
	// Packages are the package patterns, relative to Dir; "." when empty.
	Packages []string
	// BuildFlags go to `go test -c`; Config.TestArgs to the test binaries
	// (SplitGoTestFlags splits go test flags into the two).
	BuildFlags []string
	// Config says how to measure (rounds, -bench, -benchtime, seed,
	// progress, extra runs).
	Config
	// Analysis says how to judge.
	Analysis AnalysisOptions
	// AllowDirty lets committed revisions be measured while tracked files
	// have uncommitted changes (which they would not include). Without
	// it that is an error, unless a side is the working tree.
	AllowDirty bool
	// ID is the ab id stored as label ab; a new one when empty.
	ID string
	// Store, when not nil, receives both sides as runs; Labels are added
	// to theirs.
	Store  Ingester
	Labels map[string]string
	// Workspace, when not nil, is used (and not closed) instead of a new
	// one, so that builds are shared (bisect does this). Dir is then
	// ignored.
	Workspace *Workspace
}

// A Report is the outcome of Run.
type Report struct {
	ID string
	*Analysis
	// Stored names the runs, when Options.Store was set.
	Stored *Stored
	// Measurement is what was measured.
	Measurement *Measurement
	// Elapsed is the wall time of the whole run, builds included.
	Elapsed time.Duration
}

// ErrDirty is returned (wrapped) when tracked files have uncommitted
// changes and neither side is the working tree.
var ErrDirty = errors.New("working tree has uncommitted changes")

// Run builds OLD and NEW, measures them interleaved, analyses the pairs
// and, when opts.Store is set, stores both sides. Worktrees and binaries
// are removed before it returns, whatever happens (a cancelled context
// included). Nothing is stored unless the whole measurement succeeded.
func Run(ctx context.Context, opts Options) (rep *Report, err error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	ws := opts.Workspace
	if ws == nil {
		ws, err = NewWorkspace(ctx, opts.Dir)
		if err != nil {
			return nil, err
		}
		ws.BuildFlags = opts.BuildFlags
		ws.Env = opts.Env
		defer func() {
			if cerr := ws.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	old, err := ws.Repo.Resolve(ctx, opts.Old)
	if err != nil {
		return nil, fmt.Errorf("old: %w", err)
	}
	new, err := ws.Repo.Resolve(ctx, opts.New)
	if err != nil {
		return nil, fmt.Errorf("new: %w", err)
	}
	if !old.WorkTree && !new.WorkTree && !opts.AllowDirty {
		dirty, err := ws.Repo.Dirty(ctx)
		if err != nil {
			return nil, err
		}
		if dirty {
			return nil, fmt.Errorf("%s: %w to tracked files that neither %s nor %s includes (name . as a revision to measure them, or commit or stash them)",
				ws.Repo.Top, ErrDirty, opts.Old, opts.New)
		}
	}
	ob, err := ws.Build(ctx, old, opts.Packages)
	if err != nil {
		return nil, fmt.Errorf("old: %w", err)
	}
	nb, err := ws.Build(ctx, new, opts.Packages)
	if err != nil {
		return nil, fmt.Errorf("new: %w", err)
	}
	m, err := Measure(ctx, ob, nb, opts.Config)
	if err != nil {
		return nil, err
	}
	id := opts.ID
	if id == "" {
		id = NewID(start, old.Commit, new.Commit)
	}
	rep = &Report{ID: id, Analysis: Analyze(m, opts.Analysis), Measurement: m}
	if opts.Store != nil {
		st, err := Store(ctx, opts.Store, m, id, opts.Labels)
		if err != nil {
			return nil, err
		}
		rep.Stored = &st
	}
	rep.Elapsed = now().Sub(start)
	return rep, nil
}

// NewID returns an id for a measurement started at t: the time, to the
// second, and a short hash of the time and the commits.
func NewID(t time.Time, commits ...string) string {
	h := sha256.New()
	fmt.Fprint(h, t.UnixNano())
	for _, c := range commits {
		h.Write([]byte(c))
	}
	return t.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(h.Sum(nil))[:6]
}

// goBuildFlags are the go test flags that go to `go test -c`; the value
// says whether the flag takes a value.
var goBuildFlags = map[string]bool{
	"a": false, "race": false, "msan": false, "asan": false, "cover": false, "trimpath": false,
	"linkshared": false, "work": false, "x": false, "n": false,
	"covermode": true, "coverpkg": true, "tags": true, "gcflags": true, "ldflags": true,
	"asmflags": true, "mod": true, "modfile": true, "overlay": true, "pgo": true,
	"buildvcs": true, "buildmode": true, "compiler": true, "gccgoflags": true,
	"installsuffix": true, "p": true, "toolexec": true,
}

// goTestFlags are the go test flags that go to the test binary (as
// -test.x); the value says whether the flag takes a value.
var goTestFlags = map[string]bool{
	"benchmem": false, "v": false, "short": false, "failfast": false,
	"bench": true, "benchtime": true, "count": true, "cpu": true, "run": true, "skip": true,
	"timeout": true, "shuffle": true, "parallel": true, "cpuprofile": true, "memprofile": true,
	"memprofilerate": true, "blockprofile": true, "blockprofilerate": true, "mutexprofile": true,
	"mutexprofilefraction": true, "trace": true, "outputdir": true, "fullpath": false,
}

// SplitGoTestFlags splits flags as they would follow `go test` into build
// flags for `go test -c` and test binary flags, spelled -test.x. A flag
// that is neither is an error naming it.
func SplitGoTestFlags(args []string) (build, test []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			return nil, nil, fmt.Errorf("go test flag %q: want -name or -name=value", a)
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		name = strings.TrimPrefix(name, "test.")
		takes, isBuild := goBuildFlags[name]
		if !isBuild {
			var isTest bool
			takes, isTest = goTestFlags[name]
			if !isTest {
				return nil, nil, fmt.Errorf("go test flag %s: not a flag benchdb ab knows for go test -c or the test binary", a)
			}
		}
		if takes && !hasValue {
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("go test flag %s: needs a value", a)
			}
			i++
			value, hasValue = args[i], true
		}
		flag := "-" + name
		if !isBuild {
			flag = "-test." + name
		}
		if hasValue {
			flag += "=" + value
		}
		if isBuild {
			build = append(build, flag)
		} else {
			test = append(test, flag)
		}
	}
	return build, test, nil
}

package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Run runs `go test -json -run '^$' -bench ... -benchmem` as cfg says and
// waits for it. It returns a non-nil Result even with an error; the error
// (an *Error, or several joined) means the Result is incomplete. When ctx is
// cancelled or cfg.Timeout expires, Run kills the process group it started,
// and only it.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.Packages) == 0 {
		return nil, errors.New("run benchmarks: no packages")
	}
	if cfg.Processes > 1 {
		return runRounds(ctx, cfg)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	args := CommandLine(cfg)
	r := &run{cfg: cfg, now: now, start: now(), pkgs: map[string]*pkgState{}}
	res := &Result{Command: args}

	runCtx := ctx
	var cancelTimeout context.CancelFunc = func() {}
	if cfg.Timeout > 0 {
		runCtx, cancelTimeout = context.WithTimeoutCause(ctx, cfg.Timeout, errTimeout)
	}
	defer cancelTimeout()

	cmd := exec.CommandContext(runCtx, args[0], args[1:]...)
	cmd.Dir = cfg.Dir
	cmd.Env = append(os.Environ(), cfg.Env...)
	setProcessGroup(cmd)
	var stderr headBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, fmt.Errorf("run %s: %w", args[0], err)
	}
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("run %s: %w", args[0], err)
	}

	stopTick := r.tick()
	stopStretch := func() (map[string][]float64, map[string]map[string][]float64) { return nil, nil }
	if cfg.stretch {
		stopStretch = r.followStretch(cmd.Process.Pid)
	}
	r.read(stdout)
	waitErr := cmd.Wait()
	stopTick()
	res.Stretch, res.BenchStretch = stopStretch()

	r.mu.Lock()
	defer r.mu.Unlock()
	res.Elapsed = now().Sub(r.start)
	failed, cut := r.finish(res)
	var errs []error
	switch {
	case errors.Is(context.Cause(runCtx), errTimeout):
		errs = append(errs, &Error{Kind: TimedOut, Package: r.runPkg, Benchmark: r.runBench,
			Detail: "after " + cfg.Timeout.String(), Err: context.DeadlineExceeded})
		errs = append(errs, failed...)
	case ctx.Err() != nil:
		errs = append(errs, &Error{Kind: Interrupted, Package: r.runPkg, Benchmark: r.runBench, Err: ctx.Err()})
		errs = append(errs, failed...)
	default:
		errs = append(append(errs, failed...), cut...)
		if waitErr != nil && len(errs) == 0 {
			detail := firstLines(stderr.String(), maxDetailLines)
			if detail == "" {
				detail = firstLines(r.stray.String(), maxDetailLines)
			}
			if detail == "" {
				detail = waitErr.Error()
			}
			errs = append(errs, &Error{Kind: GoFailed, Detail: detail, Err: waitErr})
		}
	}
	res.Complete = len(errs) == 0
	return res, errors.Join(errs...)
}

// errTimeout is the cause of runCtx's cancellation when Config.Timeout
// expires.
var errTimeout = errors.New("run timed out")

// run is the state of one Run, shared by the reader and the ticker.
type run struct {
	cfg   Config
	now   func() time.Time
	start time.Time

	mu       sync.Mutex
	pkgs     map[string]*pkgState
	order    []string
	done     int
	first    time.Time    // when the first benchmark started
	curPkg   string       // what Progress shows: the benchmark running or the
	curBench string       // last result
	runPkg   string       // the benchmark started last, which a timeout or
	runBench string       // an interrupt names
	stray    bytes.Buffer // stdout lines that were not JSON
	warnings []string
	// onSample, when not nil, is called by followStretch's sampler after
	// each sample of a live test binary (tests wait on it).
	onSample func(pid int)
}

// tick calls Progress every Tick until the returned function is called.
func (r *run) tick() (stop func()) {
	d := r.cfg.Tick
	if d == 0 {
		d = DefaultTick
	}
	if r.cfg.Progress == nil || d < 0 {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				r.mu.Lock()
				r.progress("tick")
				r.mu.Unlock()
			}
		}
	})
	return func() {
		close(quit)
		wg.Wait()
	}
}

// progress calls Config.Progress. The caller holds r.mu.
func (r *run) progress(what string) {
	if r.cfg.Progress == nil {
		return
	}
	now := r.now()
	p := Progress{
		Event:     what,
		Package:   r.curPkg,
		Benchmark: r.curBench,
		Done:      r.done,
		Total:     r.cfg.Expected,
		Elapsed:   now.Sub(r.start),
	}
	if p.Total > p.Done && p.Done > 0 && !r.first.IsZero() {
		perResult := now.Sub(r.first) / time.Duration(p.Done)
		p.Left = perResult * time.Duration(p.Total-p.Done)
	}
	r.cfg.Progress(p)
}

// headBuffer keeps the first 64 KiB written to it: the start of a
// command's output, where a build failure says what failed.
type headBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *headBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := 64<<10 - t.buf.Len(); room > 0 {
		t.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (t *headBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

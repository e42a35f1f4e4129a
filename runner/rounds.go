package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// runRounds runs cfg as cfg.Processes go test runs one after another
// (rounds: each runs every package once, in a test process of its own),
// cfg.Count split among them, and merges their results as one run's: the
// rounds' outputs one after another, every package's stretch once a
// round. Progress counts across the rounds; Timeout bounds them all. It
// stops at the first round that fails or is interrupted (also between
// two rounds), keeping what the rounds before it and that round
// finished.
func runRounds(ctx context.Context, cfg Config) (*Result, error) {
	procs := cfg.Processes
	if cfg.Count < procs {
		return nil, fmt.Errorf("run benchmarks: %d processes for -count %d: want at most one process per repetition", procs, cfg.Count)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	var deadline time.Time
	if cfg.Timeout > 0 {
		deadline = start.Add(cfg.Timeout)
	}
	res := &Result{Complete: true}
	byPath := map[string]int{} // index in res.Packages
	var out bytes.Buffer
	done := 0
	for round := range procs {
		if err := ctx.Err(); err != nil {
			res.Complete = false
			return finishRounds(res, &out, start, now), &Error{Kind: Interrupted, Err: err}
		}
		rc := cfg
		rc.Processes = 1
		rc.Count = cfg.Count / procs
		if round < cfg.Count%procs {
			rc.Count++
		}
		if !deadline.IsZero() {
			rc.Timeout = deadline.Sub(now())
			if rc.Timeout <= 0 {
				res.Complete = false
				return finishRounds(res, &out, start, now), &Error{Kind: TimedOut, Detail: "after " + cfg.Timeout.String(), Err: context.DeadlineExceeded}
			}
		}
		if cfg.Progress != nil {
			offset, before := now().Sub(start), done
			rc.Progress = func(p Progress) {
				p.Done += before
				p.Total = cfg.Expected
				p.Elapsed += offset
				p.Left = 0
				if p.Total > p.Done && p.Done > 0 {
					p.Left = p.Elapsed / time.Duration(p.Done) * time.Duration(p.Total-p.Done)
				}
				cfg.Progress(p)
			}
		}
		rr, err := Run(ctx, rc)
		if rr == nil {
			return finishRounds(res, &out, start, now), err
		}
		if round == 0 {
			res.Command = rr.Command
		}
		if len(rr.Output) > 0 {
			out.Write(rr.Output)
			if rr.Output[len(rr.Output)-1] != '\n' {
				out.WriteByte('\n')
			}
		}
		res.Results += rr.Results
		done += rr.Results
		res.Warnings = append(res.Warnings, rr.Warnings...)
		for _, p := range rr.Packages {
			i, ok := byPath[p.Path]
			if !ok {
				byPath[p.Path] = len(res.Packages)
				res.Packages = append(res.Packages, p)
				continue
			}
			res.Packages[i].Results += p.Results
			if p.Status != "pass" {
				res.Packages[i].Status = p.Status
			}
		}
		for pkg, st := range rr.Stretch {
			if res.Stretch == nil {
				res.Stretch = map[string][]float64{}
			}
			res.Stretch[pkg] = append(res.Stretch[pkg], st...)
		}
		for pkg, bs := range rr.BenchStretch {
			if res.BenchStretch == nil {
				res.BenchStretch = map[string]map[string][]float64{}
			}
			if res.BenchStretch[pkg] == nil {
				res.BenchStretch[pkg] = map[string][]float64{}
			}
			for b, st := range bs {
				res.BenchStretch[pkg][b] = append(res.BenchStretch[pkg][b], st...)
			}
		}
		if err != nil || !rr.Complete {
			res.Complete = false
			var re *Error
			if errors.As(err, &re) && re.Kind == TimedOut {
				re.Detail = "after " + cfg.Timeout.String()
			}
			return finishRounds(res, &out, start, now), err
		}
	}
	return finishRounds(res, &out, start, now), nil
}

// finishRounds sets the merged result's output and elapsed time.
func finishRounds(res *Result, out *bytes.Buffer, start time.Time, now func() time.Time) *Result {
	res.Output = out.Bytes()
	res.Elapsed = now().Sub(start)
	return res
}

// RoundsNote describes, for a message after CommandLine(cfg), how Run
// splits cfg's repetitions among test processes: "" for one process,
// else, for 6 repetitions in 4, " (in 4 test processes per package, one
// after another: -count 2, 2, 1 and 1)".
func RoundsNote(cfg Config) string {
	if cfg.Processes <= 1 {
		return ""
	}
	counts := make([]string, cfg.Processes)
	for i := range counts {
		n := cfg.Count / cfg.Processes
		if i < cfg.Count%cfg.Processes {
			n++
		}
		counts[i] = strconv.Itoa(n)
	}
	if cfg.Count%cfg.Processes == 0 {
		return fmt.Sprintf(" (in %d test processes per package, one after another: -count %s each)", cfg.Processes, counts[0])
	}
	return fmt.Sprintf(" (in %d test processes per package, one after another: -count %s and %s)", cfg.Processes,
		strings.Join(counts[:len(counts)-1], ", "), counts[len(counts)-1])
}

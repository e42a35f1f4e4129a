package nightlytest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A RealCorpus is a set of nights of real `go test -bench` output, as
// collected by reports/nightly/testdata/realnoise/collect.go: every night
// runs each subject (a package) in several variants (its unchanged build,
// "base", and builds slowed down by a known cause), plus the calibration
// probe.
type RealCorpus struct {
	// Nights are the nights in the order they were measured.
	Nights []RealNight
}

// A RealNight is one night of a RealCorpus.
type RealNight struct {
	// Number is the night's number, from its "night:" line.
	Number int
	// Time is when the night started (its first block).
	Time time.Time
	// Blocks maps "subject/variant" to the Go benchmark format output of
	// that build, with its own pkg, goos, goarch and cpu lines.
	Blocks map[string][]byte
	// Load maps "subject/variant" to the machine's one-minute load average
	// when the block started.
	Load map[string]float64
	// Probes maps "subject/variant" to the calibration probe's output
	// (package benchdb/probe) measured right after that block.
	Probes map[string][]byte
	// Procs is how many processes of each build the night ran, one a
	// round (its "procs:" line; 1 without one); Parts and ProbeParts
	// hold each process's block and the probe after it, in the order
	// they ran (Blocks and Probes are their concatenations).
	Procs             int
	Parts, ProbeParts map[string][][]byte
	// CPU is the machine's processor, from the night's first "cpu:"
	// line (go test's name for it, trimmed): nights of different
	// machines are not one history.
	CPU string
}

// ReadRealCorpus reads every night-*.txt file of fsys.
func ReadRealCorpus(fsys fs.FS) (*RealCorpus, error) {
	names, err := fs.Glob(fsys, "night-*.txt")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read real corpus: no night-*.txt files")
	}
	c := &RealCorpus{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		n, err := parseNight(path.Base(name), data)
		if err != nil {
			return nil, err
		}
		c.Nights = append(c.Nights, n)
	}
	slices.SortFunc(c.Nights, func(a, b RealNight) int { return a.Number - b.Number })
	return c, nil
}

// Spans returns the indices into c.Nights of each span of the corpus:
// a longest run of consecutive nights measured on one processor, in
// order. Nights of two spans are not one history: they come from two
// machines, or from two machines of one kind (go test names the
// processor, not the machine) at different times.
func (c *RealCorpus) Spans() [][]int {
	var out [][]int
	for i, n := range c.Nights {
		if i == 0 || n.CPU != c.Nights[i-1].CPU {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], i)
	}
	return out
}

// Sittings returns the indices into c.Nights of each sitting: a longest
// run of consecutive nights of one span (see Spans), none more than an
// hour after the one before it. A collection runs its nights a few
// minutes apart, so a sitting is one collection.
func (c *RealCorpus) Sittings() [][]int {
	var out [][]int
	for _, span := range c.Spans() {
		for j, i := range span {
			if j == 0 || c.Nights[i].Time.Sub(c.Nights[span[j-1]].Time) > time.Hour {
				out = append(out, nil)
			}
			out[len(out)-1] = append(out[len(out)-1], i)
		}
	}
	return out
}

// SpanOf returns the span (see Spans) that holds night i.
func (c *RealCorpus) SpanOf(i int) []int {
	for _, s := range c.Spans() {
		if s[0] <= i && i <= s[len(s)-1] {
			return s
		}
	}
	return nil
}

func parseNight(name string, data []byte) (RealNight, error) {
	n := RealNight{Blocks: map[string][]byte{}, Load: map[string]float64{}, Probes: map[string][]byte{},
		Procs: 1, Parts: map[string][][]byte{}, ProbeParts: map[string][][]byte{}}
	var subject, variant string
	inProbe, newBlock := false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		key, val, isConfig := strings.Cut(l, ": ")
		if isConfig && !strings.HasPrefix(l, "Benchmark") {
			switch key {
			case "night":
				v, err := strconv.Atoi(val)
				if err != nil {
					return n, fmt.Errorf("%s:%d: night %q: %w", name, line, val, err)
				}
				n.Number = v
				continue
			case "procs":
				v, err := strconv.Atoi(val)
				if err != nil || v < 1 {
					return n, fmt.Errorf("%s:%d: procs %q: want a positive number", name, line, val)
				}
				n.Procs = v
				continue
			case "relabelled":
				// testdata/realnoise/relabel.go moved this night's
				// benchmark stretches to the benchmarks they measured.
				continue
			case "subject":
				subject, inProbe, newBlock = val, false, true
				continue
			case "variant":
				variant = val
				continue
			case "pkg":
				inProbe = val == "benchdb/probe"
			case "cpu":
				if n.CPU == "" {
					n.CPU = strings.TrimSpace(val)
				}
			case "time":
				t, err := time.Parse(time.RFC3339, val)
				if err != nil {
					return n, fmt.Errorf("%s:%d: time %q: %w", name, line, val, err)
				}
				if n.Time.IsZero() {
					n.Time = t
				}
				continue
			case "load":
				if v, err := strconv.ParseFloat(val, 64); err == nil {
					n.Load[subject+"/"+variant] = v
				}
				continue
			}
		}
		if subject == "" {
			return n, fmt.Errorf("%s:%d: line before any subject", name, line)
		}
		k := subject + "/" + variant
		if newBlock {
			n.Parts[k] = append(n.Parts[k], nil)
			n.ProbeParts[k] = append(n.ProbeParts[k], nil)
			newBlock = false
		}
		last := len(n.Parts[k]) - 1
		if inProbe {
			n.Probes[k] = append(n.Probes[k], l+"\n"...)
			n.ProbeParts[k][last] = append(n.ProbeParts[k][last], l+"\n"...)
			continue
		}
		n.Blocks[k] = append(n.Blocks[k], l+"\n"...)
		n.Parts[k][last] = append(n.Parts[k][last], l+"\n"...)
	}
	return n, sc.Err()
}

// Series returns the sorted "subject/variant" keys found on every night.
func (c *RealCorpus) Series() []string {
	count := map[string]int{}
	for _, n := range c.Nights {
		for k := range n.Blocks {
			count[k]++
		}
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(count)) {
		if count[k] == len(c.Nights) {
			keys = append(keys, k)
		}
	}
	return keys
}

// A RealHistory selects a history from a RealCorpus: one subject's nights,
// in the base build up to a step and in a variant build from it on.
type RealHistory struct {
	// Subject is the package measured ("strings", "slowmod", ...).
	Subject string
	// Nights are indices into RealCorpus.Nights, in the history's order.
	Nights []int
	// Variant is the build from night StepAt on (an index into Nights);
	// "" or StepAt < 0 means the base build throughout.
	Variant string
	StepAt  int
	// Commits, when nonzero, labels the nights with that many distinct
	// commits, changing at the step and otherwise every night until only
	// the last commit is left: 0 gives every night its own commit, and 1
	// with no step labels every night with the same commit (an A/A
	// history).
	Commits int
	// Probe adds the calibration probe measured after the block to each
	// run, Stretch the block's stretch (how long its threads waited
	// for a CPU; nights collected before it was recorded have none), and
	// BenchStretch each benchmark's (from night 81 on), measured on all
	// its threads, or with MainThread on its busiest thread alone (from
	// night 103 on).
	Probe, Stretch, BenchStretch, MainThread bool
	// Procs, when nonzero, keeps only the first Procs processes of each
	// build on nights that ran several (RealNight.Procs).
	Procs int
	// Labels are added to every run.
	Labels map[string]string
}

// Runs returns the runs of h, a day apart from start.
func (c *RealCorpus) Runs(h RealHistory, start time.Time) []Run {
	runs := make([]Run, len(h.Nights))
	for i, ni := range h.Nights {
		night := c.Nights[ni]
		variant := "base"
		stepped := h.Variant != "" && h.StepAt >= 0 && i >= h.StepAt
		if stepped {
			variant = h.Variant
		}
		key := h.Subject + "/" + variant
		text, probes := slices.Clone(night.Blocks[key]), night.Probes[key]
		if h.Procs > 0 && h.Procs < len(night.Parts[key]) {
			text = bytes.Join(night.Parts[key][:h.Procs], nil)
			probes = bytes.Join(night.ProbeParts[key][:h.Procs], nil)
		}
		if h.Probe || h.Stretch || h.BenchStretch {
			for _, l := range bytes.SplitAfter(probes, []byte("\n")) {
				if main, ok := bytes.CutPrefix(l, []byte("BenchmarkProbe/kind=stretchmain/")); ok {
					if h.BenchStretch && h.MainThread {
						text = append(append(text, "BenchmarkProbe/kind=stretch/"...), main...)
					}
					continue
				}
				result := bytes.HasPrefix(l, []byte("Benchmark"))
				stretch := bytes.HasPrefix(l, []byte("BenchmarkProbe/kind=stretch/"))
				name, _, _ := bytes.Cut(l, []byte(" "))
				want := h.Stretch
				if bytes.Contains(name, []byte("/bench=")) {
					want = h.BenchStretch && !h.MainThread
				}
				if len(l) > 0 && (!result || stretch && want || result && !stretch && h.Probe) {
					text = append(text, l...)
				}
			}
		}
		labels := maps.Clone(h.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		commit := i
		if h.Commits > 0 {
			commit = min(i, h.Commits-1)
		}
		if stepped {
			commit = 1000 + commit // a new commit at the step, whatever Commits says
		}
		labels["commit"] = fmt.Sprintf("c%04d", commit)
		runs[i] = Run{Time: start.Add(time.Duration(i) * 24 * time.Hour), Labels: labels, Text: text}
	}
	return runs
}

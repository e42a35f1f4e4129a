package nightly

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/benchdb/benchdb/internal/benchname"
	"github.com/benchdb/benchdb/internal/shellword"
	"github.com/benchdb/benchdb/reports"
	store "github.com/benchdb/benchdb/store/storedata"
	"golang.org/x/perf/benchfmt"
)

// Source is what a report reads: the methods of *store.DB it uses.
type Source interface {
	// Runs returns every run, oldest first.
	Runs(ctx context.Context) ([]store.Run, error)
	// Results calls fn for every result of the runs ids. The result is
	// reused between calls.
	Results(ctx context.Context, ids []int64, fn func(runID int64, r *benchfmt.Result) error) error
}

// Defaults of Options.
const (
	DefaultBaseline    = 10
	DefaultThreshold   = 0.05
	DefaultAlpha       = 0.05
	DefaultChangeAlpha = 0.01
	DefaultConfidence  = 0.95
)

// DefaultSeries are the labels (or configuration keys) that identify a
// series by default.
var DefaultSeries = []string{"host", "goos", "goarch", "cpu", "branch"}

// ErrNoRuns is returned by Build when the source holds no runs.
var ErrNoRuns = errors.New("no runs stored")

// Options configure a report. The zero value of each field means its
// default.
type Options struct {
	// Series are the run labels or configuration keys whose values
	// identify a series (default DefaultSeries). A run's label wins over
	// its configuration line of the same key.
	Series []string
	// Baseline is the number of earlier runs the current level is
	// compared with (default 10).
	Baseline int
	// Threshold is the smallest relative change reported (default 0.05).
	Threshold float64
	// Alpha is the false discovery rate (default 0.05).
	Alpha float64
	// ChangeAlpha is the significance level of each change point's test,
	// Bonferroni-adjusted for the splits tried (default 0.01).
	ChangeAlpha float64
	// Confidence is the confidence level of intervals (default 0.95).
	Confidence float64
	// Noise is the minimum detectable effect (a relative change, see
	// Change.MDE) above which a benchmark is listed as noisy (default
	// twice Threshold). Noisy benchmarks are judged all the same: their
	// noise raises the bar a change must pass, it does not hide it.
	Noise float64
	// Since, when nonzero, limits the report to changes that started, and
	// series whose newest run is, after Now() - Since.
	Since time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Seed is kept for compatibility: the tests are parametric now, and
	// the same history always gives the same report.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if len(o.Series) == 0 {
		o.Series = DefaultSeries
	}
	if o.Baseline <= 0 {
		o.Baseline = DefaultBaseline
	}
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Alpha <= 0 {
		o.Alpha = DefaultAlpha
	}
	if o.ChangeAlpha <= 0 {
		o.ChangeAlpha = DefaultChangeAlpha
	}
	if o.Confidence <= 0 {
		o.Confidence = DefaultConfidence
	}
	if o.Noise <= 0 {
		o.Noise = 2 * o.Threshold
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// A Report is the result of Build.
type Report struct {
	// Generated is when the report was built.
	Generated time.Time
	// Options are the options used, with defaults filled in.
	Options Options
	// Series are the series, sorted by their labels.
	Series []*Series
	// Regressions and Improvements are the significant changes, largest
	// first.
	Regressions, Improvements []*Change
	// Noisy lists benchmarks whose minimum detectable effect is above
	// Options.Noise. They are judged like any other; a change well above
	// their noise is among Regressions or Improvements.
	Noisy []*Noisy
	// Shifts lists every change point that started in the report's
	// window (after Now() - Since, or within the last Baseline runs of
	// its series when Since is zero), oldest first: the history of
	// changes, beside the current regressions.
	Shifts []*Shift
	// Pending lists benchmarks with too short a history to judge (fewer
	// than three earlier runs since their last change) whose newest run
	// differs from the one before by the threshold or more, significant
	// by a within-run test: evidence that cannot yet tell a change from
	// night-to-night noise, never an alarm. It also lists changes of the
	// newest night alone in benchmarks whose level has jumped as far
	// before (Pending.Wait): they are reported when a second night
	// confirms them.
	Pending []*Pending
	// Suspects are slowdowns of the threshold or more whose evidence
	// against the night-to-night noise falls short of a verdict
	// (p <= 0.25, not 0.01): not alarms, but worth measuring again with
	// benchdb ab (Change.Confirm), which a shift of the machine cannot
	// fake. A suspect ab confirms is reported among Regressions
	// (Change.AB); one it refutes is dropped. The smallest p-values
	// first, at most 10, and only where the two runs carry different
	// commit labels.
	Suspects []*Change
	// Judged is how many benchmarks were judged (had a long enough
	// history in a series whose newest run is in the window).
	Judged int
	// New lists benchmarks that appear for the first time in the newest
	// run of their series; Missing those that were in the baseline window
	// but not in the newest run.
	New, Missing []*Entry
}

// A Series is a sequence of runs made in one place.
type Series struct {
	// Labels are the values of the series keys (keys without a value
	// are left out).
	Labels map[string]string
	// Runs are the series' runs, oldest first.
	Runs []store.Run
	// Geomean is, for each run, the geometric mean over the benchmarks of
	// the run of each benchmark's median divided by its typical level (the
	// median of its run medians over the series); rates are inverted so
	// that up is worse. Benchmarks with fewer than five runs, and those
	// listed as noisy, are left out.
	// NaN where the run has no such benchmark.
	Geomean []float64
	// Machine is, for each run, the machine's speed that night: the
	// calibration probe's time (package ProbePackage) against its typical
	// level, 1.1 for a machine 10% slower than usual. NaN where the run
	// has no probe; nil when no run of the series has one.
	Machine []float64

	key string // Key, once computed by Build
}

// Key returns the series labels as "k=v k=v", sorted by key.
func (s *Series) Key() string {
	if s.key != "" {
		return s.key
	}
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + s.Labels[k])
	}
	return b.String()
}

// A Benchmark identifies a benchmark: package, full name and unit.
type Benchmark struct {
	Package string
	// Name is the full name without the "Benchmark" prefix.
	Name string
	// Unit is the tidied unit (sec/op, B/op, B/s, ...), whose values are
	// in base units.
	Unit string
}

// String returns "package.Name unit" (or "Name unit" without a package).
func (b Benchmark) String() string {
	if b.Package == "" {
		return b.Name + " " + b.Unit
	}
	return b.Package + "." + b.Name + " " + b.Unit
}

// A Point is one run of a benchmark's history.
type Point struct {
	Run store.Run
	// Median and its confidence interval Lo, Hi at Options.Confidence;
	// when there are too few samples for that confidence (fewer than six
	// for 95%), Lo and Hi are the smallest and largest sample.
	Median, Lo, Hi float64
	// N is the number of samples.
	N int
}

// A Change is a significant regression or improvement.
type Change struct {
	Benchmark
	Series *Series
	// Pct is the relative change of the current level from the baseline,
	// in percent, with its confidence interval LoPct, HiPct. For a
	// history holding zeros (such as 0 allocs/op) it is the change of
	// the values plus the smallest positive value of the history (or 1),
	// so that a change from 0 to 1 alloc/op is +100%.
	Pct, LoPct, HiPct float64
	// P is the Benjamini-Hochberg adjusted p-value of the U test; RawP
	// the unadjusted one.
	P, RawP float64
	// Change is the run where the change started, and Good the last run
	// before it.
	Change, Good store.Run
	// Baseline and Current are how many runs were compared.
	Baseline, Current int
	// History is the benchmark's history in the series, and ChangeIndex
	// the index in it of Change; ChangePoints are the indices of every
	// change point found.
	History      []Point
	ChangeIndex  int
	ChangePoints []int
	// MDE is the minimum detectable effect of the benchmark, in percent:
	// the smallest change one night can reveal against its baseline, at
	// its night-to-night noise (Noise, the standard deviation of its run
	// levels' logarithms, in percent). Noisy says MDE is above
	// Options.Noise.
	MDE, Noise float64
	Noisy      bool
	// Corrected says the benchmark was judged against the machine's
	// speed (its levels divided by its package's stretch, or by the
	// probe's, as far as they follow it), which made its history steadier.
	Corrected bool
	// Machine is the machine's speed change on the night of Change
	// against the night before, in percent, from the probe (NaN without
	// one); Stretch the same for the stretch of the benchmark's package
	// (how long its benchmarks waited for a CPU, against how long they
	// ran; NaN without one); Drift for the geomean of the series'
	// benchmarks.
	Machine, Stretch, Drift float64
	// AB is the benchdb ab measurement of the change's two commits on
	// its series' machine (all of them, pooled), nil without one. A
	// change it refutes is listed as Pending instead.
	AB *ABCheck

	// opTime is the benchmark's newest time per operation, in seconds,
	// whatever the change's unit (0 where unknown): it sets Confirm's
	// repetitions. hist is the history the change was found in.
	opTime float64
	hist   *history
}

// higherIsBetter reports whether larger values of unit are better, by
// the rule of reports.Direction (a report reads no unit metadata).
func higherIsBetter(unit string) bool { return reports.Direction(unit, nil) > 0 }

// Kind returns "regression" or "improvement".
func (c *Change) Kind() string {
	if (c.Pct > 0) != higherIsBetter(c.Unit) {
		return "regression"
	}
	return "improvement"
}

// Commit returns the commit label of the run where the change started,
// or "".
func (c *Change) Commit() string { return c.Change.Labels["commit"] }

// Confirm returns the command that measures a change again on one
// machine: benchdb ab runs the test binaries of the last good run's
// commit and of the changed run's alternately, so that a shift of the
// machine's level, which a nightly history cannot always tell from the
// code, falls on both alike. It is "" where either run has no commit
// label, both have the same, the benchmark has no package, a label or
// name holds a character that cannot be shown safely (a quote, a
// backtick, or one that does not print as itself: a control, format or
// line-separator character, or a space other than ASCII's, which would
// show a word break where the shell sees none), or a label or the
// package starts with "-", which ab would read as a flag. It is "" too
// where such a measurement is stored and decided (AB). Where the
// benchmark's time per operation is known it asks for many short
// repetitions, each round's best counted (see repetitionTime), as the
// newest run's time per operation sets them.
func (c *Change) Confirm() string {
	args := c.ConfirmArgs()
	if args == nil {
		return ""
	}
	return shellword.Join(append([]string{"benchdb"}, args...))
}

// ConfirmArgs returns the words of Confirm's command after "benchdb",
// or nil where Confirm is "".
func (c *Change) ConfirmArgs() []string {
	good, bad := c.Good.Labels["commit"], c.Change.Labels["commit"]
	if good == "" || bad == "" || good == bad || c.Package == "" || c.AB != nil && c.AB.Verdict != ABUndecided {
		return nil
	}
	for _, a := range []string{good, bad, c.Package} {
		if strings.HasPrefix(a, "-") {
			return nil // benchdb ab would read it as a flag
		}
	}
	name, cpu := benchname.SplitProcs(c.Name)
	args := []string{"ab"}
	if n, count, ok := c.repetitions(); ok {
		args = append(args, "--benchtime", strconv.Itoa(n)+"x", "--count", strconv.Itoa(count))
	}
	args = append(args, good, bad, c.Package, "--", "-bench", benchname.ExactPattern("Benchmark"+name))
	if cpu != "" {
		args = append(args, "-cpu", cpu)
	}
	for _, a := range args {
		if strings.ContainsAny(a, "'`\"") || strings.IndexFunc(a, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			return nil
		}
	}
	return args
}

// ABFor returns the ab measurement the report read for benchmark b in
// the series with key key (Series.Key): that of its change, suspect or
// pending change, or nil.
func (r *Report) ABFor(b Benchmark, key string) *ABCheck {
	for _, c := range slices.Concat(r.Regressions, r.Improvements, r.Suspects) {
		if c.Benchmark == b && c.Series.Key() == key && c.AB != nil {
			return c.AB
		}
	}
	for _, p := range r.Pending {
		if p.Benchmark == b && p.Series.Key() == key && p.AB != nil {
			return p.AB
		}
	}
	return nil
}

// ToConfirm returns up to n of the report's changes to measure again
// with benchdb ab (those with a Confirm command): the regressions,
// largest first, then the suspects, smallest p-value first; one change
// for each command (the units of one benchmark share one), none whose
// command is in tried. A report built after measuring its changes may
// ask for more (the next pair of commits after a refuted regression):
// ToConfirm with the commands tried gives those alone.
func (r *Report) ToConfirm(n int, tried map[string]bool) []*Change {
	var out []*Change
	seen := map[string]bool{}
	for _, c := range slices.Concat(r.Regressions, r.Suspects) {
		if cmd := c.Confirm(); len(out) < n && cmd != "" && !seen[cmd] && !tried[cmd] {
			seen[cmd] = true
			out = append(out, c)
		}
	}
	return out
}

// Repetitions of the measurement Confirm asks for: each run repeats the
// benchmark for about repetitionTime repetitionCount times, and a round's
// value is the best (benchdb ab --count). On a shared 2-core machine at
// load average 26-33 this detected a 5% change in 10 rounds in 51 of 51
// trials with no false alarm in 51 A/A trials, where one long run a
// round detected 10% in none of 11 (README, "A/B runs": 250 iterations
// of a 3.3 µs benchmark a repetition; 125 were steadier still, 1000
// worse): a repetition shorter than a scheduler time slice often runs
// undisturbed.
const (
	repetitionTime  = 400e-6 // seconds
	repetitionCount = 80
	minRepetitions  = 5
	// maxRepetitionOps bounds the operations of one repetition, so that
	// a stored time per operation far below what the benchmark takes
	// (a loop the compiler removed, or a value ingested wrong) cannot
	// make the measurement run for hours.
	maxRepetitionOps = 1_000_000
)

// repetitions returns the iterations of one repetition (--benchtime Nx)
// and how many repetitions a run makes (--count) for a benchmark whose
// time per operation is its newest level: repetitions of about
// repetitionTime, repetitionCount of them, or of one operation each where
// one takes longer, as many as fit in repetitionCount times
// repetitionTime (at least minRepetitions); never more than
// maxRepetitionOps operations a repetition. The time is the benchmark's
// sec/op whatever the change's unit (so that every unit of a benchmark
// gets one command), else, for a change in sec/op, its own newest level;
// ok is false where it is unknown.
func (c *Change) repetitions() (n, count int, ok bool) {
	op := c.opTime
	if op == 0 && c.Unit == "sec/op" && len(c.History) > 0 {
		op = c.History[len(c.History)-1].Median
	}
	if !(op > 0) || math.IsInf(op, 0) {
		return 0, 0, false
	}
	if op >= repetitionTime {
		return 1, max(minRepetitions, min(repetitionCount, int(math.Round(repetitionCount*repetitionTime/op)))), true
	}
	return int(min(repetitionTime/op, maxRepetitionOps)), repetitionCount, true
}

// Noisy describes a benchmark whose noise only lets changes larger than
// Options.Noise be seen.
type Noisy struct {
	Benchmark
	Series *Series
	// CV is the robust coefficient of variation of the samples of its
	// newest run, and RunCV the night-to-night standard deviation of the
	// logarithms of its run levels (about their coefficient of
	// variation); a run's level is the mean logarithm of its samples,
	// leaving out outliers.
	CV, RunCV float64
	// MDE is the smallest relative change one night can reveal.
	MDE float64
}

// A Shift is a change point of one benchmark's history: where its level
// moved.
type Shift struct {
	Benchmark
	Series *Series
	// Run is the first run at the new level, Good the last before it.
	Run, Good store.Run
	// Pct is the change of level, in percent, between the runs since the
	// change point before (or the start) and the runs up to the next one
	// (or the newest); Nights how many runs are at the new level.
	Pct    float64
	Nights int
	// Machine says Run and Good carry the same commit label: the code did
	// not change, so the machine did.
	Machine bool
	// AB is the benchdb ab measurement of the change that starts here,
	// where the report read one (Change.AB), else nil.
	AB *ABCheck
}

// Cause says what moved the level: "machine (same commit)", "machine
// (benchdb ab)" or "code (benchdb ab)" where ab refuted or confirmed
// it, else "code or machine".
func (s *Shift) Cause() string {
	switch {
	case s.Machine:
		return "machine (same commit)"
	case s.AB != nil && s.AB.Verdict == ABRefuted:
		return "machine (benchdb ab)"
	case s.AB != nil && s.AB.Verdict == ABConfirmed:
		return "code (benchdb ab)"
	}
	return "code or machine"
}

// Commit returns the commit label of the shift's run, or "".
func (s *Shift) Commit() string { return s.Run.Labels["commit"] }

// Pending is a benchmark whose history is too short to judge.
type Pending struct {
	Benchmark
	Series *Series
	// Runs is how many runs the benchmark has in the series.
	Runs int
	// Pct is the change of the newest run's median from the run before,
	// in percent, and P the within-run Mann-Whitney U test's p-value; or,
	// when Wait is set, the newest run's change from its baseline and its
	// p-value against the night-to-night noise.
	Pct, P float64
	// Wait says the history is long enough, but the change is of the
	// newest night alone, and the benchmark's level has jumped as far
	// before and come back: one more night will tell.
	Wait bool
	// AB, when set, is the benchdb ab measurement that refuted the
	// change the history showed (Pct, P): measured alternately, the two
	// commits did not differ so.
	AB *ABCheck
}

// An Entry is a new or missing benchmark.
type Entry struct {
	Benchmark
	Series *Series
	// Run is the newest run of the series for a new benchmark, and the
	// last run that had it for a missing one.
	Run store.Run
	// NotMeasured, for a missing benchmark, is what the newest run gave
	// it where that was not a measurement (go test's NaN, an infinite
	// or a negative value: the first of them, as text); "" where the
	// newest run did not have it.
	NotMeasured string
}

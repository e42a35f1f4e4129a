package bisect

import (
	"context"

	"github.com/benchdb/benchdb/ab"
	"github.com/benchdb/benchdb/store"
)

// Labels bisect stores on every run, besides ab's.
const (
	LabelID       = "bisect"
	LabelGood     = "bisect_good"
	LabelBad      = "bisect_bad"
	LabelBench    = "bisect_bench"
	LabelPackages = "bisect_pkgs"
	LabelStep     = "bisect_step"
	// LabelSettings holds the measurement settings (JSON) that Resume
	// restores, so that a resumed bisection measures as it began.
	LabelSettings = "bisect_settings"
)

// settings are the measurement settings of a bisection, stored with every
// run under LabelSettings. Its steps compare levels measured by these
// settings, so a resumed bisection must keep them.
type settings struct {
	Rounds     int      `json:"rounds"`
	MaxRounds  int      `json:"max_rounds"`
	Count      int      `json:"count,omitempty"`
	Benchtime  string   `json:"benchtime,omitempty"`
	Threshold  float64  `json:"threshold,omitempty"`
	Confidence float64  `json:"confidence"`
	Within     string   `json:"within,omitempty"`
	BuildFlags []string `json:"build_flags,omitempty"`
	TestArgs   []string `json:"test_args,omitempty"`
}

func settingsOf(o Options) settings {
	return settings{Rounds: o.Rounds, MaxRounds: o.MaxRounds, Count: o.Count, Benchtime: o.Benchtime,
		Threshold: o.Threshold, Confidence: o.Confidence, Within: o.Within, BuildFlags: o.BuildFlags, TestArgs: o.TestArgs}
}

// restore sets o's measurement settings to s.
func (s settings) restore(o *Options) {
	o.Rounds, o.MaxRounds, o.Count, o.Benchtime = s.Rounds, s.MaxRounds, s.Count, s.Benchtime
	o.Threshold, o.Confidence, o.Within = s.Threshold, s.Confidence, s.Within
	o.BuildFlags, o.TestArgs = s.BuildFlags, s.TestArgs
}

// Store is what bisect needs of a store; *store.DB is one.
type Store interface {
	ab.Ingester
	ab.ResultSource
	Runs(ctx context.Context) ([]store.Run, error)
	Profiles(ctx context.Context, id int64) ([]store.Profile, error)
}

// Options says what to bisect.
type Options struct {
	// Dir is the module's directory in a git repository; "." when empty.
	Dir string
	// Good and Bad are the revisions at the ends; Bench the benchmark
	// pattern (-test.bench). With Resume they are read from the store.
	Good, Bad, Bench string
	// Packages are the package patterns; "." when empty.
	Packages []string
	// BuildFlags go to `go test -c`.
	BuildFlags []string
	// Config is the measurement of each step: Rounds (ab.DefaultRounds
	// when zero) rounds at first, Benchtime, Count, TestArgs, Seed, Env. Bench
	// is ignored; Progress receives every run of every step.
	ab.Config
	// MaxRounds bounds the rounds of one measurement when the evidence
	// stays unclear; 3*Rounds when zero.
	MaxRounds int
	// Threshold, in percent, is the smallest GOOD-to-BAD change that
	// counts as reproduced.
	Threshold float64
	// Confidence is the level of the intervals; ab.DefaultConfidence
	// when zero.
	Confidence float64
	// Within is ab.AnalysisOptions.Within: how a round's Config.Count
	// repetitions make its value (ab.WithinBest when empty).
	Within string
	// Store receives every measurement and holds the ones Resume reads.
	// Required.
	Store Store
	// ID names the bisection (label bisect); a new one when empty.
	ID string
	// Resume continues the bisection with this id from the store. Its
	// revisions, benchmark pattern, packages and measurement settings
	// (Rounds, MaxRounds, Count, Benchtime, Threshold, Confidence, Within,
	// BuildFlags, TestArgs) are the ones it began with, read from the
	// store; those given in Options are ignored (a bisection stored by a
	// version that kept no settings resumes with the ones given).
	Resume string
	// Labels are added to every stored run.
	Labels map[string]string
	// Step, when not nil, is told about each step as it starts and ends.
	Step func(StepProgress)
	// Workspace, when not nil, is used instead of a new one (and not
	// closed).
	Workspace *ab.Workspace
	// Profile, when not empty, are runs of the last good and the first
	// bad commit's binaries after the final measurement, not used for
	// timing (`bisect --profile` passes the ab.ExtraRun that `ab
	// --profile` uses, and stores what it collects with Result.FinalRuns).
	// They are skipped when the final measurement's new run holds
	// profiles already (a resumed bisection that profiled before).
	Profile []ab.ExtraRun
}

// StepProgress describes the bisection's state, for Options.Step.
type StepProgress struct {
	// Step counts the measured commits from 1; About is about how many
	// there will be.
	Step, About int
	Commit      ab.Revision
	// Left is the number of commits that may still be the first bad one.
	Left int
	// Done is set when the step finished, with its Outcome. Outcome
	// Profiled without Done says that Options.Profile starts on Commit
	// (the first bad one) and its parent: not a measured step.
	Done    bool
	Outcome string
	// Estimate is the candidate's position between GOOD (0) and BAD (1),
	// when Done.
	Estimate float64
}

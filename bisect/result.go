package bisect

import (
	"time"

	"github.com/benchdb/benchdb/ab"
)

// Outcomes of a Step.
const (
	Good  = "good"
	Bad   = "bad"
	Skip  = "skip"
	Total = "total" // the GOOD-to-BAD measurement
	Final = "final" // the first bad commit against the last good one
	// Profiled is the outcome StepProgress reports when Options.Profile
	// ran on the last good and first bad commits (not a Step).
	Profiled = "profiled"
)

// A Step is one measured (or skipped) commit.
type Step struct {
	Commit  ab.Revision
	Against ab.Revision // the OLD side: GOOD, or the last good commit for Final
	Outcome string
	// Reason says why a commit was skipped, or that a decision was taken
	// on the estimate because more rounds did not make it clear.
	Reason string
	// Row is the target benchmark's paired comparison (zero for a skip).
	Row ab.Row
	// Position is where the commit's level lies between GOOD (0) and BAD
	// (1), with its interval; NaN when unknown.
	Position, PosLo, PosHi float64
	// Clear is set when the interval was on one side of the middle.
	Clear bool
	// Stored is set when the measurement came from the store (a resumed
	// bisection), Measured rounds were run now.
	Stored, Measured int
}

// Result is what a bisection found.
type Result struct {
	ID         string
	Good, Bad  ab.Revision
	Commits    int // commits in GOOD..BAD (first parents)
	Target     Target
	Total      ab.Row // BAD against GOOD, for the target
	Reproduced bool
	// Found is set when the first bad commit is known: FirstBad, with
	// LastGood its first parent in the range (or GOOD).
	Found    bool
	FirstBad ab.Revision
	LastGood ab.Revision
	// Change is FirstBad measured against LastGood directly.
	Change ab.Row
	// Share is the part of the GOOD-to-BAD change (in log scale) that
	// Change accounts for.
	Share float64
	// Candidates lists the commits that may be the first bad one when
	// skipped commits leave it open (FirstBad is then the last of them).
	Candidates []ab.Revision
	// MultipleSteps is set when the range holds more than one change:
	// a commit measured clearly between the two ends, or a first bad
	// commit that accounts for clearly less than the whole change.
	MultipleSteps bool
	// Sureness is "high" (every decision clear and the final change
	// significant), "medium" or "low", with Notes saying why.
	Sureness string
	Notes    []string
	Steps    []Step
	// Measured is the number of distinct pairs of commits measured (BAD
	// against GOOD and the final measurement included); Stored of those
	// came wholly from the store.
	Measured, Stored int
	// FinalRuns are the stored runs of the final measurement (the last
	// good commit's side, then the first bad one's; the newest run of each
	// when it was stored in parts), zero when not found.
	FinalRuns [2]int64
	// Profiled is set when Options.Profile ran on the final pair;
	// ProfilesStored when it was skipped because FinalRuns[1] holds
	// profiles already.
	Profiled, ProfilesStored bool
	Elapsed                  time.Duration
}

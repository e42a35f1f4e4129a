package storedata

import "errors"

// Kinds of profile.
const (
	ProfileCPU   = "cpu"   // go test -cpuprofile
	ProfileAlloc = "alloc" // go test -memprofile (allocations)
)

// DefaultMaxProfileSize is the largest profile AddProfiles stores when
// ProfileOptions.MaxSize is zero. A CPU profile of a benchmark profiled
// for a few seconds takes tens of kilobytes.
const DefaultMaxProfileSize = 8 << 20

// Profile errors.
var (
	// ErrProfileTooLarge is returned (wrapped) by AddProfiles for a
	// profile over the size limit.
	ErrProfileTooLarge = errors.New("profile too large")
	// ErrNoProfile is returned (wrapped) by ProfileData when no such
	// profile is stored.
	ErrNoProfile = errors.New("no such profile")
)

// A Profile is one stored pprof profile of one benchmark of a run.
type Profile struct {
	RunID int64
	// Pkg is the benchmark's package import path.
	Pkg string
	// Name is the benchmark's name as the store keeps it: without the
	// "Benchmark" prefix, with its sub-benchmarks and -GOMAXPROCS
	// suffix (Select/depth=10-2).
	Name string
	// Side is "old" or "new" for a side of an A/B run, else empty.
	Side string
	// Kind is ProfileCPU or ProfileAlloc.
	Kind string
	// Setup marks the profile of a run of the benchmark for one
	// iteration, stored beside the main profile: it holds the
	// benchmark's setup (work outside its timed loop) and the profiler's
	// own, which benchdb why subtracts from the main profile.
	Setup bool
	// Iters is the iteration count (b.N) of the profiled run, by which
	// the profile's values are divided to get a cost per operation.
	Iters int64
	// Size is len(Data); SHA256 its hex digest.
	Size   int64
	SHA256 string
	// Data is the profile file as written. Profiles does not fill it;
	// ProfileData reads it.
	Data []byte
}

// ProfileOptions says how AddProfiles stores profiles.
type ProfileOptions struct {
	// MaxSize is the largest profile accepted, in bytes;
	// DefaultMaxProfileSize when zero.
	MaxSize int64
}

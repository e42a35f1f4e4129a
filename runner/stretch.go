package runner

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// stretchTick is how often the test binaries' threads are sampled, and
// stretchScan how often the process group is searched for a new one while
// one is known to run.
const (
	stretchTick = 100 * time.Millisecond
	stretchScan = time.Second
)

// followStretch follows the test binaries of the go test run in process
// group pgid with a TaskClock each, until the returned function is called;
// that returns each package's stretch (TaskClock.Stretch over its
// binaries' threads) and each benchmark's, by package. A binary belongs to
// the package whose benchmark was running (r.runPkg) at most of its
// samples: go test runs benchmark binaries one at a time, after every
// build. What a binary's threads did between two samples counts for the
// benchmark that was running (r.runBench) at the second.
func (r *run) followStretch(pgid int) (stop func() (map[string][]float64, map[string]map[string][]float64)) {
	type bin struct {
		clock *TaskClock
		votes map[string]int
	}
	type acc struct{ run, wait time.Duration }
	type benchKey struct{ pkg, bench string }
	bins := map[int]*bin{} // the live binaries, by pid
	var ended []*bin       // and those that exited
	per := map[benchKey]*acc{}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(stretchTick)
		defer t.Stop()
		var scanned time.Time
		for {
			for pid, b := range bins {
				r0, w0 := b.clock.Totals()
				if b.clock.Sample() != nil {
					// Exited: a later process may reuse its pid. A binary
					// that ran between two samples (a short -count 1
					// process on a busy machine), or was sampled only
					// before go test's output named its first benchmark,
					// has no vote for a package yet: it belongs to the
					// package whose benchmark started last, as go test
					// runs one benchmark binary at a time.
					if !votedPkg(b.votes) {
						r.mu.Lock()
						b.votes[r.runPkg]++
						r.mu.Unlock()
					}
					ended = append(ended, b)
					delete(bins, pid)
					continue
				}
				r1, w1 := b.clock.Totals()
				r.mu.Lock()
				pkg, bench := r.runPkg, r.runBench
				r.mu.Unlock()
				b.votes[pkg]++
				if r.onSample != nil {
					r.onSample(pid)
				}
				if pkg != "" && bench != "" {
					k := benchKey{pkg, bench}
					if per[k] == nil {
						per[k] = &acc{}
					}
					per[k].run += r1 - r0
					per[k].wait += w1 - w0
				}
			}
			if len(bins) == 0 || time.Since(scanned) >= stretchScan {
				scanned = time.Now()
				for _, pid := range testBinaries(pgid) {
					if bins[pid] == nil {
						b := &bin{clock: NewTaskClock(pid), votes: map[string]int{}}
						if b.clock.Sample() == nil {
							bins[pid] = b
						}
					}
				}
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	})
	return func() (map[string][]float64, map[string]map[string][]float64) {
		close(quit)
		wg.Wait()
		// A binary with no vote for a package still (its output was read
		// after it exited, or it is the one still running) belongs to
		// the package whose benchmark started last.
		r.mu.Lock()
		last := r.runPkg
		r.mu.Unlock()
		byPkg := map[string]*acc{}
		for _, b := range slices.Concat(ended, slices.Collect(maps.Values(bins))) {
			if !votedPkg(b.votes) {
				b.votes[last]++
			}
			pkg, most := "", 0
			for p, n := range b.votes {
				if p != "" && (n > most || n == most && p < pkg) {
					pkg, most = p, n
				}
			}
			if pkg == "" {
				continue
			}
			run, wait := b.clock.Totals()
			if byPkg[pkg] == nil {
				byPkg[pkg] = &acc{}
			}
			byPkg[pkg].run += run
			byPkg[pkg].wait += wait
		}
		out := map[string][]float64{}
		for p, a := range byPkg {
			if a.run > 0 {
				out[p] = []float64{float64(a.run+a.wait) / float64(a.run)}
			}
		}
		benches := map[string]map[string][]float64{}
		for k, a := range per {
			if a.run <= 0 {
				continue
			}
			if benches[k.pkg] == nil {
				benches[k.pkg] = map[string][]float64{}
			}
			benches[k.pkg][k.bench] = []float64{float64(a.run+a.wait) / float64(a.run)}
		}
		return out, benches
	}
}

// votedPkg reports whether votes hold a vote for a package: a sample
// taken before go test's output named a benchmark votes for none ("").
func votedPkg(votes map[string]int) bool {
	for p := range votes {
		if p != "" {
			return true
		}
	}
	return false
}

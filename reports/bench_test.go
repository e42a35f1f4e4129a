package reports_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
)

// benchLines is the number of result lines in each of the two compared
// runs of BenchmarkCompare.
const benchLines = 500_000

var (
	bigOnce           sync.Once
	bigOld, bigNew    string
	bigDB             *store.DB
	bigErr            error
	bigDir            string
	bigIngestDuration time.Duration
)

// writeBig writes n result lines: 50,000 benchmarks with -count 10,
// each with ns/op, B/op and allocs/op.
func writeBig(path string, n int, seed uint64, shift float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(seed, 1))
	fmt.Fprintf(w, "goos: linux\ngoarch: amd64\npkg: example.com/big\ncpu: Test CPU\n")
	const count = 10
	for i := 0; i < n; i++ {
		b := i / count
		ns := float64(100+b%1000) * (1 + 0.02*rng.Float64())
		if b%7 == 0 {
			ns *= shift
		}
		fmt.Fprintf(w, "BenchmarkBig/group=%d/depth=%d-8 \t 1000000\t %.2f ns/op\t %d B/op\t %d allocs/op\n",
			b/100, b%100, ns, 64*(b%5), b%5)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// mustBig writes the two big files and stores them in a SQLite store,
// once per test binary; TestMain removes them.
func mustBig(b *testing.B) {
	bigOnce.Do(func() {
		if bigDir, bigErr = os.MkdirTemp("", "benchdb-compare"); bigErr != nil {
			return
		}
		bigOld, bigNew = filepath.Join(bigDir, "old.txt"), filepath.Join(bigDir, "new.txt")
		if bigErr = writeBig(bigOld, benchLines, 1, 1); bigErr != nil {
			return
		}
		if bigErr = writeBig(bigNew, benchLines, 2, 1.1); bigErr != nil {
			return
		}
		ctx := context.Background()
		if bigDB, bigErr = store.Open(ctx, filepath.Join(bigDir, "bench.sqlite")); bigErr != nil {
			return
		}
		start := time.Now()
		for i, p := range []string{bigOld, bigNew} {
			f, err := os.Open(p)
			if err != nil {
				bigErr = err
				return
			}
			_, bigErr = bigDB.Ingest(ctx, f, store.IngestOptions{Name: p, Time: time.Unix(int64(i), 0)})
			f.Close()
			if bigErr != nil {
				return
			}
		}
		bigIngestDuration = time.Since(start)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDB != nil {
		bigDB.Close()
	}
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	benchstattest.Remove()
	os.Exit(code)
}

// BenchmarkCompare compares two runs of 500,000 result lines each, side
// by side: benchstat on the two text files (as a process, output
// discarded), benchdb compare's library path on the runs stored in
// SQLite, and the same on an in-memory source (the library alone,
// without the store's reads).
func BenchmarkCompare(b *testing.B) {
	mustBig(b)
	ctx := context.Background()
	sels := mustSelectors(b, "old=1", "new=2")
	b.Run("benchstat", func(b *testing.B) {
		bin := benchstattest.Path(b)
		var cpu time.Duration
		for b.Loop() {
			cmd := exec.Command(bin, "old="+bigOld, "new="+bigNew)
			cmd.Stdout = io.Discard
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-sec/op")
	})
	b.Run("store", func(b *testing.B) {
		start := cpuTime(b)
		for b.Loop() {
			c, err := reports.Compare(ctx, bigDB, sels, reports.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := c.WriteText(io.Discard, reports.TextOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-sec/op")
	})
	b.Run("mem", func(b *testing.B) {
		src := memSource(b, bigOld, bigNew)
		b.ResetTimer()
		for b.Loop() {
			c, err := reports.Compare(ctx, src, sels, reports.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := c.WriteText(io.Discard, reports.TextOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuTime returns the CPU time (user and system) this process has used.
// Reported beside wall time, it is less sensitive to other load on the
// machine than wall time is.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriteText measures the text writer alone on a comparison of
// 15,000 rows (5,000 benchmarks, three units, two columns).
func BenchmarkWriteText(b *testing.B) {
	dir := b.TempDir()
	oldPath, newPath := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
	if err := writeBig(oldPath, 50000, 1, 1); err != nil {
		b.Fatal(err)
	}
	if err := writeBig(newPath, 50000, 2, 1.1); err != nil {
		b.Fatal(err)
	}
	c, err := reports.Compare(context.Background(), memSource(b, oldPath, newPath), mustSelectors(b, "old=1", "new=2"), reports.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := c.WriteText(io.Discard, reports.TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

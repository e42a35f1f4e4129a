package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/reports"
)

// genFiles writes benchmark files that exercise benchstat's corner
// cases: several units (ns/op, B/op, allocs/op, MB/s, a custom metric
// with metadata), sub-benchmarks with key=value levels, benchmarks on
// one side only, small samples (n=1, n=3), identical samples, a
// configuration change inside a file, and a zero baseline.
func genFiles(tb testing.TB, dir string, seed uint64) (old, new string) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var bo, bn strings.Builder
	header := "goos: linux\ngoarch: amd64\npkg: example.com/bench\ncpu: Test CPU @ 2.00GHz\nUnit scanned/op better=lower\nUnit peak-B assume=exact\n"
	bo.WriteString(header)
	bn.WriteString(header)
	line := func(b *strings.Builder, name string, ns float64, extra string) {
		fmt.Fprintf(b, "Benchmark%s-8 \t 1000\t %.1f ns/op%s\n", name, ns, extra)
	}
	for _, prof := range []string{"elixir-1.5.1", "elixir-1.6.3", "roundrobin"} {
		for _, depth := range []int{10, 1000, 100000} {
			name := fmt.Sprintf("Select/profile=%s/depth=%d", prof, depth)
			base := 100 * float64(depth) / 10
			if prof != "elixir-1.5.1" {
				base = 50
			}
			shift := 1.0
			switch {
			case prof == "elixir-1.6.3":
				shift = 0.8 // improvement
			case prof == "roundrobin" && depth == 1000:
				shift = 1.3 // regression
			}
			n := 10
			if depth == 100000 {
				n = 6
			}
			for range n {
				allocs := 3 + rng.IntN(2)
				line(&bo, name, base*(1+0.05*rng.Float64()),
					fmt.Sprintf("\t %d B/op\t %d allocs/op\t %d scanned/op", 64*allocs, allocs, depth+rng.IntN(3)))
				line(&bn, name, base*shift*(1+0.05*rng.Float64()),
					fmt.Sprintf("\t %d B/op\t %d allocs/op\t %d scanned/op", 64*allocs, allocs, depth+rng.IntN(3)))
			}
		}
	}
	for i := range 10 {
		// Identical samples on both sides, and a constant sample.
		line(&bo, "Dispatch/variant=cached", 12, "\t 0 B/op")
		line(&bn, "Dispatch/variant=cached", 12, "\t 0 B/op")
		// Throughput (higher is better).
		fmt.Fprintf(&bo, "BenchmarkCopy/size=4k-8 \t 100\t %d ns/op\t %.2f MB/s\n", 1000+i, 4096e3/float64(1000+i))
		fmt.Fprintf(&bn, "BenchmarkCopy/size=4k-8 \t 100\t %d ns/op\t %.2f MB/s\n", 900+i*3, 4096e3/float64(900+i*3))
	}
	for range 3 {
		// Small samples.
		line(&bo, "Receive/mode=scan/depth=10", 300+rng.Float64()*10, "")
		line(&bn, "Receive/mode=scan/depth=10", 250+rng.Float64()*10, "")
	}
	line(&bo, "Receive/mode=marker/depth=10", 40, "")
	line(&bn, "Receive/mode=marker/depth=10", 41, "")
	for range 5 {
		// One side only.
		line(&bo, "OldOnly", 10+rng.Float64(), "")
		line(&bn, "NewOnly", 20+rng.Float64(), "")
		// Exact unit, varying in one file.
		fmt.Fprintf(&bo, "BenchmarkScenario/profile=roundrobin-8 \t 1\t 5000000 ns/op\t 1000 peak-B\t 0 runaway\n")
		fmt.Fprintf(&bn, "BenchmarkScenario/profile=roundrobin-8 \t 1\t 5100000 ns/op\t %d peak-B\t 0 runaway\n", 1000+rng.IntN(2)*8)
	}
	// A configuration change: a new table.
	bo.WriteString("note: second\n")
	bn.WriteString("note: second\n")
	for range 8 {
		line(&bo, "Select/profile=roundrobin/depth=10", 50+rng.Float64(), "")
		line(&bn, "Select/profile=roundrobin/depth=10", 50+rng.Float64(), "")
	}
	old, new = filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
	for p, s := range map[string]string{old: bo.String(), new: bn.String()} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return old, new
}

func runBenchstat(tb testing.TB, args ...string) (stdout, stderr string) {
	tb.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(benchstattest.Path(tb), args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		tb.Fatalf("benchstat %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String()
}

// memSource loads files as runs 1, 2, ... of a MemSource.
func memSource(tb testing.TB, paths ...string) *reports.MemSource {
	tb.Helper()
	var m reports.MemSource
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = m.Add(f, p, map[string]string{"file": filepath.Base(p)}, time.Unix(int64(i), 0))
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return &m
}

func mustSelectors(tb testing.TB, texts ...string) []reports.Selector {
	tb.Helper()
	var sels []reports.Selector
	for _, s := range texts {
		sel, err := reports.ParseSelector(s)
		if err != nil {
			tb.Fatal(err)
		}
		sels = append(sels, sel)
	}
	return sels
}

// TestCompare_MatchesBenchstat compares our numbers with the real
// benchstat's on the same files: the text output must be identical
// (centers, intervals, deltas and p-values at benchstat's printed
// precision, footnotes and layout), and the CSV output's centers must
// be equal to full precision.
func TestCompare_MatchesBenchstat(t *testing.T) {
	dir := t.TempDir()
	oldPath, newPath := genFiles(t, dir, 1)
	tests := []struct {
		name  string
		args  []string // benchstat flags
		files []string // benchstat inputs
		sels  []string
		opts  reports.Options
	}{
		{"old vs new", nil, []string{"old=" + oldPath, "new=" + newPath}, []string{"old=1", "new=2"}, reports.Options{}},
		{"new vs old", nil, []string{"new=" + newPath, "old=" + oldPath}, []string{"new=2", "old=1"}, reports.Options{}},
		{"profiles side by side", []string{"-col", "/profile", "-filter", ".name:Select"}, []string{"new=" + newPath},
			[]string{"new=2"}, reports.Options{Col: "/profile", Filter: ".name:Select"}},
		{"rows by depth, ignore note", []string{"-row", "/depth", "-col", "/profile", "-ignore", "note"},
			[]string{"old=" + oldPath}, []string{"old=1"},
			reports.Options{Row: "/depth", Col: "/profile", Ignore: "note"}},
		{"alpha and confidence", []string{"-alpha", "0.01", "-confidence", "0.9"}, []string{"old=" + oldPath, "new=" + newPath},
			[]string{"old=1", "new=2"}, reports.Options{Alpha: 0.01, Confidence: 0.9}},
		{"unit filter", []string{"-filter", ".unit:(B/op OR allocs/op)"}, []string{"old=" + oldPath, "new=" + newPath},
			[]string{"old=1", "new=2"}, reports.Options{Filter: ".unit:(B/op OR allocs/op)"}},
	}
	src := memSource(t, oldPath, newPath)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := reports.Compare(context.Background(), src, mustSelectors(t, tt.sels...), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := runBenchstat(t, append(slices.Clone(tt.args), tt.files...)...)
			var got bytes.Buffer
			if err := c.WriteText(&got, reports.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if got.String() != want {
				t.Errorf("text differs from benchstat\n--- ours\n%s--- benchstat\n%s", got.String(), want)
			}

			wantCSV, _ := runBenchstat(t, append(append([]string{"-format", "csv"}, tt.args...), tt.files...)...)
			checkCenters(t, c, wantCSV)
		})
	}
}

// checkCenters checks that every center and geomean in benchstat's CSV
// output equals ours exactly.
func checkCenters(t *testing.T, c *reports.Comparison, benchstatCSV string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(benchstatCSV)).ReadAll()
	if err != nil {
		// benchstat writes one-field rows for table keys; allow them.
		r := csv.NewReader(strings.NewReader(benchstatCSV))
		r.FieldsPerRecord = -1
		if recs, err = r.ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	ti := -1
	checked := 0
	for i := 0; i < len(recs); i++ {
		rec := recs[i]
		if len(rec) >= 3 && rec[0] == "" && rec[2] == "CI" {
			ti++
			continue
		}
		if ti < 0 || ti >= len(c.Tables) || len(rec) < 2 || rec[0] == "" {
			continue
		}
		tab := c.Tables[ti]
		var centers []float64
		if rec[0] == "geomean" {
			if tab.Geomean == nil {
				t.Errorf("table %d: benchstat has a geomean row, we do not", ti)
				continue
			}
			centers = tab.Geomean.Centers
		} else {
			idx := slices.IndexFunc(tab.Rows, func(r *reports.Row) bool { return r.Name == rec[0] })
			if idx < 0 {
				t.Errorf("table %d (%s): no row %q", ti, tab.Unit, rec[0])
				continue
			}
			for _, cell := range tab.Rows[idx].Cells {
				x := 0.0
				if cell != nil {
					x = cell.Summary.Center
				}
				centers = append(centers, x)
			}
		}
		for col := range tab.Columns {
			pos := 1
			if col > 0 {
				pos = 3 + (col-1)*4
			}
			if pos >= len(rec) || rec[pos] == "" {
				continue
			}
			want, err := strconv.ParseFloat(rec[pos], 64)
			if err != nil {
				t.Fatalf("parse benchstat center %q: %v", rec[pos], err)
			}
			if centers[col] != want {
				t.Errorf("table %d (%s) row %q col %d: center %v, benchstat %v", ti, tab.Unit, rec[0], col, centers[col], want)
			}
			checked++
		}
	}
	if ti+1 != len(c.Tables) {
		t.Errorf("benchstat has %d tables, we have %d", ti+1, len(c.Tables))
	}
	if checked == 0 {
		t.Errorf("no centers compared")
	}
}

// TestCompare_KnownDifferences checks, against the real benchstat, the
// differences issue 12 reported, each on the smallest input that showed
// it: the text and the CSV (with its warnings) must be benchstat's.
func TestCompare_KnownDifferences(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		flags    []string
	}{{
		// No row has a delta but the geomean row has footnotes: the
		// "vs base" header is wider than the delta columns.
		name: "no delta, geomean footnotes",
		old:  "BenchmarkA 1 10 ns/op\nBenchmarkA 1 11 ns/op\n",
		new:  "BenchmarkB 1 20 ns/op\nBenchmarkC 1 30 ns/op\n",
	}, {
		// An exact unit with a zero baseline: the geomean "?" is
		// left-aligned.
		name: "exact unit, zero baseline",
		old:  "Unit hits/op assume=exact\nBenchmarkA 1 5 ns/op 0 hits/op\nBenchmarkB 1 5 ns/op 2 hits/op\n",
		new:  "Unit hits/op assume=exact\nBenchmarkA 1 6 ns/op 1 hits/op\nBenchmarkB 1 6 ns/op 2 hits/op\n",
	}, {
		name: "1 hits/op against 0 hits/op",
		old:  "BenchmarkA 1 5 ns/op 0 hits/op\nBenchmarkA 1 5 ns/op 0 hits/op\nBenchmarkB 1 5 ns/op 1 hits/op\n",
		new:  "BenchmarkA 1 5 ns/op 1 hits/op\nBenchmarkA 1 5 ns/op 1 hits/op\nBenchmarkB 1 5 ns/op 1 hits/op\n",
	}, {
		// 0 and ±Inf keep their unit: an ns/op and a MB/s table of
		// their own.
		name: "zero and Inf ns/op and MB/s",
		old:  "BenchmarkA 1 0 ns/op 10 MB/s\nBenchmarkA 1 0 ns/op +Inf MB/s\nBenchmarkB 1 +Inf ns/op 0 MB/s\nBenchmarkC 1 3 ns/op 5 MB/s\n",
		new:  "BenchmarkA 1 1 ns/op 10 MB/s\nBenchmarkA 1 0 ns/op 0 MB/s\nBenchmarkB 1 -Inf ns/op 1 MB/s\nBenchmarkC 1 4 ns/op 6 MB/s\n",
	}, {
		name:  "alpha 0 and confidence 0",
		old:   "BenchmarkA 1 10 ns/op\nBenchmarkA 1 11 ns/op\nBenchmarkA 1 12 ns/op\nBenchmarkA 1 13 ns/op\n",
		new:   "BenchmarkA 1 20 ns/op\nBenchmarkA 1 21 ns/op\nBenchmarkA 1 22 ns/op\nBenchmarkA 1 23 ns/op\n",
		flags: []string{"-alpha", "0", "-confidence", "0"},
	}, {
		name:  "col .file, short CSV rows",
		old:   "BenchmarkA/x=1 1 10 ns/op\nBenchmarkA/x=2 1 11 ns/op\n",
		new:   "BenchmarkA/x=2 1 20 ns/op\nBenchmarkA/x=3 1 21 ns/op\n",
		flags: []string{"-col", ".file", "-row", "/x"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			oldPath, newPath := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
			os.WriteFile(oldPath, []byte(tt.old), 0o644)
			os.WriteFile(newPath, []byte(tt.new), 0o644)
			var src reports.MemSource
			src.AddString(tt.old, "old.txt", nil, time.Unix(0, 0))
			src.AddString(tt.new, "new.txt", nil, time.Unix(1, 0))
			opts := reports.Options{AlphaSet: true, ConfidenceSet: true, Alpha: 0.05, Confidence: 0.95}
			for i := 0; i < len(tt.flags); i += 2 {
				v := tt.flags[i+1]
				switch tt.flags[i] {
				case "-alpha":
					opts.Alpha, _ = strconv.ParseFloat(v, 64)
				case "-confidence":
					opts.Confidence, _ = strconv.ParseFloat(v, 64)
				case "-col":
					opts.Col = v
				case "-row":
					opts.Row = v
				}
			}
			c, err := reports.Compare(context.Background(), &src, mustSelectors(t, "old=1", "new=2"), opts)
			if err != nil {
				t.Fatal(err)
			}
			files := []string{"old=" + oldPath, "new=" + newPath}
			want, _ := runBenchstat(t, append(slices.Clone(tt.flags), files...)...)
			var got bytes.Buffer
			c.WriteText(&got, reports.TextOptions{})
			if got.String() != want {
				t.Errorf("text differs from benchstat\n--- ours\n%s--- benchstat\n%s", got.String(), want)
			}
			wantCSV, wantWarn := runBenchstat(t, append(append([]string{"-format", "csv"}, tt.flags...), files...)...)
			var gotCSV, gotWarn bytes.Buffer
			c.WriteCSV(&gotCSV, &gotWarn, reports.CSVOptions{})
			if gotCSV.String() != wantCSV || gotWarn.String() != wantWarn {
				t.Errorf("CSV differs from benchstat\n--- ours\n%s%s--- benchstat\n%s%s", gotCSV.String(), gotWarn.String(), wantCSV, wantWarn)
			}
		})
	}
}

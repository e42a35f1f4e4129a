package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/benchstattest"
	"github.com/benchdb/benchdb/store"
)

// paritySeeds is the number of random cases of the default run; the
// integration build runs the ones after them, up to seed 1,025
// (compare_parity_integration_test.go). Each case costs a fresh store,
// two benchstat processes and two compares (0.37 s under -race on a
// loaded two-core machine): 100 cases were a third of the package's time
// under -race, 25 still the second largest test of the package (6 s of
// CPU). The default run keeps 10 as a smoke test of the common shapes;
// the rare ones (a draw in 40 per unit: extreme scales, negative
// metrics) are the integration tier's to find.
const paritySeeds = 10

// TestCompare_Parity is the differential test against the real
// benchstat: for each seed it generates benchmark files and flags
// (benchstattest.Generate), runs benchstat on the files and `benchdb
// compare` in-process on the same files ingested into a fresh SQLite
// store, in text and CSV, and fails on any byte of difference in
// standard output (and, for CSV, in the warnings benchstat writes to
// standard error). Rerun one case with
// go test ./cmd/benchdb -run 'TestCompare_Parity/seed=N$'.
func TestCompare_Parity(t *testing.T) {
	runParity(t, 1, paritySeeds)
}

func runParity(t *testing.T, first, n uint64) {
	bin := benchstattest.Path(t)
	for seed := first; seed < first+n; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			checkParity(t, bin, benchstattest.Generate(seed))
		})
	}
}

// cliMu serialises the in-process CLI runs of parallel parity cases:
// urfave/cli's help flag is one package-level value that every App's
// setup writes, so two Apps must not run at once in one process
// (benchstat, a separate process, still runs in parallel).
var cliMu sync.Mutex

// runCLISerial is runCLI under cliMu.
func runCLISerial(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cliMu.Lock()
	defer cliMu.Unlock()
	return runCLI(t, nil, args...)
}

// checkParity compares benchstat and benchdb compare on one case.
func checkParity(t *testing.T, bin string, c benchstattest.Case) {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for _, f := range c.Files {
		p := filepath.Join(dir, f.Label+".txt")
		if err := os.WriteFile(p, []byte(f.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[f.Label] = p
	}
	dbPath := filepath.Join(dir, "bench.sqlite")
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var sels []string
	for i, f := range c.Files {
		ing, err := db.Ingest(ctx, strings.NewReader(f.Text), store.IngestOptions{
			Name: f.Label + ".txt", Time: time.Unix(int64(i), 0),
		})
		if err != nil {
			db.Close()
			t.Fatalf("%v: ingest %s: %v", c, f.Label, err)
		}
		sels = append(sels, fmt.Sprintf("%s=%d", f.Label, ing.ID))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, f := range c.Flags {
		flags = append(flags, "--"+f[0], f[1])
	}
	for _, format := range []string{"text", "csv"} {
		var want, wantErr bytes.Buffer
		cmd := exec.Command(bin, c.BenchstatArgs(func(l string) string { return paths[l] }, "-format", format)...)
		cmd.Stdout, cmd.Stderr = &want, &wantErr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: benchstat: %v\n%s", c, err, wantErr.String())
		}
		args := append([]string{"--db", dbPath, "compare", "--format", format}, flags...)
		args = append(args, sels...)
		code, got, gotErr := runCLISerial(t, args...)
		if code != 0 {
			if want.Len() == 0 && strings.Contains(gotErr, "no results match") {
				continue // benchstat prints nothing; benchdb says why
			}
			t.Errorf("%v: benchdb %s: exit %d: %s\n%s", c, format, code, gotErr, caseFiles(c))
			return
		}
		if got != want.String() {
			t.Errorf("%v: %s output differs from benchstat's (- benchstat, + benchdb):\n%s\n%s", c, format, lineDiff(want.String(), got), caseFiles(c))
			return
		}
		if format == "csv" {
			if gotErr != wantErr.String() {
				t.Errorf("%v: csv warnings differ from benchstat's (- benchstat, + benchdb):\n%s\n%s", c, lineDiff(wantErr.String(), gotErr), caseFiles(c))
				return
			}
		}
	}
}

// caseFiles prints the inputs of a case.
func caseFiles(c benchstattest.Case) string {
	var sb strings.Builder
	for _, f := range c.Files {
		fmt.Fprintf(&sb, "=== %s.txt\n%s", f.Label, f.Text)
	}
	return sb.String()
}

// lineDiff returns a line diff of want and got: common lines with two
// spaces, want's lines with "- " and got's with "+ ", and every space
// shown as '·' on changed lines, so that a missing space is visible.
func lineDiff(want, got string) string {
	a := strings.SplitAfter(want, "\n")
	b := strings.SplitAfter(got, "\n")
	// Longest common subsequence, by dynamic programming: outputs are
	// small.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	show := func(prefix, line string) {
		line = strings.TrimSuffix(line, "\n")
		if prefix != "  " {
			line = strings.ReplaceAll(line, " ", "·") + "⏎"
		}
		sb.WriteString(prefix + line + "\n")
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			show("  ", a[i])
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			show("+ ", b[j])
			j++
		default:
			show("- ", a[i])
			i++
		}
	}
	return sb.String()
}

// TestCompare_BenchstatGolden runs every case of benchstat's own golden
// tests (golang.org/x/perf/cmd/benchstat/main_test.go, with its testdata
// from the module cache, at the version go.mod pins) through benchdb
// compare: each input file is ingested into a fresh store as one run,
// selected under the file's name, and the output must equal benchstat's
// golden .stdout (and, for CSV, .stderr) byte for byte.
func TestCompare_BenchstatGolden(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/perf").Output()
	dir := filepath.Join(strings.TrimSpace(string(out)), "cmd", "benchstat", "testdata")
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("golang.org/x/perf is not in the module cache (run go mod download): %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no benchstat testdata: %v", err)
	}
	// The cases of benchstat's main_test.go.
	tests := []struct {
		name string
		args []string
	}{
		{"csvOldNew", []string{"-format", "csv", "old.txt", "new.txt"}},
		{"csvErrors", []string{"-format", "csv", "-row", ".name", "new.txt"}},
		{"crcOldNew", []string{"crc-old.txt", "crc-new.txt"}},
		{"crcIgnore", []string{"-ignore", "note", "crc-old.txt", "crc-new.txt"}},
		{"crcSizeVsPoly", []string{"-filter", "/align:0", "-row", "/size", "-col", "/poly", "crc-new.txt"}},
		{"units", []string{"-col", "note", "units.txt"}},
		{"zero", []string{"-col", "note", "zero.txt"}},
		{"smallSample", []string{"-col", "note", "smallSample.txt"}},
		{"issue19565", []string{"-col", "note", "issue19565.txt"}},
		{"issue19634", []string{"-col", "note", "issue19634.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "bench.sqlite")
			ctx := context.Background()
			db, err := store.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"--db", dbPath, "compare"}
			var sels []string
			for i := 0; i < len(tt.args); i++ {
				a := tt.args[i]
				if strings.HasPrefix(a, "-") {
					args = append(args, "-"+a, tt.args[i+1])
					i++
					continue
				}
				f, err := os.Open(filepath.Join(dir, a))
				if err != nil {
					t.Fatal(err)
				}
				ing, err := db.Ingest(ctx, f, store.IngestOptions{Name: a, Time: time.Unix(int64(i), 0)})
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				sels = append(sels, fmt.Sprintf("%s=%d", a, ing.ID))
			}
			db.Close()
			code, got, gotErr := runCLI(t, nil, append(args, sels...)...)
			if code != 0 {
				t.Fatalf("benchdb %s: exit %d: %s", strings.Join(args, " "), code, gotErr)
			}
			want, err := os.ReadFile(filepath.Join(dir, tt.name+".stdout"))
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("stdout differs from benchstat's %s.stdout (- benchstat, + benchdb):\n%s", tt.name, lineDiff(string(want), got))
			}
			wantErr, err := os.ReadFile(filepath.Join(dir, tt.name+".stderr"))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if gotErr != string(wantErr) {
				t.Errorf("stderr differs from benchstat's %s.stderr (- benchstat, + benchdb):\n%s", tt.name, lineDiff(string(wantErr), gotErr))
			}
		})
	}
}

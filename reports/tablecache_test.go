package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/reports"
)

// TestCompare_tableCache compares, with benchstat, runs whose results
// each follow a configuration line (every result a table of its own)
// where the same configuration comes back: later in the same file,
// in the other file, with its keys first written in another order,
// and with other units. Tables are found by the configuration's
// content (tableCache) then, not by projecting it; the output must be
// benchstat's, table for table.
func TestCompare_tableCache(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, shift float64, keyOrder bool) string {
		var b strings.Builder
		if keyOrder {
			b.WriteString("goos: linux\nmode: a\ngoarch: amd64\n")
		} else {
			b.WriteString("goarch: amd64\ngoos: linux\nmode: a\n")
		}
		for i := range 40 {
			fmt.Fprintf(&b, "iteration: %d\n", []int{i, i % 7, 40 - i}[i%3])
			if i%11 == 5 {
				fmt.Fprintf(&b, "mode: %c\n", 'a'+rune(i%4))
			}
			units := ""
			if i%5 == 0 {
				units = fmt.Sprintf("\t%d B/op", 16*(i%4))
			}
			fmt.Fprintf(&b, "BenchmarkGen/case=%d-8 \t 1000\t %.1f ns/op%s\n", i%9, (100+float64(i%9)*10)*shift*(1+0.01*float64(i%4)), units)
		}
		p := filepath.Join(dir, name+".txt")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldPath, newPath := write("old", 1, false), write("new", 1.1, true)
	src := memSource(t, oldPath, newPath)
	for _, tt := range []struct {
		name string
		args []string
		opts reports.Options
	}{
		{"default tables", nil, reports.Options{}},
		{"tables by a name key", []string{"-table", ".config,/case"}, reports.Options{Table: ".config,/case"}},
		{"tables by one key", []string{"-table", "iteration"}, reports.Options{Table: "iteration"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := reports.Compare(context.Background(), src, mustSelectors(t, "old=1", "new=2"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Tables) < 20 {
				t.Fatalf("%d tables, want a table per configuration (at least 20)", len(c.Tables))
			}
			var got bytes.Buffer
			if err := c.WriteText(&got, reports.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			want, _ := runBenchstat(t, append(slices.Clone(tt.args), "old="+oldPath, "new="+newPath)...)
			if got.String() != want {
				t.Errorf("text differs from benchstat\n--- ours\n%s--- benchstat\n%s", got.String(), want)
			}
		})
	}
}

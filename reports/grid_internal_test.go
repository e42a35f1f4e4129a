package reports

import (
	"bufio"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestGrid_sortOrder checks the premise of grid.format: slices.SortFunc
// on span<<32|index keys, comparing spans only, permutes exactly as
// sort.Slice (benchstat's choice) does, ties included, on sizes that reach every branch of
// pdqsort (insertion sort, ninther, pattern breaking).
func TestGrid_sortOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 12, 13, 50, 51, 200, 1000, 5000} {
		for range 20 {
			keys := make([]int, n)
			for i := range keys {
				keys[i] = 1 + rng.IntN(1+rng.IntN(6))
			}
			a := make([]int32, n)
			b := make([]uint64, n)
			for i := range a {
				a[i], b[i] = int32(i), uint64(keys[i])<<32|uint64(i)
			}
			sort.Slice(a, func(i, j int) bool { return keys[a[i]] < keys[a[j]] })
			slices.SortFunc(b, func(x, y uint64) int { return int(x>>32) - int(y>>32) })
			if !slices.EqualFunc(a, b, func(x int32, y uint64) bool { return x == int32(uint32(y)) }) {
				t.Fatalf("n=%d: sort.Slice and slices.SortFunc permute differently", n)
			}
		}
	}
}

// TestGrid_format checks the layout rules on small grids: padding,
// alignment, margins, spans that widen the columns under them, shrink
// columns, and no trailing blanks.
func TestGrid_format(t *testing.T) {
	tests := []struct {
		name  string
		build func(g *grid)
		want  string
	}{
		{"cells", func(g *grid) {
			g.row().cell("a").cell("b").cell("c")
			g.row().cell("long").cell("e").cell("long")
		}, "a    b c\nlong e long\n"},
		{"alignment", func(g *grid) {
			g.row().cell("a", left).cell("b", middle).cell("c", right)
			g.row().cell("xxx").cell("xxx").cell("xxx")
		}, "a    b    c\nxxx xxx xxx\n"},
		{"margins", func(g *grid) {
			g.row().cell("a").cell("b", margin("  "))
			g.row().cell("c").cell("d")
			g.row().cell("e").cell("f", margin("|"))
		}, "a  b\nc  d\ne |f\n"},
		{"gap", func(g *grid) {
			g.row().cell("a").col(2).cell("c")
			g.row().cell("d").cell("e").cell("f")
		}, "a   c\nd e f\n"},
		{"span widens", func(g *grid) {
			g.row().cell("a").cell("b")
			g.row().span(2, "abcdefg")
		}, "a   b\nabcdefg\n"},
		{"span fits", func(g *grid) {
			g.row().cell("abc").cell("def")
			g.row().span(2, "a", right)
		}, "abc def\n      a\n"},
		{"shrink", func(g *grid) {
			g.row().span(2, "abcdef")
			g.row().cell("a").cell("bc")
			g.row().cell("x").cell("y")
			g.setShrink(1)
		}, "abcdef\na   bc\nx   y\n"},
		{"overflowing span over shrink columns", func(g *grid) {
			g.row().cell("a").span(2, "wide", margin("  "))
			g.row().cell("b").cell("x")
			g.setShrink(1)
			g.setShrink(2)
		}, "a  wide\nb  x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g grid
			tt.build(&g)
			var sb strings.Builder
			w := bufio.NewWriter(&sb)
			g.format(w)
			w.Flush()
			if sb.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", sb.String(), tt.want)
			}
		})
	}
}

package nightly_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
)

func TestExploreReal(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	c, err := nightlytest.ReadRealCorpus(os.DirFS("testdata/realnoise/nights"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]float64{}
	for _, n := range c.Nights {
		for key, b := range n.Blocks {
			if !strings.HasSuffix(key, "/base") && os.Getenv("EXPLORE") != "all" {
				continue
			}
			for k, l := range levelsOf(t, b) {
				rows[key+" "+k] = append(rows[key+" "+k], l)
			}
			for k, l := range levelsOf(t, n.Probes[key]) {
				rows[key+" probe "+k] = append(rows[key+" probe "+k], l)
			}
		}
	}
	keys := slices.Sorted(func(y func(string) bool) {
		for k := range rows {
			if !y(k) {
				return
			}
		}
	})
	for _, k := range keys {
		v := rows[k]
		m := med(v)
		line := fmt.Sprintf("%-70s sd %5.1f%%:", k, 100*sd(v))
		for _, x := range v {
			line += fmt.Sprintf(" %+5.0f", 100*math.Expm1(x-m))
		}
		fmt.Println(line)
	}
}

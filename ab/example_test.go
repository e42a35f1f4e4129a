package ab_test

import (
	"fmt"
	"strconv"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/ab"
)

// result makes one result line of round r.
func result(name string, nsPerOp float64, r int) *benchfmt.Result {
	res := &benchfmt.Result{Name: benchfmt.Name(name), Iters: 1000,
		Values: []benchfmt.Value{{Value: nsPerOp * 1e-9, Unit: "sec/op", OrigValue: nsPerOp, OrigUnit: "ns/op"}}}
	res.SetConfig("pkg", "example.com/m")
	res.SetConfig("round", strconv.Itoa(r))
	return res
}

// Example analyses a measurement made elsewhere: eight rounds in which
// the machine slowed down steadily, and NEW took 10% longer than OLD in
// each round. The pairing cancels the drift.
func Example() {
	m := &ab.Measurement{Rounds: 8}
	for r := range 8 {
		drift := 1 + 0.05*float64(r) // the machine gets 5% slower every round
		m.Old.Results = append(m.Old.Results, result("Parse", 100*drift, r))
		m.New.Results = append(m.New.Results, result("Parse", 110*drift*(1+0.001*float64(r%3)), r))
	}
	a := ab.Analyze(m, ab.AnalysisOptions{})
	row := a.Rows[0]
	fmt.Printf("%s %s: NEW/OLD %.3f [%.3f, %.3f], %s; OLD drifted %+.0f%%\n",
		row.Name, row.Unit, row.Ratio, row.Lo, row.Hi, row.Verdict, (row.Drift-1)*100)
	// Output:
	// Parse sec/op: NEW/OLD 1.101 [1.100, 1.102], regression; OLD drifted +35%
}

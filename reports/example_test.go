package reports_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/benchdb/benchdb/reports"
)

func ExampleCompare() {
	var src reports.MemSource
	src.AddString(`goos: linux
BenchmarkSelect/profile=elixir-1.5.1 1 1000 ns/op
BenchmarkSelect/profile=elixir-1.5.1 1 1010 ns/op
BenchmarkSelect/profile=elixir-1.5.1 1 1020 ns/op
BenchmarkSelect/profile=elixir-1.5.1 1 1030 ns/op
BenchmarkSelect/profile=roundrobin 1 20 ns/op
BenchmarkSelect/profile=roundrobin 1 21 ns/op
BenchmarkSelect/profile=roundrobin 1 22 ns/op
BenchmarkSelect/profile=roundrobin 1 23 ns/op
`, "run.txt", map[string]string{"branch": "main"}, time.Unix(0, 0))

	sel, err := reports.ParseSelector("latest")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Lay the profiles of one run side by side.
	c, err := reports.Compare(context.Background(), &src, []reports.Selector{sel}, reports.Options{Col: "/profile"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.WriteText(os.Stdout, reports.TextOptions{Verdicts: true})
	// Output:
	// goos: linux
	//        │  elixir-1.5.1  │             roundrobin              │
	//        │     sec/op     │    sec/op     vs base               │
	// Select   1015.00n ± ∞ ¹   21.50n ± ∞ ¹  -97.88% (p=0.029 n=4)
	// ¹ need >= 6 samples for confidence interval at level 0.95
	// improvement: Select [roundrobin vs elixir-1.5.1]: -97.88% (p=0.029 n=4)
}

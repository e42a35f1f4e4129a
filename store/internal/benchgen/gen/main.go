// Command gen writes synthetic benchmark output to standard output:
//
//	go run ./store/internal/benchgen/gen -lines 1000000 > big.txt
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/benchdb/benchdb/store/internal/benchgen"
)

func main() {
	var opts benchgen.Options
	flag.IntVar(&opts.Lines, "lines", 1000000, "result lines")
	flag.IntVar(&opts.Count, "count", 10, "repetitions of each benchmark")
	flag.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	flag.StringVar(&opts.Shape, "shape", "grouped", "grouped, interleaved, config-churn, config-change or distinct")
	flag.IntVar(&opts.Benchmarks, "benchmarks", 200, "distinct benchmarks of the interleaved shapes")
	flag.BoolVar(&opts.JSON, "json", false, "write go test -json output")
	flag.Parse()
	if err := benchgen.Write(os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

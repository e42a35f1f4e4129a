package runner_test

import (
	"fmt"

	"github.com/benchdb/benchdb/runner"
)

// Keep two of three profiles of the profile-keyed benchmarks, and every
// benchmark without a profile level.
func ExampleSkipValues() {
	skip := runner.SkipValues("profile", []string{"elixir-1.6.3"}, []int{2})
	fmt.Println("-skip", skip)
	for _, name := range []string{
		"BenchmarkSelect/profile=elixir-1.5.1/pool=8",
		"BenchmarkSelect/profile=elixir-1.6.3/pool=8",
		"BenchmarkSelect/profile=roundrobin/pool=8",
		"BenchmarkReceive/mode=scan/depth=1000",
	} {
		ok, _ := runner.Matches(".", skip, name)
		fmt.Println(ok, name)
	}
	// Output:
	// -skip /^profile=(elixir-1\.6\.3)$
	// true BenchmarkSelect/profile=elixir-1.5.1/pool=8
	// false BenchmarkSelect/profile=elixir-1.6.3/pool=8
	// true BenchmarkSelect/profile=roundrobin/pool=8
	// true BenchmarkReceive/mode=scan/depth=1000
}

func ExampleCommandLine() {
	fmt.Println(runner.CommandLine(runner.Config{
		Packages:  []string{"./..."},
		Count:     6,
		Benchtime: "100ms",
		Args:      []string{"-cpu", "1,2"},
	}))
	// Output:
	// [go test -json -run ^$ -bench . -benchmem -count 6 -benchtime 100ms -timeout 0 -cpu 1,2 ./...]
}

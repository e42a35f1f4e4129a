package suites_test

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/runner"
	"github.com/benchdb/benchdb/suites"
	_ "github.com/benchdb/benchdb/suites/protocol"
	_ "github.com/benchdb/benchdb/suites/receive"
	_ "github.com/benchdb/benchdb/suites/selection"
)

// shallow selects the leaves at depths 0 and 1,000 of every built-in
// suite: filling the deeper mailboxes (up to 10⁶ messages) for each leaf
// takes most of a full run's time, and the counters are the same
// function of the depth.
const shallow = `Receive/./^depth=(0|1000)$|Dispatch/./^depth=(0|1000)$|Select/././^depth=(0|1000)$`

// TestBuiltinSuites_bench runs the built-in suites' leaves at depths 0
// and 1,000 with a real `go test -bench` (3 iterations per leaf, so it
// checks counters, not speed), reads the output with benchfmt as
// benchstat does, and checks that every listed leaf the pattern selects
// ran and reported the counts the issue asks for. The integration tier
// runs every leaf (TestBuiltinSuites_benchAll).
func TestBuiltinSuites_bench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test -bench on the suites")
	}
	checkBuiltinSuites(t, shallow)
}

// checkBuiltinSuites runs the leaves of the built-in suites that the
// -bench pattern bench selects, and checks them.
func checkBuiltinSuites(t *testing.T, bench string) {
	const iters = 3
	var pkgs []string
	listed := map[string]bool{} // leaf names without "Benchmark"
	for _, name := range suites.Names() {
		s, err := suites.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, s.ImportPath())
		n := len(listed)
		for _, b := range s.Benchmarks() {
			ok, err := runner.Matches(bench, "", b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				listed[strings.TrimPrefix(b.Name, "Benchmark")] = true
			}
		}
		if len(listed) == n {
			t.Errorf("-bench %s selects no leaf of suite %s", bench, name)
		}
	}
	if len(pkgs) != 3 {
		t.Fatalf("registered suites %v, want the 3 built-in ones", suites.Names())
	}
	if len(listed) == 0 {
		t.Fatalf("-bench %s selects no listed leaf", bench)
	}
	args := append([]string{"test", "-run", "^$", "-bench", bench, "-benchtime", fmt.Sprintf("%dx", iters)}, pkgs...)
	cmd := exec.CommandContext(t.Context(), "go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s\n%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}

	results := map[string]*benchfmt.Result{}
	r := benchfmt.NewReader(bytes.NewReader(out), "go-test-output")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			base, parts := rec.Name.Parts()
			name := string(base)
			for _, p := range parts {
				if !bytes.HasPrefix(p, []byte("-")) { // drop -GOMAXPROCS
					name += string(p)
				}
			}
			results[name] = rec.Clone()
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for name := range listed {
		if results[name] == nil {
			t.Errorf("listed benchmark %s did not run", name)
		}
	}
	for name := range results {
		if !listed[name] {
			t.Errorf("benchmark %s ran but is not listed by its suite", name)
		}
	}

	depthRE := regexp.MustCompile(`/depth=(\d+)$`)
	for name, res := range results {
		m := depthRE.FindStringSubmatch(name)
		if m == nil {
			t.Errorf("%s: no depth level", name)
			continue
		}
		depth, _ := strconv.ParseFloat(m[1], 64)
		metric := func(unit string) float64 {
			for _, v := range res.Values {
				if v.OrigUnit == unit { // benchfmt turns ns/msg into sec/msg
					return v.OrigValue
				}
				if v.OrigUnit == "" && v.Unit == unit {
					return v.Value
				}
			}
			t.Errorf("%s: no %s", name, unit)
			return 0
		}
		want := func(unit string, w float64) {
			t.Helper()
			// go test prints 4 significant digits.
			if got := metric(unit); math.Abs(got-w) > 1e-3*math.Abs(w) {
				t.Errorf("%s: %s = %v, want %v", name, unit, got, w)
			}
		}
		switch {
		case strings.HasPrefix(name, "Receive/mode=scan/"), strings.HasPrefix(name, "Receive/mode=slice/"):
			want("scanned/op", depth+1)
			metric("ns/msg")
		case strings.HasPrefix(name, "Receive/mode=marker/"):
			want("scanned/op", 1)
		case strings.HasPrefix(name, "Dispatch/variant=unconsolidated/"):
			want("roundtrips/op", 1)
			want("scanned/op", depth+1)
		case strings.HasPrefix(name, "Dispatch/variant=unconsolidated-marker/"):
			want("roundtrips/op", 1)
			want("scanned/op", 1)
		case strings.HasPrefix(name, "Dispatch/variant=cached/"), strings.HasPrefix(name, "Dispatch/variant=module-loaded/"):
			want("roundtrips/op", 1.0/iters) // the first dispatch only
			want("scanned/op", (depth+1)/iters)
		case strings.HasPrefix(name, "Dispatch/"): // consolidated, interface
			want("roundtrips/op", 0)
			want("scanned/op", 0)
		case strings.HasPrefix(name, "Select/profile=elixir-1.5.1/"):
			want("roundtrips/op", 1)
			want("scanned/op", depth+1)
		case strings.HasPrefix(name, "Select/"):
			want("roundtrips/op", 0)
			want("scanned/op", 0)
		default:
			t.Errorf("unexpected benchmark %s", name)
		}
	}
}

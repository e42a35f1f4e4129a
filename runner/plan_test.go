package runner_test

import (
	"slices"
	"testing"

	"github.com/benchdb/benchdb/runner"
)

var planNames = []string{
	"BenchmarkSelect/profile=a/pool=8/depth=0",
	"BenchmarkSelect/profile=b/pool=8/depth=0",
	"BenchmarkSelect/profile=c/pool=8/depth=0",
	"BenchmarkScenario/profile=a",
	"BenchmarkScenario/profile=b",
	"BenchmarkScenario/profile=c",
	"BenchmarkDeep/x=1/profile=a",
	"BenchmarkReceive/mode=scan/depth=10",
}

func TestKeyLevels(t *testing.T) {
	if got := runner.KeyLevels("profile", planNames); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("KeyLevels(profile) = %v, want [2 3]", got)
	}
	if got := runner.KeyLevels("profile", planNames[7:]); !slices.Equal(got, []int{2}) {
		t.Errorf("KeyLevels with no profile level = %v, want [2]", got)
	}
}

func TestKeepValues(t *testing.T) {
	all := []string{"a", "b", "c"}
	skip, kept := runner.KeepValues("profile", all, []string{"c", "a"}, planNames)
	if want := "/^profile=(b)$|//^profile=(b)$"; skip != want {
		t.Errorf("skip = %q, want %q", skip, want)
	}
	if !slices.Equal(kept, []string{"a", "c"}) {
		t.Errorf("kept = %v, want [a c] (all's order)", kept)
	}
	n, err := runner.CountMatches(planNames, ".", skip)
	if err != nil || n != 6 {
		t.Errorf("CountMatches(., skip) = %d, %v; want 6 (every name but profile b's)", n, err)
	}
	skip, kept = runner.KeepValues("profile", all, nil, planNames)
	if skip != "" || !slices.Equal(kept, all) {
		t.Errorf("KeepValues(none) = %q, %v; want no pattern and every value", skip, kept)
	}
}

func TestCountMatches(t *testing.T) {
	n, err := runner.CountMatches(planNames, "Scenario", "")
	if err != nil || n != 3 {
		t.Errorf("CountMatches(Scenario) = %d, %v; want 3", n, err)
	}
	if _, err := runner.CountMatches(planNames, "(", ""); err == nil {
		t.Error("CountMatches with a bad pattern: no error")
	}
}

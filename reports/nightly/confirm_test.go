package nightly_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/reports/nightly/nightlytest"
	store "github.com/benchdb/benchdb/store/storedata"
)

func change(name, pkg, good, bad string) *nightly.Change {
	return &nightly.Change{
		Benchmark: nightly.Benchmark{Package: pkg, Name: name, Unit: "sec/op"},
		Good:      store.Run{Labels: map[string]string{"commit": good}},
		Change:    store.Run{Labels: map[string]string{"commit": bad}},
		Pct:       20,
	}
}

// TestChange_Confirm: the command names the good commit, then the
// changed one, the package, and an expression that go test matches to
// that benchmark alone at every level of its name; it quotes what a
// shell would read otherwise, and there is none where it cannot be
// shown safely or where the commits do not differ.
func TestChange_Confirm(t *testing.T) {
	for _, tc := range []struct {
		c    *nightly.Change
		want string
	}{
		{change("Work/kind=hash-2", "example.com/slowmod", "a1b2c3", "d4e5f6"),
			"benchdb ab a1b2c3 d4e5f6 example.com/slowmod -- -bench '^BenchmarkWork$/^kind=hash$' -cpu 2"},
		{change("Index", "strings", "v1.0", "v1.1"),
			"benchdb ab v1.0 v1.1 strings -- -bench '^BenchmarkIndex$'"},
		{change("Sort/n=1e2 (x)-8", "p", "HEAD~1", "main"),
			`benchdb ab 'HEAD~1' main p -- -bench '^BenchmarkSort$/^n=1e2 \(x\)$' -cpu 8`},
		{change("A-2", "p", "same", "same"), ""},
		{change("A-2", "p", "", "b"), ""},
		{change("A-2", "", "a", "b"), ""},
		{change("A-2", "p", "a'; rm -rf ~; '", "b"), ""},
		{change("A-2", "p", "a`id`", "b"), ""},
		{change("A\u202e-2", "p", "a", "b"), ""},
		{change("A-2", "p", "a\nb", "b"), ""},
		{change("A-2", "p", "a\u2028b", "b"), ""},
		{change("A-2", "p", "main\u00a0--db=x", "b"), ""},
		{change("A-2", "p", "--db=/etc/passwd", "b"), ""},
		{change("A-2", "-p", "a", "b"), ""},
	} {
		if got := tc.c.Confirm(); got != tc.want {
			t.Errorf("%q %q..%q: Confirm() = %q, want %q", tc.c.Name, tc.c.Good.Labels["commit"], tc.c.Change.Labels["commit"], got, tc.want)
		}
	}
}

// TestChange_Confirm_repetitions: for a change in time per operation the
// command asks for short repetitions, each round's best counted: about
// 0.4 ms each, 80 a run, or one operation each where one takes longer,
// as many as fit in 32 ms (at least 5), and never more than a million
// operations a repetition. Other units, and a history without a level,
// leave ab's defaults.
func TestChange_Confirm_repetitions(t *testing.T) {
	for _, tc := range []struct {
		unit  string
		level float64 // the newest run's median, base units
		want  string  // the flags before the commits
	}{
		{"sec/op", 100e-9, "--benchtime 4000x --count 80 "},
		{"sec/op", 3e-6, "--benchtime 133x --count 80 "},
		{"sec/op", 400e-6, "--benchtime 1x --count 80 "},
		{"sec/op", 1e-3, "--benchtime 1x --count 32 "},
		{"sec/op", 50e-3, "--benchtime 1x --count 5 "},
		// A loop the compiler removed, or a value ingested wrong: at
		// most a million operations a repetition.
		{"sec/op", 1e-15, "--benchtime 1000000x --count 80 "},
		{"sec/op", 0, ""},
		{"sec/op", math.NaN(), ""},
		{"B/op", 100, ""},
	} {
		c := change("A-2", "p", "a", "b")
		c.Unit = tc.unit
		c.History = []nightly.Point{{Median: 1}, {Median: tc.level}}
		want := "benchdb ab " + tc.want + "a b p -- -bench '^BenchmarkA$' -cpu 2"
		if got := c.Confirm(); got != want {
			t.Errorf("%s at %g: Confirm() = %q, want %q", tc.unit, tc.level, got, want)
		}
	}
}

// TestChange_Confirm_goTest: go test, given the expression Confirm
// writes for slowmod's Work/kind=hash, runs that benchmark and no other
// (a real go test of the module in testdata).
func TestChange_Confirm_goTest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := change("Work/kind=hash-2", "slowmod", "a", "b").Confirm()
	m := regexp.MustCompile(`-bench '([^']*)' -cpu 2$`).FindStringSubmatch(cmd)
	if m == nil {
		t.Fatalf("Confirm() = %q: no -bench expression", cmd)
	}
	dir, _ := filepath.Abs("testdata/realnoise/slowmod")
	run := exec.Command(gobin, "test", "-run", "^$", "-bench", m[1], "-benchtime", "1x", "-cpu", "2", ".")
	run.Dir = dir
	run.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -bench %s: %v\n%s", m[1], err, out)
	}
	var ran []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
			ran = append(ran, f[0])
		}
	}
	if len(ran) != 1 || ran[0] != "BenchmarkWork/kind=hash-2" {
		t.Errorf("go test -bench %s ran %v, want BenchmarkWork/kind=hash-2 alone", m[1], ran)
	}
}

// TestReport_confirm: a regression's confirming command is in the
// Markdown, the HTML page and the JSON; an improvement has none.
func TestReport_confirm(t *testing.T) {
	var levels []float64
	for i := range 25 {
		levels = append(levels, 55*(1+0.004*float64(i%3-1)))
	}
	levels = append(levels, 70, 70.2, 69.9)
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, levelRuns(levels)), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Regressions) != 1 {
		t.Fatalf("%d regressions, want the step", len(rep.Regressions))
	}
	// 69.9 ns/op: repetitions of 5722 operations (0.4 ms), 80 a run.
	want := "benchdb ab --benchtime 5722x --count 80 c24 c25 p -- -bench '^BenchmarkB$' -cpu 2"
	if got := rep.Regressions[0].Confirm(); got != want {
		t.Fatalf("Confirm() = %q, want %q", got, want)
	}
	var md, page, js strings.Builder
	if err := nightly.WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := nightly.WriteHTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if err := nightly.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "- p.B-2: `"+want+"`") {
		t.Errorf("Markdown lacks the command:\n%s", md.String())
	}
	if !strings.Contains(page.String(), "<code>"+html.EscapeString(want)+"</code>") {
		t.Errorf("HTML lacks the command")
	}
	var got struct {
		Regressions []struct{ Confirm *string }
	}
	if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Regressions) != 1 || got.Regressions[0].Confirm == nil || *got.Regressions[0].Confirm != want {
		t.Errorf("JSON regressions %+v, want confirm %q", got.Regressions, want)
	}
}

// TestReport_ToConfirm_oneCommandPerBenchmark: a benchmark that
// regressed in time and in memory gets one command for both, with the
// repetitions its time per operation sets, and ToConfirm measures it
// once.
func TestReport_ToConfirm_oneCommandPerBenchmark(t *testing.T) {
	var runs []nightlytest.Run
	for i := range 28 {
		ns, bytes := 55*(1+0.004*float64(i%3-1)), 100.0
		if i >= 25 {
			ns, bytes = 70*(1+0.002*float64(i%3-1)), 160
		}
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: p\n")
		for _, f := range []float64{0.995, 0.9975, 1, 1.0025, 1.005} {
			fmt.Fprintf(&b, "BenchmarkB-2 \t1000000\t%.2f ns/op\t%.0f B/op\n", ns*f, bytes)
		}
		runs = append(runs, nightlytest.Run{Time: epoch.Add(time.Duration(i) * 24 * time.Hour),
			Labels: map[string]string{"host": "a", "commit": fmt.Sprintf("c%d", i)}, Text: []byte(b.String())})
	}
	rep, err := nightly.Build(context.Background(), nightlytest.MustMemSource(t, runs), nightly.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Regressions) != 2 {
		t.Fatalf("%d regressions, want sec/op and B/op", len(rep.Regressions))
	}
	// The newest night's 69.86 ns/op: repetitions of 5725 operations.
	want := "benchdb ab --benchtime 5725x --count 80 c24 c25 p -- -bench '^BenchmarkB$' -cpu 2"
	for _, c := range rep.Regressions {
		if got := c.Confirm(); got != want {
			t.Errorf("%s: Confirm() = %q, want %q", c.Unit, got, want)
		}
	}
	if got := rep.ToConfirm(10, nil); len(got) != 1 {
		t.Errorf("ToConfirm(10): %d changes, want one measurement for both units", len(got))
	}
}

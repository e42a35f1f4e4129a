//go:build integration

package server_test

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/server"
)

// TestPages_Chromium loads every page in headless Chromium, finds the
// charts, follows the links from the report to a benchmark's history and
// on to a run, and checks that a benchmark named <script>alert(1)</script>
// shows as text.
func TestPages_Chromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless Chromium seven times")
	}
	bin := chromium(t)
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	ts.mustHistory(t, 14, 10)
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	noMarkup := func(t *testing.T, page, dom string) {
		t.Helper()
		if strings.Contains(dom, "<script") {
			t.Errorf("%s: a name from the data became a script element", page)
		}
	}

	report := dumpDOM(t, bin, ts.URL+"/report")
	if !strings.Contains(report, "<h1>Nightly report</h1>") || strings.Count(report, "<svg") < 3 {
		t.Fatalf("report: no heading or fewer than 3 charts (2 regressions, 1 trend):\n%.3000s", report)
	}
	noMarkup(t, "report", report)
	if !strings.Contains(report, escaped) {
		t.Errorf("report: the benchmark named %s is not shown as text", scriptName)
	}
	// report -> the history of the regression named <script>...
	hist := link(t, report, `^/benchmarks/`, escaped)
	history := dumpDOM(t, bin, ts.URL+hist)
	if !strings.Contains(history, `class="card history"`) || !strings.Contains(history, "<svg") || !strings.Contains(history, `class="cp"`) {
		t.Fatalf("history %s: no chart with a change point:\n%.3000s", hist, history)
	}
	noMarkup(t, "history", history)
	if !strings.Contains(history, "<h1>"+escaped+"-2</h1>") {
		t.Errorf("history: heading does not show the name as text")
	}
	// Each point of the chart links to its run.
	if n := strings.Count(history, `<a href="/runs/`); n < 2*14 {
		t.Errorf("history: %d links to runs, want a point and a table row for each of 14 runs per unit", n)
	}
	if !regexp.MustCompile(`<a href="/runs/11"><circle class="dot"`).MatchString(history) {
		t.Errorf("history: the chart's point of run 11 is not a link")
	}
	// history -> the run where the change started (night 10, run 11).
	runURL := link(t, history, `^/runs/11$`, "11")
	run := dumpDOM(t, bin, ts.URL+runURL)
	if !strings.Contains(run, "<h1>Run 11</h1>") || !strings.Contains(run, "c10") {
		t.Fatalf("run page %s:\n%.3000s", runURL, run)
	}
	noMarkup(t, "run", run)
	// run -> history and compare.
	link(t, run, `^/benchmarks/Encode/size=1k-2\?`, "Encode/size=1k-2")
	cmpURL := link(t, run, `^/compare\?sel=10&sel=11$`, "Compare with run 10")

	cmp := dumpDOM(t, bin, ts.URL+cmpURL)
	if !strings.Contains(cmp, "regression") || !strings.Contains(cmp, escaped) {
		t.Errorf("compare page: no regression verdict or no escaped name:\n%.3000s", cmp)
	}
	noMarkup(t, "compare", cmp)
	runs := dumpDOM(t, bin, ts.URL+"/runs")
	if strings.Count(runs, `href="/runs/`) < 14 || !strings.Contains(runs, "commit=c13") {
		t.Errorf("runs page: fewer than 14 run links or no labels:\n%.3000s", runs)
	}
	// A label links to the runs it selects.
	filtered := dumpDOM(t, bin, ts.URL+link(t, runs, `^/runs\?sel=commit`, "commit=c13"))
	if strings.Count(filtered, `<td class="num"><a href="/runs/`) != 1 {
		t.Errorf("runs filtered by a label: want one run:\n%.3000s", filtered)
	}
}

// dumpDOM loads url in headless Chromium and returns the DOM as the
// browser built it.
func dumpDOM(tb testing.TB, bin, url string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+tb.TempDir(), "--dump-dom", url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		tb.Fatalf("chromium %s: %v\n%s", url, err, errOut.String())
	}
	return out.String()
}

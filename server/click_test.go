package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/server"
)

// TestPages_Click drives headless Chromium as a user: it opens the
// report, clicks (a mouse press and release at the link's place, through
// the DevTools protocol) the regression of the benchmark named
// <script>alert(1)</script>, then a point of its history chart, then the
// run page's link to compare; after each click the browser is on the
// page the link names, and the name from the data is text, not markup.
func TestPages_Click(t *testing.T) {
	if testing.Short() {
		t.Skip("starts headless Chromium")
	}
	bin := chromium(t)
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	ts.mustHistory(t, 14, 10)
	b := startBrowser(t, bin)
	// path returns the page's path, unescaped, and query.
	path := func() string {
		t.Helper()
		u, err := url.Parse(b.location())
		if err != nil {
			t.Fatal(err)
		}
		if u.RawQuery != "" {
			return u.Path + "?" + u.RawQuery
		}
		return u.Path
	}
	noScript := func(page string) {
		t.Helper()
		var n int
		b.eval(`[...document.scripts].filter(s => s.textContent.includes("alert(1)") || (s.src && s.src.includes("alert"))).length`, &n)
		if n != 0 {
			t.Errorf("%s: %d script elements made from the data", page, n)
		}
	}

	b.navigate(ts.URL + "/report")
	if p := path(); p != "/report" {
		t.Fatalf("at %s, want /report", p)
	}
	var charts int
	b.eval(`document.querySelectorAll("svg").length`, &charts)
	if charts < 3 {
		t.Errorf("report: %d charts, want at least 3", charts)
	}
	noScript("report")
	// Click the report's link to the history of the <script> benchmark.
	var want string
	find := `[...document.querySelectorAll('a[href^="/benchmarks/"]')].find(a => a.textContent.includes("<script>alert(1)</script>"))`
	b.eval(find+`.getAttribute("href")`, &want)
	b.click(find)
	if wu, _ := url.Parse(want); path() != wu.Path+"?"+wu.RawQuery {
		t.Fatalf("after clicking the regression: at %s, want %s", path(), want)
	}
	var h1 string
	b.eval(`document.querySelector("h1").textContent`, &h1)
	if h1 != scriptName+"-2" {
		t.Errorf("history heading %q, want the name as text %q", h1, scriptName+"-2")
	}
	var changePoints int
	b.eval(`document.querySelectorAll(".history svg .cp").length`, &changePoints)
	if changePoints == 0 {
		t.Errorf("history %s: no change point on the chart", want)
	}
	noScript("history")
	// Click the chart's point of run 11, where the change started.
	b.click(`document.querySelector('svg a[href="/runs/11"] circle')`)
	if p := path(); p != "/runs/11" {
		t.Fatalf("after clicking the chart's point of run 11: at %s", p)
	}
	b.eval(`document.querySelector("h1").textContent`, &h1)
	if h1 != "Run 11" {
		t.Errorf("run page heading %q, want Run 11", h1)
	}
	// And on to the comparison with the run before.
	b.click(`[...document.querySelectorAll("a")].find(a => a.textContent.includes("Compare with run 10"))`)
	if p := path(); p != "/compare?sel=10&sel=11" {
		t.Fatalf("after clicking compare: at %s", p)
	}
	dom := b.dom()
	if !strings.Contains(dom, "regression") || !strings.Contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("compare page: no regression verdict or no escaped name:\n%.2000s", dom)
	}
	noScript("compare")
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/reports/nightly"
	"github.com/benchdb/benchdb/server"
	"github.com/benchdb/benchdb/store"
)

// reportNow is the clock of the test servers' reports.
var reportNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func TestReadAPI(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) { c.Now = func() time.Time { return reportNow } })
	ts.mustHistory(t, 14, 10)
	get := func(path string, want int) []byte {
		t.Helper()
		code, b := ts.do(t, "GET", path, ts.Token, nil, nil)
		if code != want {
			t.Fatalf("GET %s: status %d (%s), want %d", path, code, b, want)
		}
		return b
	}

	var runs []server.RunJSON
	if err := json.Unmarshal(get("/api/v1/runs", 200), &runs); err != nil || len(runs) != 14 {
		t.Fatalf("runs: %d, %v; want 14", len(runs), err)
	}
	if runs[0].Labels["commit"] != "c00" || runs[13].Labels["commit"] != "c13" {
		t.Errorf("runs not oldest first: %v ... %v", runs[0].Labels, runs[13].Labels)
	}
	json.Unmarshal(get("/api/v1/runs?sel=commit:c03&sel=commit:c04", 200), &runs)
	if len(runs) != 2 || runs[0].Labels["commit"] != "c03" {
		t.Errorf("runs?sel=commit:c03&sel=commit:c04: %+v", runs)
	}
	json.Unmarshal(get("/api/v1/runs?limit=3", 200), &runs)
	if len(runs) != 3 || runs[2].Labels["commit"] != "c13" {
		t.Errorf("runs?limit=3: %+v", runs)
	}
	get("/api/v1/runs?sel=commit:nope", 400)
	get("/api/v1/runs?limit=0", 400)

	var run server.RunDetailJSON
	if err := json.Unmarshal(get("/api/v1/runs/latest", 200), &run); err != nil {
		t.Fatal(err)
	}
	if run.Labels["commit"] != "c13" || run.Source != "night13.txt" || len(run.Benchmarks) != 4 {
		t.Errorf("runs/latest: %+v", run)
	}
	for _, b := range run.Benchmarks {
		if b.Unit == "sec/op" && (b.Median == nil || *b.Median < 140e-9 || *b.Median > 160e-9 || b.N != 5) {
			t.Errorf("%s: median %v s over %d samples, want about 150ns over 5", b.Name, b.Median, b.N)
		}
	}
	// The run's stored profiles, as `benchdb show --format json` lists
	// them: [] without any, then the one stored.
	if run.Profiles == nil || len(run.Profiles) != 0 {
		t.Errorf("runs/latest without profiles: profiles %#v, want []", run.Profiles)
	}
	var prof bytes.Buffer
	if err := pprof.Lookup("allocs").WriteTo(&prof, 0); err != nil {
		t.Fatal(err)
	}
	err := ts.DB.AddProfiles(context.Background(), run.ID, []store.Profile{{Pkg: "example.com/enc", Name: "Encode/size=1k-2",
		Kind: store.ProfileAlloc, Iters: 1000, Data: prof.Bytes()}}, store.ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var withProf server.RunDetailJSON
	if err := json.Unmarshal(get("/api/v1/runs/latest", 200), &withProf); err != nil {
		t.Fatal(err)
	}
	if ps := withProf.Profiles; len(ps) != 1 || ps[0].Name != "Encode/size=1k-2" || ps[0].Kind != store.ProfileAlloc ||
		ps[0].Iters != 1000 || ps[0].Size != int64(prof.Len()) || len(ps[0].SHA256) != 64 {
		t.Errorf("runs/latest profiles: %+v, want the one alloc profile of Encode/size=1k-2 (%d bytes)", ps, prof.Len())
	}
	get("/api/v1/runs/999", 404)
	get("/api/v1/runs/branch:main", 400) // matches 14 runs
	exp := string(get("/api/v1/runs/1/export", 200))
	if !strings.Contains(exp, "BenchmarkEncode/size=1k-2") || !strings.Contains(exp, "pkg: example.com/enc") {
		t.Errorf("export:\n%s", exp)
	}

	// compare: the JSON of reports.Compare, as `benchdb compare --format json`.
	got := get("/api/v1/compare?sel=old%3Dcommit:c00&sel=new%3Dcommit:c13", 200)
	sels := []reports.Selector{mustSel(t, "old=commit:c00"), mustSel(t, "new=commit:c13")}
	cmp, err := reports.Compare(context.Background(), ts.DB, sels, reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	cmp.WriteJSON(&want)
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("compare JSON differs from reports.Compare:\n%s\nwant\n%s", got, want.Bytes())
	}
	if !strings.Contains(string(got), `"verdict": "regression"`) {
		t.Errorf("compare of 100ns and 150ns: no regression:\n%s", got)
	}
	get("/api/v1/compare", 400)
	get("/api/v1/compare?sel=commit:nope", 400)
	get("/api/v1/compare?sel=1&col=/(", 400)

	// report: the JSON of nightly.Build.
	got = get("/api/v1/report?since=30d", 200)
	rep, err := nightly.Build(context.Background(), ts.DB, nightly.Options{Seed: 1, Since: 30 * 24 * time.Hour, Now: func() time.Time { return reportNow }})
	if err != nil {
		t.Fatal(err)
	}
	want.Reset()
	nightly.WriteJSON(&want, rep)
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("report JSON differs from nightly.Build:\n%s\nwant\n%s", got, want.Bytes())
	}
	if len(rep.Regressions) < 2 {
		t.Errorf("report finds %d regressions, want the two sec/op steps", len(rep.Regressions))
	}
	get("/api/v1/report?since=soon", 400)

	// a benchmark's history, with its change point at night 10.
	var hs []server.HistoryJSON
	b := get(strings.Replace(server.BenchmarkURL("example.com/enc", "Encode/size=1k-2", "sec/op"), "/benchmarks/", "/api/v1/benchmarks/", 1), 200)
	if err := json.Unmarshal(b, &hs); err != nil || len(hs) != 1 {
		t.Fatalf("history: %s, %v", b, err)
	}
	h := hs[0]
	if len(h.Points) != 14 || len(h.ChangePoints) != 1 || h.ChangePoints[0] != 10 || h.Points[10].Run != 11 || *h.Points[10].Commit != "c10" {
		t.Errorf("history: %d points, change points %v, point 10 %+v; want 14, [10], run 11", len(h.Points), h.ChangePoints, h.Points[10])
	}
	// Every unit without unit=, and a name made of HTML, by parameter.
	get("/api/v1/benchmarks/?"+url.Values{"name": {scriptName + "-2"}, "pkg": {"example.com/enc"}}.Encode(), 200)
	json.Unmarshal(get("/api/v1/benchmarks/Encode/size=1k-2?pkg=example.com/enc", 200), &hs)
	if len(hs) != 2 {
		t.Errorf("history without unit: %d histories, want 2 (sec/op, B/op)", len(hs))
	}
	get("/api/v1/benchmarks/Nope?pkg=example.com/enc", 404)
}

func mustSel(t *testing.T, s string) reports.Selector {
	t.Helper()
	sel, err := reports.ParseSelector(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

func TestPages_HTML(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	ts.mustHistory(t, 14, 10)
	for _, path := range []string{
		"/runs", "/runs?sel=branch:main", "/runs/1", "/runs/latest",
		"/compare", "/compare?sel=1&sel=14", "/report", "/report?since=14d",
		server.BenchmarkURL("example.com/enc", scriptName+"-2", "sec/op"),
		server.BenchmarkURL("example.com/enc", "Encode/size=1k-2", ""),
	} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			page := string(b)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d:\n%s", resp.StatusCode, page)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q: want no scripts at all", csp)
			}
			if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
				t.Errorf("page holds a script or an inline style")
			}
			if strings.Contains(path, "benchmarks") || strings.HasPrefix(path, "/runs/") || strings.Contains(path, "report") || strings.Contains(path, "compare?") {
				if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(path, "Encode") {
					t.Errorf("the name made of HTML is not shown escaped")
				}
			}
		})
	}
	_, sincePage := ts.do(t, "GET", "/report?since=14d", "", nil, nil)
	if !strings.Contains(string(sincePage), `<h2 id="shifts">Change points</h2>`) || !strings.Contains(string(sincePage), "<code>c10</code></td>") {
		t.Errorf("report page since 14d: no change point at commit c10:\n%s", sincePage)
	}
	_, repPage := ts.do(t, "GET", "/report", "", nil, nil)
	if want := regexp.MustCompile(`<code>benchdb ab --benchtime \d+x --count 80 c09 c10 example\.com/enc -- -bench ` + regexp.QuoteMeta(html.EscapeString("'^BenchmarkEncode$/^size=1k$' -cpu 2")) + `</code>`); !want.MatchString(string(repPage)) {
		t.Errorf("report page: no command to measure Encode/size=1k's regression again (%s):\n%s", want, repPage)
	}
	_, cmpPage := ts.do(t, "GET", "/compare?sel=1&sel=14", "", nil, nil)
	if !strings.Contains(string(cmpPage), `href="/benchmarks/Encode/size=1k-2?pkg=example.com%2Fenc&amp;unit=sec%2Fop"`) {
		t.Errorf("compare page: a row does not link to its history:\n%s", cmpPage)
	}
	if _, p := ts.do(t, "GET", "/compare?sel=1&sel=14&row=.name", "", nil, nil); strings.Contains(string(p), `href="/benchmarks/`) {
		t.Errorf("compare page with row=.name links rows to histories")
	}
	if _, page := ts.do(t, "GET", server.BenchmarkURL("example.com/enc", "Encode/size=1k-2", "sec/op"), "", nil, nil); !strings.Contains(string(page), `<a href="/runs/11"><circle class="dot"`) {
		t.Errorf("history page: the chart's point of run 11 is not a link to it")
	}
	for path, want := range map[string]int{"/runs/99": 404, "/compare?sel=commit:nope": 400, "/report?since=x": 400, "/nope": 404} {
		if code, _ := ts.do(t, "GET", path, "", nil, nil); code != want {
			t.Errorf("GET %s: status %d, want %d", path, code, want)
		}
	}
}

// TestLogin: on a server whose reads need a token, a browser logs in
// with a form; the cookie lets it read, never upload.
func TestLogin(t *testing.T) {
	ts := mustServer(t, nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(ts.URL + "/runs?sel=latest")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), `action="/login"`) || !strings.Contains(string(b), `value="/runs?sel=latest"`) {
		t.Fatalf("page without a token: %d, want 401 with the login form:\n%s", resp.StatusCode, b)
	}
	post := func(token, next string) *http.Response {
		t.Helper()
		resp, err := noRedirect.PostForm(ts.URL+"/login", url.Values{"token": {token}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("bdb_wrong", "/runs"); r.StatusCode != 403 || len(r.Cookies()) != 0 {
		t.Errorf("login with a wrong token: %d, cookies %v", r.StatusCode, r.Cookies())
	}
	r := post(ts.Token, "/runs?sel=latest")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/runs?sel=latest" || len(r.Cookies()) != 1 || !r.Cookies()[0].HttpOnly || r.Cookies()[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("login: %d to %q, cookies %v", r.StatusCode, r.Header.Get("Location"), r.Cookies())
	}
	cookie := r.Cookies()[0]
	if r := post(ts.Token, "//evil.example/x"); r.Header.Get("Location") != "/runs" {
		t.Errorf("login with next=//evil.example/x goes to %q, want /runs", r.Header.Get("Location"))
	}
	for _, tt := range []struct {
		method, path string
		want         int
	}{{"GET", "/runs", 200}, {"GET", "/api/v1/runs", 200}, {"POST", "/api/v1/runs", 401}} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(night(0, -1)))
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s with the cookie: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

// TestPages_reportNotMeasured: the report page tells a benchmark that
// the newest run gave NaN from one it did not run.
func TestPages_reportNotMeasured(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	ts.mustHistory(t, 5, -1)
	q := "name=nan.txt&label=host=ci&label=branch=main&label=commit=c05&time=2026-11-06T03:00:00Z"
	text := "goos: linux\ngoarch: amd64\npkg: example.com/enc\nBenchmarkEncode/size=1k-2 \t 1\t NaN ns/op\n"
	if code, _ := ts.upload(t, q, text); code != 201 {
		t.Fatalf("upload of a NaN result: status %d", code)
	}
	_, page := ts.do(t, "GET", "/report", "", nil, nil)
	if !strings.Contains(string(page), "<td>NaN, not a measurement</td>") || !strings.Contains(string(page), "<td>absent</td>") {
		t.Errorf("report page: want Encode/size=1k's newest run as NaN and the other benchmark's as absent:\n%s", page)
	}
}

// TestPages_reportPending: a step on the newest of three nights is
// pending ("too short") on the report page, not lost.
func TestPages_reportPending(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	ts.mustHistory(t, 3, 2)
	_, page := ts.do(t, "GET", "/report", "", nil, nil)
	if !strings.Contains(string(page), `<h2 id="pending">Pending</h2>`) || !strings.Contains(string(page), "<td>too short</td>") {
		t.Errorf("report page: the newest night's step is not pending as too short:\n%s", page)
	}
}

// TestPages_reportAB: the report page shows a suspect with the command
// that measures it again, and a regression that a stored benchdb ab
// measurement of its two commits refuted as pending, its change point
// as the machine's.
func TestPages_reportAB(t *testing.T) {
	ts := mustServer(t, func(c *server.Config) {
		c.PublicRead = true
		c.Now = func() time.Time { return reportNow }
	})
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	// Parse: the newest night +16% against nights that move ±8%, a
	// suspect; Work: +27% from night 10 on, a regression.
	parse := []float64{1, 1.08, 0.93, 1.05, 0.96, 1.1, 0.92, 1.03, 0.98, 1.07, 0.94, 1.01, 1.16}
	for i, f := range parse {
		work := 1.0
		if i >= 10 {
			work = 1.27
		}
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/p\n")
		for j, g := range []float64{0.995, 0.9975, 1, 1.0025, 1.005} {
			fmt.Fprintf(&b, "BenchmarkParse-2 \t1000000\t%.2f ns/op\n", 55*f*g)
			fmt.Fprintf(&b, "BenchmarkWork-2 \t1000000\t%.2f ns/op\n", 800*work*g*(1+0.003*float64((i+j)%3-1)))
		}
		q := fmt.Sprintf("name=night%d.txt&label=host=ci&label=commit=c%02d&time=%s", i, i, t0.AddDate(0, 0, i).Format(time.RFC3339))
		if code, _ := ts.upload(t, q, b.String()); code != 201 {
			t.Fatalf("night %d: status %d", i, code)
		}
	}
	// benchdb ab's two runs of c09 and c10: Work alike in every round.
	for _, side := range []string{"old", "new"} {
		commit := map[string]string{"old": "c09", "new": "c10"}[side]
		var b strings.Builder
		// As ab writes them: its id and side as configuration lines too.
		fmt.Fprintf(&b, "ab: x\nside: %s\ngoos: linux\ngoarch: amd64\npkg: example.com/p\n", side)
		for r := range 10 {
			fmt.Fprintf(&b, "round: %d\nBenchmarkWork-2 \t1000000\t%.2f ns/op\n", r, 800*(1+0.01*float64(r%3)))
		}
		q := fmt.Sprintf("name=ab-%s.txt&label=host=ci&label=ab=x&label=side=%s&label=commit=%s&time=%s", side, side, commit, t0.AddDate(0, 0, 14).Format(time.RFC3339))
		if code, _ := ts.upload(t, q, b.String()); code != 201 {
			t.Fatalf("ab %s side: status %d", side, code)
		}
	}
	_, page := ts.do(t, "GET", "/report", "", nil, nil)
	for _, want := range []string{
		`<h2 id="suspects">Suspects</h2>`,
		`<code>benchdb ab --benchtime`,
		`c11 c12 example.com/p -- -bench`,
		`ab: no such change (&#43;0.0%`,
		`machine (benchdb ab)`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report page lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(string(page), `<b class="">0</b> regressions`) || !strings.Contains(string(page), `<b>1</b> suspects`) {
		t.Errorf("report page: want 0 regressions (ab refuted Work's) and 1 suspect:\n%s", page)
	}
}

package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/perf/benchfmt"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// Hostile benchmark names (the format allows any byte but white space in
// a name) and configuration values, and labels.
var (
	hostileNames = []string{
		"HTML/<img_src=x_onerror=alert(1)>",
		"SQL/x';DROP_TABLE_run;--",
		`Quote/"a,b"|c'd`,
		"Ctl/\x1b[2J\a\x01",
		"Md/[link](javascript:x)&amp;\\",
		"C1/\b\u009b[31m\u202eevil",
	}
	hostileConfig = [][2]string{
		{"pkg", "example.com/<script>alert('pkg')</script>"},
		{"note", "'; DROP TABLE run; --"},
		{"quote", `"double", 'single' | pipe, comma`},
		{"ctl", "bell\a esc\x1b[31mred\x7f"},
		{"cr", "over\rwrite\u0085nel\x1b[0m"},
	}
	hostileLabels = map[string]string{
		"html":  "<b onmouseover=alert(1)>x</b>",
		"sql":   "'; DROP TABLE runs; --",
		"quote": `"a",b|c 'd'`,
		"ctl":   "\x1b[31mred\a",
		"utf8":  "üñí\u2028çødé",
	}
)

// hostileFile returns benchmark output of the hostile names, three
// samples each, their values shifted by shift.
func hostileFile(shift int) string {
	var sb strings.Builder
	sb.WriteString("goos: linux\n")
	for _, c := range hostileConfig {
		sb.WriteString(c[0] + ": " + c[1] + "\n")
	}
	for i, n := range hostileNames {
		for s := range 3 {
			sb.WriteString("Benchmark" + n + "-2 \t 100\t " + strconv.Itoa(100*(i+1)+s+shift) + " ns/op\n")
		}
	}
	return sb.String()
}

// TestHostileInput stores benchmark names, configuration values and labels
// holding HTML, SQL, quotes, commas, pipes and control characters, and
// checks that every command shows them faithfully and safely: JSON that
// is valid and decodes to the input, CSV that reads back to the input,
// Markdown that escapes them, an export that benchfmt reads as the
// original, and a database whose tables are all still there (every value
// is a bound parameter; see docs/guarantees.md).
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "benchdb.sqlite")
	var files []string
	for i, shift := range []int{0, 50} {
		p := filepath.Join(dir, "hostile"+strconv.Itoa(i)+".txt")
		if err := os.WriteFile(p, []byte(hostileFile(shift)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	args := []string{"--db", db, "ingest"}
	for _, k := range slices.Sorted(maps.Keys(hostileLabels)) {
		args = append(args, "--label", k+"="+hostileLabels[k])
	}
	mustRunCLI(t, append(args, files...)...)

	t.Run("runs json", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "runs", "--format", "json")
		if !json.Valid([]byte(out)) {
			t.Fatalf("invalid JSON:\n%s", out)
		}
		runs := mustRunsJSON(t, db)
		if len(runs) != 2 {
			t.Fatalf("%d runs, want 2", len(runs))
		}
		for _, r := range runs {
			if !maps.Equal(r.Labels, hostileLabels) {
				t.Errorf("run %d: labels %q, want %q", r.ID, r.Labels, hostileLabels)
			}
			for _, c := range hostileConfig {
				if r.Config[c[0]] != c[1] {
					t.Errorf("run %d: config %s = %q, want %q", r.ID, c[0], r.Config[c[0]], c[1])
				}
			}
		}
	})

	t.Run("show json", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "show", "--format", "json", "1")
		var got struct {
			Labels     map[string]string `json:"labels"`
			Benchmarks []map[string]any  `json:"benchmarks"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if !maps.Equal(got.Labels, hostileLabels) {
			t.Errorf("labels %q, want %q", got.Labels, hostileLabels)
		}
		names := map[string]bool{}
		for _, b := range got.Benchmarks {
			for _, v := range b {
				if s, ok := v.(string); ok {
					names[s] = true
				}
			}
		}
		for _, n := range hostileNames {
			if !names[n+"-2"] && !names["Benchmark"+n+"-2"] {
				t.Errorf("benchmark %q not shown as it is; strings shown: %q", n, slices.Sorted(maps.Keys(names)))
			}
		}
	})

	t.Run("export", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "export", "1")
		want := readResults(t, hostileFile(0))
		got := readResults(t, out)
		if !slices.Equal(got, want) {
			t.Errorf("export reads back as\n%q\nwant\n%q", got, want)
		}
	})

	t.Run("compare json", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "compare", "--format", "json", "1", "2")
		var got struct {
			Tables []struct {
				Config map[string]string `json:"config"`
				Rows   []struct {
					Name string `json:"name"`
				} `json:"rows"`
			} `json:"tables"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if len(got.Tables) == 0 {
			t.Fatal("no tables")
		}
		var names []string
		for _, r := range got.Tables[0].Rows {
			names = append(names, r.Name)
		}
		for _, n := range hostileNames {
			if !slices.Contains(names, n+"-2") {
				t.Errorf("row %q missing from %q", n+"-2", names)
			}
		}
		for _, c := range hostileConfig {
			if v := got.Tables[0].Config[c[0]]; v != c[1] {
				t.Errorf("table config %s = %q, want %q", c[0], v, c[1])
			}
		}
	})

	t.Run("compare csv", func(t *testing.T) {
		code, out, _ := runCLI(t, nil, "--db", db, "compare", "--format", "csv", "1", "2")
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		r := csv.NewReader(strings.NewReader(out))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("CSV does not read back: %v\n%s", err, out)
		}
		cells := map[string]bool{}
		for _, rec := range recs {
			for _, c := range rec {
				cells[c] = true
			}
		}
		for _, n := range hostileNames {
			if !cells[n+"-2"] {
				t.Errorf("no CSV cell holds %q exactly", n+"-2")
			}
		}
		for _, c := range hostileConfig {
			if !cells[c[0]+": "+c[1]] {
				t.Errorf("no CSV cell holds %q exactly", c[0]+": "+c[1])
			}
		}
	})

	t.Run("compare markdown", func(t *testing.T) {
		out := mustRunCLI(t, "--db", db, "compare", "--format", "markdown", "1", "2")
		unescaped := strings.NewReplacer(`\\`, "", "&lt;", "", "&gt;", "", `\[`, "", `\]`, "", "&amp;", "", `\_`, "").Replace(out)
		for _, bad := range []string{"<img", "<script", "</script", "[link](", "&amp;", "DROP_TABLE"} {
			if strings.Contains(unescaped, bad) {
				t.Errorf("markdown holds %q unescaped:\n%s", bad, out)
			}
		}
		// Every table line has the same number of unescaped pipes.
		var widths []int
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "|") {
				widths = append(widths, strings.Count(line, "|")-strings.Count(line, `\|`))
			}
		}
		if len(widths) < len(hostileNames)+2 {
			t.Fatalf("%d table lines, want at least %d:\n%s", len(widths), len(hostileNames)+2, out)
		}
		for _, w := range widths {
			if w != widths[0] {
				t.Errorf("table lines with %v cells: a name broke the table:\n%s", widths, out)
				break
			}
		}
	})

	t.Run("report html", func(t *testing.T) {
		out := filepath.Join(dir, "report.html")
		mustRunCLI(t, "--db", db, "report", "--format", "html", "-o", out)
		html, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<img", "<script>alert", "<b onmouseover", "\x1b"} {
			if bytes.Contains(html, []byte(bad)) {
				t.Errorf("report.html holds %q unescaped", bad)
			}
		}
		// Wherever the report names the benchmark, it is escaped.
		if n, esc := bytes.Count(html, []byte("img_src=x_onerror")), bytes.Count(html, []byte("&lt;img_src=x_onerror=alert(1)&gt;")); n != esc {
			t.Errorf("report.html names the HTML benchmark %d times, %d of them escaped", n, esc)
		}
		js := mustRunCLI(t, "--db", db, "report", "--format", "json")
		if !json.Valid([]byte(js)) {
			t.Errorf("report --format json: invalid JSON")
		}
	})

	t.Run("text outputs", func(t *testing.T) {
		// Every text and Markdown output shows the hostile values with
		// their control characters escaped (termsafe.Escape), and holds
		// no control byte but newlines and tabs.
		ctlName := termsafe.Escape(hostileNames[3]) + "-2" // Ctl/\x1b[2J\a\x01-2
		c1Name := termsafe.Escape(hostileNames[5]) + "-2"
		for _, tc := range []struct {
			name string
			args []string
			want []string // escaped values stdout or stderr must show
		}{
			{"runs", []string{"runs"}, []string{`ctl=\x1b[31mred\a`, `utf8=üñí\u2028çødé`}},
			{"show", []string{"show", "1"}, []string{ctlName, c1Name, `cr:`, `over\rwrite\u0085nel\x1b[0m`, `bell\a esc\x1b[31mred\x7f`}},
			{"compare text", []string{"compare", "1", "2"}, []string{ctlName, c1Name, `cr: over\rwrite\u0085nel\x1b[0m`}},
			{"compare verdicts", []string{"compare", "--alpha", "1", "--threshold", "0", "1", "2"}, []string{"regression: " + ctlName}},
			{"compare label column", []string{"compare", "--col", "utf8", "1", "2"}, []string{`üñí\u2028çødé`, ctlName}},
			{"compare config column", []string{"compare", "--col", "ctl", "1", "2"}, []string{`│ bell\a esc\x1b[31mred\x7f │`}},
			{"compare markdown", []string{"compare", "--format", "markdown", "1", "2"}, []string{`Ctl/\\x1b\[2J\\a\\x01-2`}},
			{"compare csv warnings", []string{"compare", "--format", "csv", "1", "2"}, []string{"9: need >= 6 samples"}}, // warnings name cells, as benchstat's
			{"report markdown", []string{"report", "--format", "markdown", "--series", "ctl"}, []string{`| ctl=\\x1b\[31mred\\a |`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, tc.args...)...)
				if code != 0 {
					t.Fatalf("exit %d:\n%s", code, stderr)
				}
				if tc.name == "compare csv warnings" {
					// CSV is data: its cells stay exact, and only
					// the warnings on standard error are escaped.
					if !strings.Contains(stdout, hostileNames[3]+"-2") {
						t.Errorf("CSV lost the raw name %q", hostileNames[3]+"-2")
					}
					stdout = ""
				}
				checkNoControl(t, "stdout", stdout)
				checkNoControl(t, "stderr", stderr)
				for _, w := range tc.want {
					if !strings.Contains(stdout+stderr, w) {
						t.Errorf("output lacks %q:\n%s\n%s", w, stdout, stderr)
					}
				}
			})
		}
	})

	t.Run("text messages", func(t *testing.T) {
		// File names and selectors quoted in messages and errors.
		other := filepath.Join(dir, "other.sqlite")
		evil := filepath.Join(dir, "evil\x1b[2J\r.txt")
		if err := os.WriteFile(evil, []byte("BenchmarkA 1 1 ns/op\nBenchmarkB\x1b[31m x\x07 ns/op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			args []string
			code int
			want string
		}{
			{"ingest file name and warning", []string{"ingest", evil}, 0, `evil\x1b[2J\r.txt`},
			{"missing file", []string{"ingest", filepath.Join(dir, "no\x1b]0;title\a.txt")}, 2, `no\x1b]0;title\a.txt`},
			{"bad selector", []string{"compare", "a\x1b[2J:("}, 2, `\x1b[2J`},
			{"bad run", []string{"show", "\x9b1m"}, 2, `\x9b1m`},
			{"bad label", []string{"ingest", "--label", "\x1b[2J", evil}, 2, `\x1b[2J`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, stdout, stderr := runCLI(t, nil, append([]string{"--db", other}, tc.args...)...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d:\n%s", code, tc.code, stderr)
				}
				checkNoControl(t, "stdout", stdout)
				checkNoControl(t, "stderr", stderr)
				if !strings.Contains(stdout+stderr, tc.want) {
					t.Errorf("output lacks %q:\n%s\n%s", tc.want, stdout, stderr)
				}
			})
		}
	})

	t.Run("label queries", func(t *testing.T) {
		// Labels html, sql and utf8, and the configuration line quote
		// (which wins over the label of the same name), as Go strings.
		for _, kv := range [][2]string{
			{"html", hostileLabels["html"]}, {"sql", hostileLabels["sql"]}, {"utf8", hostileLabels["utf8"]},
			hostileConfig[2],
		} {
			sel := kv[0] + ":" + strconv.Quote(kv[1])
			out := mustRunCLI(t, "--db", db, "compare", "--format", "json", "a="+sel)
			if !json.Valid([]byte(out)) {
				t.Errorf("compare %s: invalid JSON", sel)
			}
		}
	})

	t.Run("invalid UTF-8 label", func(t *testing.T) {
		p := filepath.Join(dir, "more.txt")
		if err := os.WriteFile(p, []byte("BenchmarkX 1 1 ns/op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRunCLI(t, "--db", db, "ingest", "--label", "bad=a\xff\xfeb", p)
		runs := mustRunsJSON(t, db)
		if got, want := runs[len(runs)-1].Labels["bad"], "a\ufffd\ufffdb"; got != want || !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8 label in JSON: %q, want %q (each bad byte as U+FFFD)", got, want)
		}
		// The text listing shows the stored bytes as Go escapes.
		if out := mustRunCLI(t, "--db", db, "runs"); !strings.Contains(out, `bad=a\xff\xfeb`) {
			t.Errorf("runs does not show the label's bytes escaped:\n%q", out)
		}
	})

	// No value ran as SQL: every table is still there, with every row.
	raw := openRaw(t, db)
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('run', 'label', 'run_block', 'name')`); n != 4 {
		t.Errorf("%d of the tables run, label, run_block, name left", n)
	}
	if n := mustQueryInt(t, raw, `SELECT count(*) FROM result_line`); n != 2*3*len(hostileNames)+1 {
		t.Errorf("%d results, want %d", n, 2*3*len(hostileNames)+1)
	}
	checkIntegrity(t, raw)
}

// checkNoControl fails tb if out holds a control byte other than a
// newline or a tab, or a byte that is not valid UTF-8.
func checkNoControl(tb testing.TB, what, out string) {
	tb.Helper()
	if i := termsafe.Control(out, "\n\t"); i >= 0 {
		tb.Errorf("%s holds a raw control or invalid byte at %d: %q", what, i, out[max(0, i-20):min(len(out), i+20)])
	}
}

// readResults returns the results benchfmt reads from text, one line each:
// name, configuration and values.
func readResults(tb testing.TB, text string) []string {
	tb.Helper()
	r := benchfmt.NewReader(bytes.NewReader([]byte(text)), "in")
	var out []string
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			var sb strings.Builder
			sb.WriteString(string(rec.Name))
			for _, c := range rec.Config {
				sb.WriteString(" " + c.Key + "=" + string(c.Value))
			}
			for _, v := range rec.Values {
				sb.WriteString(" " + v.Unit + "=" + strconv.Itoa(int(v.Value*1e9+0.5)))
			}
			out = append(out, sb.String())
		case *benchfmt.SyntaxError:
			tb.Errorf("syntax error: %v", rec)
		}
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCompare_configChurn: runs whose results each follow a new
// configuration key (n results of up to n keys: quadratic in the input)
// are refused by compare with a message, in bounded memory, instead of
// exhausting it (20,000 such lines took 17 GB); --table of fixed keys
// does not help, since every result keeps its configuration.
func TestCompare_configChurn(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.sqlite")
	for run, n := range []int{2200, 2200, 300, 300} {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "key%d: v%d\nBenchmarkX-2 \t1000\t%d ns/op\n", i, i, 100+(i+run)%7)
		}
		f := filepath.Join(dir, fmt.Sprintf("churn%d.txt", run))
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRunCLI(t, "--db", db, "ingest", f)
	}
	for _, args := range [][]string{{"compare", "1", "2"}, {"compare", "--table", "", "1", "2"}} {
		code, stdout, stderr := runCLI(t, nil, append([]string{"--db", db}, args...)...)
		if code != exitError || stdout != "" || !strings.Contains(stderr, "configuration values, more than a comparison reads") {
			t.Errorf("benchdb %s: exit %d, stdout %d bytes, stderr %q; want 2 and the limit's message", strings.Join(args, " "), code, len(stdout), stderr)
		}
	}
	// A few hundred such results are still compared.
	if out := mustRunCLI(t, "--db", db, "compare", "--table", "", "3", "4"); !strings.Contains(out, "X-2") {
		t.Errorf("compare of 300 results:\n%s", out)
	}
}

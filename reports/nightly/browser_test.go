package nightly_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports/nightly"
)

// chromium returns the path of a headless-capable Chromium, failing the
// test when there is none (unless BENCHDB_SKIP_BROWSER=1).
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BENCHDB_SKIP_BROWSER") == "1" {
		tb.Skip("no chromium; skipped because BENCHDB_SKIP_BROWSER=1")
	}
	tb.Fatal("the HTML report is checked in headless Chromium, which is not installed: " +
		"run `apt-get install -y chromium` (Debian), or set BENCHDB_SKIP_BROWSER=1 to skip")
	return ""
}

// runChromium runs headless Chromium on the file with the extra
// arguments and returns its standard output.
func runChromium(tb testing.TB, bin, file string, extra ...string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + tb.TempDir(),
	}, extra...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// TestWriteHTML_Chromium opens the report in headless Chromium: the page
// renders, its charts are in the DOM, and benchmark names made of HTML are
// text, not elements.
func TestWriteHTML_Chromium(t *testing.T) {
	t.Parallel() // mostly waiting for the browser
	bin := chromium(t)
	rep := mustReport(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := nightly.WriteHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	dom := string(runChromium(t, bin, file, "--dump-dom"))
	if !strings.Contains(dom, "<h1>Benchmark report</h1>") {
		t.Fatalf("the page did not render:\n%.2000s", dom)
	}
	// The DOM as serialised by the browser: markup it parsed out of a
	// name would show as elements here.
	if strings.Contains(dom, "<script") || strings.Contains(dom, "<b>x</b>") {
		t.Errorf("a benchmark name became markup:\n%s", grep(dom, "alert|<b>x"))
	}
	for _, name := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;x&lt;/b&gt;"} {
		if !strings.Contains(dom, name) {
			t.Errorf("the DOM lacks the name %s as text", name)
		}
	}
	want := len(rep.Regressions) + len(rep.Improvements) + len(rep.Series)
	if n := strings.Count(dom, "<svg"); n != want {
		t.Errorf("%d svg charts in the DOM, want %d", n, want)
	}
	if n := strings.Count(dom, `<polyline class="line"`); n != want {
		t.Errorf("%d chart lines in the DOM, want %d", n, want)
	}
	if n := strings.Count(dom, `<line class="cp"`); n != len(rep.Regressions)+len(rep.Improvements) {
		t.Errorf("%d change point markers, want one per change", n)
	}

	// Printing: the print style sheet lays the page out on paper.
	pdf := filepath.Join(dir, "report.pdf")
	runChromium(t, bin, file, "--print-to-pdf="+pdf, "--no-pdf-header-footer")
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) < 10_000 {
		t.Errorf("print to PDF: %v, %d bytes", err, len(b))
	}

	// BENCHDB_SCREENSHOT=FILE.png keeps a screenshot to look at.
	if png := os.Getenv("BENCHDB_SCREENSHOT"); png != "" {
		runChromium(t, bin, file, "--screenshot="+png, "--window-size=1100,2400", "--hide-scrollbars")
	}
}

// grep returns the lines of s matching the pattern.
func grep(s, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

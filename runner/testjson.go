package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// event is one line of `go test -json` (cmd/test2json) output.
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string
	FailedBuild string
}

// pkgState is what Run knows of one package.
type pkgState struct {
	path    string
	status  string
	pending string    // output not yet ended by a newline
	cut     int       // bytes of the pending line dropped past MaxLineBytes
	lines   []outLine // kept output lines
	kept    int       // number of lines up to the last result line
	results int
	failed  []string // benchmarks that reported failure
	broken  bool     // a benchmark printed a result line without a time
	last    string   // the last benchmark started
	build   []string // compiler output
}

// outLine is one line of a package's output.
type outLine struct {
	text   string // with its newline
	test   string // the benchmark that printed it, if any
	result bool   // a result line
}

// read consumes go test's JSON events until EOF.
func (r *run) read(stdout io.Reader) {
	br := bufio.NewReaderSize(stdout, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			r.mu.Lock()
			r.handle(line)
			r.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// pkg returns the state of the package at path, creating it.
func (r *run) pkg(path string) *pkgState {
	p, ok := r.pkgs[path]
	if !ok {
		p = &pkgState{path: path, status: "incomplete"}
		r.pkgs[path] = p
		r.order = append(r.order, path)
	}
	return p
}

// handle processes one line of go test's output. The caller holds r.mu.
func (r *run) handle(line []byte) {
	var ev event
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
		r.stray.Write(line)
		return
	}
	switch ev.Action {
	case "build-output":
		p := r.pkg(buildPackage(ev.ImportPath))
		if s := strings.TrimRight(ev.Output, "\n"); s != "" && !strings.HasPrefix(s, "# ") {
			p.build = append(p.build, s)
		}
		return
	case "build-fail":
		r.pkg(buildPackage(ev.ImportPath)).status = "build-failed"
		return
	}
	if ev.Package == "" {
		return
	}
	p := r.pkg(ev.Package)
	switch ev.Action {
	case "run":
		if strings.HasPrefix(ev.Test, "Benchmark") {
			p.last = ev.Test
			r.curPkg, r.curBench = p.path, ev.Test
			r.runPkg, r.runBench = p.path, ev.Test
			if r.first.IsZero() {
				r.first = r.now()
			}
			r.progress("start")
		}
	case "output":
		r.output(p, ev)
	case "pass":
		if ev.Test == "" {
			r.flush(p)
			p.status = "pass"
		}
	case "skip":
		if ev.Test == "" {
			r.flush(p)
			p.status = "skip"
		}
	case "fail":
		if ev.Test != "" {
			p.failed = append(p.failed, ev.Test)
			return
		}
		r.flush(p)
		if ev.FailedBuild != "" || p.status == "build-failed" {
			p.status = "build-failed"
		} else {
			p.status = "fail"
		}
	}
}

// buildPackage turns a build event's ImportPath, such as
// "example.com/p [example.com/p.test]", into the package's path.
func buildPackage(importPath string) string {
	path, _, _ := strings.Cut(importPath, " ")
	return strings.TrimSuffix(path, ".test")
}

// output adds an output event's text to p, line by line. A line is
// never held longer than MaxLineBytes (plus room for its note): what
// comes after is counted in p.cut and dropped, so that output without
// newlines does not grow memory.
func (r *run) output(p *pkgState, ev event) {
	text := ev.Output
	for text != "" {
		i := strings.IndexByte(text, '\n')
		chunk := text
		if i >= 0 {
			chunk = text[:i]
		}
		if room := MaxLineBytes + 1 - len(p.pending); room >= len(chunk) {
			p.pending += chunk
		} else {
			p.pending += chunk[:max(room, 0)]
			p.cut += len(chunk) - max(room, 0)
		}
		if i < 0 {
			return
		}
		text = text[i+1:]
		line := p.pending + "\n"
		cut := p.cut
		p.pending, p.cut = "", 0
		r.line(p, ev.Test, line, cut)
	}
}

// flush processes p's last line if it did not end with a newline.
func (r *run) flush(p *pkgState) {
	if p.pending != "" || p.cut > 0 {
		line := p.pending + "\n"
		cut := p.cut
		p.pending, p.cut = "", 0
		r.line(p, "", line, cut)
	}
}

// line keeps one complete output line of p. test is the benchmark that
// printed it, if any; cut is how many bytes output dropped from its end.
func (r *run) line(p *pkgState, test, line string, cut int) {
	body := strings.TrimRight(line, "\r\n")
	// test2json asks the test binary for framing lines and benchmark names
	// that plain `go test -bench` does not print.
	if strings.HasPrefix(body, "=== ") || (test != "" && body == test) {
		return
	}
	result, broken := classifyLine(body)
	if n := len(body) + cut; n > MaxLineBytes {
		where := p.path
		if test != "" {
			where += " " + test
		}
		if result || broken {
			r.warnings = append(r.warnings, fmt.Sprintf("%s: result line of %d bytes left out: longer than %d bytes", where, n, MaxLineBytes))
			return
		}
		note := fmt.Sprintf(" [benchdb: line of %d bytes cut]", n)
		body = strings.ToValidUTF8(body[:MaxLineBytes-len(note)], "") + note
		line = body + "\n"
		r.warnings = append(r.warnings, fmt.Sprintf("%s: log line of %d bytes cut to %d", where, n, MaxLineBytes))
	}
	if !result && !broken && !isText(body) {
		body = strings.ToValidUTF8(strings.ReplaceAll(body, "\x00", "\uFFFD"), "\uFFFD")
		line = body + "\n"
	}
	if r.cfg.Output != nil {
		io.WriteString(r.cfg.Output, line)
	}
	if broken {
		// testing prints this for a benchmark that panicked: the
		// panicking goroutine's deferred calls let the next benchmark
		// start, and the test binary may even print PASS and exit 0
		// before the runtime reports the panic.
		if name := resultName(body); !slices.Contains(p.failed, name) {
			p.failed = append(p.failed, name)
		}
		p.broken = true
		return
	}
	p.lines = append(p.lines, outLine{text: line, test: test, result: result})
	if !result {
		return
	}
	p.results++
	p.kept = len(p.lines)
	r.done++
	if name, _, _ := strings.Cut(body, "\t"); name != "" {
		r.curPkg, r.curBench = p.path, strings.TrimSpace(name)
	}
	r.progress("result")
}

// resultName returns the benchmark name of a result line, without its
// -GOMAXPROCS suffix.
func resultName(line string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(line), "\t")
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// classifyLine reports whether line looks like a benchmark result (a
// name starting with "Benchmark", an iteration count, and at least one
// value and unit), and whether it is a broken one: a name and iteration
// count without a time per operation ("BenchmarkB-2   1" or
// "BenchmarkB-2   1   0 B/op   0 allocs/op"), as testing prints for a
// benchmark that panicked. A benchmark that hides ns/op on purpose
// (b.ReportMetric(0, "ns/op")) looks the same and is reported as failed.
// A broken line is not a result.
func classifyLine(line string) (result, broken bool) {
	if !strings.HasPrefix(line, "Benchmark") {
		return false, false
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return false, false
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return false, false
	}
	if !strings.Contains(line, " ns/op") && !strings.Contains(line, " sec/op") {
		return false, true
	}
	return len(f) >= 4, false
}

// finish fills res from the packages' states. It returns one error per
// package that failed, and separately one per package that was still
// running when go test stopped (which a timeout or an interrupt already
// explains). The caller holds r.mu.
func (r *run) finish(res *Result) (failed, cut []error) {
	var out bytes.Buffer
	for _, path := range r.order {
		p := r.pkgs[path]
		r.flush(p)
		if p.broken && p.status == "pass" {
			p.status = "fail"
		}
		res.Packages = append(res.Packages, Package{Path: path, Status: p.status, Results: p.results})
		if p.status == "pass" {
			res.Results += p.results
			for _, l := range p.lines {
				out.WriteString(l.text)
			}
		} else {
			// Keep what finished: the lines up to the last complete
			// result, without what failed benchmarks printed.
			for _, l := range p.lines[:p.kept] {
				if l.result {
					res.Results++
				}
				if l.result || l.test == "" || !slices.Contains(p.failed, l.test) {
					out.WriteString(l.text)
				}
			}
		}
		bench := p.last
		if len(p.failed) > 0 {
			bench = p.failed[0]
		}
		switch p.status {
		case "build-failed":
			failed = append(failed, &Error{Kind: BuildFailed, Package: path,
				Detail: firstLines(strings.Join(p.build, "\n"), maxDetailLines)})
		case "fail":
			detail := failureDetail(p.lines, bench)
			if detail == "" && p.broken {
				detail = "it printed no time per op: it panicked, or the test binary exited before it finished"
			}
			failed = append(failed, &Error{Kind: BenchmarkFailed, Package: path, Benchmark: bench, Detail: detail})
		case "incomplete":
			detail := failureDetail(p.lines, bench)
			if detail == "" {
				detail = "stopped before the package finished"
			}
			cut = append(cut, &Error{Kind: BenchmarkFailed, Package: path, Benchmark: bench, Detail: detail})
		}
	}
	res.Output = out.Bytes()
	res.Warnings = r.warnings
	return failed, cut
}

// isText reports whether s holds only UTF-8 and no NUL byte, as the
// store requires of every line.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00")
}

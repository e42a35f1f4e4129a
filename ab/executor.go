package ab

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

// executor runs test binaries and reports progress.
type executor struct {
	cfg   Config
	now   func() time.Time
	start time.Time
	done  int
	total int
}

// maxOutput bounds the output of one binary run kept for error messages.
const maxOutput = 1 << 20

// args returns the test binary's flags.
func (e *executor) args() []string {
	args := []string{"-test.run=^$", "-test.bench=" + e.cfg.Bench, "-test.count=" + strconv.Itoa(max(1, e.cfg.Count)), "-test.benchmem"}
	if e.cfg.Benchtime != "" {
		args = append(args, "-test.benchtime="+e.cfg.Benchtime)
	}
	return append(args, e.cfg.TestArgs...)
}

// run runs one binary once and returns its results, each with the
// configuration key round. extraArgs are added to the flags.
func (e *executor) run(ctx context.Context, side string, rev Revision, b Binary, round int, extraArgs []string) ([]*benchfmt.Result, error) {
	out, err := e.exec(ctx, side, rev, b, round, extraArgs)
	if err != nil {
		return nil, err
	}
	var res []*benchfmt.Result
	rd := benchfmt.NewReader(bytes.NewReader(out), b.ImportPath)
	for rd.Scan() {
		r, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		c := r.Clone()
		if c.GetConfig("pkg") == "" {
			setFileConfig(c, "pkg", b.ImportPath)
		}
		setFileConfig(c, "round", strconv.Itoa(round))
		res = append(res, c)
	}
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("read output of %s: %w", b.ImportPath, err)
	}
	return res, nil
}

// exec runs the binary and returns its standard output.
func (e *executor) exec(ctx context.Context, side string, rev Revision, b Binary, round int, extraArgs []string) ([]byte, error) {
	p := Progress{Round: round - e.cfg.FirstRound + 1, Rounds: e.cfg.Rounds, Side: side, Package: b.ImportPath, Done: e.done, Total: e.total}
	e.progress(p)
	cmd := exec.CommandContext(ctx, b.Path, append(e.args(), extraArgs...)...)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), e.cfg.Env...)
	cmd.WaitDelay = 5 * time.Second
	var stderr tail
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", b.Path, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", b.Path, err)
	}
	var out bytes.Buffer
	var failed string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if out.Len() < maxOutput {
			out.WriteString(line)
			out.WriteByte('\n')
		}
		if name, ok := strings.CutPrefix(line, "--- FAIL: "); ok && failed == "" {
			failed, _, _ = strings.Cut(name, " ")
		}
		if strings.HasPrefix(line, "Benchmark") && strings.Contains(line, "\t") {
			name, _, _ := strings.Cut(line, "\t")
			p.Benchmark = strings.TrimSpace(name)
			e.progress(p)
		}
	}
	io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if waitErr != nil || failed != "" {
		detail := failureDetail(out.String() + stderr.String())
		if detail == "" && waitErr != nil {
			detail = waitErr.Error()
		}
		if failed == "" {
			failed = panicking(out.String() + stderr.String())
		}
		return nil, &BenchmarkError{Side: side, Rev: rev, Package: b.ImportPath, Benchmark: failed, Detail: detail}
	}
	return out.Bytes(), nil
}

// extra runs x on one binary.
func (e *executor) extra(ctx context.Context, x ExtraRun, side string, rev Revision, b Binary) error {
	dir, err := os.MkdirTemp("", "benchdb-ab-"+x.Name+"-")
	if err != nil {
		return fmt.Errorf("%s run: %w", x.Name, err)
	}
	defer os.RemoveAll(dir)
	var args []string
	if x.Args != nil {
		args = x.Args(side, b, dir)
	}
	out, err := e.exec(ctx, side, rev, b, e.cfg.FirstRound+e.cfg.Rounds-1, args)
	if err != nil {
		return fmt.Errorf("%s run: %w", x.Name, err)
	}
	if x.Done != nil {
		if err := x.Done(side, b, dir, out); err != nil {
			return fmt.Errorf("%s run of %s %s: %w", x.Name, side, b.ImportPath, err)
		}
	}
	return nil
}

func (e *executor) progress(p Progress) {
	if e.cfg.Progress == nil {
		return
	}
	p.Elapsed = e.now().Sub(e.start)
	if e.done > 0 && e.done < e.total {
		p.Left = time.Duration(float64(p.Elapsed) / float64(e.done) * float64(e.total-e.done))
	}
	e.cfg.Progress(p)
}

// failureDetail picks the lines that explain a failure: the panic or the
// messages under "--- FAIL".
func failureDetail(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "panic:") {
			return t
		}
		if strings.HasPrefix(t, "--- FAIL:") {
			var msg []string
			for _, m := range lines[i+1:] {
				m = strings.TrimSpace(m)
				if m == "" || strings.HasPrefix(m, "---") || m == "FAIL" || strings.HasPrefix(m, "Benchmark") {
					break
				}
				msg = append(msg, m)
				if len(msg) == 3 {
					break
				}
			}
			return strings.Join(msg, "; ")
		}
	}
	return firstLines(out, 3)
}

// panicking returns the benchmark a panic trace names, or "".
func panicking(out string) string {
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if f, ok := strings.CutPrefix(l, "--- FAIL: "); ok {
			f, _, _ = strings.Cut(f, " ")
			return f
		}
	}
	// A panic's goroutine trace names the function: pkg.BenchmarkX(...).
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, ".Benchmark"); i >= 0 && strings.Contains(l, "(") && !strings.HasPrefix(strings.TrimSpace(l), "testing.") {
			name := l[i+1:]
			name, _, _ = strings.Cut(name, "(")
			return name
		}
	}
	return ""
}

// tail keeps the last maxOutput bytes written to it.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > maxOutput {
		t.b = t.b[len(t.b)-maxOutput:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.b) }

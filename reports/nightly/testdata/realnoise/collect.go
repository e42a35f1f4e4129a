//go:build ignore

// Collect measures benchdb's real-noise corpus: "nights" of real
// `go test -bench` runs on this machine, each night running every subject
// (standard library packages, one of benchdb's suites and the slowmod test
// module) in its unchanged build and in builds slowed down by a known cause
// (-gcflags=all=-N -l, GOAMD64=v3, slowmod's slowN tags), plus benchdb's
// calibration probe right after each block (package benchdb/probe), as
// `benchdb run` records it between suites.
//
// Run it from the repository root:
//
//	go run ./reports/nightly/testdata/realnoise/collect.go -until 09:45 -rounds 30
//
// It builds each test binary once, then runs rounds until -rounds are done or
// the -until time (UTC) has passed, writing one file per night,
// nights/night-NN.txt, in the Go benchmark format. Config lines say which
// series a block belongs to: `subject:` (the package) and `variant:` (base,
// nl, v3, slow5, ...), `night:` and `time:` when the block started, and
// `load:` the machine's one-minute load average then. Within a night the
// series run in a random order (seeded by the night number), so that no
// variant always runs at the same moment of a night.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/runner"
)

type series struct {
	subject, variant string
	pkg              string // what go test -c builds
	dir              string // where go test -c runs and the binary runs ("" = repository root)
	env              []string
	flags            []string
	bench            string
}

const (
	stringsBench = `^Benchmark(Index|LastIndex|IndexByte|IndexRune|IndexHard1|IndexHard2|SplitSingleByteSeparator|SplitMultiByteSeparator)$`
	sortBench    = `^Benchmark(SortInts|SortStrings|SortStructs|SortInt1K|StableInt1K|SortString1K|Sort1e2|Stable1e2)$`
	receiveBench = `^BenchmarkReceive$/^mode=(scan|marker)$/^depth=(1000|10000)$`
	slowBench    = `^BenchmarkWork$`
	slowDir      = "reports/nightly/testdata/realnoise/slowmod"
	nl           = "-gcflags=all=-N -l"
)

var all = []series{
	{subject: "strings", variant: "base", pkg: "strings", bench: stringsBench},
	{subject: "strings", variant: "nl", pkg: "strings", flags: []string{nl}, bench: stringsBench},
	{subject: "strings", variant: "v3", pkg: "strings", env: []string{"GOAMD64=v3"}, bench: stringsBench},
	{subject: "sort", variant: "base", pkg: "sort", bench: sortBench},
	{subject: "sort", variant: "nl", pkg: "sort", flags: []string{nl}, bench: sortBench},
	{subject: "receive", variant: "base", pkg: "./suites/receive", bench: receiveBench},
	{subject: "receive", variant: "nl", pkg: "./suites/receive", flags: []string{nl}, bench: receiveBench},
	{subject: "slowmod", variant: "base", pkg: ".", dir: slowDir, bench: slowBench},
	{subject: "slowmod", variant: "slow5", pkg: ".", dir: slowDir, flags: []string{"-tags=slow5"}, bench: slowBench},
	{subject: "slowmod", variant: "slow10", pkg: ".", dir: slowDir, flags: []string{"-tags=slow10"}, bench: slowBench},
	{subject: "slowmod", variant: "slow25", pkg: ".", dir: slowDir, flags: []string{"-tags=slow25"}, bench: slowBench},
	{subject: "slowmod", variant: "slow100", pkg: ".", dir: slowDir, flags: []string{"-tags=slow100"}, bench: slowBench},
}

func main() {
	out := flag.String("out", "reports/nightly/testdata/realnoise/nights", "directory for the night files")
	until := flag.String("until", "", "stop starting rounds after this UTC time (HH:MM)")
	rounds := flag.Int("rounds", 30, "most nights to measure")
	first := flag.Int("first", 1, "number of the first night (to extend a corpus)")
	gap := flag.Duration("gap", 20*time.Second, "pause between nights")
	count := flag.Int("count", 5, "go test -count of each process")
	procs := flag.Int("procs", 1, "processes of each build per night, in rounds (each round runs every build once, in a random order)")
	benchtime := flag.String("benchtime", "100ms", "go test -benchtime")
	flag.Parse()
	log.SetFlags(log.Ltime)

	var deadline time.Time
	if *until != "" {
		t, err := time.Parse("15:04", *until)
		if err != nil {
			log.Fatalf("-until: %v", err)
		}
		now := time.Now().UTC()
		deadline = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
		if deadline.Before(now) { // 01:10 asked for at 22:47 means tomorrow's
			deadline = deadline.Add(24 * time.Hour)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	root, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	bin, err := os.MkdirTemp("", "realnoise-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(bin)
	// Ctrl+C (or SIGTERM) stops the collection between blocks: the
	// night under way is not written, the test binaries are removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	stdDir := map[string]string{}
	for _, s := range all {
		if s.dir == "" && !strings.HasPrefix(s.pkg, ".") {
			d, err := exec.Command("go", "list", "-f", "{{.Dir}}", s.pkg).Output()
			if err != nil {
				log.Fatalf("go list %s: %v", s.pkg, err)
			}
			stdDir[s.pkg] = strings.TrimSpace(string(d))
		}
	}
	for _, s := range all {
		args := append([]string{"test", "-c", "-o", filepath.Join(bin, s.subject+"."+s.variant+".test")}, s.flags...)
		args = append(args, s.pkg)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = filepath.Join(root, s.dir)
		cmd.Env = append(os.Environ(), s.env...)
		log.Printf("build %s/%s", s.subject, s.variant)
		if b, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				log.Printf("interrupted while building")
				return
			}
			log.Fatalf("build %s/%s: %v\n%s", s.subject, s.variant, err, b)
		}
	}

	for night := *first; night < *first+*rounds; night++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			log.Printf("past -until: stop before night %d", night)
			break
		}
		start := time.Now()
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "night: %d\n", night)
		if *procs > 1 {
			// Each build runs as procs processes, one a round: a
			// process's own placement (its address layout, which CPU,
			// what shares its caches) moves every benchmark in it
			// together, which samples of one process cannot show.
			fmt.Fprintf(&buf, "procs: %d\n", *procs)
		}
		for round := range *procs {
			seed := uint64(night)
			if round > 0 {
				seed = uint64(night)*1000 + uint64(round)
			}
			order := rand.New(rand.NewPCG(seed, 1)).Perm(len(all))
			for _, i := range order {
				if ctx.Err() != nil {
					log.Printf("interrupted: night %d not written", night)
					return
				}
				block(ctx, &buf, all[i], night, root, bin, stdDir, *count, *benchtime)
			}
		}
		name := filepath.Join(*out, fmt.Sprintf("night-%02d.txt", night))
		// A night is written whole or not at all (a temporary file
		// renamed over it): Ctrl+C never leaves half a night.
		if err := outfile.WriteFile(name, buf.Bytes()); err != nil {
			log.Fatal(err)
		}
		log.Printf("night %d: %s in %v", night, name, time.Since(start).Round(time.Second))
		select {
		case <-ctx.Done():
			log.Printf("interrupted after night %d", night)
			return
		case <-time.After(*gap):
		}
	}
}

// block runs one process of series s's test binary, then the calibration
// probe, and writes both to buf with the block's stretch.
func block(ctx context.Context, buf *bytes.Buffer, s series, night int, root, bin string, stdDir map[string]string, count int, benchtime string) {
	fmt.Fprintf(buf, "subject: %s\nvariant: %s\ntime: %s\nload: %s\n",
		s.subject, s.variant, time.Now().UTC().Format(time.RFC3339), load())
	dir := filepath.Join(root, s.dir)
	if d, ok := stdDir[s.pkg]; ok {
		dir = d
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, s.subject+"."+s.variant+".test"),
		"-test.run", "^$", "-test.bench", s.bench, "-test.count", fmt.Sprint(count),
		"-test.benchtime", benchtime, "-test.v")
	cmd.Dir = dir
	outb, stretch, benchStretch, err := runClocked(cmd)
	if err != nil {
		log.Printf("night %d %s/%s: %v", night, s.subject, s.variant, err)
	}
	keep(buf, outb)
	// The probe right after the block sees the machine the block
	// saw, as `benchdb run` runs it between suites.
	if err := runner.Probe(ctx, buf, runner.ProbeConfig{}); err != nil {
		log.Printf("night %d probe: %v", night, err)
	}
	// How long the block's threads waited for a CPU, as `benchdb
	// run` records it for each package (runner.TaskClock).
	if pkg := pkgOf(outb); pkg != "" && !math.IsNaN(stretch) {
		fmt.Fprintf(buf, "%s \t       1\t%12.4f %s\n", runner.StretchName(pkg), stretch, runner.StretchUnit)
		// And each benchmark's (from night 81 on).
		for _, b := range slices.Sorted(maps.Keys(benchStretch)) {
			fmt.Fprintf(buf, "%s \t       1\t%12.4f %s\n", runner.StretchBenchName(pkg, b), benchStretch[b][0], runner.StretchUnit)
		}
		// And the same of each benchmark's busiest thread only
		// (from night 103 on): kind=stretchmain.
		for _, b := range slices.Sorted(maps.Keys(benchStretch)) {
			name := strings.Replace(runner.StretchBenchName(pkg, b), "/kind=stretch/", "/kind=stretchmain/", 1)
			fmt.Fprintf(buf, "%s \t       1\t%12.4f %s\n", name, benchStretch[b][1], runner.StretchUnit)
		}
	}
}

// runClocked runs cmd, sampling its threads' scheduler statistics every
// 50 ms, and returns its standard output, its stretch (NaN when the
// statistics are not there) and each benchmark's: what its threads did
// between two samples counts for the benchmark the binary said last,
// before the second, that it starts. (With -test.v a test binary writes
// a benchmark's name on a line of its own as it starts it; without, it
// writes the name only with the result, after the benchmark ran, which
// until night 187 made each benchmark's stretch here the next one's:
// see the corpus README.)
func runClocked(cmd *exec.Cmd) ([]byte, float64, map[string][2]float64, error) {
	w := &watcher{}
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		return nil, math.NaN(), nil, err
	}
	clock := runner.NewTaskClock(cmd.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	sampled := clock.Sample() == nil
	type acc struct{ run, wait, mainRun, mainWait time.Duration }
	per := map[string]*acc{}
	for {
		select {
		case err := <-done:
			out := w.bytes()
			if !sampled {
				return out, math.NaN(), nil, err
			}
			bench := map[string][2]float64{}
			for b, a := range per {
				if a.run > 0 && a.mainRun > 0 {
					bench[b] = [2]float64{float64(a.run+a.wait) / float64(a.run), float64(a.mainRun+a.mainWait) / float64(a.mainRun)}
				}
			}
			return out, clock.Stretch(), bench, err
		case <-tick.C:
			r0, w0 := clock.Totals()
			if clock.Sample() != nil {
				continue
			}
			r1, w1 := clock.Totals()
			if b := w.current(); b != "" {
				if per[b] == nil {
					per[b] = &acc{}
				}
				per[b].run += r1 - r0
				per[b].wait += w1 - w0
				mr, mw := clock.Busiest()
				per[b].mainRun += mr
				per[b].mainWait += mw
			}
		}
	}
}

// watcher keeps a test binary's standard output and the name of the
// benchmark it started last (without its -N suffix).
type watcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	line int // start of the current line in buf
	cur  string
}

func (w *watcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	b := w.buf.Bytes()
	for {
		l := b[w.line:]
		nl := bytes.IndexByte(l, '\n')
		if nl < 0 {
			return len(p), nil
		}
		// -test.v's line that starts a benchmark: its name alone.
		if line := l[:nl]; bytes.HasPrefix(line, []byte("Benchmark")) && !bytes.ContainsAny(line, "\t ") {
			w.cur = string(line)
		}
		w.line += nl + 1
	}
}

func (w *watcher) current() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur
}

func (w *watcher) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Bytes()
}

// pkgOf returns the package of the first "pkg:" line of out.
func pkgOf(out []byte) string {
	for _, l := range strings.Split(string(out), "\n") {
		if p, ok := strings.CutPrefix(l, "pkg: "); ok {
			return strings.TrimSpace(p)
		}
	}
	return ""
}

// keep copies result and config lines, dropping PASS/ok lines.
func keep(buf *bytes.Buffer, out []byte) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		// Results, and the configuration (not -test.v's lines that
		// name a benchmark as it starts).
		if strings.HasPrefix(l, "Benchmark") && strings.Contains(l, "\t") || strings.HasPrefix(l, "goos:") || strings.HasPrefix(l, "goarch:") ||
			strings.HasPrefix(l, "pkg:") || strings.HasPrefix(l, "cpu:") {
			buf.WriteString(l)
			buf.WriteByte('\n')
		}
	}
}

func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

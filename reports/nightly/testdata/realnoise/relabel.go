//go:build ignore

// Relabel moves each benchmark's stretch in the corpus's nights 130-187 to
// the benchmark it measured.
//
// Until night 187, collect.go ran each test binary without -test.v, and
// took the name a binary wrote last as the benchmark running. Such a
// binary writes a top-level benchmark's name as it starts it, but a
// sub-benchmark's (`Work/kind=sort`) only with its result, after it ran:
// what the threads did while sub-benchmark k ran counted for k-1, each
// sub-benchmark's stretch (`.../bench=B`, and `kind=stretchmain`) is the
// next one's, the first one's run counted for none, and the last one's
// holds only the moments between its result and the binary's exit
// (often nothing). `benchdb run` is not affected: go test -json runs
// binaries with -test.v, which names every benchmark as it starts.
//
// On nights that ran each build as several processes with -count 1 each
// (`procs:` lines, nights 130-187) the shift is exact: in each process's
// block of sub-benchmarks, taken in the order its results were written,
// the stretch labelled k-1 is k's. Relabel rewrites those lines so:
// sub-benchmark k gets what was labelled k-1, the first gets none, and
// what was labelled the last is dropped. Within a night, across its
// processes, a benchmark's samples correlate with its stretch so
// relabelled far better than before (nights 130-157: slowmod's five
// 0.36-0.58 before, 0.70-0.89 after; receive's 0.47-0.64 before,
// 0.84-0.92 after), while moving the top-level benchmarks' (sort's and
// strings') the same way would make theirs worse (0.51-0.89 before,
// 0.18-0.51 moved): theirs are left as they are. (On nights 81-129, one
// process with -count 5 each, a sub-benchmark's five runs are
// consecutive, and four of them counted for it; those nights are left as
// they are.)
//
// Run it once, from the repository root, on the night files named:
//
//	go run ./reports/nightly/testdata/realnoise/relabel.go reports/nightly/testdata/realnoise/nights/night-1{3,4,5,6,7,8}?.txt
//
// It rewrites only files with a procs: line and refuses a file it has
// already rewritten (its first line then says so).
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/benchdb/benchdb/internal/outfile"
	"github.com/benchdb/benchdb/runner"
)

const marker = "relabelled: benchmark stretches moved to the benchmark they measured (relabel.go)"

func main() {
	log.SetFlags(0)
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			log.Fatal(err)
		}
		if bytes.Contains(data, []byte(marker)) {
			log.Printf("%s: already relabelled", name)
			continue
		}
		if !bytes.Contains(data, []byte("\nprocs: ")) {
			log.Printf("%s: one process a build, left as it is", name)
			continue
		}
		out, moved, err := relabel(string(data))
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		// Replaced through a temporary file renamed over it: an
		// interrupted run leaves each night whole, relabelled or not.
		if err := outfile.WriteFile(name, []byte(out)); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: %d stretches moved", name, moved)
	}
}

// relabel rewrites the benchmark stretch lines of every block of a night.
func relabel(night string) (string, int, error) {
	lines := strings.SplitAfter(night, "\n")
	var out strings.Builder
	moved := 0
	// The first line is "night: N"; the marker goes after it, as a
	// config-like line the corpus reader ignores.
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "subject: ") {
			out.WriteString(lines[i])
			if i == 0 {
				out.WriteString(marker + "\n")
			}
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "subject: ") {
			j++
		}
		b, n, err := relabelBlock(lines[i:j])
		if err != nil {
			return "", 0, err
		}
		out.WriteString(b)
		moved += n
		i = j
	}
	return out.String(), moved, nil
}

// relabelBlock rewrites one process's block: its results name the
// benchmarks in the order they ran.
func relabelBlock(block []string) (string, int, error) {
	var pkg string
	var order []string // benchmarks as they ran, without Benchmark and -N
	inProbe := false
	for _, l := range block {
		switch {
		case strings.HasPrefix(l, "pkg: benchdb/probe"):
			inProbe = true
		case strings.HasPrefix(l, "pkg: ") && !inProbe:
			pkg = strings.TrimSpace(strings.TrimPrefix(l, "pkg: "))
		case strings.HasPrefix(l, "Benchmark") && !inProbe:
			name, _, _ := strings.Cut(l, "\t")
			name = strings.TrimPrefix(strings.TrimSpace(name), "Benchmark")
			if k := strings.LastIndexByte(name, '-'); k > 0 && strings.Trim(name[k+1:], "0123456789") == "" {
				name = name[:k]
			}
			order = append(order, name)
		}
	}
	sub := false
	for _, b := range order {
		sub = sub || strings.Contains(b, "/")
	}
	if pkg == "" || !sub {
		// A block that wrote nothing, or of top-level benchmarks, whose
		// names the binary wrote as it started them.
		return strings.Join(block, ""), 0, nil
	}
	// next[b] is the benchmark that ran after b: the one b's stretch
	// measured.
	next := map[string]string{}
	for k := 1; k < len(order); k++ {
		next[order[k-1]] = order[k]
	}
	var out strings.Builder
	moved := 0
	for _, l := range block {
		var kind string
		switch {
		case strings.HasPrefix(l, "BenchmarkProbe/kind=stretch/"):
			kind = "stretch"
		case strings.HasPrefix(l, "BenchmarkProbe/kind=stretchmain/"):
			kind = "stretchmain"
		}
		name, rest, _ := strings.Cut(l, " ")
		enc, ok := strings.CutPrefix(name, "BenchmarkProbe/kind="+kind+"/")
		if kind == "" || !ok || !strings.Contains(enc, "/bench=") {
			out.WriteString(l)
			continue
		}
		var bench string
		for _, b := range order {
			if runner.StretchBenchName(pkg, b) == "BenchmarkProbe/kind=stretch/"+enc {
				bench = b
			}
		}
		if bench == "" {
			return "", 0, fmt.Errorf("stretch %s names no benchmark of package %s", name, pkg)
		}
		to, ok := next[bench]
		if !ok {
			continue // the last benchmark's: the binary's exit, not a benchmark
		}
		newName := strings.Replace(runner.StretchBenchName(pkg, to), "/kind=stretch/", "/kind="+kind+"/", 1)
		out.WriteString(newName + " " + rest)
		moved++
	}
	return out.String(), moved, nil
}

package benchstattest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// A Case is one randomly generated input for a differential test
// against benchstat: benchmark files and the flags to compare them
// with.
type Case struct {
	// Seed generated the case; Generate(Seed) returns it again.
	Seed uint64
	// Files are the inputs, in column order.
	Files []File
	// Flags are benchstat flags as name and value pairs, without
	// dashes ("col", "/size"). benchstat takes them as -name value,
	// benchdb compare as --name value.
	Flags [][2]string
}

// A File is one generated benchmark file.
type File struct {
	// Label names the file's column (benchstat's LABEL=FILE, benchdb's
	// NAME=SEL).
	Label string
	// Text is the file's content in the Go benchmark format.
	Text string
}

// BenchstatArgs returns benchstat's command line for c, with the file
// of each label at path(label), before the inputs: extra flags such as
// -format csv.
func (c Case) BenchstatArgs(path func(label string) string, extra ...string) []string {
	var args []string
	for _, f := range c.Flags {
		args = append(args, "-"+f[0], f[1])
	}
	args = append(args, extra...)
	for _, f := range c.Files {
		args = append(args, f.Label+"="+path(f.Label))
	}
	return args
}

// String describes c's flags for failure messages.
func (c Case) String() string {
	var parts []string
	for _, f := range c.Flags {
		parts = append(parts, "-"+f[0]+" "+strconv.Quote(f[1]))
	}
	return fmt.Sprintf("seed %d: %d files, flags [%s]", c.Seed, len(c.Files), strings.Join(parts, " "))
}

// genBench is a benchmark of the generator's catalogue.
type genBench struct {
	name string
	keys []string // the key=value levels of its name
}

var genBenches = []genBench{
	{"Encode", nil},
	{"Decode/size=1k", []string{"size"}},
	{"Decode/size=4k", []string{"size"}},
	{"Decode/size=64k", []string{"size"}},
	{"Select/profile=a/depth=10", []string{"profile", "depth"}},
	{"Select/profile=b/depth=10", []string{"profile", "depth"}},
	{"Select/profile=a/depth=1000", []string{"profile", "depth"}},
	{"Select/profile=b/depth=1000", []string{"profile", "depth"}},
}

// Units of the generator: the testing package's, an exact unit, a
// higher-is-better custom unit and a plain custom one.
var genUnits = []string{"B/op", "allocs/op", "MB/s", "hits/op", "widgets/op", "scanned/op"}

// Generate returns the case of seed: one to three files of benchmark
// results that exercise benchstat's corner cases (several units, exact
// units, a zero or missing baseline, samples of one to ten values,
// constant samples, values of 0 and ±Inf in ns/op and MB/s, a
// configuration change inside a file) and a random choice of -col,
// -row, -table, -filter, -ignore, -alpha and -confidence, including
// the edge values 0 and 1.
func Generate(seed uint64) Case {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	c := Case{Seed: seed}
	nfiles := 1 + rng.IntN(4)
	if rng.IntN(4) > 0 && nfiles == 1 {
		nfiles = 2
	}

	// Which benchmarks exist, and with which units.
	type bench struct {
		genBench
		units []string
		scale map[string]float64
		// zero and inf make a unit's values 0 or ±Inf in some files.
		special map[string]string
	}
	var benches []bench
	for _, b := range genBenches {
		if rng.IntN(3) == 0 {
			continue
		}
		bb := bench{genBench: b, scale: map[string]float64{}, special: map[string]string{}}
		bb.units = []string{"ns/op"}
		for _, u := range genUnits {
			if rng.IntN(3) == 0 {
				bb.units = append(bb.units, u)
			}
		}
		for _, u := range bb.units {
			bb.scale[u] = pow10(rng.IntN(8) - 1)
			switch rng.IntN(40) {
			case 0:
				bb.scale[u] = 1e-300 // subnormal ratios, tiny scales
			case 1:
				bb.scale[u] = 1e300
			case 2:
				if u == "scanned/op" {
					bb.scale[u] = -bb.scale[u] // a metric may be negative
				}
			}
			switch r := rng.IntN(20); {
			case r == 0:
				bb.special[u] = "zero"
			case r == 1 && (u == "ns/op" || u == "MB/s"):
				bb.special[u] = "inf"
			case r == 2 && (u == "ns/op" || u == "MB/s"):
				bb.special[u] = "someinf"
			case r == 3:
				bb.special[u] = "somezero"
			}
		}
		benches = append(benches, bb)
	}
	if len(benches) == 0 {
		b := genBenches[rng.IntN(len(genBenches))]
		benches = append(benches, bench{genBench: b, units: []string{"ns/op"},
			scale: map[string]float64{"ns/op": 100}, special: map[string]string{}})
	}
	procs := ""
	if rng.IntN(2) == 0 {
		procs = "-8"
	}
	noteChange := rng.IntN(5) == 0
	exactHits := rng.IntN(2) == 0
	higherWidgets := rng.IntN(2) == 0
	exactTime := rng.IntN(15) == 0

	present := make([]bool, len(benches))
	for fi := range nfiles {
		var sb strings.Builder
		sb.WriteString("goos: linux\ngoarch: amd64\npkg: example.com/p\n")
		if rng.IntN(6) == 0 {
			fmt.Fprintf(&sb, "cpu: CPU %d\n", fi%2)
		}
		if exactHits {
			sb.WriteString("Unit hits/op assume=exact\n")
		}
		if higherWidgets {
			sb.WriteString("Unit widgets/op better=higher\n")
		}
		if exactTime {
			sb.WriteString("Unit ns/op assume=exact\n")
		}
		fprocs := procs
		if rng.IntN(10) == 0 {
			fprocs = "-4" // another GOMAXPROCS: other rows
		}
		shift := []float64{1, 1, 0.8, 1.3, 1.0001, 2}[rng.IntN(6)]
		if fi == 0 {
			shift = 1
		}
		// Per benchmark sample sizes; 0 leaves the benchmark out of
		// this file.
		counts := make([]int, len(benches))
		for i := range benches {
			if rng.IntN(6) == 0 {
				continue
			}
			counts[i] = []int{1, 2, 3, 4, 5, 6, 6, 10, 10}[rng.IntN(9)]
		}
		if !slices.ContainsFunc(counts, func(n int) bool { return n > 0 }) {
			counts[rng.IntN(len(counts))] = 1 // no file without results
		}
		for i, n := range counts {
			present[i] = present[i] || n > 0
		}
		halves := 1
		if noteChange {
			halves = 2
		}
		grouped := rng.IntN(2) == 0
		for h := range halves {
			if h == 1 {
				sb.WriteString("note: second\n")
			}
			maxN := 0
			for _, n := range counts {
				maxN = max(maxN, n)
			}
			emit := func(i, k int) {
				b := benches[i]
				if k >= counts[i] {
					return
				}
				fmt.Fprintf(&sb, "Benchmark%s%s \t%d", b.name, fprocs, 1+rng.IntN(100000))
				for _, u := range b.units {
					v := b.scale[u] * shift
					if rng.IntN(5) > 0 {
						v *= 1 + 0.1*(rng.Float64()-0.5)
					}
					text := formatValue(rng, v, u)
					switch b.special[u] {
					case "zero":
						if fi == 0 || rng.IntN(2) == 0 {
							text = "0"
						}
					case "somezero":
						if k == 0 {
							text = "0"
						}
					case "inf":
						if fi == 0 || rng.IntN(2) == 0 {
							text = "+Inf"
						}
					case "someinf":
						if k == 0 {
							text = []string{"+Inf", "-Inf"}[rng.IntN(2)]
						}
					}
					fmt.Fprintf(&sb, " \t%s %s", text, u)
				}
				sb.WriteString("\n")
			}
			if grouped {
				for i := range benches {
					for k := range maxN {
						emit(i, k)
					}
				}
			} else {
				for k := range maxN {
					for i := range benches {
						emit(i, k)
					}
				}
			}
		}
		c.Files = append(c.Files, File{Label: string(rune('A' + fi)), Text: sb.String()})
	}

	// Flags.
	hasKey := func(k string) bool {
		for i, b := range benches {
			if !present[i] {
				continue
			}
			for _, bk := range b.keys {
				if bk == k {
					return true
				}
			}
		}
		return false
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	filter := ""
	if rng.IntN(3) == 0 {
		filter = pick(".name:Decode", "-.name:Encode", ".unit:sec/op", ".unit:(B/op OR allocs/op OR sec/op)", "/size:4k OR .name:Encode", ".name:/^(Encode|Select)$/")
		c.Flags = append(c.Flags, [2]string{"filter", filter})
	}
	projKeys := []string{".name", ".fullname"}
	for _, k := range []string{"size", "profile", "depth"} {
		if hasKey(k) && !strings.HasPrefix(filter, ".name:") && filter != "/size:4k OR .name:Encode" {
			projKeys = append(projKeys, "/"+k)
		}
	}
	if noteChange {
		projKeys = append(projKeys, "note")
	}
	var col string
	if rng.IntN(3) == 0 {
		col = pick(append(projKeys, ".file", ".file", ".file")...)
		switch {
		case col == "/profile" && rng.IntN(2) == 0:
			col = "/profile@(b a)"
		case col != ".file" && rng.IntN(3) == 0:
			col = pick(".file,", "", ".fullname,") + col + pick("", ",.file", ",goos")
		}
		c.Flags = append(c.Flags, [2]string{"col", col})
	}
	if strings.Contains(col, "@(") {
		// The fixed order drops benchmarks without /profile: keep
		// other name keys out of the rows (benchdb refuses a key that
		// no selected result has, where benchstat shows it empty).
		projKeys = slices.DeleteFunc(projKeys, func(k string) bool { return k == "/size" })
	}
	if rng.IntN(3) == 0 {
		row := pick(append(projKeys, "")...)
		if row != col {
			c.Flags = append(c.Flags, [2]string{"row", row})
		}
	}
	if rng.IntN(8) == 0 {
		c.Flags = append(c.Flags, [2]string{"table", pick("pkg", "goos", ".name", ".config", "")})
	}
	if rng.IntN(6) == 0 {
		c.Flags = append(c.Flags, [2]string{"ignore", pick("note", ".file", "cpu", "note,cpu")})
	}
	if rng.IntN(3) == 0 {
		c.Flags = append(c.Flags, [2]string{"alpha", pick("0", "1", "0.01", "0.5", "0.2", "0.05")})
	}
	if rng.IntN(3) == 0 {
		c.Flags = append(c.Flags, [2]string{"confidence", pick("0", "1", "0.5", "0.9", "0.99", "0.95")})
	}
	return c
}

func pow10(n int) float64 {
	x := 1.0
	for ; n > 0; n-- {
		x *= 10
	}
	for ; n < 0; n++ {
		x /= 10
	}
	return x
}

// formatValue writes v as the testing package (or a custom metric)
// might: integers for counts, a few digits otherwise.
func formatValue(rng *rand.Rand, v float64, unit string) string {
	switch unit {
	case "B/op", "allocs/op", "hits/op":
		return strconv.FormatInt(int64(v+0.5), 10)
	}
	return strconv.FormatFloat(v, 'g', 1+rng.IntN(6), 64)
}

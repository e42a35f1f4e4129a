package beam

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// record is one line of the harness's own output: an upper-case kind
// (Sample, Result, Cost, Version) and key=value fields. Benchmark lines
// are records of kind "Benchmark" with the whole line in raw.
type record struct {
	kind   string
	fields map[string]string
	raw    string
	line   int
}

// parseRecords splits the harness's output into records; lines of no
// known shape are skipped.
func parseRecords(out []byte) []record {
	var recs []record
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "Benchmark") {
			recs = append(recs, record{kind: "Benchmark", raw: line, line: n})
			continue
		}
		kind, rest, ok := strings.Cut(line, " ")
		if !ok || kind == "" || kind[0] < 'A' || kind[0] > 'Z' {
			continue
		}
		rec := record{kind: kind, fields: map[string]string{}, raw: line, line: n}
		for f := range strings.FieldsSeq(rest) {
			k, v, ok := strings.Cut(f, "=")
			if ok {
				rec.fields[k] = v
			}
		}
		recs = append(recs, rec)
	}
	return recs
}

func (r record) float(key string) (float64, error) {
	v, ok := r.fields[key]
	if !ok {
		return 0, fmt.Errorf("line %d: %s: no %s", r.line, r.kind, key)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("line %d: %s: %s=%q: not a number", r.line, r.kind, key, v)
	}
	return f, nil
}

func (r record) int(key string) (int, error) {
	f, err := r.float(key)
	return int(f), err
}

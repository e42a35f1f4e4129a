package runner

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRun_handle feeds recorded go test -json events through the event
// handling, for races that a real run shows only now and then.
func TestRun_handle(t *testing.T) {
	const pkg = `"Package":"example.com/p"`
	tests := []struct {
		name     string
		events   []string
		wantErr  string // substring; "" for none
		wantOut  string
		complete bool
	}{
		{
			name: "panic, binary exits 0 first",
			events: []string{
				`{"Action":"start",` + pkg + `}`,
				`{"Action":"output",` + pkg + `,"Output":"pkg: example.com/p\n"}`,
				`{"Action":"run",` + pkg + `,"Test":"BenchmarkA"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"=== RUN   BenchmarkA\n"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"BenchmarkA\n"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"BenchmarkA-2   \t"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"       1\t       621.0 ns/op\t       0 B/op\n"}`,
				`{"Action":"run",` + pkg + `,"Test":"BenchmarkB"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkB","Output":"BenchmarkB-2   \t       1\t       0 B/op\t       0 allocs/op\n"}`,
				`{"Action":"output",` + pkg + `,"Output":"PASS\n"}`,
				`{"Action":"pass",` + pkg + `}`,
			},
			wantErr: "benchmark failed: example.com/p BenchmarkB: it printed no time per op",
			wantOut: "pkg: example.com/p\nBenchmarkA-2   \t       1\t       621.0 ns/op\t       0 B/op\n",
		},
		{
			name: "pass, a line split over two events",
			events: []string{
				`{"Action":"output",` + pkg + `,"Output":"pkg: example.com/p\n"}`,
				`{"Action":"run",` + pkg + `,"Test":"BenchmarkA"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"BenchmarkA-2   \t"}`,
				`{"Action":"output",` + pkg + `,"Test":"BenchmarkA","Output":"       1\t       621.0 ns/op\n"}`,
				`not json: kept aside`,
				`{"Action":"output",` + pkg + `,"Output":"PASS\n"}`,
				`{"Action":"pass",` + pkg + `}`,
			},
			wantOut:  "pkg: example.com/p\nBenchmarkA-2   \t       1\t       621.0 ns/op\nPASS\n",
			complete: true,
		},
		{
			name: "build failure",
			events: []string{
				`{"ImportPath":"example.com/p [example.com/p.test]","Action":"build-output","Output":"# example.com/p [example.com/p.test]\n"}`,
				`{"ImportPath":"example.com/p [example.com/p.test]","Action":"build-output","Output":"p_test.go:5:6: undefined: x\n"}`,
				`{"ImportPath":"example.com/p [example.com/p.test]","Action":"build-fail"}`,
				`{"Action":"fail",` + pkg + `,"FailedBuild":"example.com/p [example.com/p.test]"}`,
			},
			wantErr: "build failed: example.com/p: p_test.go:5:6: undefined: x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &run{now: time.Now, start: time.Now(), pkgs: map[string]*pkgState{}}
			for _, e := range tt.events {
				r.handle([]byte(e + "\n"))
			}
			res := &Result{}
			failed, cut := r.finish(res)
			err := errors.Join(append(failed, cut...)...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if string(res.Output) != tt.wantOut {
				t.Errorf("output\n%q\nwant\n%q", res.Output, tt.wantOut)
			}
			if tt.complete && len(failed)+len(cut) != 0 {
				t.Errorf("errors %v for a complete run", err)
			}
		})
	}
}

package server_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestReadAPI_NonFinite: a run holding NaN and +Inf samples is served as
// `benchdb show` shows it: the values left out and counted, statistics
// null where none exist, and the run's page renders. (The server once
// summarised them with its own copy of show's code, without that
// handling, so the JSON could not be written.)
func TestReadAPI_NonFinite(t *testing.T) {
	ts := mustServer(t, nil)
	text := "pkg: example.com/nan\nBenchmarkNaN 1 NaN ns/op\nBenchmarkNaN 1 NaN ns/op\nBenchmarkMix 1 100 hits/op\nBenchmarkMix 1 +Inf hits/op\n"
	code, up := ts.upload(t, "name=nan.txt", text)
	if code != http.StatusCreated {
		t.Fatalf("upload: status %d", code)
	}
	code, body := ts.do(t, "GET", "/api/v1/runs/latest", ts.Token, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET run: status %d: %s", code, body)
	}
	var run struct {
		Benchmarks []struct {
			Name      string   `json:"name"`
			N         int      `json:"n"`
			Median    *float64 `json:"median"`
			NonFinite int      `json:"non_finite"`
		} `json:"benchmarks"`
	}
	if err := json.Unmarshal(body, &run); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := map[string]struct {
		n, nonFinite int
		median       bool
	}{"NaN": {0, 2, false}, "Mix": {1, 1, true}}
	if len(run.Benchmarks) != len(want) {
		t.Fatalf("benchmarks %+v, want NaN and Mix", run.Benchmarks)
	}
	for _, b := range run.Benchmarks {
		w := want[b.Name]
		if b.N != w.n || b.NonFinite != w.nonFinite || (b.Median != nil) != w.median {
			t.Errorf("%s: n %d, non_finite %d, median %v; want %d, %d, present %v", b.Name, b.N, b.NonFinite, b.Median, w.n, w.nonFinite, w.median)
		}
	}
	if code, body := ts.do(t, "GET", up.URL, ts.Token, nil, nil); code != http.StatusOK {
		t.Errorf("run page %s: status %d: %s", up.URL, code, body)
	}
}

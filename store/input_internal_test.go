package store

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// checkFastEvent checks that fastEvent, where it decodes raw, gives what
// json.Unmarshal gives.
func checkFastEvent(t *testing.T, raw []byte) (handled bool) {
	t.Helper()
	s := newLineSource(context.Background(), nil, "x")
	action, pkg, output, ok := s.fastEvent(raw)
	if !ok {
		return false
	}
	var ev testEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("fastEvent decoded %q, which json.Unmarshal refuses: %v", raw, err)
	}
	if string(action) != ev.Action || string(pkg) != ev.Package {
		t.Errorf("fastEvent(%q): Action %q, Package %q; json.Unmarshal: %q, %q", raw, action, pkg, ev.Action, ev.Package)
	}
	if (output == nil) != (ev.Output == nil) || ev.Output != nil && !bytes.Equal(output, []byte(*ev.Output)) {
		t.Errorf("fastEvent(%q): Output %q (nil %v); json.Unmarshal: %v", raw, output, output == nil, ev.Output)
	}
	return true
}

func TestLineSource_fastEvent(t *testing.T) {
	tests := []struct {
		raw     string
		handled bool
	}{
		{`{"Time":"2026-01-01T00:00:00Z","Action":"output","Package":"example.com/gen","Output":"BenchmarkX-8 \t 100\t 5 ns/op\n"}`, true},
		{`{"Action":"pass","Package":"p","Elapsed":1.25}`, true},
		{` { "Action" : "output" , "Output" : "" } `, true},
		{`{}`, true},
		{`{"Output":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac"}`, true},
		{`{"Action":"output","Output":"\u0000"}`, true},
		{`{"Action":"output","Elapsed":-1.5e3,"Output":"x"}`, true},
		// Left to encoding/json.
		{`{"action":"output","Output":"x"}`, false},              // case-folded key
		{`{"Action":"output","Output":"x","Output":"y"}`, false}, // repeated
		{`{"Action":"output","Output":null}`, false},
		{`{"Action":"output","Output":"\ud83d\ude00"}`, false},   // surrogates
		{`{"Action":"output","Output":"é"}`, false},              // non-ASCII
		{`{"Action":"output","Output":"` + "\xff" + `"}`, false}, // invalid UTF-8
		{`{"Action":"output","Test":{"a":1},"Output":"x"}`, false},
		{`{"Action":"output","Output":"x"} trailing`, false},
		{`{"Action":"output","Output":"x"`, false},
		{`{"Action":"output","Output":"x",}`, false},
		{`{"Action":"output","Elapsed":01,"Output":"x"}`, false},
		{`{"Action":"output","Output":"\x"}`, false},
		{`{"Action":"output","Output":"` + "\t" + `"}`, false}, // raw control byte
		{`{"Action":"output","Elapsed":true}`, false},
	}
	for _, tt := range tests {
		if got := checkFastEvent(t, []byte(tt.raw)); got != tt.handled {
			t.Errorf("fastEvent(%q) handled %v, want %v", tt.raw, got, tt.handled)
		}
	}
}

func FuzzLineSource_fastEvent(f *testing.F) {
	f.Add([]byte(`{"Time":"2026-01-01T00:00:00Z","Action":"output","Package":"p","Output":"BenchmarkX-8 \t 100\t 5 ns/op\n"}`))
	f.Add([]byte(`{"Action":"output","Output":"a\"b\\c\/d\u0041"}`))
	f.Add([]byte(`{"Action":"pass","Elapsed":1.25}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFastEvent(t, raw)
	})
}

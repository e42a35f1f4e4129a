package store

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
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

// TestIsText_words checks isText's eight-bytes-at-a-time path against a
// byte-by-byte reading of its rule, on random lines mixing printable
// ASCII with the bytes that are not.
func TestIsText_words(t *testing.T) {
	ref := func(b []byte) bool {
		if bytes.IndexByte(b, 0) >= 0 {
			return false
		}
		bad := 0
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				bad++
			case r < 0x20 && r != '\t' && r != '\f' && r != '\v' && r != 0x1b, r == 0x7f:
				bad++
			}
			i += n
		}
		return bad == 0 || bad*4 < len(b)
	}
	r := rand.New(rand.NewPCG(9, 9))
	odd := []byte{0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xff, '\t', 0x1b, '\n', 0x20, 0x7e}
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(10) == 0 {
				b[i] = odd[r.IntN(len(odd))]
			} else {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		if got, want := isText(b), ref(b); got != want {
			t.Fatalf("isText(%q) = %v, want %v", b, got, want)
		}
	}
}

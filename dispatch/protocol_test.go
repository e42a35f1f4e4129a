package dispatch_test

import (
	"strings"
	"testing"

	"github.com/benchdb/benchdb/dispatch"
)

func TestNewProtocol(t *testing.T) {
	count := func(dispatch.Value) (int, bool) { return 0, true }
	tests := []struct {
		name    string
		proto   string
		impls   []dispatch.Impl
		wantErr string
	}{
		{"ok", "P", []dispatch.Impl{{Type: dispatch.List, Count: count}}, ""},
		{"empty name", "", nil, "empty name"},
		{"twice", "P", []dispatch.Impl{{Type: dispatch.List, Count: count}, {Type: dispatch.List, Count: count}}, "implemented twice"},
		{"unknown type", "P", []dispatch.Impl{{Type: 99, Count: count}}, "unknown type"},
		{"no count", "P", []dispatch.Impl{{Type: dispatch.Map}}, "no Count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dispatch.NewProtocol(tt.proto, tt.impls...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Impl(dispatch.List).Module; got != "P.List" {
				t.Errorf("default module name = %q, want P.List", got)
			}
		})
	}
}

func TestNewEnumerable(t *testing.T) {
	p := dispatch.NewEnumerable()
	if got, want := strings.Join(p.Modules(), " "),
		"Enumerable.List Enumerable.Map Enumerable.MapSet Enumerable.Range Enumerable.Function"; got != want {
		t.Errorf("Modules = %s, want %s", got, want)
	}
	tests := []struct {
		v      dispatch.Value
		n      int
		ok     bool
		absent bool
	}{
		{v: dispatch.Value{Type: dispatch.List, Len: 8}, n: 0, ok: false},
		{v: dispatch.Value{Type: dispatch.Map, Len: 3}, n: 3, ok: true},
		{v: dispatch.Value{Type: dispatch.Range, Len: 10}, n: 10, ok: true},
		{v: dispatch.Value{Type: dispatch.Tuple, Len: 2}, absent: true},
		{v: dispatch.Value{Type: dispatch.Integer}, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.v.String(), func(t *testing.T) {
			im := p.Impl(tt.v.Type)
			if tt.absent {
				if im != nil {
					t.Fatalf("Impl(%v) = %s, want none", tt.v.Type, im.Module)
				}
				return
			}
			n, ok := im.Count(tt.v)
			if n != tt.n || ok != tt.ok {
				t.Errorf("Count = %d, %t; want %d, %t", n, ok, tt.n, tt.ok)
			}
		})
	}
	if got := p.Module(dispatch.Tuple); got != "Enumerable.Tuple" {
		t.Errorf("Module(Tuple) = %q", got)
	}
}

func TestUndefinedError_Error(t *testing.T) {
	err := &dispatch.UndefinedError{Protocol: "Enumerable", Value: dispatch.Value{Type: dispatch.Tuple, Len: 2}}
	if got, want := err.Error(), "protocol Enumerable not implemented for Tuple of 2 elements"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

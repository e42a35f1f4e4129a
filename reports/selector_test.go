package reports_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/reports"
	"github.com/benchdb/benchdb/store"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in, name, text string
		err            string
	}{
		{in: "42", name: "42", text: "42"},
		{in: "latest", name: "latest", text: "latest"},
		{in: "latest~3", name: "latest~3", text: "latest~3"},
		{in: "old=latest~1", name: "old", text: "latest~1"},
		{in: "base=profile:elixir-1.5.1", name: "base", text: "profile:elixir-1.5.1"},
		{in: "profile:elixir-1.5.1", name: "profile:elixir-1.5.1", text: "profile:elixir-1.5.1"},
		{in: ".fullname:Select/pool=8", err: `selector ".fullname:Select/pool=8": .fullname is not a run label or configuration key: selectors pick runs; pick results with --filter ".fullname:Select/pool=8"`},
		{in: "branch:main /depth:10", err: "/depth is not a run label"},
		{in: "-branch:main", name: "-branch:main", text: "-branch:main"},
		{in: "x=(branch:main OR host:\"a b\") -.name:/a:b/", err: ".name is not a run label"},
		{in: "branch:(main OR /.fullname:x/) note:\".unit:y\"", name: "branch:(main OR /.fullname:x/) note:\".unit:y\"", text: "branch:(main OR /.fullname:x/) note:\".unit:y\""},
		{in: "base=.file:old", err: ".file is not a run label"},
		{in: "branch:main commit:abc123", name: "branch:main commit:abc123", text: "branch:main commit:abc123"},
		{in: "pr=branch:main commit:abc123", name: "pr", text: "branch:main commit:abc123"},
		{in: "", err: "empty selector"},
		{in: "x=", err: `selector "x=": empty after "x="`},
		{in: "latest~", err: "want latest~N"},
		{in: "latest~x", err: "want latest~N"},
		{in: "bogus", err: "not a run id"},
		{in: "a:(b", err: `selector "a:(b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := reports.ParseSelector(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSelector(%q) error %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != tt.name || s.Text != tt.text {
				t.Errorf("ParseSelector(%q) = name %q text %q, want %q %q", tt.in, s.Name, s.Text, tt.name, tt.text)
			}
		})
	}
}

func TestSelector_Match(t *testing.T) {
	t0 := time.Unix(0, 0)
	runs := []store.Run{
		{ID: 3, Time: t0, Labels: map[string]string{"profile": "elixir-1.5.1", "branch": "main"}, Config: map[string]string{"goos": "linux"}},
		{ID: 5, Time: t0.Add(1), Labels: map[string]string{"profile": "elixir-1.6.3", "branch": "main"}, Config: map[string]string{"goos": "darwin"}},
		{ID: 9, Time: t0.Add(2), Labels: map[string]string{"profile": "elixir-1.5.1", "branch": "dev", "goos": "plan9"}, Config: map[string]string{"goos": "linux"}},
	}
	tests := []struct {
		sel  string
		want []int64
		err  bool
	}{
		{sel: "5", want: []int64{5}},
		{sel: "4", err: true},
		{sel: "latest", want: []int64{9}},
		{sel: "latest~2", want: []int64{3}},
		{sel: "latest~3", err: true},
		{sel: "profile:elixir-1.5.1", want: []int64{3, 9}},
		{sel: "branch:main profile:elixir-1.5.1", want: []int64{3}},
		{sel: "branch:main OR branch:dev", want: []int64{3, 5, 9}},
		{sel: "goos:linux", want: []int64{3, 9}}, // file configuration wins over the label goos
		{sel: "goos:plan9", err: true},
		{sel: "-branch:main", want: []int64{9}},
		{sel: "profile:/1\\.6/", want: []int64{5}},
		{sel: "profile:none", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			s, err := reports.ParseSelector(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Match(runs)
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), tt.sel) {
					t.Fatalf("Match = %v, %v; want an error naming %q", got, err, tt.sel)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Match = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

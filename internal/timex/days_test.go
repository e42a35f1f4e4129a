package timex_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benchdb/benchdb/internal/timex"
)

func TestParseDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"7d", 7 * 24 * time.Hour, ""},
		{"-2d", -2 * 24 * time.Hour, ""},
		{"36h", 36 * time.Hour, ""},
		{"106751d", 106751 * 24 * time.Hour, ""},
		{"106752d", 0, "106752d: more than 106751 days"},
		{"1.5d", 0, "invalid syntax"},
		{"soon", 0, "invalid duration"},
	} {
		d, err := timex.ParseDays(tt.in)
		if d != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseDays(%q) = %v, %v; want %v, %q", tt.in, d, err, tt.want, tt.err)
		}
	}
}

// FuzzParseDays parses report --since values. An accepted value is
// exactly what it says: N days ("7d") are N times 24 hours, without
// overflow, and anything else is what time.ParseDuration gives.
func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"7d", "36h", "0d", "-1d", "+5d", "1.5d", "d", "106751d", "106752d", "213504d", "9999999999999999999d", "1h30m", "5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := timex.ParseDays(s)
		if err != nil {
			return
		}
		if n, ok := strings.CutSuffix(s, "d"); ok {
			days, aerr := strconv.Atoi(n)
			if aerr != nil {
				t.Fatalf("timex.ParseDays(%q) = %v, but %q is not a whole number", s, d, n)
			}
			if d%(24*time.Hour) != 0 || int64(d/(24*time.Hour)) != int64(days) {
				t.Errorf("timex.ParseDays(%q) = %v, want %d days", s, d, days)
			}
			return
		}
		if want, werr := time.ParseDuration(s); werr != nil || d != want {
			t.Errorf("timex.ParseDays(%q) = %v, want %v (%v)", s, d, want, werr)
		}
	})
}

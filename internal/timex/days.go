// Package timex parses the durations that benchdb's report window takes,
// in the CLI (benchdb report --since) and the server (?since=): a Go
// duration, or a whole number of days.
package timex

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDays parses a Go duration (time.ParseDuration), also accepting a
// whole number of days ("7d", "-2d"). A number of days whose duration
// does not fit a time.Duration is an error.
func ParseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		if maxDays := int(math.MaxInt64 / int64(24*time.Hour)); days > maxDays || days < -maxDays {
			return 0, fmt.Errorf("%s: more than %d days", s, maxDays)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

package reports

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// syntaxLine returns the message of a benchproc syntax error on one line:
// benchproc puts the query and a caret under it on two more lines, which
// become "(at column N)".
func syntaxLine(err error) string {
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != 3 {
		return strings.Join(lines, " ")
	}
	col := strings.IndexByte(lines[2], '^')
	if col < 0 {
		return strings.Join(lines, " ")
	}
	return fmt.Sprintf("%s (at column %d)", lines[0], utf8.RuneCountInString(strings.TrimPrefix(lines[2][:col], "\t"))+1)
}

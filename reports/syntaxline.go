package reports

import (
	"fmt"
	"strings"
)

// syntaxLine returns the message of an error from parsing query with
// benchproc on one line. benchproc's syntax errors put the query and a
// caret under it on two more lines ("syntax error: MSG\n\tQUERY\n\t   ^");
// they become "(at column N)", N counting the printable characters as
// benchproc does. Any other line break is written as \n.
func syntaxLine(err error, query string) string {
	msg := err.Error()
	tail := "\n\t" + query + "\n\t"
	if i := strings.LastIndex(msg, tail); i >= 0 {
		caret := msg[i+len(tail):]
		if spaces := strings.TrimSuffix(caret, "^"); spaces != caret && strings.Trim(spaces, " ") == "" {
			msg = fmt.Sprintf("%s (at column %d)", msg[:i], len(spaces)+1)
		}
	}
	return strings.ReplaceAll(msg, "\n", `\n`)
}

// Package shellword writes command lines that a POSIX shell splits back
// into the same words.
package shellword

import "strings"

// Join joins args into one line a shell would split back the same way,
// quoting a word (in single quotes) only where it holds something other
// than letters, digits and -_./=:,+@%, or is empty.
func Join(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

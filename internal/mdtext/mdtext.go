// Package mdtext writes user data (benchmark names, labels, configuration
// values, messages) into Markdown as plain text: the one escaper of the
// compare, nightly and ab reports.
//
// It does not write Markdown structure (tables, headings, code spans);
// each report does that itself.
package mdtext

import (
	"strings"

	"github.com/benchdb/benchdb/internal/termsafe"
)

// replacer escapes what Markdown (and the HTML it is rendered to) would
// read as markup: a table's pipe, emphasis, code, links, HTML tags and
// entities, and the backslash of Markdown's own escapes. A newline or
// carriage return becomes a space, so that a table row stays one line.
var replacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "\\", "\\\\",
	"`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "\n", " ", "\r", " ",
)

// Escape makes s show as plain text in Markdown, in a table cell too:
// control characters and invalid UTF-8 first become Go escapes
// (termsafe.Escape), whose backslash is then doubled like any other.
func Escape(s string) string { return replacer.Replace(termsafe.Escape(s)) }

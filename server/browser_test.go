package server_test

import (
	"html"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// chromium returns the path of Chromium, or skips the test.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Skip("headless Chromium is not installed (apt-get install chromium): the pages are not checked in a browser")
	return ""
}

var hrefRE = regexp.MustCompile(`<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>`)

// link returns the first link of dom whose href matches pattern and whose
// text contains text.
func link(tb testing.TB, dom, pattern, text string) string {
	tb.Helper()
	re := regexp.MustCompile(pattern)
	for _, m := range hrefRE.FindAllStringSubmatch(dom, -1) {
		href := html.UnescapeString(m[1])
		if re.MatchString(href) && strings.Contains(m[2], text) {
			return href
		}
	}
	tb.Fatalf("no link to %s with text %q in:\n%.3000s", pattern, text, dom)
	return ""
}

package main

import (
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"ingest", "runs", "show", "export"} {
		t.Run(cmd, func(t *testing.T) {
			out := mustRunCLI(t, cmd, "--help")
			for _, want := range []string{"benchdb " + cmd, "Examples:", "--db PATH"} {
				if !strings.Contains(out, want) {
					t.Errorf("benchdb %s --help lacks %q:\n%s", cmd, want, out)
				}
			}
		})
	}
}

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

// TestHelp_Examples checks that every command's help has an Examples
// section with at least one benchdb command line.
func TestHelp_Examples(t *testing.T) {
	for _, cmd := range commands() {
		t.Run(cmd.Name, func(t *testing.T) {
			out := mustRunCLI(t, cmd.Name, "--help")
			_, ex, ok := strings.Cut(out, "Examples:")
			if !ok {
				t.Fatalf("benchdb %s --help has no Examples section:\n%s", cmd.Name, out)
			}
			if !strings.Contains(ex, "benchdb "+cmd.Name) {
				t.Errorf("benchdb %s --help: Examples show no benchdb %s command line", cmd.Name, cmd.Name)
			}
		})
	}
}

//go:build integration

package suites_test

import "testing"

// TestBuiltinSuites_benchAll is TestBuiltinSuites_bench over every leaf
// of the built-in suites, mailboxes of up to 10⁶ messages included.
func TestBuiltinSuites_benchAll(t *testing.T) { checkBuiltinSuites(t, ".") }

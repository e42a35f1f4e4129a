package main

// The built-in suites: each registers itself with the suites registry in
// its init function. `benchdb run` runs their packages by default, and
// `benchdb suites` lists them.
import (
	_ "github.com/benchdb/benchdb/suites/protocol"
	_ "github.com/benchdb/benchdb/suites/receive"
	_ "github.com/benchdb/benchdb/suites/selection"
)

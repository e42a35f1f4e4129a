// Package dispatchtest holds test helpers for code that dispatches
// through a code server.
package dispatchtest

import (
	"testing"

	"github.com/benchdb/benchdb/dispatch"
)

// MustCodeServer starts a code server with Enumerable's modules on its
// path and stops it when the test ends.
func MustCodeServer(tb testing.TB) *dispatch.CodeServer {
	tb.Helper()
	cs := dispatch.NewCodeServer(dispatch.NewEnumerable().Modules()...)
	tb.Cleanup(cs.Stop)
	return cs
}

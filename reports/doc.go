// Package reports turns stored benchmark runs into comparison tables.
//
// Compare builds benchstat-style tables from the runs a list of selectors
// names: results are grouped into tables, rows and columns with
// golang.org/x/perf/benchproc projections, every cell is summarized and
// compared against the first (baseline) column with
// golang.org/x/perf/benchmath exactly as benchstat does, and each change
// gets a verdict (regression, improvement or unchanged) from the unit's
// direction and an optional minimum effect. A Comparison is written as
// text (benchstat's layout), CSV, Markdown or JSON.
//
// The package reads runs through the small Source interface, which
// *store.DB implements; MemSource is an in-memory Source filled from
// benchmark-format text, for tests and tools that have files rather than
// a database. reports does not open databases, parse flags or decide
// exit statuses: cmd/benchdb does.
//
// The exported table and statistics helpers (Build, Cell, Delta,
// Verdict, AdjustBH, Direction) are meant to be reused by other reports,
// such as the nightly report in reports/nightly.
package reports

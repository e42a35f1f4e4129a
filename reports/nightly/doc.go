// Package nightly builds nightly regression reports over a stored history of
// Go benchmark runs.
//
// Build groups the runs into series (runs from the same place: host, goos,
// goarch, cpu, branch by default), and for every benchmark (package, full
// name and unit) of each series it decides whether the newest run regressed
// or improved against a baseline window of earlier runs:
//
//   - change points over the whole series are found by binary segmentation
//     with a rank CUSUM statistic and a seeded permutation test, so a change
//     is attributed to the run where it started;
//   - the current level (the runs since a recent change point, or else the
//     newest run) is compared with the baseline window by the Mann-Whitney
//     U test of golang.org/x/perf/benchmath, with the size of the change
//     and its confidence interval from the Hodges-Lehmann estimator;
//   - the p-values of all benchmarks of a report are adjusted by the
//     Benjamini-Hochberg procedure, and a change is reported only when its
//     adjusted p-value is at most Alpha and its size at least Threshold;
//   - benchmarks whose own history is too noisy to judge are listed as
//     noisy, not alerted.
//
// The Report is rendered as a self-contained HTML page with inline SVG
// charts (WriteHTML), as Markdown (WriteMarkdown) or as JSON (WriteJSON).
//
// The package reads runs through the small Source interface that *store.DB
// implements; it never writes to the store. Package nightlytest generates
// synthetic histories with known changes and holds an in-memory Source.
package nightly

// Package nightly builds nightly regression reports over a stored history of
// Go benchmark runs.
//
// Build groups the runs into series (runs from the same place: host, goos,
// goarch, cpu, branch by default), and for every benchmark (package, full
// name and unit) of each series it decides whether the newest run regressed
// or improved against a baseline window of earlier runs:
//
//   - each run's level is the mean logarithm of its samples, leaving out
//     outliers (farther than 3.5 within-run standard deviations, pooled
//     over the history, from the run's median);
//   - change points over the whole series are found by binary segmentation
//     of the run levels with a difference-of-means statistic and a seeded
//     permutation test, so a change is attributed to the run where it
//     started;
//   - the current level (the runs since a recent change point, or else the
//     newest run) is compared with the baseline window by the Mann-Whitney
//     U test of golang.org/x/perf/benchmath, with the size of the change
//     and its confidence interval from the Hodges-Lehmann estimator;
//   - the p-values of all benchmarks of a report are adjusted by the
//     Benjamini-Hochberg procedure, and a change is reported only when its
//     adjusted p-value is at most Alpha and its size at least Threshold
//     and at least the run-to-run variation (a trimmed standard deviation
//     of the run levels before the current one) times the Student t
//     quantile that a night with no change passes once in 1,000 each way;
//   - benchmarks whose own history is too noisy to judge are listed as
//     noisy, not alerted.
//
// Measured on synthetic histories (TestBuild_Recall, TestBuild_FalseAlarms,
// 5 samples a night, 2% outliers): at least 98% of steps of 10% are
// reported on the night they happen at CV 3%, and all but a few in a
// thousand of larger steps or smaller CVs; 0.8 false alarms per 1,000
// benchmark-nights on histories with no change (CV 0.5-5%, bimodal,
// night-to-night noise), though about 1.5 per 1,000 for benchmarks at
// CV 3% alone.
//
// The Report is rendered as a self-contained HTML page with inline SVG
// charts (WriteHTML), as Markdown (WriteMarkdown) or as JSON (WriteJSON).
//
// The package reads runs through the small Source interface that *store.DB
// implements; it never writes to the store. Package nightlytest generates
// synthetic histories with known changes and holds an in-memory Source.
package nightly

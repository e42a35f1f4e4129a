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
//   - each benchmark's night-to-night noise is its own, moderated by a
//     prior fitted across the series as in limma-trend: the siblings'
//     ratio of night-to-night noise to within-run spread, times the
//     benchmark's own within-run floor (fitPriors), so a quiet benchmark
//     is not judged by its noisy siblings' noise; a benchmark clearly
//     noisier than its prior keeps its own estimate;
//   - change points over the whole history are found by binary
//     segmentation of the run levels: the split with the largest
//     standardised difference of means, tested with Student's t against
//     the noise inside its two parts (localNoise) and corrected for the
//     splits tried, so a change is attributed to the run where it started
//     and a large step on a short history reaches significance;
//   - the current level (the runs since a recent change point, or else the
//     newest run) is compared with the baseline window by Student's t
//     against the noise of the nights on both sides, and the machine is
//     taken out where the benchmark is seen to follow it: the stretch
//     that `benchdb run` records (how long the benchmark's threads
//     waited for a CPU), else the calibration probe; in a run of several
//     test processes each process's samples are corrected by that
//     process's own stretch before the run's level is taken
//     (pairedLevels);
//   - the p-values of all benchmarks of a report are adjusted by the
//     Benjamini-Hochberg procedure, and a change is reported only when its
//     adjusted p-value is at most Alpha, its own p-value at most 0.01 and
//     its size at least Threshold; a change of the newest night alone, on
//     a machine with wild nights, waits for a second night, and runs of
//     one commit on both sides of a change are the machine, not the code;
//   - each verdict says how sure it is: the change with its interval, the
//     benchmark's minimum detectable effect (noisy when that is above
//     Options.Noise: a property shown beside the verdict, never a reason
//     to hide one), the nights of evidence and the machine's drift.
//
// Measured on the real-noise corpus in testdata/realnoise and on
// synthetic histories: see the README's "Detection, measured" and
// TestDetection_Real, TestDetection_Synthetic, TestBuild_Recall and
// TestBuild_FalseAlarms.
//
// The Report is rendered as a self-contained HTML page with inline SVG
// charts (WriteHTML), as Markdown (WriteMarkdown) or as JSON (WriteJSON).
//
// The package reads runs through the small Source interface that *store.DB
// implements; it never writes to the store. Package nightlytest generates
// synthetic histories with known changes and holds an in-memory Source.
package nightly

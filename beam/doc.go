// Package beam runs the incident's pieces on a real BEAM, beside the Go
// model of the rest of benchdb: an Erlang harness (harness/benchdb_beam.erl,
// embedded in this package) is compiled with erlc into a temporary
// directory and run with erl -noshell, under a context that kills it.
//
// The harness measures, on the real runtime:
//
//   - a call round trip whose reply is found by an untagged receive (OTP
//     20's code_server:call: the whole mailbox is scanned) against a
//     reference-tagged one (gen_server:call: the compiler's receive
//     optimisation skips what was queued before the reference), behind 0
//     to 10^6 queued events, in on-heap and off-heap message queues
//     (Receive; BenchmarkReceive/runtime=beam/...);
//   - the model's costs: s0, the router's time per event in a live run at
//     the rate (producers in ticks, contention included) over the events
//     it serves with a short queue, and the cycle time S(n) with n events
//     queued, live, from which c(n) follows (Costs, Costs.Model; several
//     measurements pool with MergeCosts);
//   - the end-to-end router: producers sending in ticks, a router that
//     makes k untagged calls to a code-server process per event and
//     forwards it to a writer picked as Enum.random does, a pause, and the
//     queue over time (Scenario; BenchmarkScenario/runtime=beam/...); and
//     the real critical pause by bisection (FindCritical), beside the
//     model's T* predicted from the S(n) of runs of the scenario made
//     before and apart from the bisection (Calibrate), and, for
//     comparison, the T* from the S(n) of the bisection's own runs
//     (their traces, TraceCosts), with s0, Q0 and stalls from costs
//     measured again after each run (CheckModel).
//
// Names: BEAM results use the Go suites' base names with a runtime=beam
// level, and the default on-heap queue has no queue level (off-heap adds
// queue=off-heap), so that with the level projected away a BEAM row has
// the same name as the Go model's row (BenchmarkReceive/mode=M/depth=D):
// `benchdb compare --col /runtime` sets them side by side. Receive's output
// carries the Go receive suite's configuration lines (goos, goarch, pkg,
// cpu, the cpu as go test writes it: the CPUID brand string on amd64) for
// the same reason: tables are split by configuration. Benchmarks lists the
// receive benchmarks' names for benchdb suites.
//
// The package needs erl and erlc (Debian's erlang-base); Find reports
// ErrNoErl without them. It does not start an Erlang distribution, open
// ports or write outside its temporary directory.
package beam

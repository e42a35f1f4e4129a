// Package dispatch models Elixir protocol dispatch and the Erlang code
// server it may call, the second link of the incident in seed/incident.md.
//
// A Protocol (Enumerable, say) has one implementation module per data
// type. A Dispatcher finds the implementation for a value's type the way a
// runtime configured by Options does:
//
//   - consolidated: a direct table lookup, no call (impl_for compiled at
//     build time);
//   - unconsolidated: every dispatch asks the CodeServer whether the
//     implementation module is loaded (Code.ensure_compiled? ->
//     code:ensure_loaded), a synchronous round trip whose reply arrives
//     in the caller's own mailbox;
//   - cached: asks the code server once per type, then remembers.
//
// The code server lookup is either a call (OTP 20, always) or the OTP 21
// module-loaded short cut (a local check; a call only for a module not yet
// loaded). A call finds its reply by a receive that scans the caller's
// mailbox from the head (OTP 20's code_server:call, whose reply pattern
// holds no reference) or from a marker made before the request (the
// reference-tagged shape of gen_server:call). A call monitors the server:
// if the server stops, the caller gets the 'DOWN' clause as an error,
// never a hang.
//
// The package uses mailbox for every message; it uses the negative
// message kinds (KindCall, KindReply, KindDown) and leaves kinds >= 0 to
// the application.
package dispatch

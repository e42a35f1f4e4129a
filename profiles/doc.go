// Package profiles holds the version profiles and the worker Picker that
// turns a profile into the picks a runtime version made.
//
// A Profile bundles the choices one runtime version made (how a worker
// is selected, how protocols dispatch, how the code server is asked, how
// a call's reply is received). Profiles are data: they are read from the
// embedded profiles.json at init, and adding one needs no new code.
// NewPicker turns a profile into the worker picker that the selection
// suite (suites/selection) and the end-to-end scenario (package scenario)
// both use.
//
// The package builds on mailbox, dispatch and rng; it sits below both
// suites and scenario, so that imports between them point one way, and
// it does not import testing.
package profiles

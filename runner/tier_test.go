//go:build !integration

package runner_test

// integrationTier is set in the integration tier (-tags integration),
// whose tests may take what the machine's load makes them take.
const integrationTier = false

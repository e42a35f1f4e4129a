//go:build !integration

package ab_test

// integrationTier is set in the integration tier (-tags integration),
// whose tests may build revisions of the test module and take minutes.
const integrationTier = false

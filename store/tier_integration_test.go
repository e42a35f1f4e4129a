//go:build integration

package store_test

// churnResults is how many results TestDB_Ingest_configChurn ingests,
// each after a configuration key of its own.
const churnResults = 1500

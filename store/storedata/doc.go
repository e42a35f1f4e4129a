// Package storedata holds the data types and sentinel errors of package
// store, without its database drivers: a Run as the store describes it,
// the options and outcome of an ingest, stored profiles, and the errors
// the store's methods wrap.
//
// Packages that only read what a store returns, such as reports and
// reports/nightly, import storedata instead of store, so that they build
// without cgo (store links mattn/go-sqlite3, which needs it). Package store
// declares each of these names as an alias, so that its callers see no
// difference.
package storedata

// Package storagetest is the conformance suite every storage.Store backend
// runs: one set of tests, so the SQLite and PostgreSQL dialects, written out
// separately, keep behaving the same.
//
// The suite checks the contracts written on storage.Store: round trips of
// every field (times in UTC at microsecond precision, never-nil slices),
// the sentinel errors, orderings, cascades, and the atomic state changes
// (ConsumeAuthCode, RevokeGrant) under contention from many goroutines.
package storagetest

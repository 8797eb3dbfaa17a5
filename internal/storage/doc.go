// Package storage defines Gatehouse's persistent records, the Store
// interface every backend implements, and the sentinel errors callers test
// with errors.Is.
//
// Records are plain structs with no behaviour. Secrets never appear in them:
// client secrets, authorization codes, session cookies and refresh tokens are
// stored only as hashes (see internal/secret), and signing keys only
// encrypted (see internal/keys).
//
// State changes that must be atomic across replicas are named methods
// (ConsumeAuthCode, RevokeGrant, ...). Their contracts are written on the
// interface and checked, for every backend, by storagetest.
package storage

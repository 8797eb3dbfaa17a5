// Package postgres implements storage.Store on PostgreSQL through a pgx
// connection pool, for deployments with several Gatehouse replicas sharing
// one database.
//
// The schema is written in PostgreSQL's own dialect (timestamptz, text[],
// bytea) in the embedded migrations/*.sql files, applied by Migrate under a
// transaction-scoped advisory lock so that replicas starting together
// migrate one at a time. Atomic state changes (ConsumeAuthCode, RevokeGrant)
// are single conditional UPDATE statements, which PostgreSQL serializes on
// the row lock at READ COMMITTED. Scanned times are returned in UTC.
package postgres

// Package postgres implements storage.Store on PostgreSQL through a pgx
// connection pool, for deployments with several Gatehouse replicas sharing
// one database.
//
// The schema is written in PostgreSQL's own dialect (timestamptz, text[],
// bytea) in the embedded migrations/*.sql files, applied by Migrate under a
// transaction-scoped advisory lock so that replicas starting together
// migrate one at a time. Atomic state changes (ConsumeAuthCode, RevokeGrant,
// RevokeToken) are single conditional UPDATE statements, which PostgreSQL
// serializes on the row lock at READ COMMITTED; RotateRefreshToken is a
// transaction whose first statement, such an UPDATE, decides which call
// wins. Scanned times are returned in UTC; optional times (zero meaning
// unset) are stored as NULL, durations as bigint microseconds.
//
// PostgreSQL cannot store text holding NUL bytes or invalid UTF-8. Keys
// that come from requests are checked first (see storable): a lookup or
// deletion by such a key finds nothing, as no record can have it, and
// UseAssertionID refuses such a client_id or jti with ErrAlreadyExists,
// since a jti that cannot be recorded cannot be accepted either.
package postgres

// Package postgres implements storage.Store on PostgreSQL through a pgx
// connection pool, for deployments with several Gatehouse replicas sharing
// one database.
//
// The schema is written in PostgreSQL's own dialect (timestamptz, text[],
// bytea) in the embedded migrations/*.sql files, applied by Migrate under a
// transaction-scoped advisory lock so that replicas starting together
// migrate one at a time. Atomic state changes (ConsumeAuthCode, RevokeGrant,
// RevokeToken) are single conditional UPDATE statements, which PostgreSQL
// serializes on the row lock at READ COMMITTED; RotateRefreshToken is one
// statement whose UPDATE, such a statement, decides which call wins, and
// whose INSERT stores the next token only if it did. Scanned times are
// returned in UTC; optional times (zero meaning unset) are stored as NULL,
// durations as bigint microseconds.
//
// The token endpoint's writes wait for a commit (a WAL flush) while they
// hold a connection, so they send their statements in pgx batches, one
// network round trip each (AppendAuditBatch two), and the pool holds 16
// connections unless the connection string sets pool_max_conns.
//
// PostgreSQL cannot store text holding NUL bytes or invalid UTF-8. Keys
// that come from requests are checked first (see storable): a lookup or
// deletion by such a key finds nothing, as no record can have it, and
// UseAssertionID refuses such a client_id or jti with ErrAlreadyExists,
// since a jti that cannot be recorded cannot be accepted either.
package postgres

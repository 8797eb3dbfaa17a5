package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// queryRower is what cachedDB and cachedTx have in common.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insertCheckedQuery stores a token and, in the same statement, takes its
// revocation time from revoked_grants when its grant is revoked and the
// caller did not revoke it already; RETURNING says which happened.
const insertCheckedQuery = `INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, auth_time,
		created_at, expires_at, revoked_at, rotated_at, grant_expires_at)
	VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?,
		COALESCE(?, (SELECT revoked_at FROM revoked_grants WHERE grant_id = ?)), ?, ?)
	RETURNING revoked_at IS NOT NULL`

// insertTokenChecked stores t with the revoked-grant check in the same
// statement, and reports whether the grant's revocation was applied to a
// token the caller handed in unrevoked (ErrGrantRevoked for the caller).
//
// One statement is enough in SQLite where PostgreSQL needs two: SQLite
// runs one write at a time, and a write statement outside a transaction,
// or in a BEGIN IMMEDIATE one, reads the database as the previous writer
// committed it. RevokeGrant's mark and its update are two such writes, so
// this insert runs before the mark (and the update, which comes after,
// revokes the token), between them (the insert sees the mark) or after
// both (the same): a revocation never misses a token being issued.
func insertTokenChecked(ctx context.Context, db queryRower, t storage.Token) (bool, error) {
	var revoked bool
	err := db.QueryRowContext(ctx, insertCheckedQuery,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, listOf(t.Scopes), optMicros(t.AuthTime),
		micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.RevokedAt), t.GrantID, nullMicros(t.RotatedAt),
		optMicros(t.GrantExpiresAt)).Scan(&revoked)
	if err != nil {
		return false, err
	}
	return revoked && t.RevokedAt == nil, nil
}

// grantRevoked is CreateToken's and RotateRefreshToken's error for a
// token stored revoked because its grant was.
func grantRevoked(op string) error {
	return fmt.Errorf("%s: %w", op, storage.ErrGrantRevoked)
}

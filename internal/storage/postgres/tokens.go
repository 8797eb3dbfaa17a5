package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const tokenColumns = `id, kind, grant_id, client_id, COALESCE(user_id, ''), scopes, auth_time,
	created_at, expires_at, revoked_at, rotated_at, grant_expires_at`

func scanToken(r pgx.Row) (storage.Token, error) {
	var (
		t                      storage.Token
		authTime, grantExpires *time.Time
	)
	err := r.Scan(&t.ID, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, &t.Scopes, &authTime,
		&t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.RotatedAt, &grantExpires)
	t.AuthTime = fromOpt(authTime)
	t.GrantExpiresAt = fromOpt(grantExpires)
	nonNil(&t.Scopes)
	return t, err
}

// execer is what the pool and a transaction have in common.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insertToken stores t. An empty UserID (client credentials) is stored as
// NULL, which the foreign key allows.
func insertToken(ctx context.Context, db execer, t storage.Token) error {
	_, err := db.Exec(ctx,
		`INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, auth_time,
			created_at, expires_at, revoked_at, rotated_at, grant_expires_at)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10, $11, $12)`,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, texts(t.Scopes), optTime(t.AuthTime),
		t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.RotatedAt, optTime(t.GrantExpiresAt))
	return err
}

// CreateToken stores a new token record. A token whose client or user
// does not exist (deleted while its code was being exchanged) violates a
// foreign key, reported as storage.ErrNotFound.
//
// The insert and the check for a revoked grant are separate statements
// (each its own transaction), in the opposite order to RevokeGrant's mark
// and update: however two calls interleave under READ COMMITTED, either
// the check sees the mark or the update sees the token.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	if err := insertToken(ctx, s.pool, t); err != nil {
		return refErr(storage.ErrNotFound, wrap("create token", err))
	}
	return s.checkGrant(ctx, "create token", t.ID)
}

// checkGrant revokes the token id, just committed, if its grant is
// revoked, and then returns ErrGrantRevoked (see CreateToken).
func (s *Store) checkGrant(ctx context.Context, op, id string) error {
	n, err := s.rowsAffected(ctx, op+": check grant",
		`UPDATE tokens SET revoked_at = g.revoked_at FROM revoked_grants g
		WHERE tokens.id = $1 AND tokens.revoked_at IS NULL AND g.grant_id = tokens.grant_id`, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%s: %w", op, storage.ErrGrantRevoked)
	}
	return nil
}

// GetToken returns the token record with the given ID.
func (s *Store) GetToken(ctx context.Context, id string) (storage.Token, error) {
	if !storable(id) {
		return storage.Token{}, notFound("get token")
	}
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id))
	if err != nil {
		return storage.Token{}, wrap("get token", err)
	}
	return t, nil
}

// RevokeToken revokes the token at now, unless it is revoked already, and
// returns it, in one statement.
func (s *Store) RevokeToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	if !storable(id) {
		return storage.Token{}, notFound("revoke token")
	}
	t, err := scanToken(s.pool.QueryRow(ctx,
		`UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING `+tokenColumns, id, now))
	if err != nil {
		return storage.Token{}, wrap("revoke token", err)
	}
	return t, nil
}

// RotateRefreshToken marks the refresh token oldID rotated at now and
// stores next, in one transaction. Its conditional UPDATE is the atomic
// step: concurrent calls queue on the row lock, and each after the first
// re-checks rotated_at, finds it set and updates nothing. On success it
// returns the old record, rotated. When the UPDATE finds nothing, the old
// record, read afterwards, says why (its state only ever moves on, to
// rotated, revoked or expired, so what the read shows is a reason that
// held). After the commit next is checked against revoked grants as by
// CreateToken, whose ordering argument holds since next is committed
// before the check.
//
// A token is expired at now when now is at or after its ExpiresAt, or its
// GrantExpiresAt if set.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	const op = "rotate refresh token"
	if !storable(oldID) {
		return storage.Token{}, notFound(op)
	}
	old, err := s.rotate(ctx, oldID, next, now)
	if err != nil {
		return old, err
	}
	return old, s.checkGrant(ctx, op, next.ID)
}

func (s *Store) rotate(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	const op = "rotate refresh token"
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return storage.Token{}, wrap(op, err)
	}
	defer tx.Rollback(ctx)
	old, err := scanToken(tx.QueryRow(ctx,
		`UPDATE tokens SET rotated_at = $2
		WHERE id = $1 AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
		AND expires_at > $2 AND (grant_expires_at IS NULL OR grant_expires_at > $2)
		RETURNING `+tokenColumns, oldID, now))
	if errors.Is(err, pgx.ErrNoRows) {
		old, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, oldID))
		if err != nil {
			return storage.Token{}, wrap(op, err)
		}
		return refusal(op, old, now)
	}
	if err != nil {
		return storage.Token{}, wrap(op, err)
	}
	if err := insertToken(ctx, tx, next); err != nil {
		return storage.Token{}, refErr(storage.ErrNotFound, wrap(op+": store next", err))
	}
	if err := tx.Commit(ctx); err != nil {
		return storage.Token{}, wrap(op, err)
	}
	return old, nil
}

// refusal says why old, read after the rotating UPDATE matched nothing,
// cannot be rotated at now. Reuse takes precedence over inactivity.
func refusal(op string, old storage.Token, now time.Time) (storage.Token, error) {
	now = now.Truncate(time.Microsecond)
	switch {
	case old.Kind != storage.TokenRefresh:
		return storage.Token{}, fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	case old.RotatedAt != nil:
		return old, fmt.Errorf("%s: %w", op, storage.ErrAlreadyConsumed)
	case old.RevokedAt != nil || !now.Before(old.ExpiresAt) ||
		(!old.GrantExpiresAt.IsZero() && !now.Before(old.GrantExpiresAt)):
		return old, fmt.Errorf("%s: %w", op, storage.ErrInactive)
	}
	return old, fmt.Errorf("%s: token changed during rotation", op)
}

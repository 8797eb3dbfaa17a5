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

// insertTokenQuery stores a token. An empty UserID (client credentials) is
// stored as NULL, which the foreign key allows.
const insertTokenQuery = `INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, auth_time,
		created_at, expires_at, revoked_at, rotated_at, grant_expires_at)
	VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10, $11, $12)`

// tokenArgs are t's values for insertTokenQuery, in order.
func tokenArgs(t storage.Token) []any {
	return []any{t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, texts(t.Scopes), optTime(t.AuthTime),
		t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.RotatedAt, optTime(t.GrantExpiresAt)}
}

// insertToken stores t (see insertTokenQuery).
func insertToken(ctx context.Context, db execer, t storage.Token) error {
	_, err := db.Exec(ctx, insertTokenQuery, tokenArgs(t)...)
	return err
}

// checkGrantQuery revokes the token $1 if its grant is revoked; it is
// sent in its own transaction once the token is committed (see
// CreateToken).
const checkGrantQuery = `UPDATE tokens SET revoked_at = g.revoked_at FROM revoked_grants g
	WHERE tokens.id = $1 AND tokens.revoked_at IS NULL AND g.grant_id = tokens.grant_id`

// CreateToken stores a new token record. A token whose client or user
// does not exist (deleted while its code was being exchanged) violates a
// foreign key, reported as storage.ErrNotFound.
//
// The insert and the check for a revoked grant are separate statements,
// each its own transaction, in the opposite order to RevokeGrant's mark
// and update: however two calls interleave under READ COMMITTED, either
// the check sees the mark or the update sees the token. (One transaction,
// or one INSERT reading revoked_grants, would not do: a mark committed
// after its snapshot, followed by an update whose snapshot came before
// the token's commit, would see neither.) Both go to the server in one
// round trip, the insert between BEGIN and COMMIT, so that the server
// commits it before it starts the check.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	const op = "create token"
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(insertTokenQuery, tokenArgs(t)...)
	b.Queue("COMMIT")
	b.Queue(checkGrantQuery, t.ID)
	return s.batch(ctx, &b, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return wrap(op, err)
		}
		if _, err := br.Exec(); err != nil {
			return refErr(storage.ErrNotFound, wrap(op, err))
		}
		if _, err := br.Exec(); err != nil {
			return wrap(op, err)
		}
		return readCheck(br, op)
	})
}

// readCheck reads the result of checkGrantQuery from br: ErrGrantRevoked
// if it revoked the token.
func readCheck(br pgx.BatchResults, op string) error {
	tag, err := br.Exec()
	if err != nil {
		return wrap(op+": check grant", err)
	}
	if tag.RowsAffected() > 0 {
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

// rotateQuery marks the refresh token $1 rotated at $2 and, in the same
// statement, stores the next token ($3 to $14, as in insertTokenQuery) if
// and only if it did; it returns the old record, rotated, or no row.
const rotateQuery = `WITH old AS (
		UPDATE tokens SET rotated_at = $2
		WHERE id = $1 AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
		AND expires_at > $2 AND (grant_expires_at IS NULL OR grant_expires_at > $2)
		RETURNING ` + tokenColumns + `
	), next AS (
		INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, auth_time,
			created_at, expires_at, revoked_at, rotated_at, grant_expires_at)
		SELECT $3::text, $4::text, $5::text, $6::text, NULLIF($7::text, ''), $8::text[], $9::timestamptz,
			$10::timestamptz, $11::timestamptz, $12::timestamptz, $13::timestamptz, $14::timestamptz
		FROM old
	)
	SELECT * FROM old`

// RotateRefreshToken marks the refresh token oldID rotated at now and
// stores next, in one statement. Its conditional UPDATE is the atomic
// step: concurrent calls queue on the row lock, and each after the first
// re-checks rotated_at, finds it set and updates nothing, and so inserts
// nothing. On success it returns the old record, rotated. When the UPDATE
// finds nothing, the old record, read afterwards, says why (its state only
// ever moves on, to rotated, revoked or expired, so what the read shows is
// a reason that held). Once the statement has committed next is checked
// against revoked grants as by CreateToken, in the same round trip and
// for the same reasons.
//
// A token is expired at now when now is at or after its ExpiresAt, or its
// GrantExpiresAt if set.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	const op = "rotate refresh token"
	if !storable(oldID) {
		return storage.Token{}, notFound(op)
	}
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(rotateQuery, append([]any{oldID, now}, tokenArgs(next)...)...)
	b.Queue("COMMIT")
	b.Queue(checkGrantQuery, next.ID)
	var (
		old                storage.Token
		rotated, committed bool
	)
	err := s.batch(ctx, &b, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return wrap(op, err)
		}
		var err error
		old, err = scanToken(br.QueryRow())
		switch {
		case err == nil:
			rotated = true
		case !errors.Is(err, pgx.ErrNoRows):
			return refErr(storage.ErrNotFound, wrap(op, err))
		}
		if _, err := br.Exec(); err != nil {
			return wrap(op, err)
		}
		committed = true
		return readCheck(br, op)
	})
	switch {
	case rotated && committed:
		// The rotation stands whatever the check says; with
		// ErrGrantRevoked, next is stored revoked.
		return old, err
	case err != nil:
		return storage.Token{}, err
	}
	old, err = scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, oldID))
	if err != nil {
		return storage.Token{}, wrap(op, err)
	}
	return refusal(op, old, now)
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

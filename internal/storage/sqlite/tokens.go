package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const tokenColumns = `id, kind, grant_id, client_id, COALESCE(user_id, ''), scopes, auth_time,
	created_at, expires_at, revoked_at, rotated_at, grant_expires_at`

func scanToken(r row) (storage.Token, error) {
	var t storage.Token
	err := r.Scan(&t.ID, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, list{&t.Scopes}, optTime{&t.AuthTime},
		microTime{&t.CreatedAt}, microTime{&t.ExpiresAt}, nullMicroTime{&t.RevokedAt}, nullMicroTime{&t.RotatedAt},
		optTime{&t.GrantExpiresAt})
	return t, err
}

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertToken stores t. An empty UserID (client credentials) is stored as
// NULL, which the foreign key allows.
func insertToken(ctx context.Context, db execer, t storage.Token) error {
	_, err := db.ExecContext(ctx,
		`INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, auth_time,
			created_at, expires_at, revoked_at, rotated_at, grant_expires_at)
		VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, listOf(t.Scopes), optMicros(t.AuthTime),
		micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.RevokedAt), nullMicros(t.RotatedAt),
		optMicros(t.GrantExpiresAt))
	return err
}

// CreateToken stores a new token record. A token whose client or user
// does not exist (deleted while its code was being exchanged) violates a
// foreign key, reported as storage.ErrNotFound. The revoked-grant check is
// part of the insert: one statement, one commit (see insertTokenChecked).
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	var revoked bool
	err := s.w.write(ctx, false, func(ctx context.Context, w writer) (err error) {
		revoked, err = insertTokenChecked(ctx, w, t)
		return err
	})
	if err != nil {
		return refErr(storage.ErrNotFound, wrap("create token", err))
	}
	if revoked {
		return grantRevoked("create token")
	}
	return nil
}

// GetToken returns the token record with the given ID.
func (s *Store) GetToken(ctx context.Context, id string) (storage.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if err != nil {
		return storage.Token{}, wrap("get token", err)
	}
	return t, nil
}

// RevokeToken revokes the token at now, unless it is revoked already, and
// returns it, in one statement.
func (s *Store) RevokeToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx,
		`UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING `+tokenColumns,
		micros(now), id))
	if err != nil {
		return storage.Token{}, wrap("revoke token", err)
	}
	return t, nil
}

// RotateRefreshToken marks the refresh token oldID rotated at now and
// stores next, in one BEGIN IMMEDIATE transaction (see dsn): the
// conditional UPDATE finds the token active and unrotated in exactly one
// of any number of concurrent calls. On success it returns the old record,
// rotated. When the UPDATE finds nothing, the old record, read in the same
// transaction, says why. next is checked against revoked grants in its
// insert, as by CreateToken (BEGIN IMMEDIATE reads the database as the
// previous writer committed it, so insertTokenChecked's argument holds).
//
// A token is expired at now when now is at or after its ExpiresAt, or its
// GrantExpiresAt if set.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	old, revoked, err := s.rotate(ctx, oldID, next, now)
	if err != nil {
		return old, err
	}
	if revoked {
		return old, grantRevoked("rotate refresh token")
	}
	return old, nil
}

// rotate does RotateRefreshToken's transaction, combined with other
// writes (combine.go), and reports whether next was stored revoked for its
// grant.
func (s *Store) rotate(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, bool, error) {
	const op = "rotate refresh token"
	var (
		old     storage.Token
		revoked bool
		refused error // a refusal writes nothing: not an error of the write
	)
	err := s.w.write(ctx, true, func(ctx context.Context, w writer) error {
		old, revoked, refused = storage.Token{}, false, nil
		n := micros(now)
		var err error
		old, err = scanToken(w.QueryRowContext(ctx,
			`UPDATE tokens SET rotated_at = ?
			WHERE id = ? AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
			AND expires_at > ? AND (grant_expires_at IS NULL OR grant_expires_at > ?)
			RETURNING `+tokenColumns, n, oldID, n, n))
		if errors.Is(err, sql.ErrNoRows) {
			old, err = scanToken(w.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, oldID))
			if err != nil {
				old, refused = storage.Token{}, wrap(op, err)
				return nil
			}
			old, refused = refusal(op, old, now)
			return nil
		}
		if err != nil {
			return err
		}
		revoked, err = insertTokenChecked(ctx, w, next)
		return err
	})
	switch {
	case err != nil:
		// Only storing next can break a foreign key.
		return storage.Token{}, false, refErr(storage.ErrNotFound, wrap(op, err))
	case refused != nil:
		return old, false, refused
	}
	return old, revoked, nil
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

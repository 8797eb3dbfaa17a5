package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const codeColumns = `hash, grant_id, client_id, user_id, session_id, redirect_uri, scopes, nonce,
	code_challenge, code_challenge_method, auth_time, created_at, expires_at, consumed_at`

func scanCode(r pgx.Row) (storage.AuthCode, error) {
	var c storage.AuthCode
	err := r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.SessionID, &c.RedirectURI, &c.Scopes, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, &c.AuthTime, &c.CreatedAt, &c.ExpiresAt, &c.ConsumedAt)
	nonNil(&c.Scopes)
	return c, err
}

// CreateAuthCode stores a new authorization code.
func (s *Store) CreateAuthCode(ctx context.Context, c storage.AuthCode) error {
	return s.exec(ctx, "create auth code",
		`INSERT INTO auth_codes (`+codeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.Hash, c.GrantID, c.ClientID, c.UserID, c.SessionID, c.RedirectURI, texts(c.Scopes), c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, c.AuthTime, c.CreatedAt, c.ExpiresAt, c.ConsumedAt)
}

// ConsumeAuthCode marks the code consumed at now and returns it. The
// conditional UPDATE is the single atomic step: concurrent calls queue on
// the row lock, and each one after the first re-checks consumed_at, finds
// it set and updates nothing. Those calls, and later ones, read the record
// back and get ErrAlreadyConsumed (RFC 6749 §4.1.2).
func (s *Store) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error) {
	if !storable(hash) {
		return storage.AuthCode{}, notFound("consume auth code")
	}
	c, err := scanCode(s.pool.QueryRow(ctx,
		`UPDATE auth_codes SET consumed_at = $1 WHERE hash = $2 AND consumed_at IS NULL RETURNING `+codeColumns,
		now, hash))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return storage.AuthCode{}, wrap("consume auth code", err)
	}
	c, err = scanCode(s.pool.QueryRow(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = $1`, hash))
	if err != nil {
		return storage.AuthCode{}, wrap("consume auth code", err)
	}
	return c, fmt.Errorf("consume auth code: %w", storage.ErrAlreadyConsumed)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const codeColumns = `hash, grant_id, client_id, user_id, session_id, redirect_uri, scopes, nonce,
	code_challenge, code_challenge_method, auth_time, created_at, expires_at, consumed_at`

func scanCode(r row) (storage.AuthCode, error) {
	var c storage.AuthCode
	err := r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.UserID, &c.SessionID, &c.RedirectURI, list{&c.Scopes}, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, microTime{&c.AuthTime}, microTime{&c.CreatedAt}, microTime{&c.ExpiresAt},
		nullMicroTime{&c.ConsumedAt})
	return c, err
}

// CreateAuthCode stores a new authorization code.
func (s *Store) CreateAuthCode(ctx context.Context, c storage.AuthCode) error {
	return s.exec(ctx, "create auth code",
		`INSERT INTO auth_codes (`+codeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Hash, c.GrantID, c.ClientID, c.UserID, c.SessionID, c.RedirectURI, listOf(c.Scopes), c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, micros(c.AuthTime), micros(c.CreatedAt), micros(c.ExpiresAt),
		nullMicros(c.ConsumedAt))
}

// ConsumeAuthCode marks the code consumed at now and returns it. The
// conditional UPDATE is the single atomic step: SQLite runs one writer at a
// time, so of concurrent calls exactly one finds consumed_at NULL. The
// others, and later calls, read the record back and get ErrAlreadyConsumed
// (RFC 6749 §4.1.2).
func (s *Store) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error) {
	c, err := scanCode(s.db.QueryRowContext(ctx,
		`UPDATE auth_codes SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL RETURNING `+codeColumns,
		micros(now), hash))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return storage.AuthCode{}, wrap("consume auth code", err)
	}
	c, err = scanCode(s.db.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = ?`, hash))
	if err != nil {
		return storage.AuthCode{}, wrap("consume auth code", err)
	}
	return c, fmt.Errorf("consume auth code: %w", storage.ErrAlreadyConsumed)
}

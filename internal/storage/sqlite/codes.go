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

// CreateAuthCode stores a new authorization code, in a transaction shared
// with concurrent writes (combine.go).
func (s *Store) CreateAuthCode(ctx context.Context, c storage.AuthCode) error {
	err := s.w.write(ctx, false, func(ctx context.Context, w writer) error {
		_, err := w.ExecContext(ctx,
			`INSERT INTO auth_codes (`+codeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Hash, c.GrantID, c.ClientID, c.UserID, c.SessionID, c.RedirectURI, listOf(c.Scopes), c.Nonce,
			c.CodeChallenge, c.CodeChallengeMethod, micros(c.AuthTime), micros(c.CreatedAt), micros(c.ExpiresAt),
			nullMicros(c.ConsumedAt))
		return err
	})
	if err != nil {
		return wrap("create auth code", err)
	}
	return nil
}

// ConsumeAuthCode marks the code consumed at now and returns it. The
// conditional UPDATE is the single atomic step: SQLite runs one writer at a
// time, so of concurrent calls exactly one finds consumed_at NULL. The
// others, and later calls, read the record back and get ErrAlreadyConsumed
// (RFC 6749 §4.1.2). The UPDATE shares a transaction with concurrent
// writes (combine.go).
func (s *Store) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error) {
	const op = "consume auth code"
	var (
		c       storage.AuthCode
		refused error // found consumed, or not at all: nothing written
	)
	err := s.w.write(ctx, false, func(ctx context.Context, w writer) error {
		var err error
		c, err = scanCode(w.QueryRowContext(ctx,
			`UPDATE auth_codes SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL RETURNING `+codeColumns,
			micros(now), hash))
		refused = nil
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c, err = scanCode(w.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = ?`, hash))
		switch {
		case err != nil:
			c, refused = storage.AuthCode{}, wrap(op, err)
		default:
			refused = fmt.Errorf("%s: %w", op, storage.ErrAlreadyConsumed)
		}
		return nil
	})
	if err != nil {
		return storage.AuthCode{}, wrap(op, err)
	}
	return c, refused
}

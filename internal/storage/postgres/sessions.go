package postgres

import (
	"context"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const sessionColumns = `id, user_id, auth_time, created_at, expires_at`

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess storage.Session) error {
	return s.exec(ctx, "create session",
		`INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		sess.ID, sess.UserID, sess.AuthTime, sess.CreatedAt, sess.ExpiresAt)
}

// GetSession returns the session if it exists and now is before its expiry.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	if !storable(id) {
		return storage.Session{}, notFound("get session")
	}
	var sess storage.Session
	err := s.pool.QueryRow(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE id = $1 AND expires_at > $2`, id, now).
		Scan(&sess.ID, &sess.UserID, &sess.AuthTime, &sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return storage.Session{}, wrap("get session", err)
	}
	return sess, nil
}

// DeleteSession deletes the session if it exists.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !storable(id) {
		return nil
	}
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE id = $1`, id)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error) {
	if !storable(userID, clientID) {
		return storage.Consent{}, notFound("get consent")
	}
	var c storage.Consent
	err := s.pool.QueryRow(ctx,
		`SELECT user_id, client_id, scopes, created_at, updated_at FROM consents
		WHERE user_id = $1 AND client_id = $2`, userID, clientID).
		Scan(&c.UserID, &c.ClientID, &c.Scopes, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return storage.Consent{}, wrap("get consent", err)
	}
	nonNil(&c.Scopes)
	return c, nil
}

// SaveConsent creates the consent or replaces every field of the existing
// one, in one statement.
func (s *Store) SaveConsent(ctx context.Context, c storage.Consent) error {
	return s.exec(ctx, "save consent",
		`INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, client_id) DO UPDATE SET
		scopes = excluded.scopes, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, texts(c.Scopes), c.CreatedAt, c.UpdatedAt)
}

// DeleteConsent deletes the consent if it exists.
func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	if !storable(userID, clientID) {
		return nil
	}
	return s.exec(ctx, "delete consent",
		`DELETE FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID)
}

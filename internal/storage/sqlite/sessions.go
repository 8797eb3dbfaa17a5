package sqlite

import (
	"context"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const sessionColumns = `id, user_id, auth_time, created_at, expires_at`

func scanSession(r row) (storage.Session, error) {
	var sess storage.Session
	err := r.Scan(&sess.ID, &sess.UserID, microTime{&sess.AuthTime}, microTime{&sess.CreatedAt}, microTime{&sess.ExpiresAt})
	return sess, err
}

const consentColumns = `user_id, client_id, scopes, created_at, updated_at`

func scanConsent(r row) (storage.Consent, error) {
	var c storage.Consent
	err := r.Scan(&c.UserID, &c.ClientID, list{&c.Scopes}, microTime{&c.CreatedAt}, microTime{&c.UpdatedAt})
	return c, err
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess storage.Session) error {
	return s.exec(ctx, "create session",
		`INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?)`,
		sess.ID, sess.UserID, micros(sess.AuthTime), micros(sess.CreatedAt), micros(sess.ExpiresAt))
}

// GetSession returns the session if it exists and now is before its expiry.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	sess, err := scanSession(s.db.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE id = ? AND expires_at > ?`, id, micros(now)))
	if err != nil {
		return storage.Session{}, wrap("get session", err)
	}
	return sess, nil
}

// DeleteSession deletes the session if it exists.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
}

// ListSessions returns the user's sessions that are valid at now, newest
// first; sessions created in the same microsecond are ordered by ID.
func (s *Store) ListSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id`, userID, micros(now))
	if err != nil {
		return nil, wrap("list sessions", err)
	}
	return collect(rows, "list sessions", scanSession)
}

// DeleteUserSessions deletes the user's sessions but exceptID, expired ones
// included, and reports how many it deleted.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, exceptID string) (int, error) {
	return s.rowsAffected(ctx, "delete user sessions",
		`DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, exceptID)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error) {
	c, err := scanConsent(s.db.QueryRowContext(ctx,
		`SELECT `+consentColumns+` FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID))
	if err != nil {
		return storage.Consent{}, wrap("get consent", err)
	}
	return c, nil
}

// SaveConsent creates the consent or replaces every field of the existing
// one, in one statement.
func (s *Store) SaveConsent(ctx context.Context, c storage.Consent) error {
	return s.exec(ctx, "save consent",
		`INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, client_id) DO UPDATE SET
		scopes = excluded.scopes, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, listOf(c.Scopes), micros(c.CreatedAt), micros(c.UpdatedAt))
}

// DeleteConsent deletes the consent if it exists.
func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	return s.exec(ctx, "delete consent",
		`DELETE FROM consents WHERE user_id = ? AND client_id = ?`, userID, clientID)
}

// ListConsents returns the user's consents, most recently updated first,
// then by client ID.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]storage.Consent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE user_id = ? ORDER BY updated_at DESC, client_id`, userID)
	if err != nil {
		return nil, wrap("list consents", err)
	}
	return collect(rows, "list consents", scanConsent)
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const sessionColumns = `id, user_id, auth_time, created_at, expires_at`

func scanSession(r pgx.Row) (storage.Session, error) {
	var sess storage.Session
	err := r.Scan(&sess.ID, &sess.UserID, &sess.AuthTime, &sess.CreatedAt, &sess.ExpiresAt)
	return sess, err
}

const consentColumns = `user_id, client_id, scopes, created_at, updated_at`

func scanConsent(r pgx.Row) (storage.Consent, error) {
	var c storage.Consent
	err := r.Scan(&c.UserID, &c.ClientID, &c.Scopes, &c.CreatedAt, &c.UpdatedAt)
	nonNil(&c.Scopes)
	return c, err
}

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
	sess, err := scanSession(s.pool.QueryRow(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE id = $1 AND expires_at > $2`, id, now))
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

// ListSessions returns the user's sessions that are valid at now, newest
// first; sessions created in the same microsecond are ordered by ID, byte
// by byte whatever the database's locale.
func (s *Store) ListSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	if !storable(userID) {
		return []storage.Session{}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id COLLATE "C"`, userID, now)
	if err != nil {
		return nil, wrap("list sessions", err)
	}
	return collect(rows, "list sessions", scanSession)
}

// DeleteUserSessions deletes the user's sessions but exceptID, expired ones
// included, and reports how many it deleted.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, exceptID string) (int, error) {
	if !storable(userID) {
		return 0, nil
	}
	if !storable(exceptID) { // no session has that ID
		exceptID = ""
	}
	return s.rowsAffected(ctx, "delete user sessions",
		`DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, exceptID)
}

// GetConsent returns the user's consent for the client.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error) {
	if !storable(userID, clientID) {
		return storage.Consent{}, notFound("get consent")
	}
	c, err := scanConsent(s.pool.QueryRow(ctx,
		`SELECT `+consentColumns+` FROM consents WHERE user_id = $1 AND client_id = $2`, userID, clientID))
	if err != nil {
		return storage.Consent{}, wrap("get consent", err)
	}
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

// ListConsents returns the user's consents, most recently updated first,
// then by client ID, byte by byte whatever the database's locale.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]storage.Consent, error) {
	if !storable(userID) {
		return []storage.Consent{}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+consentColumns+` FROM consents
		WHERE user_id = $1 ORDER BY updated_at DESC, client_id COLLATE "C"`, userID)
	if err != nil {
		return nil, wrap("list consents", err)
	}
	return collect(rows, "list consents", scanConsent)
}

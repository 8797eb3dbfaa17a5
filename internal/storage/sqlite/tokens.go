package sqlite

import (
	"context"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// CreateToken stores a new token record. An empty UserID (client
// credentials) is stored as NULL, which the foreign key allows.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	return s.exec(ctx, "create token",
		`INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?)`,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, listOf(t.Scopes),
		micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.RevokedAt))
}

// GetToken returns the token record with the given ID.
func (s *Store) GetToken(ctx context.Context, id string) (storage.Token, error) {
	var t storage.Token
	err := s.db.QueryRowContext(ctx,
		`SELECT id, kind, grant_id, client_id, COALESCE(user_id, ''), scopes, created_at, expires_at, revoked_at
		FROM tokens WHERE id = ?`, id).
		Scan(&t.ID, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, list{&t.Scopes},
			microTime{&t.CreatedAt}, microTime{&t.ExpiresAt}, nullMicroTime{&t.RevokedAt})
	if err != nil {
		return storage.Token{}, wrap("get token", err)
	}
	return t, nil
}

// RevokeGrant revokes, in one statement, every unrevoked token of the grant.
// Tokens revoked before keep their revocation time and are not counted.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx,
		`UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`, micros(now), grantID)
	if err != nil {
		return 0, wrap("revoke grant", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap("revoke grant", err)
	}
	return int(n), nil
}

package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// CreateToken stores a new token record. An empty UserID (client
// credentials) is stored as NULL, which the foreign key allows.
//
// The insert and the check for a revoked grant are separate statements, in
// the opposite order to RevokeGrant's mark and update: whichever way two
// calls interleave, either the check sees the mark or the update sees the
// token.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	err := s.exec(ctx, "create token",
		`INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?)`,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, listOf(t.Scopes),
		micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.RevokedAt))
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE tokens SET revoked_at = (SELECT revoked_at FROM revoked_grants WHERE grant_id = tokens.grant_id)
		WHERE id = ? AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM revoked_grants WHERE grant_id = tokens.grant_id)`, t.ID)
	if err != nil {
		return wrap("create token: check grant", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("create token: check grant", err)
	} else if n > 0 {
		return fmt.Errorf("create token: %w", storage.ErrGrantRevoked)
	}
	return nil
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

// RevokeGrant records the grant as revoked, then revokes, in one statement,
// every unrevoked token of the grant.
// Tokens revoked before keep their revocation time and are not counted.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	if err := s.exec(ctx, "revoke grant",
		`INSERT INTO revoked_grants (grant_id, revoked_at) VALUES (?, ?) ON CONFLICT (grant_id) DO NOTHING`,
		grantID, micros(now)); err != nil {
		return 0, err
	}
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

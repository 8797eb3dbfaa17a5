package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// CreateToken stores a new token record. An empty UserID (client
// credentials) is stored as NULL, which the foreign key allows.
//
// The insert and the check for a revoked grant are separate statements
// (each its own transaction), in the opposite order to RevokeGrant's mark
// and update: however two calls interleave under READ COMMITTED, either
// the check sees the mark or the update sees the token.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	err := s.exec(ctx, "create token",
		`INSERT INTO tokens (id, kind, grant_id, client_id, user_id, scopes, created_at, expires_at, revoked_at)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9)`,
		t.ID, string(t.Kind), t.GrantID, t.ClientID, t.UserID, texts(t.Scopes), t.CreatedAt, t.ExpiresAt, t.RevokedAt)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx,
		`UPDATE tokens SET revoked_at = g.revoked_at FROM revoked_grants g
		WHERE tokens.id = $1 AND tokens.revoked_at IS NULL AND g.grant_id = tokens.grant_id`, t.ID)
	if err != nil {
		return wrap("create token: check grant", err)
	}
	if tag.RowsAffected() > 0 {
		return fmt.Errorf("create token: %w", storage.ErrGrantRevoked)
	}
	return nil
}

// GetToken returns the token record with the given ID.
func (s *Store) GetToken(ctx context.Context, id string) (storage.Token, error) {
	if !storable(id) {
		return storage.Token{}, notFound("get token")
	}
	var t storage.Token
	err := s.pool.QueryRow(ctx,
		`SELECT id, kind, grant_id, client_id, COALESCE(user_id, ''), scopes, created_at, expires_at, revoked_at
		FROM tokens WHERE id = $1`, id).
		Scan(&t.ID, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, &t.Scopes, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt)
	if err != nil {
		return storage.Token{}, wrap("get token", err)
	}
	nonNil(&t.Scopes)
	return t, nil
}

// RevokeGrant records the grant as revoked, then revokes, in one statement,
// every unrevoked token of the grant.
// Tokens revoked before keep their revocation time and are not counted; a
// concurrent call waits on the row locks and then skips rows it finds
// revoked, so no token is counted twice.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	if !storable(grantID) {
		return 0, nil
	}
	if err := s.exec(ctx, "revoke grant",
		`INSERT INTO revoked_grants (grant_id, revoked_at) VALUES ($1, $2) ON CONFLICT (grant_id) DO NOTHING`,
		grantID, now); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx,
		`UPDATE tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL`, now, grantID)
	if err != nil {
		return 0, wrap("revoke grant", err)
	}
	return int(tag.RowsAffected()), nil
}

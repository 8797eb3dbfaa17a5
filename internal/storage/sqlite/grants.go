package sqlite

import (
	"context"
	"time"
)

// RevokeGrant records the grant as revoked, then revokes, in one statement,
// every unrevoked token of the grant.
// Tokens revoked before keep their revocation time and are not counted.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	if err := s.exec(ctx, "revoke grant",
		`INSERT INTO revoked_grants (grant_id, revoked_at) VALUES (?, ?) ON CONFLICT (grant_id) DO NOTHING`,
		grantID, micros(now)); err != nil {
		return 0, err
	}
	return s.rowsAffected(ctx, "revoke grant",
		`UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL`, micros(now), grantID)
}

// RevokeUserClient revokes everything the user granted the client, in the
// order RevokeGrant uses, each step its own statement: first it marks
// revoked every grant of the pair's tokens and authorization codes
// (consumed ones too, whose tokens may still be being issued), then it
// revokes the pair's tokens, then it deletes their unconsumed codes. A
// token created meanwhile for a marked grant is revoked by the update if
// it was stored before it, or else by CreateToken's check, which then sees
// the mark.
func (s *Store) RevokeUserClient(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	const op = "revoke user client"
	n := micros(now)
	if err := s.exec(ctx, op,
		`INSERT INTO revoked_grants (grant_id, revoked_at)
		SELECT grant_id, ? FROM (
			SELECT grant_id FROM tokens WHERE user_id = ? AND client_id = ?
			UNION SELECT grant_id FROM auth_codes WHERE user_id = ? AND client_id = ?
		) WHERE true -- WHERE keeps ON CONFLICT from parsing as a join constraint
		ON CONFLICT (grant_id) DO NOTHING`,
		n, userID, clientID, userID, clientID); err != nil {
		return 0, err
	}
	revoked, err := s.rowsAffected(ctx, op,
		`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL`,
		n, userID, clientID)
	if err != nil {
		return 0, err
	}
	if err := s.exec(ctx, op,
		`DELETE FROM auth_codes WHERE user_id = ? AND client_id = ? AND consumed_at IS NULL`,
		userID, clientID); err != nil {
		return 0, err
	}
	return revoked, nil
}

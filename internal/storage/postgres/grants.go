package postgres

import (
	"context"
	"time"
)

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
	return s.rowsAffected(ctx, "revoke grant",
		`UPDATE tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL`, now, grantID)
}

// RevokeUserClient revokes everything the user granted the client, in the
// order RevokeGrant uses, each step its own statement and so its own
// transaction: first it marks revoked every grant of the pair's tokens and
// authorization codes (consumed ones too, whose tokens may still be being
// issued), then it revokes the pair's tokens, then it deletes their
// unconsumed codes. A token created meanwhile for a marked grant is
// revoked by the update if it was committed before the update's snapshot,
// or else by CreateToken's check, which starts after that and so sees the
// committed mark. One transaction around the steps would break this: the
// mark would stay invisible to that check until the commit.
func (s *Store) RevokeUserClient(ctx context.Context, userID, clientID string, now time.Time) (int, error) {
	const op = "revoke user client"
	if !storable(userID, clientID) {
		return 0, nil
	}
	if err := s.exec(ctx, op,
		`INSERT INTO revoked_grants (grant_id, revoked_at)
		SELECT grant_id, $3::timestamptz FROM (
			SELECT grant_id FROM tokens WHERE user_id = $1 AND client_id = $2
			UNION SELECT grant_id FROM auth_codes WHERE user_id = $1 AND client_id = $2
		) pair
		ON CONFLICT (grant_id) DO NOTHING`,
		userID, clientID, now); err != nil {
		return 0, err
	}
	revoked, err := s.rowsAffected(ctx, op,
		`UPDATE tokens SET revoked_at = $3 WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
		userID, clientID, now)
	if err != nil {
		return 0, err
	}
	if err := s.exec(ctx, op,
		`DELETE FROM auth_codes WHERE user_id = $1 AND client_id = $2 AND consumed_at IS NULL`,
		userID, clientID); err != nil {
		return 0, err
	}
	return revoked, nil
}

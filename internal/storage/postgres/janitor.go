package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// UseAssertionID records the client's assertion jti until expiresAt. A
// jti stays recorded, and so refused, until DeleteExpired removes it, even
// past expiresAt: the method has no clock to tell. A client_id or jti
// PostgreSQL cannot store (NUL, invalid UTF-8; see storable) is refused
// with ErrAlreadyExists: a jti that cannot be recorded cannot be accepted,
// and the lookup must not fail as an internal error.
func (s *Store) UseAssertionID(ctx context.Context, clientID, jti string, expiresAt time.Time) error {
	if !storable(clientID, jti) {
		return fmt.Errorf("use assertion id: unrecordable key: %w", storage.ErrAlreadyExists)
	}
	return s.exec(ctx, "use assertion id",
		`INSERT INTO assertion_ids (client_id, jti, expires_at) VALUES ($1, $2, $3)`, clientID, jti, expiresAt)
}

// deleteBatch is how many rows one DELETE statement of DeleteExpired
// removes at most, so that no statement holds many row locks for long.
const deleteBatch = 500

// expiredQueries select, for DeleteExpired, the ctids of expired rows of
// each kind: those whose time column is before the cutoff ($1; "or at" for
// expiry, as a record is invalid from its expiry on), at most $2 of them.
// SKIP LOCKED lets janitors on several replicas share the work without
// waiting for each other. Revoked grants come last, so that grants whose
// tokens and codes went first can go in the same call; a grant stays while
// a code or token of it remains, since a token could still be issued for
// it, and for an hour after its revocation.
var expiredQueries = []struct {
	table, query string
	grace        time.Duration // the cutoff is now less grace
}{
	{"auth_codes", `SELECT ctid FROM auth_codes WHERE expires_at <= $1`, 0},
	{"tokens", `SELECT ctid FROM tokens WHERE expires_at <= $1`, 0},
	{"sessions", `SELECT ctid FROM sessions WHERE expires_at <= $1`, 0},
	{"assertion_ids", `SELECT ctid FROM assertion_ids WHERE expires_at <= $1`, 0},
	{"throttle_failures", `SELECT ctid FROM throttle_failures WHERE expires_at <= $1`, 0},
	{"revoked_grants", `SELECT ctid FROM revoked_grants g WHERE revoked_at < $1
		AND NOT EXISTS (SELECT 1 FROM tokens WHERE grant_id = g.grant_id)
		AND NOT EXISTS (SELECT 1 FROM auth_codes WHERE grant_id = g.grant_id)`, time.Hour},
}

// DeleteExpired deletes, for each kind, up to limit expired rows, in
// batches of at most deleteBatch rows, each batch its own statement. A
// limit below one deletes nothing.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	total := 0
	for _, q := range expiredQueries {
		for left := limit; left > 0; {
			batch := min(left, deleteBatch)
			n, err := s.rowsAffected(ctx, "delete expired "+q.table,
				`DELETE FROM `+q.table+` WHERE ctid = ANY (ARRAY(`+q.query+` LIMIT $2 FOR UPDATE SKIP LOCKED))`,
				now.Add(-q.grace), batch)
			if err != nil {
				return total, err
			}
			total += n
			left -= n
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

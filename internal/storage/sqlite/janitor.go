package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// UseAssertionID records the client's assertion jti until expiresAt. A
// jti stays recorded, and so refused, until DeleteExpired removes it, even
// past expiresAt: the method has no clock to tell. A client_id or jti
// holding NUL or invalid UTF-8 is refused with ErrAlreadyExists, as the
// PostgreSQL backend, which cannot store one, must refuse it: a jti that
// cannot be recorded cannot be accepted.
func (s *Store) UseAssertionID(ctx context.Context, clientID, jti string, expiresAt time.Time) error {
	if !recordable(clientID) || !recordable(jti) {
		return fmt.Errorf("use assertion id: unrecordable key: %w", storage.ErrAlreadyExists)
	}
	return s.exec(ctx, "use assertion id",
		`INSERT INTO assertion_ids (client_id, jti, expires_at) VALUES (?, ?, ?)`,
		clientID, jti, micros(expiresAt))
}

// recordable reports whether k is valid UTF-8 without NUL bytes.
func recordable(k string) bool { return utf8.ValidString(k) && !strings.Contains(k, "\x00") }

// deleteBatch is how many rows one DELETE statement of DeleteExpired
// removes at most, so that no statement holds the write lock for long.
const deleteBatch = 500

// expiredQueries select, for DeleteExpired, the primary keys (rowid for
// assertion_ids) of expired rows of each kind: those whose time column is
// before the cutoff (?1; "or at" for expiry, as a record is invalid from
// its expiry on), at most ?2 of them. Revoked grants come last, so that
// grants whose tokens and codes went first can go in the same call; a
// grant stays while a code or token of it remains, since a token could
// still be issued for it, and for an hour after its revocation.
var expiredQueries = []struct {
	table, key, query string
	grace             time.Duration // the cutoff is now less grace
}{
	{"auth_codes", "hash", `SELECT hash FROM auth_codes WHERE expires_at <= ?1`, 0},
	{"tokens", "id", `SELECT id FROM tokens WHERE expires_at <= ?1`, 0},
	{"sessions", "id", `SELECT id FROM sessions WHERE expires_at <= ?1`, 0},
	{"assertion_ids", "rowid", `SELECT rowid FROM assertion_ids WHERE expires_at <= ?1`, 0},
	{"throttle_failures", "key", `SELECT key FROM throttle_failures WHERE expires_at <= ?1`, 0},
	{"revoked_grants", "grant_id", `SELECT grant_id FROM revoked_grants g WHERE revoked_at < ?1
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
				`DELETE FROM `+q.table+` WHERE `+q.key+` IN (`+q.query+` LIMIT ?2)`,
				micros(now.Add(-q.grace)), batch)
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

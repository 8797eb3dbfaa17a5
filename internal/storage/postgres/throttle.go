package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const failureColumns = `key, failures, last_failure, expires_at`

func scanFailures(r pgx.Row) (storage.Failures, error) {
	var f storage.Failures
	err := r.Scan(&f.Key, &f.Count, &f.Last, &f.ExpiresAt)
	return f, err
}

// recordFailure is one atomic upsert: INSERT ... ON CONFLICT DO UPDATE
// locks the row, so concurrent calls, from any replica, each update the
// count the one before left. Every SET expression reads the row as it was
// before the update.
const recordFailure = `INSERT INTO throttle_failures AS f (` + failureColumns + `) VALUES ($1, 1, $2, $3)
	ON CONFLICT (key) DO UPDATE SET
		failures     = CASE WHEN f.expires_at <= $2 THEN 1  ELSE f.failures + 1 END,
		last_failure = CASE WHEN f.expires_at <= $2 THEN $2 ELSE GREATEST(f.last_failure, $2) END,
		expires_at   = CASE WHEN f.expires_at <= $2 THEN $3 ELSE GREATEST(f.expires_at, $3) END
	RETURNING ` + failureColumns

// RecordFailure counts one failure of key at now; see storage.ThrottleStore.
func (s *Store) RecordFailure(ctx context.Context, key string, now time.Time, keep time.Duration) (storage.Failures, error) {
	if !storable(key) {
		return storage.Failures{}, errors.New("record failure: key is not valid UTF-8 text")
	}
	now = now.Truncate(time.Microsecond)
	f, err := scanFailures(s.pool.QueryRow(ctx, recordFailure, key, now, now.Add(keep)))
	if err != nil {
		return storage.Failures{}, wrap("record failure", err)
	}
	return f, nil
}

// GetFailures returns the unexpired counters of keys, in order.
func (s *Store) GetFailures(ctx context.Context, now time.Time, keys ...string) ([]storage.Failures, error) {
	out := make([]storage.Failures, len(keys))
	var lookup []string
	for i, k := range keys {
		out[i].Key = k
		if storable(k) {
			lookup = append(lookup, k)
		}
	}
	if len(lookup) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+failureColumns+` FROM throttle_failures
		WHERE expires_at > $1 AND key = ANY ($2)`, now, lookup)
	if err != nil {
		return nil, wrap("get failures", err)
	}
	found, err := collect(rows, "get failures", scanFailures)
	if err != nil {
		return nil, err
	}
	for _, f := range found {
		for i := range out {
			if out[i].Key == f.Key {
				out[i] = f
			}
		}
	}
	return out, nil
}

// ResetFailures deletes key's counter.
func (s *Store) ResetFailures(ctx context.Context, key string) error {
	if !storable(key) {
		return nil
	}
	return s.exec(ctx, "reset failures", `DELETE FROM throttle_failures WHERE key = $1`, key)
}

package sqlite

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const failureColumns = `key, failures, last_failure, expires_at`

func scanFailures(r row) (storage.Failures, error) {
	var f storage.Failures
	err := r.Scan(&f.Key, &f.Count, microTime{&f.Last}, microTime{&f.ExpiresAt})
	return f, err
}

// recordFailure is one atomic upsert: SQLite runs one writer at a time, so
// concurrent calls each see the count the one before left. Every SET
// expression reads the row as it was before the update.
const recordFailure = `INSERT INTO throttle_failures (` + failureColumns + `) VALUES (?1, 1, ?2, ?3)
	ON CONFLICT (key) DO UPDATE SET
		failures     = CASE WHEN expires_at <= ?2 THEN 1  ELSE failures + 1 END,
		last_failure = CASE WHEN expires_at <= ?2 THEN ?2 ELSE max(last_failure, ?2) END,
		expires_at   = CASE WHEN expires_at <= ?2 THEN ?3 ELSE max(expires_at, ?3) END
	RETURNING ` + failureColumns

// RecordFailure counts one failure of key at now; see storage.ThrottleStore.
func (s *Store) RecordFailure(ctx context.Context, key string, now time.Time, keep time.Duration) (storage.Failures, error) {
	if !recordable(key) {
		return storage.Failures{}, errors.New("record failure: key is not valid UTF-8 text")
	}
	f, err := scanFailures(s.db.QueryRowContext(ctx, recordFailure, key, micros(now), micros(now.Add(keep))))
	if err != nil {
		return storage.Failures{}, wrap("record failure", err)
	}
	return f, nil
}

// GetFailures returns the unexpired counters of keys, in order.
func (s *Store) GetFailures(ctx context.Context, now time.Time, keys ...string) ([]storage.Failures, error) {
	out := make([]storage.Failures, len(keys))
	args := []any{micros(now)}
	for i, k := range keys {
		out[i].Key = k
		if recordable(k) {
			args = append(args, k)
		}
	}
	if len(args) == 1 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+failureColumns+` FROM throttle_failures
		WHERE expires_at > ? AND key IN (?`+strings.Repeat(", ?", len(args)-2)+`)`, args...)
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
	if !recordable(key) {
		return nil
	}
	return s.exec(ctx, "reset failures", `DELETE FROM throttle_failures WHERE key = ?`, key)
}

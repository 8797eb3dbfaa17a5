package storage

import (
	"context"
	"time"
)

// Failures counts the recent failed attempts under one throttle key: a
// login account, a client IP, a client_id. The counters live in the store,
// not in a process, so that every replica behind a load balancer sees the
// same count and brute-force protection cannot be dodged by spreading
// guesses over replicas.
type Failures struct {
	Key       string
	Count     int       // failures since the counter (re)started
	Last      time.Time // the latest failure
	ExpiresAt time.Time // from then on the counter is forgotten
}

// ThrottleStore keeps the failure counters of brute-force protection.
// Keys are short printable text chosen by the caller (internal/throttle
// hashes what an attacker controls); a key that is not valid UTF-8 or holds
// NUL cannot be recorded. Store.DeleteExpired removes counters from their
// ExpiresAt on, like the other expired rows.
type ThrottleStore interface {
	// RecordFailure adds one failure at now to key's counter and returns
	// the counter after it. A counter that expired at or before now starts
	// again at 1. Last becomes the later of Last and now, ExpiresAt the
	// later of ExpiresAt and now+keep. The increment is atomic: of any
	// number of concurrent calls for one key, also through several stores
	// on one database, each gets a distinct count and none is lost. An
	// unrecordable key gives an error.
	RecordFailure(ctx context.Context, key string, now time.Time, keep time.Duration) (Failures, error)
	// GetFailures returns the counters of keys, one per key in order. A
	// key without a counter, or whose counter expired at now, and an
	// unrecordable key get Failures{Key: key}: no failures.
	GetFailures(ctx context.Context, now time.Time, keys ...string) ([]Failures, error)
	// ResetFailures deletes key's counter; it is idempotent.
	ResetFailures(ctx context.Context, key string) error
}

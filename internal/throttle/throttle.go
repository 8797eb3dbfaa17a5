package throttle

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Store is the part of storage.Store the limiter uses.
type Store interface {
	RecordFailure(ctx context.Context, key string, now time.Time, keep time.Duration) (storage.Failures, error)
	GetFailures(ctx context.Context, now time.Time, keys ...string) ([]storage.Failures, error)
	ResetFailures(ctx context.Context, key string) error
}

// Rule is the policy for one kind of key.
type Rule struct {
	// Free is how many failures pass without delay; from the Free-th on,
	// the next attempt waits BaseDelay·2^(count-Free), at most MaxDelay.
	// Zero turns delays off.
	Free      int
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Lock is the count of failures that locks the key for LockFor; zero
	// never locks.
	Lock    int
	LockFor time.Duration
	// Window is how long a counter lasts after its latest failure.
	Window time.Duration
}

// Off reports whether the rule never makes anyone wait.
func (r Rule) Off() bool { return r.Free <= 0 && r.Lock <= 0 }

// Wait is how long after the latest of count failures the key is refused.
func (r Rule) Wait(count int) time.Duration {
	switch {
	case r.Lock > 0 && count >= r.Lock:
		return r.LockFor
	case r.Free > 0 && count >= r.Free:
		d := r.BaseDelay
		for i := r.Free; i < count && d < r.MaxDelay; i++ {
			d *= 2
		}
		return min(d, r.MaxDelay)
	}
	return 0
}

// keep is how long the store must keep a counter after a failure: its
// window, and at least as long as any wait the rule imposes.
func (r Rule) keep() time.Duration { return max(r.Window, r.LockFor, r.MaxDelay) }

// Rules hold one Rule per Kind.
type Rules [kinds]Rule

// Options configure a Limiter.
type Options struct {
	Store   Store
	Rules   Rules
	Proxies Proxies
	Now     func() time.Time
	Log     *slog.Logger
	// CacheTTL is how long a key found clean (without failures) is
	// trusted to stay clean without reading the store again; zero or
	// negative reads the store on every Check. Failures recorded on
	// another replica may be seen that much later; see cleanCache for
	// what that allows. DefaultCacheTTL is the server's default.
	CacheTTL time.Duration
	// CacheSize bounds the number of clean keys remembered; zero means
	// DefaultCacheSize.
	CacheSize int
}

// Limiter applies the rules to keys. A nil *Limiter throttles nothing and
// takes client IPs from the connection, so handlers built without one (in
// unit tests) behave as before.
type Limiter struct {
	o        Options
	inFlight inFlight    // serialize.go
	cache    *cleanCache // cache.go; nil when CacheTTL is not positive
}

// New returns a Limiter.
func New(o Options) *Limiter {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Limiter{o: o, cache: newCleanCache(o.CacheTTL, o.CacheSize)}
}

// Status is the state of the keys of one attempt.
type Status struct {
	// Wait is how long until another attempt is allowed; 0 means now.
	Wait time.Duration
	// Counts are the keys' recent failures, in the order given.
	Counts []int
}

// Check reports whether an attempt under keys may go ahead now: it may
// when Wait is 0. Call it before verifying the credential. Keys this
// process knows to be clean (see cleanCache) are not read from the store.
func (l *Limiter) Check(ctx context.Context, keys ...Key) (Status, error) {
	st := Status{Counts: make([]int, len(keys))}
	if l == nil {
		return st, nil
	}
	c := l.cache
	var t0 int64
	if c != nil {
		t0 = c.mono()
		if l.allClean(keys, t0) {
			return st, nil
		}
	}
	// Attempts have two keys; idx and gens stay on the stack for up to
	// four. names goes to the store, so it is allocated in any case.
	var (
		names  []string
		idxBuf [4]int
		genBuf [4]uint64
		idx    = idxBuf[:0]
		gens   = genBuf[:0]
	)
	for i, k := range keys {
		if l.o.Rules[k.kind].Off() {
			continue
		}
		if c != nil {
			clean, gen := c.isClean(k.name, t0)
			if clean {
				continue
			}
			gens = append(gens, gen)
		}
		names = append(names, k.name)
		idx = append(idx, i)
	}
	if len(names) == 0 {
		return st, nil
	}
	now := l.o.Now()
	fs, err := l.o.Store.GetFailures(ctx, now, names...)
	if err != nil {
		return st, fmt.Errorf("throttle check: %w", err)
	}
	for j, f := range fs {
		i := idx[j]
		st.Counts[i] = f.Count
		st.Wait = max(st.Wait, f.Last.Add(l.o.Rules[keys[i].kind].Wait(f.Count)).Sub(now))
		if c != nil && f.Count == 0 {
			c.remember(names[j], gens[j], t0)
		}
	}
	return st, nil
}

// allClean reports whether every key whose rule is on is known clean at
// monotonic time now, without allocating.
func (l *Limiter) allClean(keys []Key, now int64) bool {
	for _, k := range keys {
		if l.o.Rules[k.kind].Off() {
			continue
		}
		if clean, _ := l.cache.isClean(k.name, now); !clean {
			return false
		}
	}
	return true
}

// Fail records a failed attempt under every key and reports the wait it
// leaves.
func (l *Limiter) Fail(ctx context.Context, keys ...Key) (Status, error) {
	st := Status{Counts: make([]int, len(keys))}
	if l == nil {
		return st, nil
	}
	now := l.o.Now()
	for i, k := range keys {
		r := l.o.Rules[k.kind]
		if r.Off() {
			continue
		}
		f, err := l.o.Store.RecordFailure(ctx, k.name, now, r.keep())
		if l.cache != nil {
			// Forget the key even on an error: the failure may have been
			// stored all the same.
			l.cache.forget(k.name)
		}
		if err != nil {
			return st, fmt.Errorf("throttle record: %w", err)
		}
		st.Counts[i] = f.Count
		wait := f.Last.Add(r.Wait(f.Count)).Sub(now)
		st.Wait = max(st.Wait, wait)
		if r.Lock > 0 && f.Count == r.Lock {
			l.o.Log.Warn("throttle lock", "key", k.name, "failures", f.Count, "for", r.LockFor)
		}
	}
	return st, nil
}

// Reset forgets key's failures, after a success.
func (l *Limiter) Reset(ctx context.Context, key Key) error {
	if l == nil || l.o.Rules[key.kind].Off() {
		return nil
	}
	var t0 int64
	var gen uint64
	if l.cache != nil {
		t0 = l.cache.mono()
		_, gen = l.cache.isClean(key.name, t0)
	}
	if err := l.o.Store.ResetFailures(ctx, key.name); err != nil {
		return fmt.Errorf("throttle reset: %w", err)
	}
	if l.cache != nil {
		l.cache.remember(key.name, gen, t0)
	}
	return nil
}

// RetryAfter is wait as the delta-seconds of a Retry-After header (RFC
// 9110 §10.2.3), rounded up so that a client that waits that long is let
// in.
func RetryAfter(wait time.Duration) string {
	return fmt.Sprint(int64((wait + time.Second - 1) / time.Second))
}

package throttle

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// memStore is a Store in memory, with the semantics of
// storage.ThrottleStore, that counts the keys read. Its counters may be
// changed behind the limiter's back, as another replica would.
type memStore struct {
	mu     sync.Mutex
	fs     map[string]storage.Failures
	reads  int // keys read by GetFailures
	calls  int // GetFailures calls
	failOn string
	// afterRead and afterReset, when set, run inside GetFailures after the
	// counters were read and ResetFailures after the counter was deleted.
	afterRead, afterReset func()
}

func newMemStore() *memStore { return &memStore{fs: map[string]storage.Failures{}} }

func (m *memStore) RecordFailure(_ context.Context, key string, now time.Time, keep time.Duration) (storage.Failures, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if key == m.failOn {
		return storage.Failures{}, errors.New("store down")
	}
	f, ok := m.fs[key]
	if !ok || !f.ExpiresAt.After(now) {
		f = storage.Failures{Key: key, Last: now, ExpiresAt: now.Add(keep)}
	}
	f.Count++
	if now.After(f.Last) {
		f.Last = now
	}
	if e := now.Add(keep); e.After(f.ExpiresAt) {
		f.ExpiresAt = e
	}
	m.fs[key] = f
	return f, nil
}

func (m *memStore) GetFailures(_ context.Context, now time.Time, keys ...string) ([]storage.Failures, error) {
	if m.afterRead != nil {
		defer m.afterRead()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	m.reads += len(keys)
	out := make([]storage.Failures, len(keys))
	for i, k := range keys {
		out[i].Key = k
		if f, ok := m.fs[k]; ok && f.ExpiresAt.After(now) {
			out[i] = f
		}
	}
	return out, nil
}

func (m *memStore) ResetFailures(_ context.Context, key string) error {
	if m.afterReset != nil {
		defer m.afterReset()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.fs, key)
	return nil
}

// counted returns the keys read and GetFailures calls so far, and zeroes
// them.
func (m *memStore) counted() (reads, calls int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reads, calls, m.reads, m.calls = m.reads, m.calls, 0, 0
	return reads, calls
}

// monoClock is a settable monotonic clock for the cache.
type monoClock struct{ ns int64 }

func (c *monoClock) now() int64 { return c.ns }

var clientRule = Rule{Free: 2, BaseDelay: time.Second, MaxDelay: time.Minute, Lock: 5, LockFor: time.Hour, Window: time.Hour}

// newCached returns a limiter on a memStore that trusts clean keys for
// ttl on a monotonic clock the test sets, and the wall clock it uses for
// Now, which stands still unless the test advances it.
func newCached(t *testing.T, ttl time.Duration, size int) (*Limiter, *memStore, *monoClock, *clock) {
	t.Helper()
	m := newMemStore()
	wall := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := New(Options{Store: m, Rules: Rules{Client: clientRule, ClientIP: clientRule}, Now: wall.now, CacheTTL: ttl, CacheSize: size})
	mono := &monoClock{}
	if l.cache != nil {
		l.cache.mono = mono.now
	}
	return l, m, mono, wall
}

// TestCacheSteps drives a limiter through sequences of steps, checking
// after each the wait and counts it reports and how many keys it read
// from the store.
func TestCacheSteps(t *testing.T) {
	ctx := t.Context()
	id := ClientKey("svc")
	ip := ClientIPKey(netip.MustParseAddr("192.0.2.9"))
	other := ClientKey("other")
	const ttl = time.Second

	type step struct {
		name string
		do   string        // check, fail, reset, mono (advance the cache's clock), wall (advance Now), remote (a failure stored by another replica)
		keys []Key         // for check, fail, reset, remote
		by   time.Duration // for mono, wall
		wait time.Duration // check, fail: the wait reported
		cnt  []int         // check, fail: the counts reported
		read int           // keys read from the store by this step
	}
	tests := []struct {
		name  string
		ttl   time.Duration
		steps []step
	}{
		{"clean keys are read once per ttl", ttl, []step{
			{name: "first", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "cached", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 0},
			{name: "cached again", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 0},
			{name: "one key new", do: "check", keys: []Key{other, ip}, cnt: []int{0, 0}, read: 1},
			{name: "nearly expired", do: "mono", by: ttl - 1},
			{name: "still cached", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 0},
			{name: "expired", do: "mono", by: 1},
			{name: "read again", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "cached anew", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 0},
		}},
		{"a failure here is seen at once", ttl, []step{
			{name: "clean", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "fail 1", do: "fail", keys: []Key{id, ip}, cnt: []int{1, 1}},
			{name: "sees 1", do: "check", keys: []Key{id, ip}, cnt: []int{1, 1}, read: 2},
			{name: "not cached with failures", do: "check", keys: []Key{id, ip}, cnt: []int{1, 1}, read: 2},
			{name: "fail 2", do: "fail", keys: []Key{id, ip}, wait: time.Second, cnt: []int{2, 2}},
			{name: "delayed", do: "check", keys: []Key{id, ip}, wait: time.Second, cnt: []int{2, 2}, read: 2},
			{name: "frozen wall clock, cache clock runs", do: "mono", by: time.Hour},
			{name: "still delayed", do: "check", keys: []Key{id, ip}, wait: time.Second, cnt: []int{2, 2}, read: 2},
			{name: "delay over", do: "wall", by: time.Second},
			{name: "not delayed", do: "check", keys: []Key{id, ip}, cnt: []int{2, 2}, read: 2},
		}},
		{"a failure under one key forgets only it", ttl, []step{
			{name: "clean", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "fail other", do: "fail", keys: []Key{other}, cnt: []int{1}},
			{name: "still cached", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 0},
		}},
		{"reset clears", ttl, []step{
			{name: "fail 1", do: "fail", keys: []Key{id, ip}, cnt: []int{1, 1}},
			{name: "fail 2", do: "fail", keys: []Key{id, ip}, wait: time.Second, cnt: []int{2, 2}},
			{name: "delayed", do: "check", keys: []Key{id}, wait: time.Second, cnt: []int{2}, read: 1},
			{name: "reset", do: "reset", keys: []Key{id}},
			{name: "id clean without a read", do: "check", keys: []Key{id}, cnt: []int{0}, read: 0},
			{name: "ip still counts", do: "check", keys: []Key{id, ip}, wait: time.Second, cnt: []int{0, 2}, read: 1},
		}},
		{"counters running out are seen", ttl, []step{
			{name: "fail", do: "fail", keys: []Key{id}, cnt: []int{1}},
			{name: "counted", do: "check", keys: []Key{id}, cnt: []int{1}, read: 1},
			{name: "window over", do: "wall", by: time.Hour},
			{name: "forgotten", do: "check", keys: []Key{id}, cnt: []int{0}, read: 1},
			{name: "and cached", do: "check", keys: []Key{id}, cnt: []int{0}, read: 0},
		}},
		{"another replica's failures are seen within ttl", ttl, []step{
			{name: "clean", do: "check", keys: []Key{id}, cnt: []int{0}, read: 1},
			{name: "3 failures elsewhere", do: "remote", keys: []Key{id, id, id}},
			{name: "stale", do: "check", keys: []Key{id}, cnt: []int{0}, read: 0},
			{name: "ttl over", do: "mono", by: ttl},
			{name: "seen", do: "check", keys: []Key{id}, wait: 2 * time.Second, cnt: []int{3}, read: 1},
		}},
		{"a failure here after another replica's is counted on the shared counter", ttl, []step{
			{name: "clean", do: "check", keys: []Key{id}, cnt: []int{0}, read: 1},
			{name: "3 failures elsewhere", do: "remote", keys: []Key{id, id, id}},
			{name: "stale: one attempt passes", do: "check", keys: []Key{id}, cnt: []int{0}, read: 0},
			{name: "it fails", do: "fail", keys: []Key{id}, wait: 4 * time.Second, cnt: []int{4}},
			{name: "the next is refused", do: "check", keys: []Key{id}, wait: 4 * time.Second, cnt: []int{4}, read: 1},
		}},
		{"ttl 0 reads every time", 0, []step{
			{name: "first", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "again", do: "check", keys: []Key{id, ip}, cnt: []int{0, 0}, read: 2},
			{name: "failure elsewhere", do: "remote", keys: []Key{id}},
			{name: "seen at once", do: "check", keys: []Key{id, ip}, cnt: []int{1, 0}, read: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, m, mono, wall := newCached(t, tt.ttl, 0)
			for _, s := range tt.steps {
				var st Status
				var err error
				switch s.do {
				case "check":
					st, err = l.Check(ctx, s.keys...)
				case "fail":
					st, err = l.Fail(ctx, s.keys...)
				case "reset":
					for _, k := range s.keys {
						if err = l.Reset(ctx, k); err != nil {
							break
						}
					}
				case "mono":
					mono.ns += int64(s.by)
				case "wall":
					wall.advance(s.by)
				case "remote":
					for _, k := range s.keys {
						if _, err = m.RecordFailure(ctx, k.name, wall.now(), clientRule.keep()); err != nil {
							break
						}
					}
				default:
					t.Fatalf("unknown step %q", s.do)
				}
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				if reads, _ := m.counted(); reads != s.read {
					t.Errorf("%s: read %d keys from the store, want %d", s.name, reads, s.read)
				}
				if s.do != "check" && s.do != "fail" {
					continue
				}
				if st.Wait != s.wait || fmt.Sprint(st.Counts) != fmt.Sprint(s.cnt) {
					t.Errorf("%s: wait %v, counts %v; want %v, %v", s.name, st.Wait, st.Counts, s.wait, s.cnt)
				}
			}
		})
	}
}

// TestCacheFailError: a Fail whose store write fails forgets the key all
// the same, since the failure may have been stored.
func TestCacheFailError(t *testing.T) {
	ctx := t.Context()
	l, m, _, _ := newCached(t, time.Second, 0)
	id := ClientKey("svc")
	if _, err := l.Check(ctx, id); err != nil {
		t.Fatal(err)
	}
	m.failOn = id.name
	if _, err := l.Fail(ctx, id); err == nil {
		t.Fatal("Fail on a failing store: no error")
	}
	m.counted()
	if _, err := l.Check(ctx, id); err != nil {
		t.Fatal(err)
	}
	if reads, _ := m.counted(); reads != 1 {
		t.Errorf("Check after a failed Fail read %d keys, want 1", reads)
	}
}

// TestCacheRaces: a Check or Reset that read or reset a key in the store
// before a concurrent Fail stored its failure must not remember the key
// clean after that Fail forgot it, or the failure would go unseen here
// for the ttl. The store's hook runs the Fail between the store operation
// and the limiter's use of its result.
func TestCacheRaces(t *testing.T) {
	ctx := t.Context()
	id := ClientKey("svc")
	tests := []struct {
		name string
		hook func(m *memStore, f func())
		op   func(l *Limiter) error
	}{
		{"check", func(m *memStore, f func()) { m.afterRead = f }, func(l *Limiter) error {
			st, err := l.Check(ctx, id)
			if err == nil && st.Counts[0] != 0 {
				t.Errorf("the racing read saw %v, want the counter before the failure", st.Counts)
			}
			return err
		}},
		{"reset", func(m *memStore, f func()) { m.afterReset = f }, func(l *Limiter) error { return l.Reset(ctx, id) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, m, _, _ := newCached(t, time.Second, 0)
			tt.hook(m, func() {
				tt.hook(m, nil)
				if _, err := l.Fail(ctx, id); err != nil {
					t.Error(err)
				}
			})
			if err := tt.op(l); err != nil {
				t.Fatal(err)
			}
			st, err := l.Check(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Counts[0] != 1 {
				t.Errorf("Check after the racing Fail: counts %v, want [1]", st.Counts)
			}
		})
	}
}

// TestCacheBound: a flood of new keys never makes the cache hold more
// than its size, whether or not the clean keys it holds have expired.
func TestCacheBound(t *testing.T) {
	ctx := t.Context()
	for _, size := range []int{cacheShards, 64, 1000} {
		for _, step := range []time.Duration{0, time.Millisecond} {
			t.Run(fmt.Sprint(size, "/", step), func(t *testing.T) {
				l, _, mono, _ := newCached(t, 100*time.Millisecond, size)
				most := 0
				for i := range 20 * size {
					mono.ns += int64(step)
					if _, err := l.Check(ctx, ClientKey(fmt.Sprint("flood-", i))); err != nil {
						t.Fatal(err)
					}
					most = max(most, l.cache.size())
				}
				if most > size {
					t.Errorf("cache held %d keys, more than its size %d", most, size)
				}
				if most < size/2 {
					t.Errorf("cache held at most %d keys of %d: it evicts too eagerly", most, size)
				}
			})
		}
	}
}

// TestCacheConcurrent runs Checks, Fails and Resets on a few keys at once
// (for the race detector) and then checks that what the limiter reports
// from its cache agrees with the store for every key.
func TestCacheConcurrent(t *testing.T) {
	ctx := t.Context()
	l, m, _, _ := newCached(t, time.Hour, 0)
	keys := []Key{ClientKey("a"), ClientKey("b"), ClientKey("c"), ClientIPKey(netip.MustParseAddr("192.0.2.1"))}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				k := keys[(g+i)%len(keys)]
				var err error
				switch (g * i) % 5 {
				case 0:
					_, err = l.Fail(ctx, k, keys[3])
				case 1:
					err = l.Reset(ctx, k)
				default:
					_, err = l.Check(ctx, k, keys[3])
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		st, err := l.Check(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := m.GetFailures(ctx, l.o.Now(), k.name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Counts[0] != fs[0].Count {
			t.Errorf("%s: limiter reports %d failures, store holds %d", k.name, st.Counts[0], fs[0].Count)
		}
	}
}

// TestCacheHotPathAllocs: a Check of cached clean keys allocates only the
// Counts it returns.
func TestCacheHotPathAllocs(t *testing.T) {
	ctx := t.Context()
	l, _, _, _ := newCached(t, time.Second, 0)
	keys := []Key{ClientKey("svc"), ClientIPKey(netip.MustParseAddr("192.0.2.1"))}
	if _, err := l.Check(ctx, keys...); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { l.Check(ctx, keys...) }); n > 1 {
		t.Errorf("Check of cached keys: %v allocations, want at most 1", n)
	}
}

func BenchmarkCheckCached(b *testing.B) {
	ctx := b.Context()
	m := newMemStore()
	keys := []Key{ClientKey("svc"), ClientIPKey(netip.MustParseAddr("192.0.2.1"))}
	for _, ttl := range []time.Duration{0, time.Second} {
		b.Run(fmt.Sprint("ttl=", ttl), func(b *testing.B) {
			l := New(Options{Store: m, Rules: Rules{Client: clientRule, ClientIP: clientRule}, CacheTTL: ttl})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Check(ctx, keys...); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

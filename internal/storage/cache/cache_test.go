package cache_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/cache"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

// migrator is a backend as the server opens it.
type migrator interface {
	storage.Store
	Migrate(ctx context.Context) error
}

// backend opens handles on one fresh database: the first is cached, the
// others play other processes (a replica, the CLI).
type backend struct {
	name string
	open func(t *testing.T) func(t *testing.T) migrator
}

var backends = []backend{
	{"sqlite", func(t *testing.T) func(t *testing.T) migrator {
		path := filepath.Join(t.TempDir(), "g.db")
		return func(t *testing.T) migrator {
			s, err := sqlite.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
	{"postgres", func(t *testing.T) func(t *testing.T) migrator {
		url := pgtest.NewDatabase(t)
		return func(t *testing.T) migrator {
			s, err := postgres.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
}

// clock is a settable clock for the TTL.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a cached store and a second, uncached handle on its database.
type env struct {
	cached    *cache.Store
	other     storage.Store
	clock     *clock
	listening chan struct{} // closed when the listener first listens
}

// readySource tells when the listener first calls flush: it listens.
type readySource struct {
	cache.Source
	once  sync.Once
	ready chan struct{}
}

func (r *readySource) Listen(ctx context.Context, invalidate func(string), flush func(error)) {
	r.Source.Listen(ctx, invalidate, func(reason error) {
		flush(reason)
		r.once.Do(func() { close(r.ready) })
	})
}

func newEnv(t *testing.T, b backend, listen bool) env {
	t.Helper()
	open := b.open(t)
	inner, other := open(t), open(t)
	if err := inner.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	opt := cache.Options{Now: clk.Now}
	ready := make(chan struct{})
	if src, ok := inner.(cache.Source); ok && listen {
		opt.Source = &readySource{Source: src, ready: ready}
	}
	c := cache.New(inner, opt)
	t.Cleanup(func() { c.Close() })
	return env{cached: c, other: other, clock: clk, listening: ready}
}

func newClient(id string, redirect string) storage.Client {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return storage.Client{ID: id, Name: "App " + id, Type: storage.ClientSPA,
		RedirectURIs: []string{redirect}, Scopes: []string{}, CreatedAt: at, UpdatedAt: at}
}

func redirectOf(t *testing.T, s storage.Store, id string) string {
	t.Helper()
	c, err := s.GetClient(t.Context(), id)
	if err != nil {
		t.Fatalf("get client %s: %v", id, err)
	}
	return c.RedirectURIs[0]
}

// TestTTLBoundsOtherWriters: without notifications (SQLite, or a lost
// PostgreSQL listener) another process's change is served stale until the
// TTL runs out, and not after.
func TestTTLBoundsOtherWriters(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b, false)
			ctx := t.Context()
			c := newClient("c1", "https://app.example/one")
			if err := e.other.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/one" {
				t.Fatalf("first read: %s", got)
			}
			c.RedirectURIs = []string{"https://app.example/two"}
			if err := e.other.UpdateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(cache.DefaultTTL - time.Millisecond)
			if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/one" {
				t.Fatalf("within the TTL the cache read the database again (got %s): it caches nothing", got)
			}
			e.clock.Advance(time.Millisecond)
			if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/two" {
				t.Fatalf("at the TTL the cache still serves %s", got)
			}
		})
	}
}

// TestOwnWritesSeenAtOnce: every write through the wrapper drops the
// record, and a missing record is never cached.
func TestOwnWritesSeenAtOnce(t *testing.T) {
	tests := []struct {
		name  string
		write func(ctx context.Context, s storage.Store) error
		want  string // redirect URI read next; "" for not found
	}{
		{"update", func(ctx context.Context, s storage.Store) error {
			return s.UpdateClient(ctx, newClient("c1", "https://app.example/updated"))
		}, "https://app.example/updated"},
		{"delete", func(ctx context.Context, s storage.Store) error {
			return s.DeleteClient(ctx, "c1")
		}, ""},
	}
	for _, b := range backends {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, b, false)
				ctx := t.Context()
				if _, err := e.cached.GetClient(ctx, "c1"); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("unknown client: %v, want ErrNotFound", err)
				}
				// Created elsewhere right after a miss: seen at once.
				if err := e.other.CreateClient(ctx, newClient("c1", "https://app.example/one")); err != nil {
					t.Fatal(err)
				}
				if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/one" {
					t.Fatalf("after a miss: %s", got)
				}
				if err := tt.write(ctx, e.cached); err != nil {
					t.Fatal(err)
				}
				c, err := e.cached.GetClient(ctx, "c1")
				switch {
				case tt.want == "" && !errors.Is(err, storage.ErrNotFound):
					t.Errorf("after %s: %v %v, want ErrNotFound", tt.name, c.RedirectURIs, err)
				case tt.want != "" && (err != nil || c.RedirectURIs[0] != tt.want):
					t.Errorf("after %s: %v %v, want %s", tt.name, c.RedirectURIs, err, tt.want)
				}
			})
		}
	}
}

// TestNotificationsReachOtherReplicas: on PostgreSQL a change committed by
// another process is seen without waiting for the TTL (the clock stands
// still here, so only the notification can make the cache reread).
func TestNotificationsReachOtherReplicas(t *testing.T) {
	e := newEnv(t, backends[1], true)
	ctx := t.Context()
	keys := make(chan string, 16)
	e.cached.Subscribe(func(k string) { keys <- k })
	<-e.listening
	c := newClient("c1", "https://app.example/one")
	if err := e.other.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	waitKey(t, keys, "client:c1")
	if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/one" {
		t.Fatalf("first read: %s", got)
	}
	c.RedirectURIs = []string{"https://app.example/two"}
	if err := e.other.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	waitKey(t, keys, "client:c1")
	if got := redirectOf(t, e.cached, "c1"); got != "https://app.example/two" {
		t.Errorf("after the notification the cache serves %s", got)
	}
	if err := e.other.CreateSigningKey(ctx, storage.SigningKey{ID: "k1", Alg: "ES256", PublicJWK: []byte("{}"),
		PrivateKey: []byte("x"), CreatedAt: time.Now(), ActivatesAt: time.Now(), NotAfter: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	waitKey(t, keys, cache.KeyKeys)
}

// waitKey waits (up to 10 s, a hang guard rather than a bound) until the
// cache announces key.
func waitKey(t *testing.T, keys <-chan string, key string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case k := <-keys:
			if k == key {
				return
			}
		case <-deadline:
			t.Fatalf("no invalidation %q arrived", key)
		}
	}
}

// racingStore invalidates in the middle of a read, as a notification
// arriving while GetClient waits for the database would.
type racingStore struct {
	storage.Store
	during func()
}

func (r *racingStore) GetClient(ctx context.Context, id string) (storage.Client, error) {
	c, err := r.Store.GetClient(ctx, id)
	if r.during != nil {
		r.during()
	}
	return c, err
}

// TestReadRacingInvalidationIsNotKept: a value read before an
// invalidation may be stale, so it is returned but not cached.
func TestReadRacingInvalidationIsNotKept(t *testing.T) {
	open := backends[0].open(t)
	inner, other := open(t), open(t)
	if err := inner.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := t.Context()
	racing := &racingStore{Store: inner}
	c := cache.New(racing, cache.Options{})
	defer c.Close()
	cl := newClient("c1", "https://app.example/one")
	if err := other.CreateClient(ctx, cl); err != nil {
		t.Fatal(err)
	}
	cl.RedirectURIs = []string{"https://app.example/two"}
	racing.during = func() {
		racing.during = nil
		if err := other.UpdateClient(ctx, cl); err != nil {
			t.Error(err)
		}
		c.Invalidate("client:c1")
	}
	if got := redirectOf(t, c, "c1"); got != "https://app.example/one" {
		t.Fatalf("racing read: %s", got)
	}
	if got := redirectOf(t, c, "c1"); got != "https://app.example/two" {
		t.Errorf("the read that raced the invalidation was cached: %s", got)
	}
}

// TestCallersCannotChangeTheCache: records are copied out.
func TestCallersCannotChangeTheCache(t *testing.T) {
	e := newEnv(t, backends[0], false)
	ctx := t.Context()
	if err := e.other.CreateClient(ctx, newClient("c1", "https://app.example/one")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c, err := e.cached.GetClient(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if c.RedirectURIs[0] != "https://app.example/one" {
			t.Fatalf("a caller's change reached the cache: %s", c.RedirectURIs[0])
		}
		c.RedirectURIs[0] = "https://evil.example/"
	}
}

// fakeSource lets a test deliver invalidations and flushes.
type fakeSource struct {
	ready chan func(key string, flush error)
}

func (f *fakeSource) Listen(ctx context.Context, invalidate func(string), flush func(error)) {
	f.ready <- func(key string, reason error) {
		if key != "" {
			invalidate(key)
		} else {
			flush(reason)
		}
	}
	<-ctx.Done()
}

// TestFlushDropsEverything: a listener that lost its connection makes the
// cache forget every record (it may have missed their notifications).
func TestFlushDropsEverything(t *testing.T) {
	open := backends[0].open(t)
	inner, other := open(t), open(t)
	if err := inner.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := t.Context()
	src := &fakeSource{ready: make(chan func(string, error), 1)}
	c := cache.New(inner, cache.Options{Source: src, Now: func() time.Time { return time.Unix(0, 0) }})
	defer c.Close()
	deliver := <-src.ready
	for _, id := range []string{"a", "b"} {
		if err := other.CreateClient(ctx, newClient(id, "https://app.example/one")); err != nil {
			t.Fatal(err)
		}
		redirectOf(t, c, id)
		if err := other.UpdateClient(ctx, newClient(id, "https://app.example/two")); err != nil {
			t.Fatal(err)
		}
	}
	deliver("client:a", nil)
	if got := redirectOf(t, c, "b"); got != "https://app.example/one" {
		t.Fatalf("invalidating a dropped b too: %s", got)
	}
	if got := redirectOf(t, c, "a"); got != "https://app.example/two" {
		t.Fatalf("invalidated a still served: %s", got)
	}
	deliver("", errors.New("connection lost"))
	if got := redirectOf(t, c, "b"); got != "https://app.example/two" {
		t.Errorf("after a flush b is still served from memory: %s", got)
	}
}

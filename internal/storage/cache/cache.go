package cache

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// DefaultTTL is how long a record read from the database is served from
// memory at most: the bound on how stale a replica can be.
const DefaultTTL = 5 * time.Second

// Invalidation keys beyond "client:<id>" and "api:<id>".
const (
	KeyAll  = "all"  // forget everything
	KeyKeys = "keys" // signing keys changed
)

// Source delivers the invalidations other processes publish.
// postgres.Store implements it with LISTEN/NOTIFY.
type Source interface {
	// Listen calls invalidate with each key changed elsewhere, and flush
	// whenever notifications may have been missed (reason nil when the
	// listening (re)starts), until ctx ends.
	Listen(ctx context.Context, invalidate func(key string), flush func(reason error))
}

// Options tune a Store; zero values take the defaults.
type Options struct {
	TTL    time.Duration    // DefaultTTL when zero
	Source Source           // nil: only the TTL bounds staleness
	Now    func() time.Time // time.Now when nil
	Log    *slog.Logger     // nil discards
}

// Store is a storage.Store that serves GetClient and GetAPI from memory.
// Every other method goes straight to the wrapped store.
type Store struct {
	storage.Store
	ttl time.Duration
	now func() time.Time
	log *slog.Logger

	mu      sync.RWMutex
	gen     uint64 // bumped by every invalidation: a read that raced one is not kept
	clients map[string]entry[storage.Client]
	apis    map[string]entry[storage.API]

	hooksMu sync.Mutex
	hooks   []func(key string)

	cancel context.CancelFunc
	done   chan struct{}
}

type entry[T any] struct {
	v  T
	at time.Time
}

// New wraps inner. With a Source it listens until Close.
func New(inner storage.Store, opt Options) *Store {
	s := &Store{
		Store: inner, ttl: opt.TTL, now: opt.Now, log: opt.Log,
		clients: map[string]entry[storage.Client]{}, apis: map[string]entry[storage.API]{},
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if opt.Source != nil {
		ctx, cancel := context.WithCancel(context.Background())
		s.cancel, s.done = cancel, make(chan struct{})
		go func() {
			defer close(s.done)
			opt.Source.Listen(ctx, s.Invalidate, s.flush)
		}()
	}
	return s
}

// Close stops listening, then closes the wrapped store.
func (s *Store) Close() error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	return s.Store.Close()
}

// Subscribe registers fn to be called after each invalidation with its key
// (KeyAll when everything was dropped), for caches kept elsewhere such as
// the signing-key ring. fn must not block.
func (s *Store) Subscribe(fn func(key string)) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// Invalidate drops what key names; unknown keys drop everything.
func (s *Store) Invalidate(key string) {
	kind, id, _ := strings.Cut(key, ":")
	s.mu.Lock()
	s.gen++
	switch kind {
	case "client":
		delete(s.clients, id)
	case "api":
		delete(s.apis, id)
	case KeyKeys:
	default:
		key = KeyAll
		clear(s.clients)
		clear(s.apis)
	}
	s.mu.Unlock()
	s.notify(key)
}

// flush drops everything: notifications may have been lost.
func (s *Store) flush(reason error) {
	if reason != nil {
		s.log.Warn("cache flushed", "error", reason)
	}
	s.Invalidate(KeyAll)
}

func (s *Store) notify(key string) {
	s.hooksMu.Lock()
	hooks := s.hooks
	s.hooksMu.Unlock()
	for _, fn := range hooks {
		fn(key)
	}
}

// lookup returns the fresh entry of m for id, or the generation to store
// a fresh read under.
func lookup[T any](s *Store, m map[string]entry[T], id string) (T, bool, uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := m[id]
	if age := s.now().Sub(e.at); ok && age >= 0 && age < s.ttl {
		return e.v, true, s.gen
	}
	var zero T
	return zero, false, s.gen
}

// keep stores v read at generation gen, unless an invalidation came since.
func keep[T any](s *Store, m map[string]entry[T], id string, v T, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == gen {
		m[id] = entry[T]{v: v, at: s.now()}
	}
}

// GetClient serves the client from memory when it was read less than the
// TTL ago and nothing invalidated it since.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	c, ok, gen := lookup(s, s.clients, id)
	if ok && !readThrough(ctx) {
		return cloneClient(c), nil
	}
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return c, err
	}
	keep(s, s.clients, id, cloneClient(c), gen)
	return c, nil
}

// GetAPI is GetClient for APIs.
func (s *Store) GetAPI(ctx context.Context, id string) (storage.API, error) {
	a, ok, gen := lookup(s, s.apis, id)
	if ok && !readThrough(ctx) {
		return cloneAPI(a), nil
	}
	a, err := s.Store.GetAPI(ctx, id)
	if err != nil {
		return a, err
	}
	keep(s, s.apis, id, cloneAPI(a), gen)
	return a, nil
}

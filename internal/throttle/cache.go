package throttle

import (
	"hash/maphash"
	"sync"
	"time"
)

// DefaultCacheTTL is the CacheTTL the server runs with unless configured
// otherwise: how long a key read clean from the store is trusted without
// reading it again.
const DefaultCacheTTL = time.Second

// DefaultCacheSize is the most keys a Limiter remembers as clean unless
// Options.CacheSize says otherwise.
const DefaultCacheSize = 100_000

// cacheShards is the number of independently locked parts of the cache; a
// power of two.
const cacheShards = 16

// cleanCache remembers which keys this process recently knew to have no
// failures, so that Check need not read the store for them: almost every
// attempt is made under clean keys, and reading them was most of what
// throttling cost.
//
// Only clean keys are remembered. A key with failures is read from the
// store on every Check, so every delay and lock is decided on the shared
// counters as before, and a counter running out is seen as before.
//
// Within this process the cache is exact. Fail forgets a key once its
// failure is stored, so the next Check reads the store again; Reset
// remembers the key clean once the store has forgotten it. A shard's
// generation, bumped by every Fail under its lock, keeps a Check or Reset
// that read or wrote the store before a Fail's failure was stored from
// remembering the key clean after that Fail forgot it.
//
// Across replicas a clean key is trusted for at most ttl after the read
// that found it clean began, on the monotonic clock (not Options.Now,
// which tests fake and may freeze). A failure counted on another replica
// within that time is not seen here until then, or until an attempt here
// fails: Fail stores this replica's failure on the shared counter, so it
// counts, and forgets the key, so the next attempt here is checked
// against the shared count. An attacker thus gains at most the attempts
// that pass this replica's check before its first failure there is stored
// and within ttl, one per replica for sequential guesses at a client or
// for any guesses at one account (Serialize), as a burst already may.
type cleanCache struct {
	ttl      int64 // nanoseconds
	perShard int
	seed     maphash.Seed
	// mono is the monotonic time in nanoseconds since some fixed point;
	// tests replace it.
	mono   func() int64
	shards [cacheShards]cacheShard
}

// cacheShard is one part of the cache with its own lock.
type cacheShard struct {
	mu sync.RWMutex
	// gen counts the Fails that forgot a key of this shard.
	gen uint64
	// clean maps a key's name to the monotonic time at which it is no
	// longer trusted to be clean.
	clean map[string]int64
}

// newCleanCache returns a cache that trusts clean keys for ttl and holds
// about size of them at most, or nil (no caching) for ttl <= 0.
func newCleanCache(ttl time.Duration, size int) *cleanCache {
	if ttl <= 0 {
		return nil
	}
	if size <= 0 {
		size = DefaultCacheSize
	}
	start := time.Now()
	c := &cleanCache{
		ttl:      int64(ttl),
		perShard: max(1, size/cacheShards),
		seed:     maphash.MakeSeed(),
		mono:     func() int64 { return int64(time.Since(start)) },
	}
	for i := range c.shards {
		c.shards[i].clean = map[string]int64{}
	}
	return c
}

func (c *cleanCache) shard(name string) *cacheShard {
	return &c.shards[maphash.String(c.seed, name)&(cacheShards-1)]
}

// isClean reports whether name is known clean at monotonic time now, and
// the generation of its shard, to hand to remember after reading the
// store.
func (c *cleanCache) isClean(name string, now int64) (bool, uint64) {
	s := c.shard(name)
	s.mu.RLock()
	until, ok := s.clean[name]
	gen := s.gen
	s.mu.RUnlock()
	return ok && now < until, gen
}

// remember records name as clean as of monotonic time since, unless a Fail
// forgot a key of its shard after gen was taken: that Fail's failure may
// have been stored after the store was read.
func (c *cleanCache) remember(name string, gen uint64, since int64) {
	s := c.shard(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	if _, ok := s.clean[name]; !ok && len(s.clean) >= c.perShard {
		s.evict(c.mono(), c.perShard)
	}
	s.clean[name] = since + c.ttl
}

// forget drops name, after a failure under it was stored (or may have
// been).
func (c *cleanCache) forget(name string) {
	s := c.shard(name)
	s.mu.Lock()
	s.gen++
	delete(s.clean, name)
	s.mu.Unlock()
}

// evict makes room in a full shard: it drops the expired keys, and all of
// them if more than three quarters of limit would stay, so that a flood of
// new keys costs a sweep only every limit/4 of them. Dropping a key only
// costs a store read. The caller holds the lock.
func (s *cacheShard) evict(now int64, limit int) {
	for name, until := range s.clean {
		if now >= until {
			delete(s.clean, name)
		}
	}
	if len(s.clean) > limit*3/4 {
		clear(s.clean)
	}
}

// size is the number of keys remembered.
func (c *cleanCache) size() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.clean)
		s.mu.RUnlock()
	}
	return n
}

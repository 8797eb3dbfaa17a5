package token

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// verifiedCap bounds the verified-token cache; at a few hundred bytes an
// entry it stays well under a few megabytes.
const verifiedCap = 8192

// verifiedCache remembers access tokens whose signature and claims were
// checked, by the SHA-256 of the exact token string, until they expire.
// Resource servers introspect, and apps call userinfo with, the same token
// again and again; an ECDSA verification is the largest cost of those
// requests (BENCHMARKS.md). A hit proves the same bytes were verified
// before, so it is as strong as verifying again while the token is
// unexpired; revocation is not the cache's business (callers check the
// store after verifying).
type verifiedCache struct {
	mu      sync.RWMutex
	entries map[[sha256.Size]byte]AccessClaims
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{entries: make(map[[sha256.Size]byte]AccessClaims)}
}

// get returns the claims of raw when it was verified and is unexpired at
// now (with the same leeway as a full check).
func (c *verifiedCache) get(raw string, now time.Time) (AccessClaims, bool) {
	key := sha256.Sum256([]byte(raw))
	c.mu.RLock()
	claims, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || !now.Before(claims.ExpiresAt.Add(leeway)) {
		return AccessClaims{}, false
	}
	return claims.clone(), true
}

// put remembers verified claims. When the cache is full it first drops the
// expired entries, then, if still full, an arbitrary one.
func (c *verifiedCache) put(raw string, claims AccessClaims, now time.Time) {
	key := sha256.Sum256([]byte(raw))
	claims = claims.clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= verifiedCap {
		for k, e := range c.entries {
			if !now.Before(e.ExpiresAt.Add(leeway)) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < verifiedCap {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = claims
}

func (c *verifiedCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// clone copies the slices, so callers cannot change a cached entry.
func (a AccessClaims) clone() AccessClaims {
	a.Audience = slices.Clone(a.Audience)
	a.Scopes = slices.Clone(a.Scopes)
	return a
}

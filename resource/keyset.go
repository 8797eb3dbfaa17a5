package resource

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// How long a fetched JWK set is used: the response's Cache-Control
// max-age, kept within these bounds, or the default without one.
const (
	defaultKeysTTL = 5 * time.Minute
	minKeysTTL     = time.Minute
	maxKeysTTL     = 12 * time.Hour
)

// keySet is the issuer's JWK set, cached. It is fetched again when it
// expires, or when a token names a key it does not hold, but never twice
// within minGap, so that tokens with made-up key IDs cannot make the API
// hammer the issuer. Callers that need a fetch while one is running wait
// for it instead of starting their own.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time
	minGap time.Duration
	log    *slog.Logger

	mu        sync.Mutex
	loaded    bool // keys holds a set fetched at some point
	keys      []jose.JSONWebKey
	expires   time.Time
	lastFetch time.Time // when the last fetch started, whatever its result
	lastErr   error     // the last fetch's failure, nil after a success
	inflight  *keyFetch
}

// keyFetch is one fetch that any number of callers may wait for.
type keyFetch struct {
	done chan struct{}
	err  error
}

// lookup returns the keys that may have signed a token with this kid and
// alg: a token without kid may have been signed by any key of the right
// type. When none fits it returns an ErrInvalidToken error, unless the set
// could not be fetched, which is not the token's fault.
func (s *keySet) lookup(ctx context.Context, kid, alg string) ([]jose.JSONWebKey, error) {
	s.mu.Lock()
	now := s.now()
	found := matchKeys(s.keys, kid, alg)
	stale := !s.loaded || !now.Before(s.expires)
	unknown := len(found) == 0 && kid != ""
	if !stale && !unknown {
		s.mu.Unlock()
		return pick(found)
	}
	call := s.inflight
	if call == nil {
		if now.Sub(s.lastFetch) < s.minGap && !s.lastFetch.IsZero() {
			// Rate limited: decide with what is there, stale or not.
			lastErr := s.lastErr
			loaded := s.loaded
			s.mu.Unlock()
			if !loaded {
				return nil, fmt.Errorf("fetch jwks: %w", lastErr)
			}
			return pick(found)
		}
		call = s.start(ctx, now)
	}
	s.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	found = matchKeys(s.keys, kid, alg)
	loaded := s.loaded
	s.mu.Unlock()
	if call.err != nil && (!loaded || len(found) == 0) {
		// Stale keys serve while the issuer is unreachable, but a key
		// that is not among them may be one the issuer just added.
		return nil, fmt.Errorf("fetch jwks: %w", call.err)
	}
	return pick(found)
}

func pick(found []jose.JSONWebKey) ([]jose.JSONWebKey, error) {
	if len(found) == 0 {
		return nil, invalid("the access token is signed with an unknown key", nil)
	}
	return found, nil
}

// start begins a fetch in the background; s.mu is held. The fetch does
// not end when the caller's context does, since others may be waiting.
func (s *keySet) start(ctx context.Context, now time.Time) *keyFetch {
	call := &keyFetch{done: make(chan struct{})}
	s.inflight = call
	s.lastFetch = now
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultHTTPTimeout)
		defer cancel()
		keys, ttl, err := s.fetch(ctx)
		if err != nil {
			s.log.Warn("resource: cannot fetch the issuer's keys", "url", s.url, "err", err)
		}
		s.mu.Lock()
		if err == nil {
			s.loaded, s.keys, s.expires = true, keys, s.now().Add(ttl)
		}
		s.lastErr = err
		s.inflight = nil
		call.err = err
		s.mu.Unlock()
		close(call.done)
	}()
	return call
}

// fetch gets the JWK set (RFC 7517 §5). Keys this package cannot use
// (unknown types, private or symmetric keys, encryption keys) are skipped,
// so one odd key does not make the whole set unusable.
func (s *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, time.Duration, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	h, err := getJSON(ctx, s.client, s.url, "application/jwk-set+json, application/json", &doc)
	if err != nil {
		return nil, 0, err
	}
	if doc.Keys == nil {
		return nil, 0, fmt.Errorf("%s is not a JWK set", s.url)
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		keys = append(keys, k)
	}
	return keys, keysTTL(h.Get("Cache-Control")), nil
}

func isKeyType[T any](k any) bool {
	_, ok := k.(T)
	return ok
}

// matchKeys returns the keys that kid names (any, when empty) and that can
// verify alg: the key's own alg, when it has one, must be alg, and its type
// must fit (RFC 7517 §4.4, RFC 8725 §3.1).
func matchKeys(keys []jose.JSONWebKey, kid, alg string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range keys {
		if kid != "" && k.KeyID != kid || k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		var fits bool
		switch jose.SignatureAlgorithm(alg) {
		case jose.RS256, jose.PS256:
			fits = isKeyType[*rsa.PublicKey](k.Key)
		case jose.ES256:
			fits = isKeyType[*ecdsa.PublicKey](k.Key)
		case jose.EdDSA:
			fits = isKeyType[ed25519.PublicKey](k.Key)
		}
		if fits {
			out = append(out, k)
		}
	}
	return out
}

// keysTTL reads max-age from a Cache-Control header (RFC 9111 §5.2.2.1);
// no-store and no-cache mean the shortest time allowed.
func keysTTL(cacheControl string) time.Duration {
	ttl := defaultKeysTTL
	for _, d := range strings.Split(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return minKeysTTL
		case "max-age":
			if n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64); err == nil && n >= 0 {
				ttl = time.Duration(min(n, int64(maxKeysTTL/time.Second))) * time.Second
			}
		}
	}
	return min(max(ttl, minKeysTTL), maxKeysTTL)
}

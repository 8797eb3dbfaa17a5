package resource

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	defaultIntrospectionTTL = 30 * time.Second
	// maxCachedIntrospections bounds the cache's memory; only active
	// tokens are cached, so filling it takes that many valid tokens.
	maxCachedIntrospections = 10000
)

// introspector asks the issuer about tokens (RFC 7662) and remembers
// active answers for a short while.
type introspector struct {
	endpoint     string
	clientID     string
	clientSecret string
	ttl          time.Duration // 0: no cache
	always       bool
	client       *http.Client
	v            *Verifier

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedClaims
}

type cachedClaims struct {
	claims *Claims
	until  time.Time
}

func newIntrospector(cfg Introspection, endpoint string, client *http.Client, v *Verifier) *introspector {
	ttl := cfg.CacheTTL
	switch {
	case ttl == 0:
		ttl = defaultIntrospectionTTL
	case ttl < 0:
		ttl = 0
	}
	return &introspector{
		endpoint: endpoint, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret,
		ttl: ttl, always: cfg.Always, client: client, v: v,
		cache: map[[sha256.Size]byte]cachedClaims{},
	}
}

// verify introspects raw, or answers from the cache. The cache is keyed by
// the token's hash, so it holds no tokens.
func (in *introspector) verify(ctx context.Context, raw string) (*Claims, error) {
	key := sha256.Sum256([]byte(raw))
	now := in.v.now()
	in.mu.Lock()
	hit, ok := in.cache[key]
	in.mu.Unlock()
	if ok && now.Before(hit.until) {
		return hit.claims, nil
	}
	c, err := in.introspect(ctx, raw)
	if err != nil {
		return nil, err
	}
	in.remember(key, c, now)
	return c, nil
}

// introspect asks the endpoint (RFC 7662 §2.1) and checks the answer: the
// token must be active, a bearer access token if the type is given, from
// this issuer if iss is given, for this API, and within its times.
func (in *introspector) introspect(ctx context.Context, raw string) (*Claims, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultHTTPTimeout)
	defer cancel()
	form := url.Values{"token": {raw}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the credentials are form-encoded before they are
	// put in the Basic header.
	req.SetBasicAuth(url.QueryEscape(in.clientID), url.QueryEscape(in.clientSecret))
	var body json.RawMessage
	if _, err := doJSON(in.client, req, &body); err != nil {
		in.v.log.Warn("resource: token introspection failed", "endpoint", in.endpoint, "err", err)
		return nil, fmt.Errorf("introspect: %w", err)
	}
	set, rawClaims, err := parseClaimSet(body)
	if err != nil {
		return nil, fmt.Errorf("introspect: the response is not a JSON object: %w", err)
	}
	var active bool
	if err := set.decode("active", &active); err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	if !active {
		return nil, invalid("the access token is not active", nil)
	}
	c, err := set.claims(rawClaims)
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	nbf, err := set.time("nbf")
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	typ, err := set.str("token_type")
	if err != nil {
		return nil, fmt.Errorf("introspect: %w", err)
	}
	// A server may introspect refresh tokens too; token_type, when given,
	// says which kind this is (RFC 7662 §2.2, RFC 6749 §7.1).
	if typ != "" && !strings.EqualFold(typ, "bearer") && !strings.EqualFold(typ, "access_token") {
		return nil, invalid("the token is not a bearer access token", nil)
	}
	if c.Issuer != "" && c.Issuer != in.v.issuer {
		return nil, invalid("the access token is from another issuer", nil)
	}
	// aud is required here although RFC 7662 makes it optional: without
	// it the answer does not say the token is meant for this API, and a
	// refresh token (which Gatehouse describes without aud) would pass.
	if !slices.Contains(c.Audience, in.v.audience) {
		return nil, invalid("the access token is not for this audience", nil)
	}
	if err := in.v.checkTimes(in.v.now(), c.ExpiresAt, nbf, c.IssuedAt, false); err != nil {
		return nil, err
	}
	if c.Issuer == "" {
		c.Issuer = in.v.issuer
	}
	return c, nil
}

// remember caches an active answer until the cache TTL passes or the token
// expires, whichever is sooner.
func (in *introspector) remember(key [sha256.Size]byte, c *Claims, now time.Time) {
	if in.ttl == 0 {
		return
	}
	until := now.Add(in.ttl)
	if !c.ExpiresAt.IsZero() && c.ExpiresAt.Before(until) {
		until = c.ExpiresAt
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.cache) >= maxCachedIntrospections {
		for k, e := range in.cache {
			if !now.Before(e.until) {
				delete(in.cache, k)
			}
		}
		if len(in.cache) >= maxCachedIntrospections {
			return
		}
	}
	in.cache[key] = cachedClaims{claims: c, until: until}
}

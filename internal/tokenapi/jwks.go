package tokenapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
)

// Limits on fetching a client's jwks_uri. The URI is registered by an
// administrator, but the host behind it is the client's: it must never make
// a token request hang or fail with a 5xx, nor be made to receive a flood of
// requests by failing assertions.
const (
	jwksFetchTimeout = 5 * time.Second
	jwksMaxBytes     = 64 << 10
	jwksMaxRedirects = 3
	// jwksTTL is how long a fetched set is used before it is fetched again.
	jwksTTL = 5 * time.Minute
	// jwksMinRefetch is the least time between two fetches of one URI,
	// whether for an unknown kid or after a failure.
	jwksMinRefetch = 10 * time.Second
	// jwksMaxEntries bounds the cache; one entry per registered jwks_uri.
	jwksMaxEntries = 1024
)

// newJWKSClient returns the HTTP client for jwks_uri fetches: a total
// timeout, and redirects only to https (or loopback http, as registration
// allows for development).
func newJWKSClient() *http.Client {
	return &http.Client{
		Timeout: jwksFetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= jwksMaxRedirects {
				return errors.New("too many redirects")
			}
			// Redirects stay on https, even from a loopback http URI
			// registered for development: never into this host's own
			// plain-http services.
			if req.URL.Scheme != "https" || !oauth.JWKSURIAllowed(req.URL) {
				return fmt.Errorf("redirect to %s refused: https only", req.URL.Redacted())
			}
			return nil
		},
	}
}

// jwksCache keeps fetched client JWK sets by URI.
type jwksCache struct {
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*jwksEntry
}

// jwksEntry is one URI's set. Its mutex is held during a fetch, so
// concurrent requests for one URI wait for a single fetch.
type jwksEntry struct {
	mu        sync.Mutex
	set       jose.JSONWebKeySet
	fetchedAt time.Time // of the set; zero when none was ever fetched
	triedAt   time.Time // last fetch attempt
	err       error     // of the last attempt
}

func newJWKSCache(client *http.Client, now func() time.Time) *jwksCache {
	return &jwksCache{client: client, now: now, entries: map[string]*jwksEntry{}}
}

// get returns the set at uri, fetching it when there is none, when it is
// older than jwksTTL, or when refresh asks (an unknown kid) — but never
// more often than every jwksMinRefetch. When a refetch fails, a set that is
// not older than its TTL stays in use.
func (c *jwksCache) get(ctx context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error) {
	e := c.entry(uri)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	fresh := !e.fetchedAt.IsZero() && now.Sub(e.fetchedAt) < jwksTTL
	if fresh && !refresh {
		return e.set, nil
	}
	if !e.triedAt.IsZero() && now.Sub(e.triedAt) < jwksMinRefetch {
		if fresh {
			return e.set, nil
		}
		if e.err != nil {
			return jose.JSONWebKeySet{}, e.err
		}
	}
	e.triedAt = now
	set, err := c.fetch(ctx, uri)
	e.err = err
	if err != nil {
		if fresh {
			return e.set, nil
		}
		return jose.JSONWebKeySet{}, err
	}
	e.set, e.fetchedAt = set, now
	return set, nil
}

func (c *jwksCache) entry(uri string) *jwksEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[uri]; ok {
		return e
	}
	if len(c.entries) >= jwksMaxEntries {
		// Drop everything: entries are cheap to refetch, and a bound
		// matters more than which ones survive.
		c.entries = map[string]*jwksEntry{}
	}
	e := &jwksEntry{}
	c.entries[uri] = e
	return e
}

// fetch GETs and parses the set. It is detached from the request's
// cancellation, since waiting requests share its result, but bounded by
// the client's timeout.
func (c *jwksCache) fetch(ctx context.Context, uri string) (jose.JSONWebKeySet, error) {
	u, err := url.Parse(uri)
	if err != nil || !oauth.JWKSURIAllowed(u) {
		return jose.JSONWebKeySet{}, errors.New("jwks_uri is not an https URL")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("jwks_uri request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("fetch jwks_uri: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jose.JSONWebKeySet{}, fmt.Errorf("fetch jwks_uri: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes+1))
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("read jwks_uri: %w", err)
	}
	if len(body) > jwksMaxBytes {
		return jose.JSONWebKeySet{}, fmt.Errorf("jwks_uri document exceeds %d bytes", jwksMaxBytes)
	}
	set, err := oauth.ParseClientJWKS(body, false)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("jwks_uri document: %w", err)
	}
	return set, nil
}

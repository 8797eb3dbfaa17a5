package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVerifiedCache: a token verified once is answered from the cache with
// the same claims until it expires (then refused like any expired token);
// callers cannot change the cached entry; a tampered copy of a cached
// token is still refused.
func TestVerifiedCache(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := now
	s, _ := newService(t, func() time.Time { return clock })
	ctx := context.Background()
	m, err := s.MintAccessToken(ctx, AccessParams{Subject: "u1", ClientID: "c1", Audience: []string{issuer}, Scopes: []string{"a", "b"}, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.VerifyAccessToken(ctx, m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.verified.len() != 1 {
		t.Fatalf("%d cached entries after one verification, want 1", s.verified.len())
	}
	first.Scopes[0], first.Audience[0] = "admin", "elsewhere"
	again, err := s.VerifyAccessToken(ctx, m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if again.Scopes[0] != "a" || again.Audience[0] != issuer || again.ID != m.ID {
		t.Errorf("cached claims changed by a caller: %+v", again)
	}
	parts := strings.Split(m.Raw, ".")
	if _, err := s.VerifyAccessToken(ctx, parts[0]+"."+parts[1]+".AAAA"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad signature on a cached token's claims: err = %v, want ErrInvalid", err)
	}
	clock = now.Add(time.Minute + leeway - time.Second)
	if _, err := s.VerifyAccessToken(ctx, m.Raw); err != nil {
		t.Errorf("within the leeway: %v", err)
	}
	clock = now.Add(time.Minute + leeway + time.Second)
	if _, err := s.VerifyAccessToken(ctx, m.Raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("cached token past expiry and leeway: err = %v, want ErrInvalid", err)
	}
}

// TestVerifiedCacheBound: the cache never holds more than verifiedCap
// entries, and drops expired ones first when full.
func TestVerifiedCacheBound(t *testing.T) {
	c := newVerifiedCache()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range verifiedCap {
		exp := now.Add(time.Hour)
		if i%2 == 0 {
			exp = now.Add(-time.Hour) // expired
		}
		c.put(fmt.Sprint("tok", i), AccessClaims{ID: fmt.Sprint(i), ExpiresAt: exp}, now)
	}
	if c.len() != verifiedCap {
		t.Fatalf("%d entries, want %d", c.len(), verifiedCap)
	}
	c.put("new", AccessClaims{ID: "new", ExpiresAt: now.Add(time.Hour)}, now)
	if got := c.len(); got != verifiedCap/2+1 {
		t.Errorf("%d entries after a put into a full cache, want the %d unexpired + 1", got, verifiedCap/2)
	}
	if _, ok := c.get("tok1", now); !ok {
		t.Error("an unexpired entry was dropped while expired ones could go")
	}
	for i := range 2 * verifiedCap {
		c.put(fmt.Sprint("more", i), AccessClaims{ExpiresAt: now.Add(time.Hour)}, now)
	}
	if c.len() > verifiedCap {
		t.Errorf("%d entries, above the cap %d", c.len(), verifiedCap)
	}
}

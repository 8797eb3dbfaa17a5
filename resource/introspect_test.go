package resource_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// introspecting returns a Verifier that introspects opaque tokens with the
// issuer's endpoint from discovery.
func introspecting(is *issuer, edit func(*resource.Introspection)) *resource.Verifier {
	return is.verifier(func(c *resource.Config) {
		c.Introspection = &resource.Introspection{ClientID: introClientID, ClientSecret: introClientSecret}
		if edit != nil {
			edit(c.Introspection)
		}
	})
}

// TestIntrospection checks how introspection answers (RFC 7662 §2.2) are
// judged: only an active bearer access token for this API and issuer,
// within its times, passes; a misbehaving endpoint is not the token's
// fault.
func TestIntrospection(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := introspecting(is, func(in *resource.Introspection) { in.CacheTTL = -1 })
	exp := is.clock.Now().Add(time.Hour).Unix()
	active := func(extra string) string {
		return fmt.Sprintf(`{"active":true,"scope":"orders:read","client_id":"spa-1","sub":"user-1","aud":%q,"iss":%q,"exp":%d,"token_type":"Bearer"%s}`,
			audience, is.srv.URL, exp, extra)
	}
	for _, tc := range []struct {
		name    string
		answer  string
		why     string // in the error; "" when the token is valid
		invalid bool   // the error is ErrInvalidToken
	}{
		{"active", active(""), "", false},
		{"active, later members win", active(`,"token_type":"access_token","aud":["x",` + fmt.Sprintf("%q", audience) + `]`), "", false},
		{"inactive", `{"active":false}`, "not active", true},
		{"active missing", `{"sub":"user-1"}`, "not active", true},
		{"unknown token", "", "not active", true},
		{"a refresh token", active(`,"token_type":"refresh_token"`), "not a bearer access token", true},
		{"a DPoP-bound token", active(`,"token_type":"DPoP"`), "not a bearer access token", true},
		{"another audience", active(`,"aud":"https://other.example.com"`), "not for this audience", true},
		{"no audience", active(`,"aud":null`), "not for this audience", true},
		{"another issuer", active(`,"iss":"https://evil.example.com"`), "another issuer", true},
		{"expired", active(fmt.Sprintf(`,"exp":%d`, is.clock.Now().Add(-time.Minute).Unix())), "expired", true},
		{"not valid yet", active(fmt.Sprintf(`,"nbf":%d`, is.clock.Now().Add(time.Minute).Unix())), "not valid yet", true},
		{"active as a string", `{"active":"true"}`, "claim active", false},
		{"not an object", `[true]`, "not a JSON object", false},
		{"server error", "500", "500 Internal Server Error", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := "opaque-" + strings.ReplaceAll(tc.name, " ", "-")
			if tc.answer != "" {
				is.set(func(is *issuer) { is.introspected[tok] = tc.answer })
			}
			c, err := v.Verify(t.Context(), tok)
			if tc.why == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Subject != "user-1" || c.ClientID != "spa-1" || c.Issuer != is.srv.URL || !c.HasScope("orders:read") ||
					c.ExpiresAt.Unix() != exp || !slices.Contains(c.Audience, audience) || c.Raw["active"] != true {
					t.Errorf("claims %+v", c)
				}
				return
			}
			if err == nil || errors.Is(err, resource.ErrInvalidToken) != tc.invalid || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("Verify error %v; want one saying %q, invalid token %v", err, tc.why, tc.invalid)
			}
		})
	}
}

// TestIntrospectionCache: active answers are reused for CacheTTL but not
// past the token's exp; inactive ones are not cached.
func TestIntrospectionCache(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := introspecting(is, nil) // the default CacheTTL, 30 seconds
	now := is.clock.Now()
	answer := func(exp time.Time) string {
		return fmt.Sprintf(`{"active":true,"aud":%q,"exp":%d}`, audience, exp.Unix())
	}
	is.set(func(is *issuer) {
		is.introspected["long"] = answer(now.Add(time.Hour))
		is.introspected["short"] = answer(now.Add(10 * time.Second))
	})
	calls := func() int32 { return is.introspections.Load() }
	check := func(step, tok string, ok bool, want int32) {
		t.Helper()
		_, err := v.Verify(t.Context(), tok)
		if ok && err != nil || !ok && !errors.Is(err, resource.ErrInvalidToken) {
			t.Errorf("%s: Verify error %v, want ok=%v", step, err, ok)
		}
		if got := calls(); got != want {
			t.Errorf("%s: %d introspections, want %d", step, got, want)
		}
	}
	check("first use", "long", true, 1)
	check("cached", "long", true, 1)
	check("another token", "short", true, 2)
	check("inactive", "unknown", false, 3)
	check("inactive is not cached", "unknown", false, 4)
	is.clock.Advance(10 * time.Second)
	check("within the TTL", "long", true, 4)
	// The server now says what it says of an expired token.
	is.set(func(is *issuer) { is.introspected["short"] = `{"active":false}` })
	check("past the token's exp", "short", false, 5)
	is.clock.Advance(20 * time.Second)
	check("past the TTL", "long", true, 6)

	// Revoked after it was cached: accepted until the entry expires.
	is.set(func(is *issuer) { is.introspected["long"] = `{"active":false}` })
	check("revoked, still cached", "long", true, 6)
	is.clock.Advance(30 * time.Second)
	check("revoked, asked again", "long", false, 7)
}

// TestIntrospectionAlways: with Always, JWTs are introspected too, and the
// JWK set is never fetched; with an explicit endpoint, no discovery.
func TestIntrospectionAlways(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := is.verifier(func(c *resource.Config) {
		c.JWKSURL = is.srv.URL + "/jwks"
		c.Introspection = &resource.Introspection{Endpoint: is.srv.URL + "/introspect", ClientID: introClientID, ClientSecret: introClientSecret, Always: true}
	})
	tok := is.token(nil)
	is.set(func(is *issuer) {
		is.introspected[tok] = fmt.Sprintf(`{"active":true,"aud":%q,"sub":"user-9"}`, audience)
	})
	c, err := v.Verify(t.Context(), tok)
	if err != nil || c.Subject != "user-9" || c.Issuer != is.srv.URL || !c.ExpiresAt.IsZero() {
		t.Fatalf("Verify = %+v, %v; want the introspected claims", c, err)
	}
	if is.introspections.Load() != 1 || is.jwksFetches.Load() != 0 {
		t.Errorf("%d introspections, %d JWK set fetches; want 1 and 0", is.introspections.Load(), is.jwksFetches.Load())
	}
}

// TestIntrospectionWrongCredentials: the endpoint refusing the API's own
// credentials is a configuration problem, not an invalid token.
func TestIntrospectionWrongCredentials(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	v := is.verifier(func(c *resource.Config) {
		c.Introspection = &resource.Introspection{ClientID: introClientID, ClientSecret: "wrong"}
	})
	_, err := v.Verify(t.Context(), "opaque")
	if err == nil || errors.Is(err, resource.ErrInvalidToken) || !strings.Contains(err.Error(), "401") {
		t.Errorf("Verify error %v; want the endpoint's 401 as a failure to check", err)
	}
}

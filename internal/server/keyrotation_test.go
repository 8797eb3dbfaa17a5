package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestKeyRotation_RelyingPartiesNeverSeeAnUnknownKid follows the ES256
// key ring of a running server through a rotation, as relying parties see
// it through /jwks: the key that will sign next is published a whole period
// ahead, tokens signed before the rotation keep verifying against the
// published set, tokens signed after carry the new kid, and the old key
// leaves the set only when every token it signed has expired
// (OIDC Core §10.1.1).
//
// servertest runs no background loop, so no new next key appears after the
// rotation here; internal/keys tests the maintenance step and its loop.
func TestKeyRotation_RelyingPartiesNeverSeeAnUnknownKid(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		const period = 24 * time.Hour
		opt.Config = func(c *config.Config) { c.KeyRotationPeriod = period }
		e := newRulesEnv(t, opt)
		e.SPA.IDTokenAlg = keys.ES256 // follow one algorithm's ring throughout
		e.UpdateClient(e.SPA)
		cfg := config.Default()
		retention := cfg.KeyRetention() + keys.DefaultRefresh // what the ring keeps
		ctx := oidc.ClientContext(context.Background(), e.Server.Client())

		k1, k2 := currentAndNext(t, e)
		if !k2.ActivatesAt.Equal(k1.NotAfter) || k1.NotAfter.Sub(k1.ActivatesAt) != period {
			t.Fatalf("keys at start: current %+v, next %+v; want abutting periods of %v", k1, k2, period)
		}
		// A relying party caches the key set now. It holds both keys.
		early := fetchJWKS(t, e.Env)
		if !hasKid(early, k1.ID) || !hasKid(early, k2.ID) || len(early.Keys) != 2*len(keys.Algorithms) {
			t.Fatalf("JWKS at start = %v; want the current and next key of each algorithm", kids(early))
		}

		// Five minutes before the rotation: tokens are signed with K1.
		e.Clock.Advance(k1.NotAfter.Add(-5 * time.Minute).Sub(e.Clock.Now()))
		b, code, pk := signedIn(t, e, e.SPA, spaRedirect)
		before := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
		wantTokens(t, before)
		svcBefore := clientCredentials(t, e, e.Service, e.SvcSecret, "api:read")
		wantTokens(t, svcBefore)
		for name, raw := range map[string]string{"ID token": before.str("id_token"), "access token": before.str("access_token"), "service token": svcBefore.str("access_token")} {
			if kid := kidOf(t, raw); kid != k1.ID {
				t.Errorf("%s before the rotation signed by %s, want the current key %s", name, kid, k1.ID)
			}
		}

		// One minute after the rotation.
		e.Clock.Advance(6 * time.Minute)
		provider, err := oidc.NewProvider(ctx, e.URL)
		if err != nil {
			t.Fatalf("go-oidc discovery: %v", err)
		}
		verifier := provider.Verifier(&oidc.Config{ClientID: e.SPA.ID, Now: e.Clock.Now})
		if _, err := verifier.Verify(ctx, before.str("id_token")); err != nil {
			t.Errorf("ID token signed before the rotation no longer verifies with go-oidc: %v", err)
		}
		if r := userinfo(t, e, http.MethodGet, before.str("access_token")); r.Status != http.StatusOK {
			t.Errorf("access token signed before the rotation refused by userinfo: %d %s", r.Status, r.Challenge)
		}
		code, pk = newCode(t, e, b, e.SPA, spaRedirect)
		after := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
		wantTokens(t, after)
		svcAfter := clientCredentials(t, e, e.Service, e.SvcSecret, "api:read")
		wantTokens(t, svcAfter)
		for name, raw := range map[string]string{"ID token": after.str("id_token"), "access token": after.str("access_token"), "service token": svcAfter.str("access_token")} {
			if kid := kidOf(t, raw); kid != k2.ID {
				t.Errorf("%s after the rotation signed by %s, want the former next key %s", name, kid, k2.ID)
			}
			// The set cached a period ago already verifies it.
			if err := verifyWith(early, raw); err != nil {
				t.Errorf("%s after the rotation: the JWKS cached before it does not verify it: %v", name, err)
			}
		}
		if _, err := verifier.Verify(ctx, after.str("id_token")); err != nil {
			t.Errorf("ID token signed after the rotation does not verify with go-oidc: %v", err)
		}
		if r := userinfo(t, e, http.MethodGet, after.str("access_token")); r.Status != http.StatusOK {
			t.Errorf("access token signed after the rotation refused by userinfo: %d", r.Status)
		}

		// K1 stays published until its tokens have expired, then goes.
		e.Clock.Advance(k1.NotAfter.Add(retention - time.Minute).Sub(e.Clock.Now()))
		set := fetchJWKS(t, e.Env)
		if !hasKid(set, k1.ID) || !hasKid(set, k2.ID) {
			t.Errorf("JWKS a minute before K1's retention ends = %v; want K1 %s and K2 %s", kids(set), k1.ID, k2.ID)
		}
		if err := verifyWith(set, before.str("id_token")); err != nil {
			t.Errorf("the old ID token's signature no longer verifies before the retention ends: %v", err)
		}
		e.Clock.Advance(time.Minute)
		set = fetchJWKS(t, e.Env)
		if hasKid(set, k1.ID) || !hasKid(set, k2.ID) {
			t.Errorf("JWKS after K1's retention = %v; want K2 %s without K1 %s", kids(set), k2.ID, k1.ID)
		}
		if r := userinfo(t, e, http.MethodGet, before.str("access_token")); r.Status != http.StatusUnauthorized {
			t.Errorf("token of a retired key accepted by userinfo: %d", r.Status)
		}
	})
}

// TestKeyRotation_AccessTokenAlgorithmConfigurable: --signing-alg chooses
// the access tokens' algorithm; ID tokens keep the client's (the OIDC
// default RS256 here).
func TestKeyRotation_AccessTokenAlgorithmConfigurable(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{Config: func(c *config.Config) { c.SigningAlg = keys.EdDSA }})
	_, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	r := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, r)
	if alg := idTokenAlg(t, r.str("access_token")); alg != keys.EdDSA {
		t.Errorf("access token alg = %s, want EdDSA", alg)
	}
	if alg := idTokenAlg(t, r.str("id_token")); alg != keys.RS256 {
		t.Errorf("ID token alg = %s, want the client's default RS256", alg)
	}
	if err := verifyWith(fetchJWKS(t, e.Env), r.str("access_token")); err != nil {
		t.Errorf("EdDSA access token does not verify against the JWKS: %v", err)
	}
	if u := userinfo(t, e, http.MethodGet, r.str("access_token")); u.Status != http.StatusOK {
		t.Errorf("userinfo refused the EdDSA access token: %d", u.Status)
	}
}

// currentAndNext reads the ES256 current and next keys from the store.
func currentAndNext(t *testing.T, e *rulesEnv) (cur, next keys.Info) {
	t.Helper()
	recs, err := e.Store.ListSigningKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range keys.Describe(recs, e.Clock.Now(), 0) {
		switch {
		case i.Alg != keys.ES256:
		case i.State == keys.StateCurrent && cur.ID == "":
			cur = i
		case i.State == keys.StateNext && next.ID == "":
			next = i
		}
	}
	if cur.ID == "" || next.ID == "" {
		t.Fatalf("no ES256 current and next key in %+v", recs)
	}
	return cur, next
}

var maxAgeRE = regexp.MustCompile(`max-age=(\d+)`)

// fetchJWKS gets /jwks as a relying party does and checks it is a public,
// briefly cacheable JWK Set (RFC 7517 §5).
func fetchJWKS(t *testing.T, e *servertest.Env) jose.JSONWebKeySet {
	t.Helper()
	resp, err := e.Server.Client().Get(e.URL + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /jwks: %d %s", resp.StatusCode, body)
	}
	cc := resp.Header.Get("Cache-Control")
	if m := maxAgeRE.FindStringSubmatch(cc); m == nil {
		t.Errorf("JWKS Cache-Control = %q; want a short max-age", cc)
	} else if age, _ := strconv.Atoi(m[1]); age > 300 {
		t.Errorf("JWKS Cache-Control = %q; want a max-age of minutes at most", cc)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS is not a JWK Set: %v\n%s", err, body)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.KeyID == "" || k.Use != "sig" {
			t.Errorf("JWKS key %s: public %v, use %q; want a public signing key with a kid", k.KeyID, k.IsPublic(), k.Use)
		}
	}
	return set
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	slices.Sort(out)
	return out
}

func hasKid(set jose.JSONWebKeySet, kid string) bool { return len(set.Key(kid)) > 0 }

var tokenAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA}

// kidOf returns the kid header of a JWS.
func kidOf(t *testing.T, raw string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, tokenAlgs)
	if err != nil {
		t.Fatalf("parse JWS: %v", err)
	}
	return jws.Signatures[0].Header.KeyID
}

// verifyWith checks a JWS's signature with the key of the set its kid
// names, as a relying party with that cached set would.
func verifyWith(set jose.JSONWebKeySet, raw string) error {
	jws, err := jose.ParseSignedCompact(raw, tokenAlgs)
	if err != nil {
		return err
	}
	h := jws.Signatures[0].Header
	found := set.Key(h.KeyID)
	if len(found) == 0 {
		return fmt.Errorf("unknown kid %q", h.KeyID)
	}
	if found[0].Algorithm != h.Algorithm {
		return fmt.Errorf("kid %q is a %s key, the token says %s", h.KeyID, found[0].Algorithm, h.Algorithm)
	}
	_, err = jws.Verify(found[0].Key)
	return err
}

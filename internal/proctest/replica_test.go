package proctest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// propagation is how long the test waits for a change to reach the other
// replica: a hang guard well above the documented bound (docs/replicas.md:
// at once with notifications, cache.DefaultTTL otherwise) and well below
// the key ring's one-minute refresh, so the key check fails if the
// notification path does not work.
const propagation = 20 * time.Second

// TestTwoReplicas runs two gatehouse processes on one PostgreSQL database
// behind a round-robin balancer (issue 6 §4).
func TestTwoReplicas(t *testing.T) {
	f := newFixture(t, pgtest.NewDatabase(t))
	db, secret, ap := f.db, f.secret, f.ap
	lb := newBalancer(t)
	a := serve(t, db, secret, lb.URL)
	b := serve(t, db, secret, lb.URL)
	lb.route(a.URL, b.URL)
	other := map[string]string{a.URL: b.URL, b.URL: a.URL}
	browser := ap.agent(lb.URL)

	// Every browser request goes to the next replica, so login, consent
	// and the code are spread over both; the code is redeemed at the
	// replica that did not issue it.
	az, err := browser.authorize("openid offline_access")
	if err != nil {
		t.Fatalf("authorize through the balancer: %v", err)
	}
	if other[az.backend] == "" {
		t.Fatalf("code issued by %q, not a replica", az.backend)
	}
	tok, err := browser.exchange(other[az.backend], az)
	if err != nil || tok.Status != http.StatusOK || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("code from %s redeemed at %s: %+v %v", az.backend, other[az.backend], tok, err)
	}
	t.Logf("code issued by %s, redeemed at %s", az.backend, other[az.backend])
	if again, err := browser.exchange(az.backend, az); err != nil || again.Status != http.StatusBadRequest || again.Error != "invalid_grant" {
		t.Errorf("replaying the code at the replica that issued it: %+v %v, want invalid_grant", again, err)
	}

	t.Run("revocation is seen at once", func(t *testing.T) {
		az, err := browser.authorize("openid offline_access")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := browser.exchange(a.URL, az)
		if err != nil || tok.Status != http.StatusOK {
			t.Fatalf("exchange: %+v %v", tok, err)
		}
		refreshed, err := browser.refresh(b.URL, tok.RefreshToken)
		if err != nil || refreshed.Status != http.StatusOK {
			t.Fatalf("refresh at B of a token issued by A: %+v %v", refreshed, err)
		}
		for _, kind := range []struct{ name, token string }{{"access", refreshed.AccessToken}, {"refresh", refreshed.RefreshToken}} {
			if on, err := browser.active(b.URL, kind.token); err != nil || !on {
				t.Fatalf("%s token inactive at B before revocation: %v", kind.name, err)
			}
			if err := browser.revoke(a.URL, kind.token); err != nil {
				t.Fatalf("revoke the %s token at A: %v", kind.name, err)
			}
			if on, err := browser.active(b.URL, kind.token); err != nil || on {
				t.Errorf("%s token revoked at A is still active at B's introspection (%v)", kind.name, err)
			}
		}
	})

	t.Run("key rotation is published by both", func(t *testing.T) {
		for _, p := range []*process{a, b} {
			jwks(t, p.URL) // both have loaded (and cached) the keys
		}
		out := cli(t, "", "keys", "rotate", "--alg", "ES256", "--db", db, "--secret-file", secret, "--json")
		var rot []struct {
			CurrentKID string `json:"current_kid"`
			NextKID    string `json:"next_kid"`
		}
		if err := json.Unmarshal([]byte(out), &rot); err != nil || len(rot) != 1 || rot[0].NextKID == "" {
			t.Fatalf("keys rotate --json: %v\n%s", err, out)
		}
		for _, p := range []*process{a, b} {
			waitFor(t, "the new next key "+rot[0].NextKID+" in "+p.URL+"/jwks", func() bool {
				return slices.Contains(jwks(t, p.URL), rot[0].NextKID)
			})
			// And it signs with the promoted key: replicas agree.
			az, err := browser.authorize("openid")
			if err != nil {
				t.Fatal(err)
			}
			tok, err := browser.exchange(p.URL, az)
			if err != nil || tok.Status != http.StatusOK {
				t.Fatalf("exchange at %s: %+v %v", p.URL, tok, err)
			}
			if kid := jwtKID(t, tok.AccessToken); kid != rot[0].CurrentKID {
				t.Errorf("%s signs access tokens with %s after the rotation, want %s", p.URL, kid, rot[0].CurrentKID)
			}
		}
	})

	t.Run("client change is seen by the other replica", func(t *testing.T) {
		// The CLI has no command to edit redirect URIs yet; this process
		// plays it: it writes to the database directly, as the CLI does.
		store, err := server.OpenMigrated(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		for _, p := range []*process{a, b} { // both cache the client now
			if _, err := newAgentOn(ap, p.URL).authorize("openid"); err != nil {
				t.Fatalf("authorize at %s before the change: %v", p.URL, err)
			}
		}
		c, err := store.GetClient(context.Background(), ap.clientID)
		if err != nil {
			t.Fatal(err)
		}
		moved := "https://app.example/moved"
		c.RedirectURIs = []string{moved}
		if err := store.UpdateClient(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*process{a, b} {
			movedApp := ap
			movedApp.redirectURI = moved
			waitFor(t, p.URL+" accepting the new redirect URI", func() bool {
				_, err := newAgentOn(movedApp, p.URL).authorize("openid")
				return err == nil
			})
			if _, err := newAgentOn(ap, p.URL).authorize("openid"); err == nil {
				t.Errorf("%s still accepts the removed redirect URI", p.URL)
			}
		}
	})
}

// newAgentOn is a fresh browser that talks to one replica only.
func newAgentOn(ap app, base string) *agent { return ap.agent(base) }

// jwks returns the key IDs base publishes.
func jwks(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("%s/jwks: %v", base, err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KID)
	}
	return kids
}

// jwtKID returns the kid of a JWS in compact form.
func jwtKID(t *testing.T, jws string) string {
	t.Helper()
	head, _, _ := strings.Cut(jws, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		KID string `json:"kid"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &h)
	}
	if err != nil {
		t.Fatalf("token header: %v", err)
	}
	return h.KID
}

// waitFor polls cond until it holds, failing after propagation.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > propagation {
			t.Fatalf("waited %v for %s", propagation, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
}

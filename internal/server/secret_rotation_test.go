package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestSecretRotationOverlap: after `rotate-secret --overlap 24h` both the
// old and the new secret authenticate, with client_secret_basic and
// client_secret_post, until the overlap ends; then only the new one does.
// Rotating with no overlap revokes the old secret at once.
func TestSecretRotationOverlap(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		ctx := context.Background()
		svc, first := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Rotating", Scopes: []string{"api:read"}})
		works := func(t *testing.T, secret string, want bool) {
			t.Helper()
			form := url.Values{"grant_type": {"client_credentials"}}
			basic := postToken(t, env, form.Encode(), "", basicAuth(svc.ID, secret))
			form.Set("client_id", svc.ID)
			form.Set("client_secret", secret)
			post := postToken(t, env, form.Encode(), "", nil)
			for _, r := range []tokenResponse{basic, post} {
				if want {
					wantTokens(t, r)
				} else {
					wantTokenError(t, r, http.StatusUnauthorized, oauth.InvalidClient)
				}
			}
		}
		works(t, first, true)

		_, second, err := env.Admin.RotateSecret(ctx, svc.ID, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		works(t, first, true)
		works(t, second, true)
		env.Clock.Advance(23*time.Hour + 59*time.Minute)
		works(t, first, true)
		works(t, second, true)
		env.Clock.Advance(2 * time.Minute)
		works(t, first, false)
		works(t, second, true)

		_, third, err := env.Admin.RotateSecret(ctx, svc.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		works(t, second, false)
		works(t, third, true)

		// Rotating again during an overlap ends the earlier secret's.
		_, fourth, err := env.Admin.RotateSecret(ctx, svc.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, fifth, err := env.Admin.RotateSecret(ctx, svc.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		works(t, third, false)
		works(t, fourth, true)
		works(t, fifth, true)
	})
}

// TestSecretRotationClientSecretJWT: a client_secret_jwt client's
// assertions keyed with the old secret verify during the overlap, as the
// secret itself would, and not after it.
func TestSecretRotationClientSecretJWT(t *testing.T) {
	t.Parallel()
	env := servertest.New(t, servertest.Options{})
	svc, old := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "HMAC", AuthMethod: oauth.AuthClientSecretJWT})
	grant := func(secret string) tokenResponse {
		return assertionGrant(t, env, signingKey{[]byte(secret), jose.HS256, ""}.sign(t, claimsFor(env, svc.ID)), nil)
	}
	wantTokens(t, grant(old))
	_, next, err := env.Admin.RotateSecret(context.Background(), svc.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantTokens(t, grant(old))
	wantTokens(t, grant(next))
	env.Clock.Advance(time.Hour + time.Second)
	wantClientFailure(t, grant(old))
	wantTokens(t, grant(next))
}

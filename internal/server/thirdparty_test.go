package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// backends runs a test against each storage backend.
func backends(t *testing.T, fn func(t *testing.T, opt servertest.Options)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, servertest.Options{}) })
	t.Run("postgres", func(t *testing.T) { fn(t, servertest.Options{Postgres: true}) })
}

// TestThirdPartyClients signs in through the real login and consent forms
// and redeems the code with golang.org/x/oauth2 (PKCE helpers included),
// then verifies the ID token and calls userinfo with go-oidc: once for a
// public single-page app and once for a confidential web app per client
// authentication method and ID-token algorithm.
func TestThirdPartyClients(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		user := env.AddUser("alice@example.com", "correct horse battery")
		ctx := oidc.ClientContext(context.Background(), env.Server.Client())
		provider, err := oidc.NewProvider(ctx, env.URL)
		if err != nil {
			t.Fatalf("go-oidc discovery: %v", err)
		}

		spa, _ := env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Single-page app", RedirectURIs: []string{"https://spa.example.com/callback"}})
		t.Run("public SPA", func(t *testing.T) {
			cfg := oauth2.Config{ClientID: spa.ID, Endpoint: provider.Endpoint(), RedirectURL: "https://spa.example.com/callback",
				Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
			signIn(t, ctx, env, provider, cfg, user, true)
		})

		web, secret := env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Web app", RedirectURIs: []string{"https://web.example.com/oauth/callback"}})
		for _, tc := range []struct {
			name    string
			style   oauth2.AuthStyle
			alg     string
			consent bool
		}{
			{"client_secret_basic ES256", oauth2.AuthStyleInHeader, keys.ES256, true},
			{"client_secret_post RS256", oauth2.AuthStyleInParams, keys.RS256, false},
			{"client_secret_basic EdDSA", oauth2.AuthStyleInHeader, keys.EdDSA, false},
		} {
			t.Run("confidential web "+tc.name, func(t *testing.T) {
				web.IDTokenAlg = tc.alg
				env.UpdateClient(web)
				endpoint := provider.Endpoint()
				endpoint.AuthStyle = tc.style
				cfg := oauth2.Config{ClientID: web.ID, ClientSecret: secret, Endpoint: endpoint,
					RedirectURL: "https://web.example.com/oauth/callback", Scopes: []string{oidc.ScopeOpenID, "email"}}
				idToken := signIn(t, ctx, env, provider, cfg, user, tc.consent)
				if got := idTokenAlg(t, idToken); got != tc.alg {
					t.Errorf("ID token signed with %s, want %s", got, tc.alg)
				}
			})
		}
	})
}

// signIn runs one authorization-code flow with PKCE and checks everything a
// relying party checks. It returns the raw ID token.
func signIn(t *testing.T, ctx context.Context, env *servertest.Env, provider *oidc.Provider, cfg oauth2.Config, user storage.User, wantConsent bool) string {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	state, nonce := "state with spaces & symbols=✓", "nonce-"+oauth2.GenerateVerifier()[:16]
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))

	b := env.Browser()
	p := b.Get(authURL)
	if !p.HasForm("/login") {
		t.Fatalf("expected the login page, got %d:\n%s", p.Status, p.Body)
	}
	p = b.Submit(p, "/login", map[string]string{"email": user.Email, "password": "correct horse battery"}, "", "")
	// Consent is asked once per client and scopes, then remembered.
	if p.HasForm("/consent") != wantConsent {
		t.Fatalf("consent page shown = %v, want %v (status %d)", p.HasForm("/consent"), wantConsent, p.Status)
	}
	if wantConsent {
		p = b.Submit(p, "/consent", nil, "decision", "approve")
	}
	q := p.Callback(t, cfg.RedirectURL)
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	if q.Get("iss") != env.URL {
		t.Fatalf("iss = %q, want %q (RFC 9207)", q.Get("iss"), env.URL)
	}

	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("x/oauth2 exchange: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("token = %+v", tok)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc ID token verification: %v", err)
	}
	if idToken.Nonce != nonce || idToken.Subject != user.ID || idToken.Issuer != env.URL {
		t.Fatalf("ID token nonce=%q sub=%q iss=%q", idToken.Nonce, idToken.Subject, idToken.Issuer)
	}
	if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("go-oidc userinfo: %v", err)
	}
	if info.Subject != user.ID || info.Email != user.Email {
		t.Fatalf("userinfo sub=%q email=%q", info.Subject, info.Email)
	}

	// A second exchange of the same code must fail, as a standard client sees it.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("the code was redeemed twice")
	} else if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed code: %v", err)
	}
	return rawID
}

// idTokenAlg returns the alg header of a JWS.
func idTokenAlg(t *testing.T, raw string) string {
	t.Helper()
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Alg string }
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Alg
}

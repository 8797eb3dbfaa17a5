package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestThirdPartyRefresh signs in with offline_access through the real
// forms, then lets golang.org/x/oauth2's TokenSource refresh the expired
// access token, for a public SPA and a confidential web app; go-oidc
// verifies the refreshed ID token and calls userinfo with the new access
// token.
func TestThirdPartyRefresh(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		user := env.AddUser("alice@example.com", "correct horse battery")
		ctx := oidc.ClientContext(context.Background(), env.Server.Client())
		provider, err := oidc.NewProvider(ctx, env.URL)
		if err != nil {
			t.Fatalf("go-oidc discovery: %v", err)
		}
		spa, _ := env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Single-page app", RedirectURIs: []string{"https://spa.example.com/callback"}})
		web, secret := env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Web app", RedirectURIs: []string{"https://web.example.com/oauth/callback"}})
		b := env.Browser()
		for _, cfg := range []oauth2.Config{
			{ClientID: spa.ID, Endpoint: provider.Endpoint(), RedirectURL: "https://spa.example.com/callback",
				Scopes: []string{oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess}},
			{ClientID: web.ID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: "https://web.example.com/oauth/callback",
				Scopes: []string{oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess}},
		} {
			name := map[string]string{spa.ID: "public SPA", web.ID: "confidential web"}[cfg.ClientID]
			t.Run(name, func(t *testing.T) {
				refreshWithTokenSource(t, ctx, env, b.For(t), provider, cfg, user)
			})
		}
	})
}

func refreshWithTokenSource(t *testing.T, ctx context.Context, env *servertest.Env, b *servertest.Browser, provider *oidc.Provider, cfg oauth2.Config, user storage.User) {
	verifier := oauth2.GenerateVerifier()
	params := urlQuery(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-1")))
	q := b.Authorize(params, user.Email, "correct horse battery").Callback(t, cfg.RedirectURL)
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("x/oauth2 exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatalf("no refresh token for offline_access: %+v", tok)
	}
	idv := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: env.Clock.Now})
	id0, err := idv.Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatalf("first ID token: %v", err)
	}

	// The access token expires on the server's clock; x/oauth2 judges
	// expiry by its own (the real time), so mark it expired there too.
	env.Clock.Advance(config.Default().AccessTokenTTL + time.Minute)
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Second)
	ts := cfg.TokenSource(ctx, &expired)
	tok2, err := ts.Token()
	if err != nil {
		t.Fatalf("x/oauth2 refresh: %v", err)
	}
	if tok2.AccessToken == tok.AccessToken || tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken || !tok2.Expiry.After(time.Now()) {
		t.Fatalf("refreshed token: new access %v, new refresh %v, expiry %v",
			tok2.AccessToken != tok.AccessToken, tok2.RefreshToken != tok.RefreshToken && tok2.RefreshToken != "", tok2.Expiry)
	}
	rawID, _ := tok2.Extra("id_token").(string)
	id1, err := idv.Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("refreshed ID token: %v", err)
	}
	if id1.Subject != id0.Subject || id1.Nonce != "" || !id1.IssuedAt.After(id0.IssuedAt) {
		t.Errorf("refreshed ID token sub=%q nonce=%q iat=%v; want sub %q, no nonce, iat after %v (OIDC Core §12.2)",
			id1.Subject, id1.Nonce, id1.IssuedAt, id0.Subject, id0.IssuedAt)
	}
	var c0, c1 struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := errors.Join(id0.Claims(&c0), id1.Claims(&c1)); err != nil || c0.AuthTime == 0 || c1.AuthTime != c0.AuthTime {
		t.Errorf("auth_time %d then %d (%v); want the original kept", c0.AuthTime, c1.AuthTime, err)
	}
	if err := id1.VerifyAccessToken(tok2.AccessToken); err != nil {
		t.Errorf("at_hash of the refreshed ID token: %v", err)
	}
	info, err := provider.UserInfo(ctx, ts)
	if err != nil || info.Subject != user.ID {
		t.Fatalf("go-oidc userinfo with the refreshed token: %v, %+v", err, info)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Errorf("userinfo accepted the expired access token")
	}
	// The refresh token was rotated: the old one is refused, as a standard
	// client sees it.
	if _, err := cfg.TokenSource(ctx, &expired).Token(); err == nil {
		t.Error("the old refresh token was accepted again")
	} else if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("old refresh token: %v", err)
	}
}

// urlQuery returns the query of an authorization URL.
func urlQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

package client_test

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-dev/gatehouse/client"
)

// testDiscovery checks New against the real discovery document, and the
// configurations it refuses.
func testDiscovery(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{})
	m := c.Metadata()
	if m.Issuer != f.URL || m.TokenEndpoint != f.URL+"/token" || m.UserinfoEndpoint != f.URL+"/userinfo" ||
		!m.AuthorizationResponseIssParameterSupported || m.EndSessionEndpoint == "" || m.RevocationEndpoint == "" {
		t.Errorf("metadata = %+v", m)
	}
	if got := c.Provider().Endpoint().AuthURL; got != f.URL+"/authorize" {
		t.Errorf("authorization endpoint = %q", got)
	}
	if cfg := c.OAuth2Config(); cfg.ClientID != f.Native.ID || cfg.Endpoint.AuthStyle != oauth2.AuthStyleInParams ||
		strings.Join(cfg.Scopes, " ") != "openid profile email" {
		t.Errorf("x/oauth2 config = %+v, want the public client's, scopes openid profile email by default", cfg)
	}
	web := f.client(t, client.Config{ClientID: f.Web.ID, ClientSecret: f.WebSecret})
	if style := web.OAuth2Config().Endpoint.AuthStyle; style != oauth2.AuthStyleInHeader {
		t.Errorf("confidential client auth style = %v, want client_secret_basic", style)
	}

	for _, tt := range []struct {
		name string
		cfg  client.Config
		want func(error) bool
	}{
		{"no client ID", client.Config{Issuer: f.URL}, nil},
		{"http issuer off loopback", client.Config{Issuer: "http://id.example.com", ClientID: "x"}, nil},
		{"issuer with query", client.Config{Issuer: f.URL + "?tenant=1", ClientID: "x"}, nil},
		{"relative issuer", client.Config{Issuer: "id.example.com", ClientID: "x"}, nil},
		{"another issuer", client.Config{Issuer: f.URL + "/", ClientID: "x"}, func(err error) bool {
			var m *oidc.IssuerMismatchError
			return errors.As(err, &m)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.New(t.Context(), tt.cfg)
			if err == nil || tt.want != nil && !tt.want(err) {
				t.Errorf("New(%+v) = %v", tt.cfg, err)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + ln.Addr().String() // nothing listens there once closed
		ln.Close()
		if _, err := client.New(t.Context(), client.Config{Issuer: closed, ClientID: "x"}); err == nil {
			t.Error("discovery of a stopped server succeeded")
		}
	})
}

// testExchangeChecks runs real authorization responses through Exchange,
// each altered the way an attacker or a broken server would, and checks
// the typed error that results.
func testExchangeChecks(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{})
	b := f.BrowserFor(t)

	isErr := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }
	oauthErr := func(code string, status int) func(error) bool {
		return func(err error) bool {
			var oe *client.Error
			return errors.As(err, &oe) && oe.Code == code && oe.StatusCode == status && oe.Description != ""
		}
	}
	tests := []struct {
		name  string
		alter func(q url.Values, fl *client.Flow)
		want  func(error) bool // nil: success
	}{
		{"unaltered", func(url.Values, *client.Flow) {}, nil},
		{"state changed", func(q url.Values, _ *client.Flow) { q.Set("state", "forged") }, isErr(client.ErrStateMismatch)},
		{"state missing", func(q url.Values, _ *client.Flow) { q.Del("state") }, isErr(client.ErrStateMismatch)},
		{"state twice", func(q url.Values, _ *client.Flow) { q.Add("state", q.Get("state")) }, isErr(client.ErrStateMismatch)},
		{"iss missing", func(q url.Values, _ *client.Flow) { q.Del("iss") }, isErr(client.ErrIssuerMissing)},
		{"iss of another server", func(q url.Values, _ *client.Flow) { q.Set("iss", "https://evil.example.com") }, isErr(client.ErrIssuerMismatch)},
		{"iss with a trailing slash", func(q url.Values, _ *client.Flow) { q.Set("iss", f.URL+"/") }, isErr(client.ErrIssuerMismatch)},
		{"iss twice", func(q url.Values, _ *client.Flow) { q.Add("iss", q.Get("iss")) }, isErr(client.ErrIssuerMismatch)},
		{"code missing", func(q url.Values, _ *client.Flow) { q.Del("code") }, isErr(client.ErrCodeMissing)},
		{"code forged", func(q url.Values, _ *client.Flow) { q.Set("code", "forged") }, oauthErr("invalid_grant", http.StatusBadRequest)},
		{"wrong verifier", func(_ url.Values, fl *client.Flow) { fl.Verifier = oauth2.GenerateVerifier() }, oauthErr("invalid_grant", http.StatusBadRequest)},
		{"other nonce", func(_ url.Values, fl *client.Flow) { fl.Nonce = "another" }, isErr(client.ErrInvalidIDToken)},
		{"forged error with the right state", func(q url.Values, _ *client.Flow) {
			q.Del("code")
			q.Set("error", "temporarily_unavailable")
			q.Set("error_description", "try later")
		}, oauthErr("temporarily_unavailable", 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := c.NewFlow(loopback)
			q := walk(t, b.For(t), c.AuthCodeURL(fl), "approve").Location.Query()
			if q.Get("code") == "" {
				t.Fatalf("no code in %v", q)
			}
			tt.alter(q, fl)
			tok, err := c.Exchange(t.Context(), fl, q)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Exchange: %v", err)
			case tt.want == nil:
				if tok.IDToken == nil || tok.IDToken.Nonce != fl.Nonce || tok.IDToken.Subject != f.User.ID || tok.RefreshToken != "" {
					t.Errorf("tokens = %+v (no offline_access: want no refresh token)", tok)
				}
			case !tt.want(err):
				t.Errorf("Exchange = %v (%T), want the error the check names", err, errors.Unwrap(err))
			}
		})
	}

	// A code is good once (RFC 6749 §4.1.2).
	t.Run("code replayed", func(t *testing.T) {
		fl := c.NewFlow(loopback)
		q := walk(t, b.For(t), c.AuthCodeURL(fl), "approve").Location.Query()
		if _, err := c.Exchange(t.Context(), fl, q); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		if _, err := c.Exchange(t.Context(), fl, q); !oauthErr("invalid_grant", http.StatusBadRequest)(err) {
			t.Errorf("second exchange = %v, want invalid_grant", err)
		}
	})

	// A real error response of the server: prompt=none without a session.
	t.Run("login_required", func(t *testing.T) {
		fl := c.NewFlow(loopback)
		p := f.BrowserFor(t).Get(c.AuthCodeURL(fl, oauth2.SetAuthURLParam("prompt", "none")))
		if p.Location == nil {
			t.Fatalf("no redirect: %d %s", p.Status, p.Body)
		}
		_, err := c.Exchange(t.Context(), fl, p.Location.Query())
		if !oauthErr("login_required", 0)(err) {
			t.Errorf("Exchange = %v, want *Error login_required", err)
		}
	})

	// The authorization URL asks for what the package promises.
	t.Run("authorization URL", func(t *testing.T) {
		fl := c.NewFlow("")
		u, err := url.Parse(c.AuthCodeURL(fl, oauth2.SetAuthURLParam("login_hint", email)))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		want := map[string]string{"response_type": "code", "client_id": f.Native.ID, "state": fl.State, "nonce": fl.Nonce,
			"code_challenge_method": "S256", "code_challenge": oauth2.S256ChallengeFromVerifier(fl.Verifier),
			"scope": "openid profile email", "login_hint": email}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, q.Get(k), v)
			}
		}
		if q.Has("redirect_uri") {
			t.Errorf("redirect_uri %q sent, but the flow has none", q.Get("redirect_uri"))
		}
		if other := c.NewFlow(""); other.State == fl.State || other.Nonce == fl.Nonce || other.Verifier == fl.Verifier || len(fl.Verifier) < 43 {
			t.Errorf("flows share secrets or the verifier is short: %+v %+v", fl, other)
		}
	})
}

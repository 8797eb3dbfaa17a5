package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// tokenTypeHints are the token_type_hint values every revocation and
// introspection rule is tried with: none, both defined ones (RFC 7009
// §2.1), and one the server does not know, which it must ignore.
var tokenTypeHints = []string{"", "access_token", "refresh_token", "id_token"}

// TestRevocation checks the revocation endpoint (RFC 7009): a client
// revokes its own tokens, a refresh token together with its whole grant;
// unknown tokens and other clients' tokens get the same 200 and stay as
// they were. The rules share a server; the one that moves the clock runs
// last.
func TestRevocation(t *testing.T) {
	t.Parallel()
	e := newBackEnv(t, servertest.Options{})
	t.Run("RequestRules_RFC7009_2.1", func(t *testing.T) { backChannelRequestRules(t, e, "/revoke") })
	t.Run("OwnAccessToken_RFC7009_2.1", func(t *testing.T) { ruleRevokeOwnAccessToken(t, e) })
	t.Run("RefreshTokenRevokesGrant_RFC7009_2.1", func(t *testing.T) { ruleRevokeRefreshRevokesGrant(t, e) })
	t.Run("PublicClientRevokesOwnTokens_RFC7009_5", func(t *testing.T) { rulePublicClientRevokes(t, e) })
	t.Run("UnknownTokenIs200_RFC7009_2.2", func(t *testing.T) { ruleRevokeUnknownToken(t, e) })
	t.Run("OtherClientsTokenUntouched_RFC7009_2.1", func(t *testing.T) { ruleRevokeOtherClientsToken(t, e) })
	t.Run("CORSForPublicClients", func(t *testing.T) { ruleRevokeCORS(t, e) })
	t.Run("ExpiredAccessTokenIs200_RFC7009_2.2", func(t *testing.T) { ruleRevokeExpired(t, e) })
}

// backChannelRequestRules checks what /revoke and /introspect share with
// the token endpoint (RFC 7009 §2.1, RFC 7662 §2.1): a POST with a
// urlencoded body, no repeated parameters, a required token, and client
// authentication failing with 401 invalid_client and a challenge.
func backChannelRequestRules(t *testing.T, e *backEnv, path string) {
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	webAuth := basicAuth(e.Web.ID, e.WebSecret)
	for _, tc := range []struct {
		name        string
		body        string
		contentType string
		auth        func(*http.Request)
		status      int
		code        string
	}{
		{"no token", form().Encode(), "", webAuth, 400, "invalid_request"},
		{"empty token", form("token", "").Encode(), "", webAuth, 400, "invalid_request"},
		{"token twice", form("token", "a", "token", "a").Encode(), "", webAuth, 400, "invalid_request"},
		{"hint twice", form("token", "a", "token_type_hint", "access_token", "token_type_hint", "access_token").Encode(), "", webAuth, 400, "invalid_request"},
		{"JSON body", `{"token":"a"}`, "application/json", webAuth, 400, "invalid_request"},
		{"multipart body", form("token", "a").Encode(), "multipart/form-data; boundary=x", webAuth, 400, "invalid_request"},
		{"no client authentication", form("token", "a").Encode(), "", nil, 401, "invalid_client"},
		{"unknown client", form("token", "a").Encode(), "", basicAuth("no-such-client", "x"), 401, "invalid_client"},
		{"wrong secret basic", form("token", "a").Encode(), "", basicAuth(e.Web.ID, e.WebSecret+"x"), 401, "invalid_client"},
		{"wrong secret post", form("token", "a", "client_id", e.Web.ID, "client_secret", "x").Encode(), "", nil, 401, "invalid_client"},
		{"confidential client without secret", form("token", "a", "client_id", e.Web.ID).Encode(), "", nil, 401, "invalid_client"},
		{"public client with a secret", form("token", "a").Encode(), "", basicAuth(e.SPA.ID, "x"), 401, "invalid_client"},
		{"basic and post at once", form("token", "a", "client_id", e.Web.ID, "client_secret", e.WebSecret).Encode(), "", webAuth, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := postBack(t, e.Env, path, tc.body, tc.contentType, tc.auth)
			body := r.json(t)
			if r.Status != tc.status || body["error"] != tc.code {
				t.Errorf("status %d, body %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
			d, _ := body["error_description"].(string)
			wantDescription(t, d)
			if _, ok := body["active"]; ok {
				t.Errorf("error response carries active")
			}
			// RFC 6749 §5.2 after Basic, RFC 9110 §15.5.2 on every 401.
			if ch := r.Header.Get("WWW-Authenticate"); tc.status == 401 && !strings.HasPrefix(ch, "Basic ") {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge", ch)
			}
		})
	}
	t.Run("POST only", func(t *testing.T) {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(method, e.URL+path+"?token=a", nil)
			basicAuth(e.Web.ID, e.WebSecret)(req)
			resp, err := e.Server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") {
				t.Errorf("%s %s: status %d, Allow %q; want 405 allowing POST", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	})
}

// ruleRevokeOwnAccessToken: a confidential client revokes its access
// token, whatever the hint; the token stops working at userinfo and is
// inactive to introspection, while the grant's refresh token (RFC 7009
// §2.1 makes revoking it along optional; Gatehouse does not) lives on.
func ruleRevokeOwnAccessToken(t *testing.T, e *backEnv) {
	for _, hint := range tokenTypeHints {
		t.Run("hint="+hint, func(t *testing.T) {
			at := codeFlowToken(t, e, e.web(), webRedirect)
			rt, _ := storeRefreshToken(t, e, e.Web, at.GrantID)
			if r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw); r.Status != http.StatusOK {
				t.Fatalf("fresh token: userinfo status %d", r.Status)
			}
			wantRevokeOK(t, revokeAs(t, e, e.web(), at.Raw, hint))

			r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw)
			if r.Status != http.StatusUnauthorized || bearerParam(r.Challenge, "error") != "invalid_token" {
				t.Errorf("revoked token at userinfo: status %d, WWW-Authenticate %q; want 401 invalid_token", r.Status, r.Challenge)
			}
			wantInactive(t, introspectAs(t, e, e.web(), at.Raw, ""))
			wantInactive(t, introspectAs(t, e, e.rs(), at.Raw, ""))
			if rec := tokenRecord(t, e, at.jti()); rec.RevokedAt == nil {
				t.Errorf("access token record not revoked")
			}
			if got := introspectAs(t, e, e.web(), rt, ""); got["active"] != true {
				t.Errorf("the grant's refresh token: introspection %v, want active", got)
			}
			// Revoking again changes nothing and is still 200.
			wantRevokeOK(t, revokeAs(t, e, e.web(), at.Raw, hint))
		})
	}
}

// ruleRevokeRefreshRevokesGrant: revoking a refresh token revokes its
// grant: the refresh token, the access tokens issuedToken with it, and any
// token minted for the grant later; another grant of the same client and
// user is untouched.
func ruleRevokeRefreshRevokesGrant(t *testing.T, e *backEnv) {
	ctx := context.Background()
	for _, hint := range tokenTypeHints {
		t.Run("hint="+hint, func(t *testing.T) {
			at := codeFlowToken(t, e, e.web(), webRedirect)
			rt, rec := storeRefreshToken(t, e, e.Web, at.GrantID)
			other := codeFlowToken(t, e, e.web(), webRedirect)
			otherRT, _ := storeRefreshToken(t, e, e.Web, other.GrantID)

			wantRevokeOK(t, revokeAs(t, e, e.web(), rt, hint))

			wantInactive(t, introspectAs(t, e, e.web(), rt, ""))
			wantInactive(t, introspectAs(t, e, e.web(), at.Raw, ""))
			wantInactive(t, introspectAs(t, e, e.rs(), at.Raw, ""))
			if r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw); r.Status != http.StatusUnauthorized {
				t.Errorf("access token of the revoked grant: userinfo status %d, want 401", r.Status)
			}
			if got := tokenRecord(t, e, rec.ID); got.RevokedAt == nil {
				t.Errorf("refresh token record not revoked")
			}
			late := storage.Token{ID: secret.NewID(), Kind: storage.TokenAccess, GrantID: at.GrantID, ClientID: e.Web.ID,
				UserID: e.User.ID, Scopes: []string{"openid"}, CreatedAt: e.Clock.Now().UTC(), ExpiresAt: e.Clock.Now().UTC().Add(time.Minute)}
			if err := e.Store.CreateToken(ctx, late); !errors.Is(err, storage.ErrGrantRevoked) {
				t.Errorf("token minted for the revoked grant later: CreateToken = %v, want ErrGrantRevoked", err)
			}

			if r := userinfo(t, e.rulesEnv, http.MethodGet, other.Raw); r.Status != http.StatusOK {
				t.Errorf("another grant's access token: userinfo status %d, want 200", r.Status)
			}
			if got := introspectAs(t, e, e.web(), otherRT, ""); got["active"] != true {
				t.Errorf("another grant's refresh token: introspection %v, want active", got)
			}
		})
	}
}

// rulePublicClientRevokes: a public client, identified by client_id alone,
// revokes its own access and refresh tokens (RFC 7009 §5 expects this of
// browser apps at logout).
func rulePublicClientRevokes(t *testing.T, e *backEnv) {
	t.Run("access token", func(t *testing.T) {
		at := codeFlowToken(t, e, e.spa(), spaRedirect)
		wantRevokeOK(t, revokeAs(t, e, e.spa(), at.Raw, "access_token"))
		if r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw); r.Status != http.StatusUnauthorized {
			t.Errorf("userinfo status %d, want 401", r.Status)
		}
		wantInactive(t, introspectAs(t, e, e.rs(), at.Raw, ""))
	})
	t.Run("refresh token", func(t *testing.T) {
		at := codeFlowToken(t, e, e.spa(), spaRedirect)
		rt, _ := storeRefreshToken(t, e, e.SPA, at.GrantID)
		wantRevokeOK(t, revokeAs(t, e, e.spa(), rt, ""))
		wantInactive(t, introspectAs(t, e, e.rs(), rt, ""))
		if r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw); r.Status != http.StatusUnauthorized {
			t.Errorf("the grant's access token: userinfo status %d, want 401", r.Status)
		}
	})
}

// ruleRevokeUnknownToken: a token the server does not know, or does not
// recognise as its own, is answered 200 like a revoked one (RFC 7009 §2.2),
// and revokes nothing, also when it is the record key of a real token.
func ruleRevokeUnknownToken(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.web(), webRedirect)
	rt, rec := storeRefreshToken(t, e, e.Web, at.GrantID)
	idToken := func() string {
		code, pk := newCode(t, e.rulesEnv, e.session(t), e.Web, webRedirect)
		r := exchange(t, e.rulesEnv, e.Web, e.WebSecret, code, webRedirect, pk.Verifier)
		wantTokens(t, r)
		return r.str("id_token")
	}()
	for name, tok := range map[string]string{
		"random":                         randomString(),
		"malformed JWT":                  "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
		"signed by another key":          foreignJWT(t, at.Raw, e.URL, true),
		"another issuer":                 foreignJWT(t, at.Raw, "https://other.example.com", false),
		"unsigned copy":                  unsignedCopy(at.Raw),
		"payload altered":                alterPayload(t, at.Raw),
		"ID token":                       idToken,
		"refresh token record key":       rec.ID,
		"access token jti":               at.jti(),
		"refresh token with extra chars": rt + "x",
		"very long":                      strings.Repeat("A", 20000),
	} {
		for _, hint := range tokenTypeHints {
			t.Run(name+"/hint="+hint, func(t *testing.T) {
				wantRevokeOK(t, revokeAs(t, e, e.web(), tok, hint))
			})
		}
	}
	if got := introspectAs(t, e, e.web(), at.Raw, ""); got["active"] != true {
		t.Errorf("the real access token: %v, want active", got)
	}
	if got := introspectAs(t, e, e.web(), rt, ""); got["active"] != true {
		t.Errorf("the real refresh token: %v, want active", got)
	}
}

// ruleRevokeOtherClientsToken: a client cannot revoke another client's
// token, not even a resource server; the answer is the same 200 (§2.2 lets
// it learn nothing) and the token keeps working.
func ruleRevokeOtherClientsToken(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.spa(), spaRedirect)
	rt, rec := storeRefreshToken(t, e, e.SPA, at.GrantID)
	for _, by := range []backCaller{e.web(), e.rs(), e.service(), {e.Native, ""}} {
		for _, hint := range tokenTypeHints {
			t.Run(by.Client.Name+"/hint="+hint, func(t *testing.T) {
				wantRevokeOK(t, revokeAs(t, e, by, at.Raw, hint))
				wantRevokeOK(t, revokeAs(t, e, by, rt, hint))
			})
		}
	}
	if r := userinfo(t, e.rulesEnv, http.MethodGet, at.Raw); r.Status != http.StatusOK {
		t.Errorf("the SPA's access token: userinfo status %d, want 200", r.Status)
	}
	if got := introspectAs(t, e, e.rs(), at.Raw, ""); got["active"] != true {
		t.Errorf("the SPA's access token: introspection %v, want active", got)
	}
	if got := introspectAs(t, e, e.rs(), rt, ""); got["active"] != true {
		t.Errorf("the SPA's refresh token: introspection %v, want active", got)
	}
	if tokenRecord(t, e, at.jti()).RevokedAt != nil || tokenRecord(t, e, rec.ID).RevokedAt != nil {
		t.Errorf("a record of the SPA's grant was revoked")
	}
}

// ruleRevokeCORS: browser apps revoke their tokens at logout, so /revoke
// answers CORS from public clients' origins; /introspect, for servers
// only, does not.
func ruleRevokeCORS(t *testing.T, e *backEnv) {
	for _, tc := range []struct {
		path, origin, want string
	}{
		{"/revoke", "https://spa.example.com", "https://spa.example.com"},
		{"/revoke", "https://evil.example.com", ""},
		{"/revoke", "https://web.example.com", ""},
		{"/introspect", "https://spa.example.com", ""},
	} {
		t.Run(tc.path+" "+tc.origin, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, e.URL+tc.path, nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			resp, err := e.Server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
				t.Errorf("preflight: Access-Control-Allow-Origin = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("actual request", func(t *testing.T) {
		at := codeFlowToken(t, e, e.spa(), spaRedirect)
		form := url.Values{"token": {at.Raw}, "client_id": {e.SPA.ID}}
		r := postBack(t, e.Env, "/revoke", form.Encode(), "", func(r *http.Request) { r.Header.Set("Origin", "https://spa.example.com") })
		wantRevokeOK(t, r)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://spa.example.com" {
			t.Errorf("Access-Control-Allow-Origin = %q, want the SPA's origin", got)
		}
	})
}

// ruleRevokeExpired: an expired access token needs no revoking: 200 and
// nothing written. It moves the clock, so it runs last.
func ruleRevokeExpired(t *testing.T, e *backEnv) {
	at := codeFlowToken(t, e, e.web(), webRedirect)
	e.Clock.Advance(11 * time.Minute)
	wantRevokeOK(t, revokeAs(t, e, e.web(), at.Raw, "access_token"))
	if tokenRecord(t, e, at.jti()).RevokedAt != nil {
		t.Errorf("the expired token's record was written")
	}
	wantInactive(t, introspectAs(t, e, e.web(), at.Raw, ""))
}

package server_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAuditTrail drives sign-ins (failed and successful), consent, every
// grant, refresh-token reuse and revocations through the real endpoints,
// then checks the trail: the chain verifies, each event is recorded with
// who, what and from where, and no password, secret, code, token, token
// hash or session cookie appears anywhere in the export.
func TestAuditTrail(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newRulesEnv(t, opt)
		var secrets []string // must never appear in the trail
		secrets = append(secrets, rulePassword, e.WebSecret, e.SvcSecret)

		// Two failed sign-ins: a wrong password for a real account, and
		// an unknown email.
		const wrongPassword, ghostEmail = "not-the-password-42", "ghost-account@example.com"
		secrets = append(secrets, wrongPassword)
		b := e.BrowserFor(t)
		params, pk := authzParams(e.Web.ID, webRedirect)
		params.Set("scope", "openid offline_access")
		login := b.Get(e.URL + "/authorize?" + params.Encode())
		login = b.Submit(login, "/login", map[string]string{"email": ruleEmail, "password": wrongPassword}, "", "")
		login = b.Submit(login, "/login", map[string]string{"email": ghostEmail, "password": wrongPassword}, "", "")
		if !login.HasForm("/login") {
			t.Fatalf("after failed sign-ins: want the login form again, got status %d", login.Status)
		}

		// Sign in, consent, and redeem the code; refresh; reuse the old
		// refresh token (the grant is revoked); client credentials.
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), webRedirect, params.Get("state"))
		code := q.Get("code")
		first := exchange(t, e, e.Web, e.WebSecret, code, webRedirect, pk.Verifier)
		wantTokens(t, first)
		rt1 := first.str("refresh_token")
		second := refresh(t, e.Env, e.Web, e.WebSecret, rt1, "")
		wantTokens(t, second)
		wantTokenError(t, refresh(t, e.Env, e.Web, e.WebSecret, rt1, ""), 400, "invalid_grant")
		svc := clientCredentials(t, e, e.Service, e.SvcSecret, "api:read")
		wantTokens(t, svc)
		secrets = append(secrets, code, pk.Verifier)
		for _, r := range []tokenResponse{first, second, svc} {
			for _, k := range []string{"access_token", "refresh_token", "id_token"} {
				if v := r.str(k); v != "" {
					secrets = append(secrets, v)
				}
			}
		}
		secrets = append(secrets, secret.Hash(rt1), secret.Hash(second.str("refresh_token")))

		// Revocations: the service's access token at /revoke, and the web
		// app's access from the account page.
		wantRevokeOK(t, revokeAs(t, &backEnv{rulesEnv: e}, backCaller{e.Service, e.SvcSecret}, svc.str("access_token"), ""))
		account := b.Get(e.URL + "/account")
		b.Submit(account, "/account/apps/revoke", nil, "", "")
		u, _ := url.Parse(e.URL)
		for _, c := range b.HTTP.Jar.Cookies(u) {
			secrets = append(secrets, c.Value)
		}

		res, err := audit.Verify(t.Context(), e.Store, nil)
		if err != nil || res.Break != nil {
			t.Fatalf("Verify: %+v, %v; want an intact chain", res, err)
		}
		var out bytes.Buffer
		if _, err := audit.Export(t.Context(), e.Store, &out, time.Time{}); err != nil {
			t.Fatal(err)
		}
		export := out.String()
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(export, s) {
				t.Errorf("the audit export contains a secret value %.12q...", s)
			}
		}
		if strings.Contains(export, ghostEmail) || strings.Contains(export, ruleEmail) {
			t.Errorf("the audit export contains an email address; failed sign-ins record the user ID only")
		}

		recs := parseExport(t, export)
		jti := func(r tokenResponse) string { return jwtClaim(t, r.str("access_token"), "jti") }
		web, svcID, user := e.Web.ID, e.Service.ID, e.User.ID
		want := []auditWant{
			{action: audit.UserCreated, actor: audit.ActorSystem, user: user, target: user},
			{action: audit.ClientCreated, target: web, client: web},
			{action: audit.LoginFailure, actor: audit.ActorAnonymous, user: user, client: web, ip: true},
			{action: audit.LoginFailure, actor: audit.ActorAnonymous, user: "", client: web, ip: true},
			{action: audit.LoginSuccess, actor: user, user: user, client: web, ip: true},
			{action: audit.ConsentGranted, actor: user, user: user, client: web, ip: true, details: map[string]any{"scope": "openid offline_access"}},
			{action: audit.TokenIssued, actor: web, user: user, client: web, target: jti(first), ip: true,
				details: map[string]any{"grant_type": "authorization_code", "scope": "openid offline_access"}},
			{action: audit.TokenIssued, actor: web, user: user, client: web, target: jti(second), ip: true,
				details: map[string]any{"grant_type": "refresh_token"}},
			{action: audit.RefreshReuseDetected, actor: web, user: user, client: web, ip: true},
			{action: audit.TokenIssued, actor: svcID, user: "", client: svcID, target: jti(svc), ip: true,
				details: map[string]any{"grant_type": "client_credentials", "scope": "api:read"}},
			{action: audit.TokenRevoked, actor: svcID, client: svcID, target: jti(svc), ip: true, details: map[string]any{"token_type": "access_token"}},
			{action: audit.ConsentRevoked, actor: user, user: user, client: web, ip: true},
		}
		checkTrail(t, recs, want)
	})
}

// auditWant is a record a test expects, in order among the others; empty
// fields but user and target match anything.
type auditWant struct {
	action, actor, user, client, target string
	ip                                  bool // the remote IP is the test client's
	details                             map[string]any
}

// checkTrail finds each wanted record in recs, in order.
func checkTrail(t *testing.T, recs []audit.Line, want []auditWant) {
	t.Helper()
	i := 0
	for _, w := range want {
		found := false
		for ; i < len(recs) && !found; i++ {
			r := recs[i]
			found = r.Action == w.action && (w.actor == "" || r.Actor == w.actor) && r.UserID == w.user &&
				(w.client == "" || r.ClientID == w.client) && (w.target == "" || r.Target == w.target) &&
				(!w.ip || r.RemoteIP == "127.0.0.1") && hasDetails(t, r.Details, w.details)
		}
		if !found {
			t.Errorf("no record like %+v in order in the trail:\n%s", w, describe(recs))
			return
		}
	}
}

func hasDetails(t *testing.T, raw json.RawMessage, want map[string]any) bool {
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("details %s: %v", raw, err)
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func describe(recs []audit.Line) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.Action + " actor=" + r.Actor + " user=" + r.UserID + " client=" + r.ClientID + " target=" + r.Target +
			" ip=" + r.RemoteIP + " " + string(r.Details) + "\n")
	}
	return b.String()
}

// parseExport decodes JSON lines.
func parseExport(t *testing.T, s string) []audit.Line {
	t.Helper()
	var out []audit.Line
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var l audit.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// jwtClaim reads a claim from a JWT's payload, unverified.
func jwtClaim(t *testing.T, jwt, name string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.20q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	s, _ := claims[name].(string)
	return s
}

// TestAuditTrailMore covers the other events requests cause: a denied
// consent, a replayed code, a refresh token revoked at /revoke, a client
// failing to authenticate, and the
// account page's sign-out of other sessions and password change; the
// passwords never appear in the trail.
func TestAuditTrailMore(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newRulesEnv(t, opt)
		const newPass = "a brand new password 77"
		user, web, spa := e.User.ID, e.Web.ID, e.SPA.ID

		// Deny the SPA, then approve the web app and replay its code.
		b := e.BrowserFor(t)
		params, _ := authzParams(spa, spaRedirect)
		p := b.Get(e.URL + "/authorize?" + params.Encode())
		p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
		wantRedirectError(t, e.Env, b.Submit(p, "/consent", nil, "decision", "deny"), spaRedirect, "access_denied", params.Get("state"))
		params, pk := authzParams(web, webRedirect)
		params.Set("scope", "openid offline_access")
		code := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), webRedirect, params.Get("state")).Get("code")
		tok := exchange(t, e, e.Web, e.WebSecret, code, webRedirect, pk.Verifier)
		wantTokens(t, tok)
		wantTokenError(t, exchange(t, e, e.Web, e.WebSecret, code, webRedirect, pk.Verifier), 400, "invalid_grant")

		// A second grant, whose refresh token the app revokes.
		tok2 := grantWithRefresh(t, e, b, e.Web, e.WebSecret, webRedirect, "openid offline_access")
		grant := tokenRecord(t, &backEnv{rulesEnv: e}, secret.Hash(tok2.str("refresh_token"))).GrantID
		wantRevokeOK(t, revokeAs(t, &backEnv{rulesEnv: e}, backCaller{e.Web, e.WebSecret}, tok2.str("refresh_token"), "refresh_token"))

		// A client presenting a wrong secret.
		const wrongSecret = "wrong-client-secret-0123456789"
		bad := postToken(t, e.Env, url.Values{"grant_type": {"client_credentials"}}.Encode(), "", basicAuth(e.Service.ID, wrongSecret))
		wantTokenError(t, bad, 401, "invalid_client")

		// The account page: sign out other sessions, change the password.
		other := e.BrowserFor(t)
		loginDirectly(t, e, other, rulePassword)
		acct := b.Get(e.URL + "/account")
		b.Submit(acct, "/account/sessions/sign-out-others", nil, "", "")
		acct = b.Get(e.URL + "/account")
		b.Submit(acct, "/account/password", map[string]string{
			"current_password": rulePassword, "new_password": newPass, "confirm_password": newPass,
		}, "", "")

		var out bytes.Buffer
		if _, err := audit.Export(t.Context(), e.Store, &out, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{rulePassword, newPass, wrongSecret, e.SvcSecret, code, tok.str("refresh_token"), tok2.str("refresh_token")} {
			if strings.Contains(out.String(), s) {
				t.Errorf("the audit export contains a secret value %.12q...", s)
			}
		}
		checkTrail(t, parseExport(t, out.String()), []auditWant{
			{action: audit.ConsentDenied, actor: user, user: user, client: spa, ip: true},
			{action: audit.CodeReuseDetected, actor: web, user: user, client: web, ip: true},
			{action: audit.TokenRevoked, actor: web, user: user, client: web, target: grant, ip: true,
				details: map[string]any{"token_type": "refresh_token"}},
			{action: audit.ClientAuthFailure, actor: audit.ActorAnonymous, client: e.Service.ID, ip: true,
				details: map[string]any{"endpoint": "/token", "method": "client_secret_basic"}},
			{action: audit.UserSessionsEnded, actor: user, user: user, ip: true, details: map[string]any{"sessions_ended": float64(1)}},
			{action: audit.UserPasswordChanged, actor: user, user: user, ip: true},
		})
		if res, err := audit.Verify(t.Context(), e.Store, nil); err != nil || res.Break != nil {
			t.Fatalf("Verify: %+v, %v; want an intact chain", res, err)
		}
	})
}

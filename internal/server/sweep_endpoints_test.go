package server_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// shape is what a well-behaved answer of an endpoint looks like; each has
// a checker in sweep_check_test.go.
type shape int

const (
	// shapeBackChannel: a JSON error with a registered code (RFC 6749 §5.2,
	// RFC 7009 §2.2.1, RFC 7662 §2.3), 401 with WWW-Authenticate for a
	// failed client authentication, 405 JSON for other methods; or the
	// endpoint's harmless success (revocation's empty 200, inactive
	// introspection).
	shapeBackChannel shape = iota
	// shapeBearer: userinfo; 401/400/403 with a Bearer WWW-Authenticate
	// challenge (RFC 6750 §3), or 200 claims for a valid token.
	shapeBearer
	// shapeFrontChannel: an HTML page with the security headers (an error
	// page with a registered code, or the login, consent, sign-out or
	// message page), or a 303 to a registered redirect URI carrying error,
	// state and iss (RFC 6749 §4.1.2.1, RFC 9207) and never a code, or a
	// 303 within the server (to the login page).
	shapeFrontChannel
	// shapeDocument: discovery, JWKS and the SDK: the document (or 404 for
	// an unknown SDK file) for GET and HEAD, whatever the query; 405
	// otherwise.
	shapeDocument
	// shapeJSONAPI: the admin API: a 4xx JSON error with one of its codes,
	// 401 with a Bearer challenge (RFC 6750 §3).
	shapeJSONAPI
	// shapeConsole: the developer console (sweep_console_test.go).
	shapeConsole
	// shapeOps: /metrics, /healthz, /readyz (sweep_ops_test.go).
	shapeOps
)

// identity is who sends a request: which cookies and form token it has.
type identity int

const (
	anonymous   identity = iota // no cookies
	anonCSRF                    // a CSRF cookie and its form token, not signed in
	asSignedIn                  // the signed-in user's session cookie, no CSRF token
	signedCSRF                  // signed in, with a valid CSRF cookie and token
	expiredSess                 // an expired session's cookie, with a valid CSRF pair
	forgedSess                  // a random session cookie and a CSRF token of another cookie

	// Bearer tokens for the admin API (sweep_admin_test.go).
	garbageTok  // Authorization: Bearer with random bytes
	nonAdminTok // the signed-in user's valid access token, without gatehouse:admin
	adminTok    // a valid access token with gatehouse:admin: every write it sends is poisoned

	// Console sessions (sweep_console_test.go).
	consoleForged  // a console session cookie this server did not seal
	consoleSess    // the console administrator's session, without a CSRF token
	consoleBadCSRF // the administrator's session with another cookie's CSRF token
	consoleCSRF    // the administrator's session with a valid CSRF pair: only at missing IDs and read-only endpoints
)

// sweepEndpoint is one endpoint the sweep attacks, with a base request the
// generator mutates. Base requests are near-valid but can never succeed in
// a way that writes to the database: secrets are wrong, codes and refresh
// tokens unknown, consent is denied, the password is wrong. Adding an
// endpoint to the sweep is adding one entry to one of the tables
// (coreEndpoints, adminEndpoints, consoleEndpoints, opsEndpoints).
type sweepEndpoint struct {
	name   string
	method string // of the base request; the generator tries others
	path   string
	shape  shape
	// ids are the identities the generator may send the request as; the
	// first is the base request's.
	ids []identity
	// base returns the parameters (query for GET, form body for POST) and
	// extra headers of the base request.
	base func(fx *sweepFixture) (params [][2]string, hdr http.Header)
	// weight is how many generated requests this endpoint gets per round.
	weight int
	// json sends the parameters of a POST, PUT or PATCH as one JSON object
	// (application/json) instead of a form; mutations apply alike.
	json bool
	// args returns the values of the path's {placeholders}, in order
	// (already path-escaped); the generator may replace them with nasty
	// segments.
	args func(fx *sweepFixture) []string
	// poison is a JSON member that fails the admin service's validation
	// whatever else the body holds. Every POST, PUT or PATCH an adminTok
	// request ends up sending carries it last (a repeated member's last
	// value wins in encoding/json), so no mutation can make a write
	// succeed; without poison such a request goes to missing IDs.
	poison string
}

// coreEndpoints are the OAuth, OpenID Connect and account endpoints
// under test. Adding one is adding an entry: its path, the method and
// parameters of a near-valid request that cannot succeed, the identities
// that may send it and its shape. The admin API's, the console's and the
// operational endpoints' tables are in sweep_admin_test.go,
// sweep_console_test.go and sweep_ops_test.go.
var coreEndpoints = []sweepEndpoint{
	{name: "authorize GET", method: http.MethodGet, path: "/authorize", shape: shapeFrontChannel,
		ids: []identity{anonymous, asSignedIn, expiredSess, forgedSess}, base: authorizeBase, weight: 6},
	{name: "authorize POST", method: http.MethodPost, path: "/authorize", shape: shapeFrontChannel,
		ids: []identity{anonymous, asSignedIn, expiredSess, forgedSess}, base: authorizeBase, weight: 4},
	{name: "token authorization_code", method: http.MethodPost, path: "/token", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: tokenCodeBase, weight: 4},
	{name: "token refresh_token", method: http.MethodPost, path: "/token", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: tokenRefreshBase, weight: 3},
	{name: "token client_credentials", method: http.MethodPost, path: "/token", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: tokenServiceBase, weight: 3},
	{name: "token client assertion", method: http.MethodPost, path: "/token", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: tokenAssertionBase, weight: 2},
	{name: "userinfo GET", method: http.MethodGet, path: "/userinfo", shape: shapeBearer,
		ids: []identity{anonymous, asSignedIn}, base: userinfoBase, weight: 2},
	{name: "userinfo POST", method: http.MethodPost, path: "/userinfo", shape: shapeBearer,
		ids: []identity{anonymous}, base: userinfoFormBase, weight: 2},
	{name: "revoke", method: http.MethodPost, path: "/revoke", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: revokeBase, weight: 3},
	{name: "introspect", method: http.MethodPost, path: "/introspect", shape: shapeBackChannel,
		ids: []identity{anonymous}, base: introspectBase, weight: 3},
	{name: "login GET", method: http.MethodGet, path: "/login", shape: shapeFrontChannel,
		ids: []identity{anonymous, asSignedIn}, base: loginPageBase, weight: 1},
	{name: "login POST", method: http.MethodPost, path: "/login", shape: shapeFrontChannel,
		ids: []identity{anonymous, forgedSess, anonCSRF}, base: loginBase, weight: 2},
	{name: "consent POST", method: http.MethodPost, path: "/consent", shape: shapeFrontChannel,
		ids: []identity{signedCSRF, anonymous, anonCSRF, asSignedIn, expiredSess, forgedSess}, base: consentBase, weight: 4},
	{name: "logout GET", method: http.MethodGet, path: "/logout", shape: shapeFrontChannel,
		ids: []identity{anonymous, asSignedIn, expiredSess}, base: logoutBase, weight: 2},
	{name: "logout POST", method: http.MethodPost, path: "/logout", shape: shapeFrontChannel,
		ids: []identity{asSignedIn, anonymous, forgedSess}, base: logoutConfirmBase, weight: 2},
	{name: "account GET", method: http.MethodGet, path: "/account", shape: shapeFrontChannel,
		ids: []identity{anonymous, asSignedIn, expiredSess, forgedSess}, base: noParams, weight: 1},
	{name: "account revoke app", method: http.MethodPost, path: "/account/apps/revoke", shape: shapeFrontChannel,
		ids: []identity{asSignedIn, anonymous, expiredSess, forgedSess}, base: accountRevokeBase, weight: 1},
	{name: "account password", method: http.MethodPost, path: "/account/password", shape: shapeFrontChannel,
		ids: []identity{asSignedIn, anonymous, expiredSess, forgedSess}, base: accountPasswordBase, weight: 1},
	{name: "account sign out others", method: http.MethodPost, path: "/account/sessions/sign-out-others", shape: shapeFrontChannel,
		ids: []identity{asSignedIn, anonymous, expiredSess, forgedSess}, base: noParams, weight: 1},
	{name: "jwks", method: http.MethodGet, path: "/jwks", shape: shapeDocument, ids: []identity{anonymous}, base: noParams, weight: 1},
	{name: "discovery", method: http.MethodGet, path: "/.well-known/openid-configuration", shape: shapeDocument,
		ids: []identity{anonymous}, base: noParams, weight: 1},
	{name: "as metadata", method: http.MethodGet, path: "/.well-known/oauth-authorization-server", shape: shapeDocument,
		ids: []identity{anonymous}, base: noParams, weight: 1},
	{name: "sdk", method: http.MethodGet, path: "/sdk/gatehouse.js", shape: shapeDocument,
		ids: []identity{anonymous}, base: noParams, weight: 1},
}

// sweepFixture is what the base requests draw on: the rules fixture's
// clients and user, a signed-in session, CSRF pairs and a valid access
// token (read-only uses only).
type sweepFixture struct {
	e           *rulesEnv
	sessionCk   *http.Cookie // the signed-in user's session
	expiredCk   *http.Cookie // a session that has expired
	csrfCk      *http.Cookie // a CSRF cookie...
	csrfToken   string       // ...and its form token
	accessToken string       // valid; sent only where reading it changes nothing
	pk          pkcePair
	admin       *adminFixture // the admin API's and console's records and credentials
}

// newSweepFixture signs the user in once (approving the SPA), takes a
// token for userinfo and introspection, and stores an expired session.
func newSweepFixture(t *testing.T, e *rulesEnv) *sweepFixture {
	t.Helper()
	b := e.session(t)
	fx := &sweepFixture{e: e, pk: newPKCE()}
	u, _ := url.Parse(e.URL)
	for _, c := range b.HTTP.Jar.Cookies(u) {
		if strings.Contains(c.Name, "session") {
			fx.sessionCk = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if fx.sessionCk == nil {
		t.Fatal("the signed-in browser has no session cookie")
	}
	code, pk := newCode(t, e, b, e.SPA, spaRedirect)
	tr := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, tr)
	fx.accessToken = tr.str("access_token")

	login := e.BrowserFor(t).Get(e.URL + "/login")
	fx.csrfToken = login.Form(t, "/login").Get("csrf_token")
	for _, line := range login.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && strings.Contains(c.Name, "csrf") {
			fx.csrfCk = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if fx.csrfCk == nil || fx.csrfToken == "" {
		t.Fatal("GET /login set no CSRF cookie and token")
	}

	value := secret.NewToken()
	now := e.Clock.Now().UTC()
	if err := e.Store.CreateSession(context.Background(), storage.Session{ID: secret.Hash(value), UserID: e.User.ID,
		AuthTime: now.Add(-48 * time.Hour), CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)}); err != nil {
		t.Fatalf("store an expired session: %v", err)
	}
	fx.expiredCk = &http.Cookie{Name: fx.sessionCk.Name, Value: value}
	return fx
}

// cookies returns the cookies and form token an identity sends.
func (fx *sweepFixture) cookies(id identity) (cks []*http.Cookie, csrfToken string) {
	switch id {
	case anonCSRF:
		return []*http.Cookie{fx.csrfCk}, fx.csrfToken
	case asSignedIn:
		return []*http.Cookie{fx.sessionCk}, ""
	case signedCSRF:
		return []*http.Cookie{fx.sessionCk, fx.csrfCk}, fx.csrfToken
	case expiredSess:
		return []*http.Cookie{fx.expiredCk, fx.csrfCk}, fx.csrfToken
	case forgedSess:
		other := &http.Cookie{Name: fx.csrfCk.Name, Value: base64.RawURLEncoding.EncodeToString(make([]byte, 32))}
		return []*http.Cookie{{Name: fx.sessionCk.Name, Value: secret.NewToken()}, other}, fx.csrfToken
	}
	return fx.adminCookies(id)
}

func pairs(kv ...string) [][2]string {
	out := make([][2]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

func noParams(*sweepFixture) ([][2]string, http.Header) { return nil, nil }

// authorizeBase is a valid request for the web client, which the user has
// not approved: the best it can reach is the login or consent page.
func authorizeBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("response_type", "code", "client_id", fx.e.Web.ID, "redirect_uri", webRedirect,
		"scope", "openid profile email", "state", "sweep-state", "nonce", "sweep-nonce",
		"code_challenge", fx.pk.Challenge, "code_challenge_method", "S256"), nil
}

// tokenCodeBase redeems a code that was never issued.
func tokenCodeBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("grant_type", "authorization_code", "client_id", fx.e.SPA.ID, "code", "never-issued-"+fx.pk.Verifier[:20],
		"redirect_uri", spaRedirect, "code_verifier", fx.pk.Verifier), nil
}

// tokenRefreshBase presents a refresh token that was never issued.
func tokenRefreshBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("grant_type", "refresh_token", "client_id", fx.e.SPA.ID, "refresh_token", "never-issued-"+fx.pk.Challenge,
		"scope", "openid"), nil
}

// tokenServiceBase authenticates the service with a wrong secret.
func tokenServiceBase(fx *sweepFixture) ([][2]string, http.Header) {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(fx.e.Service.ID+":"+fx.e.SvcSecret+"x")))
	return pairs("grant_type", "client_credentials", "scope", "api:read"), h
}

// tokenAssertionBase authenticates with an unsigned client assertion.
func tokenAssertionBase(fx *sweepFixture) ([][2]string, http.Header) {
	header := b64url([]byte(`{"alg":"none","typ":"JWT"}`))
	claims := b64url([]byte(`{"iss":"` + fx.e.Service.ID + `","sub":"` + fx.e.Service.ID + `","aud":"` + fx.e.URL + `/token","jti":"sweep","exp":4102444800}`))
	return pairs("grant_type", "client_credentials", "client_id", fx.e.Service.ID,
		"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		"client_assertion", header+"."+claims+"."), nil
}

// userinfoBase sends the valid access token, which only reads.
func userinfoBase(fx *sweepFixture) ([][2]string, http.Header) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+fx.accessToken)
	return nil, h
}

func userinfoFormBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("access_token", fx.accessToken), nil
}

// revokeBase revokes a token the server never issued: a JWT-shaped string.
func revokeBase(fx *sweepFixture) ([][2]string, http.Header) {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(fx.e.Web.ID+":"+fx.e.WebSecret)))
	return pairs("token", forgedJWT(fx.accessToken), "token_type_hint", "access_token"), h
}

// introspectBase asks about the valid token with a wrong secret.
func introspectBase(fx *sweepFixture) ([][2]string, http.Header) {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(fx.e.Service.ID+":wrong")))
	return pairs("token", fx.accessToken, "token_type_hint", "access_token"), h
}

// forgedJWT keeps a token's header and claims and replaces its signature.
func forgedJWT(tok string) string {
	if i := strings.LastIndexByte(tok, '.'); i > 0 {
		return tok[:i+1] + b64url([]byte("not the signature"))
	}
	return tok
}

func loginPageBase(*sweepFixture) ([][2]string, http.Header) {
	return pairs("return_to", "/account"), nil
}

// loginBase posts a wrong password for the authorization request.
func loginBase(fx *sweepFixture) ([][2]string, http.Header) {
	authz, _ := authorizeBase(fx)
	return pairs("csrf_token", "", "authz", encodePairs(authz), "email", ruleEmail, "password", "wrong "+rulePassword), nil
}

// consentBase denies consent (the only decision that writes nothing).
func consentBase(fx *sweepFixture) ([][2]string, http.Header) {
	authz, _ := authorizeBase(fx)
	return pairs("csrf_token", "", "authz", encodePairs(authz), "decision", "deny"), nil
}

// logoutBase asks to sign out without an id_token_hint: a signed-in
// browser is asked to confirm.
func logoutBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("client_id", fx.e.SPA.ID, "post_logout_redirect_uri", spaPostLogout, "state", "sweep-state"), nil
}

// logoutConfirmBase confirms a sign-out without a CSRF token.
func logoutConfirmBase(fx *sweepFixture) ([][2]string, http.Header) {
	req, _ := logoutBase(fx)
	return pairs("decision", "logout", "logout_request", encodePairs(req), "csrf_token", "not-the-token"), nil
}

func accountRevokeBase(fx *sweepFixture) ([][2]string, http.Header) {
	return pairs("csrf_token", "", "client_id", fx.e.SPA.ID), nil
}

func accountPasswordBase(*sweepFixture) ([][2]string, http.Header) {
	return pairs("csrf_token", "", "current_password", rulePassword, "new_password", "a new long password 123",
		"confirm_password", "a new long password 123"), nil
}

// encodePairs form-encodes pairs in order.
func encodePairs(ps [][2]string) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	return b.String()
}

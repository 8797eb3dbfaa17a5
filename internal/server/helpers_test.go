package server_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// The fixture's registrations.
const (
	ruleEmail    = "alice@example.com"
	rulePassword = "correct horse battery staple"

	spaRedirect     = "https://spa.example.com/callback"
	spaPattern      = `https://pr-[0-9]+\.preview\.example\.com/cb`
	spaPostLogout   = "https://spa.example.com/signed-out"
	webRedirect     = "https://web.example.com/oauth/callback"
	webDefault      = "https://web.example.com/oauth/default"
	nativeLoopback4 = "http://127.0.0.1/callback"
	nativeLoopback6 = "http://[::1]/callback"
	nativeScheme    = "com.example.app:/oauth"
)

// rulesEnv is a running server with one user and one client of each kind.
type rulesEnv struct {
	*servertest.Env
	User      storage.User
	SPA       storage.Client // public; spaRedirect, spaPattern; may ask for api:read
	SPAPlain  storage.Client // public, AllowPlainPKCE
	Native    storage.Client // public; loopback and private-use scheme URIs
	Web       storage.Client // confidential; webRedirect and default webDefault
	WebSecret string
	WebNoPKCE storage.Client // confidential, PKCEOptional
	NoPKCESec string
	Service   storage.Client // server-to-server
	SvcSecret string

	sessionOnce sync.Once
	sessionB    *servertest.Browser
}

// session returns a browser signed in once per server (having approved
// openid profile email for the SPA), reporting its failures on t. Rules
// that share a server share it, to spare a password check each.
func (e *rulesEnv) session(t *testing.T) *servertest.Browser {
	t.Helper()
	e.sessionOnce.Do(func() { e.sessionB, _, _ = signedIn(t, e, e.SPA, spaRedirect) })
	if e.sessionB == nil {
		t.Fatal("the shared session could not be started")
	}
	return e.sessionB.For(t)
}

// newRulesEnv starts a server (argon2 runs once here, for the user). Its
// rules send many failing requests on purpose, so brute-force protection
// is off (throttle_test.go tests it).
func newRulesEnv(t *testing.T, opt servertest.Options) *rulesEnv {
	t.Helper()
	return registerRules(servertest.New(t, withoutThrottle(opt)))
}

// registerRules adds the user and the clients to a running server.
func registerRules(env *servertest.Env) *rulesEnv {
	e := &rulesEnv{Env: env, User: env.AddUser(ruleEmail, rulePassword)}
	e.SPA, _ = env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Rules SPA",
		RedirectURIs: []string{spaRedirect}, RedirectURIPatterns: []string{spaPattern},
		PostLogoutRedirectURIs: []string{spaPostLogout}, Scopes: []string{"api:read"}})
	e.SPAPlain, _ = env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Legacy SPA",
		RedirectURIs: []string{"https://legacy.example.com/callback"}})
	e.SPAPlain.AllowPlainPKCE = true
	env.UpdateClient(e.SPAPlain)
	e.Native, _ = env.AddClient(admin.NewClient{Type: storage.ClientNative, Name: "Rules native",
		RedirectURIs: []string{nativeLoopback4, nativeLoopback6, nativeScheme}})
	e.Web, e.WebSecret = env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Rules web",
		RedirectURIs: []string{webRedirect}, DefaultRedirectURI: webDefault,
		Scopes: []string{"api:read", "api:write"}})
	e.WebNoPKCE, e.NoPKCESec = env.AddClient(admin.NewClient{Type: storage.ClientWeb, Name: "Legacy web",
		RedirectURIs: []string{"https://legacy-web.example.com/callback"}})
	e.WebNoPKCE.PKCEOptional = true
	env.UpdateClient(e.WebNoPKCE)
	e.Service, e.SvcSecret = env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Rules service", Scopes: []string{"api:read"}})
	return e
}

// pkcePair is a fresh code_verifier and its S256 code_challenge.
type pkcePair struct{ Verifier, Challenge string }

func newPKCE() pkcePair {
	v := randomString()
	return pkcePair{Verifier: v, Challenge: oauth.S256Challenge(v)}
}

// randomString is 43 characters of base64url.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authzParams builds a valid authorization request for the client with a
// fresh PKCE pair (returned), a random state and nonce, and scope
// "openid profile email".
func authzParams(clientID, redirectURI string) (url.Values, pkcePair) {
	p := newPKCE()
	v := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"scope":                 {"openid profile email"},
		"state":                 {"st-" + randomString()[:12]},
		"nonce":                 {"n-" + randomString()[:12]},
		"code_challenge":        {p.Challenge},
		"code_challenge_method": {"S256"},
	}
	if redirectURI != "" {
		v.Set("redirect_uri", redirectURI)
	}
	return v, p
}

// authorize sends params to /authorize with GET (query) or POST (form).
func authorize(b *servertest.Browser, env *servertest.Env, method string, params url.Values) *servertest.Page {
	if method == http.MethodPost {
		return b.PostForm(env.URL+"/authorize", params)
	}
	return b.Get(env.URL + "/authorize?" + params.Encode())
}

// rawAuthorize sends an already encoded query to /authorize, for requests
// url.Values cannot express (repeated parameters in a given order).
func rawAuthorize(b *servertest.Browser, env *servertest.Env, rawQuery string) *servertest.Page {
	return b.Get(env.URL + "/authorize?" + rawQuery)
}

// signedIn walks login and consent in a new browser and returns the browser,
// now signed in and having approved "openid profile email" for the client,
// together with the code and verifier of that first flow.
func signedIn(t *testing.T, e *rulesEnv, c storage.Client, redirectURI string) (*servertest.Browser, string, pkcePair) {
	t.Helper()
	b := e.BrowserFor(t)
	params, pk := authzParams(c.ID, redirectURI)
	p := b.Authorize(params, ruleEmail, rulePassword)
	q := wantCodeRedirect(t, e.Env, p, redirectURI, params.Get("state"))
	return b, q.Get("code"), pk
}

// newCode runs a flow in a signed-in browser (approving consent if asked)
// and returns the code and the PKCE verifier.
func newCode(t *testing.T, e *rulesEnv, b *servertest.Browser, c storage.Client, redirectURI string) (string, pkcePair) {
	t.Helper()
	params, pk := authzParams(c.ID, redirectURI)
	p := b.Authorize(params, ruleEmail, rulePassword)
	return wantCodeRedirect(t, e.Env, p, redirectURI, params.Get("state")).Get("code"), pk
}

// wantCodeRedirect checks p is a 303 to redirectURI with a code, the exact
// state and iss, and returns the query.
func wantCodeRedirect(t *testing.T, env *servertest.Env, p *servertest.Page, redirectURI, state string) url.Values {
	t.Helper()
	q := wantRedirect(t, env, p, redirectURI, state)
	if q.Get("code") == "" || q.Has("error") {
		t.Fatalf("redirect %s: want a code, got error=%q (%s)", p.Location, q.Get("error"), q.Get("error_description"))
	}
	return q
}

// wantRedirectError checks p is a 303 to redirectURI with error=code, an
// error_description, the exact state and iss (RFC 6749 §4.1.2.1, RFC 9207).
func wantRedirectError(t *testing.T, env *servertest.Env, p *servertest.Page, redirectURI, code, state string) {
	t.Helper()
	q := wantRedirect(t, env, p, redirectURI, state)
	if got := q.Get("error"); got != code {
		t.Errorf("error = %q (%s), want %q", got, q.Get("error_description"), code)
	}
	wantDescription(t, q.Get("error_description"))
	if q.Has("code") {
		t.Errorf("error redirect %s carries a code", p.Location)
	}
}

// wantRedirect checks p is a 303 to redirectURI (query aside) carrying the
// exact state (or none when state is "") and iss = the issuer.
func wantRedirect(t *testing.T, env *servertest.Env, p *servertest.Page, redirectURI, state string) url.Values {
	t.Helper()
	if p.Location == nil {
		t.Fatalf("want a redirect to %s, got status %d at %s:\n%s", redirectURI, p.Status, p.URL, excerpt(p.Body))
	}
	if p.Status != http.StatusSeeOther {
		t.Errorf("redirect status = %d, want 303", p.Status)
	}
	base := *p.Location
	base.RawQuery = ""
	if base.String() != redirectURI {
		t.Fatalf("redirected to %s, want %s", p.Location, redirectURI)
	}
	q := p.Location.Query()
	if got := q["state"]; state != anyState && (state == "" && len(got) != 0 || state != "" && (len(got) != 1 || got[0] != state)) {
		t.Errorf("state = %q, want exactly %q", got, state)
	}
	if got := q["iss"]; len(got) != 1 || got[0] != env.URL {
		t.Errorf("iss = %q, want %q", got, env.URL)
	}
	return q
}

var badgeRE = regexp.MustCompile(`<code class="badge">([^<]*)</code>`)

// wantErrorPage checks p is an HTML error page with status 400 showing the
// error code, and no redirect.
func wantErrorPage(t *testing.T, p *servertest.Page, code string) {
	t.Helper()
	if p.Location != nil || p.Header.Get("Location") != "" {
		t.Fatalf("redirected to %s, want an error page", p.Location)
	}
	if p.Status != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", p.Status)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	m := badgeRE.FindStringSubmatch(p.Body)
	if m == nil || m[1] != code {
		t.Errorf("error page shows code %q, want %q:\n%s", m, code, excerpt(p.Body))
	}
}

// wantDescription checks an error_description is present and uses only
// the characters RFC 6749 §4.1.2.1 and §5.2 allow: %x20-21 / %x23-5B /
// %x5D-7E.
func wantDescription(t *testing.T, d string) {
	t.Helper()
	if d == "" {
		t.Errorf("no error_description")
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			t.Errorf("error_description %q has %q, which RFC 6749 §5.2 does not allow", d, c)
			return
		}
	}
}

// tokenResponse is a decoded answer of the token endpoint.
type tokenResponse struct {
	Status int
	Header http.Header
	JSON   map[string]any
}

func (r tokenResponse) str(k string) string { s, _ := r.JSON[k].(string); return s }

// postToken sends form to /token. auth, when not nil, adjusts the request
// (e.g. SetBasicAuth); contentType "" means application/x-www-form-urlencoded.
func postToken(t *testing.T, env *servertest.Env, body, contentType string, auth func(*http.Request)) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType == "" {
		contentType = "application/x-www-form-urlencoded"
	}
	if contentType != "-" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != nil {
		auth(req)
	}
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("POST /token: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := tokenResponse{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(raw, &r.JSON); err != nil {
		t.Fatalf("token response (status %d) is not JSON: %v\n%s", resp.StatusCode, err, raw)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token response Cache-Control = %q, want no-store (RFC 6749 §5.1)", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("token response Content-Type = %q, want application/json", ct)
	}
	return r
}

// basicAuth sets client_secret_basic credentials, form-urlencoded first
// (RFC 6749 §2.3.1).
func basicAuth(id, secret string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }
}

// exchange redeems a code: public clients send client_id, confidential
// ones client_secret_basic. redirectURI and verifier are sent when not "".
func exchange(t *testing.T, e *rulesEnv, c storage.Client, secret, code, redirectURI, verifier string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	if redirectURI != "" {
		form.Set("redirect_uri", redirectURI)
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	var auth func(*http.Request)
	if c.Type.Public() {
		form.Set("client_id", c.ID)
	} else {
		auth = basicAuth(c.ID, secret)
	}
	return postToken(t, e.Env, form.Encode(), "", auth)
}

// wantTokens checks a successful token response.
func wantTokens(t *testing.T, r tokenResponse) {
	t.Helper()
	if r.Status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("token response: status %d, %v; want 200 with tokens", r.Status, r.JSON)
	}
}

// wantTokenError checks an RFC 6749 §5.2 error response.
func wantTokenError(t *testing.T, r tokenResponse, status int, code string) {
	t.Helper()
	if r.Status != status || r.str("error") != code {
		t.Errorf("token response: status %d, error %q (%s); want %d %s", r.Status, r.str("error"), r.str("error_description"), status, code)
	}
	wantDescription(t, r.str("error_description"))
	if _, ok := r.JSON["access_token"]; ok {
		t.Errorf("error response carries an access token")
	}
}

// jwtParts decodes a JWT's header typ and payload without verifying it.
func jwtParts(t *testing.T, raw string) (typ string, claims map[string]any) {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("parse JWT: %v", err)
	}
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		t.Fatalf("decode JWT claims: %v", err)
	}
	typ, _ = tok.Headers[0].ExtraHeaders[jose.HeaderType].(string)
	return typ, claims
}

// b64url encodes without padding, as JWTs do.
func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// excerpt shortens a page body for failure messages.
func excerpt(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

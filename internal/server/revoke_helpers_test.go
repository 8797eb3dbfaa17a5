package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Helpers for the revocation (RFC 7009) and introspection (RFC 7662) tests.

// backEnv is a rules server plus a resource server: a confidential client
// allowed to introspect every client's tokens.
type backEnv struct {
	*rulesEnv
	RS       storage.Client
	RSSecret string
}

func newBackEnv(t *testing.T, opt servertest.Options) *backEnv {
	t.Helper()
	e := &backEnv{rulesEnv: newRulesEnv(t, opt)}
	e.RS, e.RSSecret = e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Resource API"})
	e.RS.ResourceServer = true
	e.UpdateClient(e.RS)
	return e
}

// backCaller is a client as it authenticates at the back channel: public
// clients send client_id in the form, confidential ones use Basic.
type backCaller struct {
	Client storage.Client
	Secret string
}

func (c backCaller) auth(form url.Values) func(*http.Request) {
	if c.Client.Type.Public() {
		form.Set("client_id", c.Client.ID)
		return nil
	}
	return basicAuth(c.Client.ID, c.Secret)
}

func (e *backEnv) spa() backCaller     { return backCaller{e.SPA, ""} }
func (e *backEnv) web() backCaller     { return backCaller{e.Web, e.WebSecret} }
func (e *backEnv) rs() backCaller      { return backCaller{e.RS, e.RSSecret} }
func (e *backEnv) service() backCaller { return backCaller{e.Service, e.SvcSecret} }

// backResponse is a raw answer of /revoke or /introspect.
type backResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body, failing the test when it is not a JSON object.
func (r backResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("status %d: body is not a JSON object: %v\n%s", r.Status, err, r.Body)
	}
	return m
}

// postBack sends form to path on env; auth, when not nil, adjusts the
// request; contentType "" means application/x-www-form-urlencoded.
func postBack(t *testing.T, env *servertest.Env, path, body, contentType string, auth func(*http.Request)) backResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType == "" {
		contentType = "application/x-www-form-urlencoded"
	}
	req.Header.Set("Content-Type", contentType)
	if auth != nil {
		auth(req)
	}
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("POST %s: Cache-Control = %q, want no-store", path, cc)
	}
	return backResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// revokeAs asks /revoke, as c, to revoke tok; hint "" sends none.
func revokeAs(t *testing.T, e *backEnv, c backCaller, tok, hint string) backResponse {
	t.Helper()
	form := url.Values{"token": {tok}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	auth := c.auth(form)
	return postBack(t, e.Env, "/revoke", form.Encode(), "", auth)
}

// wantRevokeOK checks the RFC 7009 §2.2 success answer: 200, empty body.
func wantRevokeOK(t *testing.T, r backResponse) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("revocation: status %d, body %q; want 200 with an empty body", r.Status, r.Body)
	}
}

// introspectAs asks /introspect, as c, about tok; hint "" sends none. It
// checks the answer is 200 JSON and returns it decoded.
func introspectAs(t *testing.T, e *backEnv, c backCaller, tok, hint string) map[string]any {
	t.Helper()
	form := url.Values{"token": {tok}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	auth := c.auth(form)
	r := postBack(t, e.Env, "/introspect", form.Encode(), "", auth)
	if r.Status != http.StatusOK {
		t.Fatalf("introspection: status %d, body %s; want 200", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("introspection Content-Type = %q, want application/json (RFC 7662 §2.2)", ct)
	}
	return r.json(t)
}

// wantInactive checks an introspection answer is exactly {"active":false}:
// RFC 7662 §2.2 lets nothing else be said about an inactive token.
func wantInactive(t *testing.T, got map[string]any) {
	t.Helper()
	if len(got) != 1 || got["active"] != false {
		t.Errorf("introspection = %v, want exactly {\"active\":false}", got)
	}
}

// wantIntrospection checks an introspection answer is active and has exactly the
// members of want (numbers as float64, as JSON decodes them).
func wantIntrospection(t *testing.T, got, want map[string]any) {
	t.Helper()
	want = maps.Clone(want)
	want["active"] = true
	if !maps.EqualFunc(got, want, func(a, b any) bool { return sameJSON(a, b) }) {
		t.Errorf("introspection =\n  %v\nwant\n  %v", got, want)
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if !sameJSON(got[k], want[k]) {
				t.Errorf("  %s = %v, want %v", k, got[k], want[k])
			}
		}
		for _, k := range slices.Sorted(maps.Keys(got)) {
			if _, ok := want[k]; !ok {
				t.Errorf("  unexpected member %s = %v", k, got[k])
			}
		}
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// issuedToken is an access token obtained through the code flow.
type issuedToken struct {
	Raw     string
	Claims  map[string]any // its JWT payload
	GrantID string
}

func (i issuedToken) jti() string { s, _ := i.Claims["jti"].(string); return s }

// codeFlowToken runs a code flow for c in the shared signed-in browser
// (approving consent when asked) and redeems the code.
func codeFlowToken(t *testing.T, e *backEnv, c backCaller, redirectURI string) issuedToken {
	t.Helper()
	code, pk := newCode(t, e.rulesEnv, e.session(t), c.Client, redirectURI)
	r := exchange(t, e.rulesEnv, c.Client, c.Secret, code, redirectURI, pk.Verifier)
	wantTokens(t, r)
	tok := issuedToken{Raw: r.str("access_token")}
	_, tok.Claims = jwtParts(t, tok.Raw)
	rec, err := e.Store.GetToken(context.Background(), tok.jti())
	if err != nil {
		t.Fatalf("access token record: %v", err)
	}
	tok.GrantID = rec.GrantID
	return tok
}

// refreshOption adjust a refresh token record before it is stored.
type refreshOption func(*storage.Token)

// storeRefreshToken stores a refresh token of the grant for c and the rules
// user, as the refresh grant would, and returns its value: the record's ID
// is the hash of the value.
func storeRefreshToken(t *testing.T, e *backEnv, c storage.Client, grantID string, opts ...refreshOption) (string, storage.Token) {
	t.Helper()
	value := secret.NewToken()
	now := e.Clock.Now().UTC().Truncate(time.Second)
	rec := storage.Token{
		ID: secret.Hash(value), Kind: storage.TokenRefresh, GrantID: grantID, ClientID: c.ID, UserID: e.User.ID,
		Scopes: []string{"openid", "profile", "email", "offline_access"}, AuthTime: now,
		CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour), GrantExpiresAt: now.Add(90 * 24 * time.Hour),
	}
	for _, o := range opts {
		o(&rec)
	}
	if err := e.Store.CreateToken(context.Background(), rec); err != nil {
		t.Fatalf("store refresh token: %v", err)
	}
	return value, rec
}

// tokenRecord reads a token record from the store.
func tokenRecord(t *testing.T, e *backEnv, id string) storage.Token {
	t.Helper()
	rec, err := e.Store.GetToken(context.Background(), id)
	if err != nil {
		t.Fatalf("get token: %v", err)
	}
	return rec
}

// foreignJWT signs a copy of the access token like, with iss set to
// issuer, with a key the server never had: under like's key ID when
// sameKID (a forged signature), else under an unknown one.
func foreignJWT(t *testing.T, like, issuer string, sameKID bool) string {
	t.Helper()
	tok, err := jwt.ParseSigned(like, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		t.Fatal(err)
	}
	claims["iss"] = issuer
	kid := "foreign-key"
	if sameKID {
		kid = tok.Headers[0].KeyID
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

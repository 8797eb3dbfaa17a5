package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/demo"
	"github.com/gatehouse-dev/gatehouse/demo/api"
	"github.com/gatehouse-dev/gatehouse/demo/spa"
	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// appOrigin is the sample app's origin in these tests; nothing listens
// there, the tests play the app.
const appOrigin = "http://localhost:3000"

// testEnv is a Gatehouse seeded as `gatehouse dev` seeds it, and the demo
// API accepting its tokens.
type testEnv struct {
	gh       *servertest.Env
	api      *httptest.Server
	clientID string // the sample app's client
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	gh := servertest.New(t, servertest.Options{})
	seeded, err := demo.Seed(context.Background(), gh.Store, appOrigin, gh.Clock.Now)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	a, err := api.New(context.Background(), api.Options{Issuer: gh.URL, AllowedOrigins: []string{appOrigin}, Now: gh.Clock.Now})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	ts := httptest.NewServer(a)
	t.Cleanup(ts.Close)
	return &testEnv{gh: gh, api: ts, clientID: seeded.ClientID}
}

// login returns the demo login with this email.
func login(t *testing.T, email string) demo.Login {
	t.Helper()
	for _, l := range demo.Logins {
		if l.Email == email {
			return l
		}
	}
	t.Fatalf("no demo login %s", email)
	return demo.Login{}
}

// token signs the user in to the client at Gatehouse's real login and
// consent pages, redeems the code with PKCE (RFC 7636) and returns the
// access token.
func (e *testEnv) token(t *testing.T, clientID, redirectURI, email, scope string) string {
	t.Helper()
	l := login(t, email)
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	params := url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirectURI}, "scope": {scope},
		"state": {rand.Text()}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	q := e.gh.BrowserFor(t).Authorize(params, l.Email, l.Password).Callback(t, redirectURI)
	resp, err := http.PostForm(e.gh.URL+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {clientID}, "code_verifier": {verifier},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		t.Fatalf("token exchange: status %d, err %v, body %+v", resp.StatusCode, err, body)
	}
	return body.AccessToken
}

// appToken is token for the sample app's client.
func (e *testEnv) appToken(t *testing.T, email, scope string) string {
	t.Helper()
	return e.token(t, e.clientID, spa.RedirectURI(appOrigin), email, scope)
}

// otherClient registers a second single-page app allowed the API's scopes.
func (e *testEnv) otherClient(t *testing.T) storage.Client {
	t.Helper()
	c, _ := e.gh.AddClient(admin.NewClient{
		Type: storage.ClientSPA, Name: "Another app", RedirectURIs: []string{"http://localhost:4000/callback"}, Scopes: api.Scopes,
	})
	return c
}

// response is an answer of the API.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r response) JSON(t *testing.T, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
}

// wantError checks an error answer: status and JSON error code.
func (r response) wantError(t *testing.T, status int, code string) {
	t.Helper()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	r.JSON(t, &body)
	if body.Error != code || body.Description == "" {
		t.Fatalf("error %q (%q), want %q with a description", body.Error, body.Description, code)
	}
}

// call sends one request to the API. key is the x-api-key header ("" to
// send none), token the bearer token ("" for none).
func (e *testEnv) call(t *testing.T, method, path, token, key string, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.api.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set(api.APIKeyHeader, key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.api.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

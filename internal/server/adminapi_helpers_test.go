package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	adminPrefix   = "/api/admin/v1"
	consoleRedir  = "https://console.example.com/cb"
	adminPassword = "admin password 1"
)

// apiResponse is an answer of the admin API.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body into a map, failing the test if it is not JSON.
func (r apiResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("admin API answer (status %d) is not a JSON object: %v\n%s", r.Status, err, r.Body)
	}
	return m
}

func (r apiResponse) str(t *testing.T, k string) string {
	t.Helper()
	s, _ := r.json(t)[k].(string)
	return s
}

// callAdmin sends a request to the admin API with token (none if "").
// body is sent as JSON unless it is a string, which is sent as is.
func callAdmin(t *testing.T, env *servertest.Env, token, method, path string, body any) apiResponse {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, env.URL+adminPrefix+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// want fails the test unless r has the status.
func (r apiResponse) want(t *testing.T, status int) apiResponse {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, excerpt(string(r.Body)))
	}
	return r
}

// wantError fails unless r is an error with the status, code and field.
func (r apiResponse) wantError(t *testing.T, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, excerpt(string(r.Body)))
	}
	m := r.json(t)
	if m["error"] != code || (field != "" && m["field"] != field) || m["message"] == "" {
		t.Errorf("error body %v, want error %q field %q and a message", m, code, field)
	}
}

// serviceToken registers a server-to-server client with scopes and returns
// it with an access token from the client credentials grant.
func serviceToken(t *testing.T, env *servertest.Env, scopes ...string) (storage.Client, string) {
	t.Helper()
	c, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Automation", Scopes: scopes})
	r := postToken(t, env, url.Values{"grant_type": {"client_credentials"}}.Encode(), "", basicAuth(c.ID, secret))
	if r.Status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("client credentials: status %d, %v", r.Status, r.JSON)
	}
	return c, r.str("access_token")
}

// consoleClient registers a public client allowed the admin scope, as the
// developer console is.
func consoleClient(t *testing.T, env *servertest.Env) storage.Client {
	t.Helper()
	c, _ := env.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Console",
		RedirectURIs: []string{consoleRedir}, Scopes: []string{oauth.ScopeAdmin}})
	return c
}

// addUser creates a user, an administrator if isAdmin.
func addUser(t *testing.T, env *servertest.Env, email string, isAdmin bool) storage.User {
	t.Helper()
	u, err := env.Admin.CreateUser(context.Background(), admin.NewUser{Email: email, Password: adminPassword, Admin: isAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// userToken signs email in through the login and consent pages of the
// console client, asking for "openid gatehouse:admin", and returns the
// token response.
func userToken(t *testing.T, env *servertest.Env, console storage.Client, email string) tokenResponse {
	t.Helper()
	params, pk := authzParams(console.ID, consoleRedir)
	params.Set("scope", "openid "+oauth.ScopeAdmin)
	q := env.BrowserFor(t).Authorize(params, email, adminPassword).Callback(t, consoleRedir)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "client_id": {console.ID},
		"redirect_uri": {consoleRedir}, "code_verifier": {pk.Verifier}}
	r := postToken(t, env, form.Encode(), "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("code exchange: status %d, %v", r.Status, r.JSON)
	}
	return r
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestConsoleUsersGroupsKeys: users are listed and added (errors at the
// field), groups are derived from users, and the keys page rotates a key.
func TestConsoleUsersGroupsKeys(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, _ := e.signIn(t, consoleAdmin)
	ctx := context.Background()

	p := b.Get(e.URL + "/console/users")
	wantPage(t, p, http.StatusOK, consoleAdmin, consoleUser, "staff")
	p = b.Submit(p, "/console/users", map[string]string{"email": "carol@example.com", "password": "short"}, "", "")
	wantPage(t, p, http.StatusBadRequest, `id="err-password"`, "at least 8")
	p = b.Submit(p, "/console/users", map[string]string{"email": consoleUser, "password": consolePassword}, "", "")
	wantPage(t, p, http.StatusConflict, `id="err-email"`, "already exists")
	p = b.Submit(p, "/console/users", map[string]string{
		"email": "carol@example.com", "name": "Carol", "password": consolePassword, "groups": "staff, ops, staff", "admin": "on",
	}, "", "")
	wantPage(t, p, http.StatusCreated, "Added carol@example.com.")
	carol, err := e.Store.GetUserByEmail(ctx, "carol@example.com")
	if err != nil || !carol.Admin || !slices.Equal(carol.Groups, []string{"staff", "ops"}) {
		t.Fatalf("carol = %+v, %v", carol, err)
	}

	p = b.Get(e.URL + "/console/groups")
	wantPage(t, p, http.StatusOK, "ops", "staff", "2 members", "1 member")

	p = b.Get(e.URL + "/console/keys")
	wantPage(t, p, http.StatusOK, "current", "next", "Rotate RS256")
	before, _ := e.Store.ListSigningKeys(ctx)
	p = b.Submit(p, "/console/keys/rotate", map[string]string{"alg": "RS256"}, "", "")
	wantPage(t, p, http.StatusOK, "Rotated RS256", "keeps verifying")
	after, _ := e.Store.ListSigningKeys(ctx)
	if len(after) != len(before)+1 {
		t.Errorf("keys: %d before, %d after a rotation; want one new next key", len(before), len(after))
	}
	p = b.Submit(b.Get(e.URL+"/console/keys"), "/console/keys/rotate", map[string]string{"alg": "HS256"}, "", "")
	wantPage(t, p, http.StatusBadRequest, "Unknown algorithm")

	// The console keeps working with tokens signed by the new key.
	_, again := e.signIn(t, consoleAdmin)
	wantPage(t, again, http.StatusOK, "<h1>Projects</h1>")
}

// TestConsoleEditsAndMissing: projects and APIs can be edited; unknown
// records are a 404 page, never a server error.
func TestConsoleEditsAndMissing(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, _ := e.signIn(t, consoleAdmin)
	ctx := context.Background()
	proj, err := e.Admin.CreateProject(ctx, admin.ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	api, err := e.Admin.CreateAPI(ctx, admin.APIInput{ProjectID: proj.ID, Name: "Orders", Identifier: formsAPI,
		Scopes: []storage.APIScope{{Name: "orders:read", Description: "Read"}}})
	if err != nil {
		t.Fatal(err)
	}

	edit := "/console/projects/" + proj.ID + "/edit"
	p := b.Get(e.URL + edit)
	wantPage(t, p, http.StatusOK, `value="Shop"`)
	p = b.Submit(p, edit, map[string]string{"name": ""}, "", "")
	wantPage(t, p, http.StatusBadRequest, `id="err-name"`)
	p = b.Submit(p, edit, map[string]string{"name": "Web shop", "description": "Storefront"}, "", "")
	wantPage(t, p, http.StatusOK, "<h1>Web shop</h1>", "Storefront")

	apiEdit := "/console/apis/" + api.ID + "/edit"
	p = b.Get(e.URL + apiEdit)
	wantPage(t, p, http.StatusOK, "Edit API", `value="orders:read"`)
	f := p.Form(t, apiEdit)
	f["scope_name"] = []string{"orders:read", "orders:refund"}
	f["scope_description"] = []string{"Read your orders", "Refund orders"}
	p = b.PostForm(e.URL+apiEdit, f)
	wantPage(t, p, http.StatusOK, "Refund orders")
	got, _ := e.Admin.GetAPI(ctx, api.ID)
	if len(got.Scopes) != 2 || got.Scopes[1].Name != "orders:refund" {
		t.Errorf("API after edit = %+v", got)
	}
	f.Set("identifier", "not a uri")
	p = b.PostForm(e.URL+apiEdit, f)
	wantPage(t, p, http.StatusBadRequest, `id="err-identifier"`)

	for _, path := range []string{
		"/console/projects/nope", "/console/projects/nope/edit", "/console/projects/nope/apis/new",
		"/console/projects/nope/credentials/new", "/console/credentials/nope", "/console/credentials/nope/delete",
		"/console/apis/nope/edit", "/console/no/such/page",
	} {
		if p := b.Get(e.URL + path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, p.Status)
		}
	}
	// A credential of no known type is refused at the type.
	newCred := "/console/projects/" + proj.ID + "/credentials"
	p = b.Get(e.URL + newCred + "/new?type=spa")
	f = p.Form(t, newCred)
	f.Set("type", "mainframe")
	p = b.PostForm(e.URL+newCred, f)
	wantPage(t, p, http.StatusBadRequest, "Choose the kind of app first")

	// A non-empty project cannot be deleted; the page says why.
	p = b.Get(e.URL + "/console/projects/" + proj.ID)
	p = b.Submit(p, "/console/projects/"+proj.ID+"/delete", nil, "", "")
	wantPage(t, p, http.StatusConflict, "Delete this project")
}

// TestConsoleServiceCredential: a Server-to-Server credential made in the
// console has no redirect URIs, gets a secret shown once, and that secret
// gets client-credentials tokens for the API it was given scopes of.
func TestConsoleServiceCredential(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, _ := e.signIn(t, consoleAdmin)
	ctx := context.Background()
	proj, _ := e.Admin.CreateProject(ctx, admin.ProjectInput{Name: "Batch"})
	api, err := e.Admin.CreateAPI(ctx, admin.APIInput{ProjectID: proj.ID, Name: "Reports", Identifier: "https://reports.example.com",
		Scopes: []storage.APIScope{{Name: "reports:write"}}})
	if err != nil {
		t.Fatal(err)
	}
	newCred := "/console/projects/" + proj.ID + "/credentials"
	p := b.Get(e.URL + newCred + "/new?type=service")
	if strings.Contains(p.Body, `name="redirect_uris"`) {
		t.Error("the server-to-server form asks for redirect URIs")
	}
	p = b.Submit(p, newCred, map[string]string{"name": "Nightly job", "scope": api.ID + " reports:write"}, "", "")
	wantPage(t, p, http.StatusCreated, "Copy the client secret now")
	m := secretRE.FindStringSubmatch(p.Body)
	id := regexp.MustCompile(`<code id="client-id">([^<]+)</code>`).FindStringSubmatch(p.Body)
	if m == nil || id == nil {
		t.Fatalf("no client ID or secret on the page:\n%s", p.Body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/token", strings.NewReader("grant_type=client_credentials&scope=reports%3Awrite"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id[1]), url.QueryEscape(html.UnescapeString(m[1])))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("client credentials: %d, %v", resp.StatusCode, err)
	}
	parts := strings.Split(tok.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Aud any `json:"aud"`
	}
	_ = json.Unmarshal(payload, &claims)
	if claims.Aud != "https://reports.example.com" && !slices.Equal(toStrings(claims.Aud), []string{"https://reports.example.com"}) {
		t.Errorf("aud = %v, want the API's identifier", claims.Aud)
	}
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	return out
}

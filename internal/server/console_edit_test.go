package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/console"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestConsoleEditCredential edits a credential through the console's edit
// form: prefilled from the stored client, a bad redirect URI reported at
// its field and line, no change without the CSRF token, and a saved edit
// that keeps the settings the form does not show; on SQLite and
// PostgreSQL.
func TestConsoleEditCredential(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newConsoleEnv(t, opt)
		ctx := context.Background()
		proj, err := e.Admin.CreateProject(ctx, admin.ProjectInput{Name: "Orders"})
		if err != nil {
			t.Fatal(err)
		}
		api, err := e.Admin.CreateAPI(ctx, admin.APIInput{ProjectID: proj.ID, Name: "Orders API", Identifier: formsAPI,
			Scopes: []storage.APIScope{{Name: "orders:read", Description: "Read"}, {Name: "orders:write", Description: "Write"}}})
		if err != nil {
			t.Fatal(err)
		}
		cl, _, err := e.Admin.CreateClient(ctx, admin.NewClient{
			Type: storage.ClientSPA, Name: "Shop SPA", ProjectID: proj.ID, APIs: []string{api.ID}, Scopes: []string{"orders:read"},
			RedirectURIs: []string{formsRedirect}, IDTokenAlg: "ES256", AllowPlainPKCE: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.signIn(t, consoleAdmin)
		edit := "/console/credentials/" + cl.ID + "/edit"

		p := b.Get(e.URL + "/console/credentials/" + cl.ID)
		wantPage(t, p, http.StatusOK, `href="`+edit+`"`)
		if strings.Contains(p.Body, "arrives with the admin API") {
			t.Error("the credential page still says editing is to come")
		}
		p = b.Get(e.URL + edit)
		wantPage(t, p, http.StatusOK, "Edit Shop SPA", `value="Shop SPA"`, ">"+formsRedirect+"</textarea>", "Save changes")
		if !strings.Contains(p.Body, `value="`+api.ID+` orders:read" checked`) || strings.Contains(p.Body, `value="`+api.ID+` orders:write" checked`) {
			t.Errorf("the scope boxes do not show the client's scopes:\n%s", p.Body)
		}

		form := p.Form(t, edit)
		form.Set("redirect_uris", formsRedirect+"\n\nhttp://app.example.com/other")
		form["scope"] = []string{api.ID + " orders:read"}
		bad := b.PostForm(e.URL+edit, form)
		wantPage(t, bad, http.StatusBadRequest, `id="err-redirect_uri"`, "Line 3:", `aria-invalid="true"`, "http://app.example.com/other")

		noCSRF := url.Values{}
		for k, v := range form {
			if k != "csrf_token" {
				noCSRF[k] = v
			}
		}
		noCSRF.Set("name", "Hijacked")
		wantPage(t, b.PostForm(e.URL+edit, noCSRF), http.StatusForbidden, "This form has expired")

		form.Set("name", "Shop SPA v2")
		form.Set("redirect_uris", formsRedirect+"\nhttps://app.example.com/second")
		form.Set("redirect_uri_patterns", formsPattern)
		form["scope"] = []string{api.ID + " orders:read", api.ID + " orders:write"}
		p = b.PostForm(e.URL+edit, form)
		wantPage(t, p, http.StatusOK, "<h1>Shop SPA v2</h1>", "Changes saved", "https://app.example.com/second", formsPattern, "orders:write")
		got, err := e.Admin.GetClient(ctx, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Shop SPA v2" || !slices.Equal(got.RedirectURIs, []string{formsRedirect, "https://app.example.com/second"}) ||
			!slices.Equal(got.RedirectURIPatterns, []string{formsPattern}) || !slices.Equal(got.Scopes, []string{"orders:read", "orders:write"}) ||
			!slices.Equal(got.APIs, []string{api.ID}) || got.Type != storage.ClientSPA {
			t.Errorf("saved client = %+v", got)
		}
		if got.IDTokenAlg != "ES256" || !got.AllowPlainPKCE || !got.CreatedAt.Equal(cl.CreatedAt) {
			t.Errorf("settings the form does not show changed: alg %q, plain %v, created %v", got.IDTokenAlg, got.AllowPlainPKCE, got.CreatedAt)
		}

		// The console's own credential is not editable.
		wantPage(t, b.Get(e.URL+"/console/credentials/"+console.ConsoleClientID+"/edit"), http.StatusForbidden, "cannot be edited")
		self := b.Get(e.URL + "/console/credentials/" + console.ConsoleClientID)
		wantPage(t, self, http.StatusOK, "Gatehouse manages it")
		if self.HasForm("/console/credentials/"+console.ConsoleClientID+"/edit") || strings.Contains(self.Body, `/edit"`) {
			t.Error("the console's own credential offers an edit link")
		}
		wantPage(t, b.Get(e.URL+"/console/credentials/nope/edit"), http.StatusNotFound)
	})
}

// TestConsoleEditFreeFormScopes: a credential registered outside the
// console with scopes no API defines keeps them when edited.
func TestConsoleEditFreeFormScopes(t *testing.T) {
	e := newConsoleEnv(t, servertest.Options{})
	cl, _, err := e.Admin.CreateClient(context.Background(), admin.NewClient{
		Type: storage.ClientService, Name: "Nightly job", Scopes: []string{"api:read", "api:write"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.signIn(t, consoleAdmin)
	edit := "/console/credentials/" + cl.ID + "/edit"
	p := b.Get(e.URL + edit)
	wantPage(t, p, http.StatusOK, "Other scopes", `value="api:read api:write"`, "belongs to no project")
	p = b.Submit(p, edit, map[string]string{"name": "Nightly export", "extra_scopes": "api:read bad\"scope"}, "", "")
	wantPage(t, p, http.StatusBadRequest, "not a valid scope name")
	p = b.Submit(p, edit, map[string]string{"name": "Nightly export", "extra_scopes": "api:read"}, "", "")
	wantPage(t, p, http.StatusOK, "Nightly export", "Changes saved")
	got, _ := e.Admin.GetClient(context.Background(), cl.ID)
	if got.Name != "Nightly export" || !slices.Equal(got.Scopes, []string{"api:read"}) || got.SecretHash != cl.SecretHash {
		t.Errorf("saved client = %+v", got)
	}
}

// TestConsoleAuditActor: what an administrator does in the console is
// recorded under "admin:<user ID>".
func TestConsoleAuditActor(t *testing.T) {
	e := newConsoleEnv(t, servertest.Options{})
	b, _ := e.signIn(t, consoleAdmin)
	ctx := context.Background()
	p := b.Submit(b.Get(e.URL+"/console"), "/console/projects", map[string]string{"name": "Audited"}, "", "")
	wantPage(t, p, http.StatusOK, "<h1>Audited</h1>")
	p = b.Submit(b.Get(e.URL+"/console/keys"), "/console/keys/rotate", map[string]string{"alg": "ES256"}, "", "")
	wantPage(t, p, http.StatusOK, "Rotated ES256")
	recs, err := e.Store.ListAudit(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := audit.ActorAdminPrefix + e.AdminUser.ID
	for _, action := range []string{audit.ProjectCreated, audit.KeyRotated} {
		i := slices.IndexFunc(recs, func(r storage.AuditRecord) bool { return r.Action == action })
		if i < 0 {
			t.Errorf("no %s record", action)
			continue
		}
		if recs[i].Actor != want {
			t.Errorf("%s recorded by %q, want %q", action, recs[i].Actor, want)
		}
	}
}

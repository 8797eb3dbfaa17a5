package server_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	formsRedirect = "https://app.example.com/callback"
	formsPattern  = `https://pr-[0-9]+\.preview\.example\.com/callback`
	formsAPI      = "https://api.example.com/orders"
)

// TestConsoleForms creates a project, an API with scopes and an SPA
// credential with a redirect URI and a pattern through the console's
// forms, checks validation errors land next to their field, and asks the
// pattern tester; on SQLite and PostgreSQL.
func TestConsoleForms(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t, servertest.Options{Postgres: pg})
			b, p := e.signIn(t, consoleAdmin)
			ctx := context.Background()

			// A project: first without a name, then properly.
			p = b.Submit(p, "/console/projects", map[string]string{"name": "  "}, "", "")
			wantPage(t, p, http.StatusBadRequest, `id="err-name"`, `aria-invalid="true"`)
			p = b.Submit(p, "/console/projects", map[string]string{"name": "Orders", "description": "The shop"}, "", "")
			wantPage(t, p, http.StatusOK, "<h1>Orders</h1>", "No credentials yet")
			ps, err := e.Admin.ListProjects(ctx)
			if err != nil || len(ps) != 1 {
				t.Fatalf("projects = %v, %v", ps, err)
			}
			proj := ps[0]

			// An API: a bad identifier is reported at the identifier.
			newAPI := "/console/projects/" + proj.ID + "/apis"
			p = b.Get(e.URL + newAPI + "/new")
			fields := map[string]string{"name": "Orders API", "identifier": "ftp://api.example.com"}
			p = b.Submit(p, newAPI, fields, "", "")
			wantPage(t, p, http.StatusBadRequest, `id="err-identifier"`, "absolute https URI")
			form := p.Form(t, newAPI)
			form.Set("identifier", formsAPI)
			form["scope_name"] = []string{"orders:read", "orders:write", ""}
			form["scope_description"] = []string{"Read your orders", "Place orders", ""}
			p = b.PostForm(e.URL+newAPI, form)
			wantPage(t, p, http.StatusOK, formsAPI, "orders:read", "Read your orders")
			apis, _ := e.Admin.ListAPIs(ctx, proj.ID)
			if len(apis) != 1 || len(apis[0].Scopes) != 2 || apis[0].Identifier != formsAPI {
				t.Fatalf("APIs = %+v", apis)
			}
			api := apis[0]

			// A credential: the type first, explained.
			newCred := "/console/projects/" + proj.ID + "/credentials"
			p = b.Get(e.URL + newCred + "/new")
			wantPage(t, p, http.StatusOK, "Single-Page App", "Web App", "Native App", "Server-to-Server", "PKCE")
			p = b.Get(e.URL + newCred + "/new?type=spa")
			wantPage(t, p, http.StatusOK, "New Single-Page App credential", `value="`+api.ID+` orders:read"`)
			form = p.Form(t, newCred)
			form.Set("name", "Shop SPA")
			form.Set("redirect_uris", "http://app.example.com/callback")
			form["scope"] = []string{api.ID + " orders:read"}
			p = b.PostForm(e.URL+newCred, form)
			wantPage(t, p, http.StatusBadRequest, `id="err-redirect_uri"`, "https")
			form.Set("redirect_uris", formsRedirect)
			form.Set("redirect_uri_patterns", `https://.*\.example\.com/callback`)
			p = b.PostForm(e.URL+newCred, form)
			wantPage(t, p, http.StatusBadRequest, `id="err-redirect_uri_pattern"`)
			form.Set("redirect_uri_patterns", formsPattern)
			p = b.PostForm(e.URL+newCred, form)
			wantPage(t, p, http.StatusCreated, "Credential created", "no secret", formsPattern, "orders:read")
			if strings.Contains(p.Body, "Copy the client secret") {
				t.Error("a public client's page offers a secret")
			}
			cls, _ := e.Admin.ListClients(ctx)
			i := slices.IndexFunc(cls, func(c storage.Client) bool { return c.Name == "Shop SPA" })
			if i < 0 {
				t.Fatalf("no Shop SPA among %v", cls)
			}
			spa := cls[i]
			if spa.Type != storage.ClientSPA || spa.ProjectID != proj.ID || !slices.Equal(spa.APIs, []string{api.ID}) ||
				!slices.Equal(spa.Scopes, []string{"orders:read"}) || !slices.Equal(spa.RedirectURIPatterns, []string{formsPattern}) {
				t.Fatalf("created client = %+v", spa)
			}
			if !strings.Contains(html.UnescapeString(p.Body), spa.ID) {
				t.Error("the credential page does not show the client ID")
			}

			// The pattern tester, without JavaScript...
			test := "/console/credentials/" + spa.ID + "/test"
			p = b.Submit(p, test, map[string]string{"url": "https://pr-42.preview.example.com/callback"}, "", "")
			wantPage(t, p, http.StatusOK, `data-matched="true"`, "Allowed by the pattern "+formsPattern)
			p = b.Submit(p, test, map[string]string{"url": "https://pr-42.preview.example.com.evil.io/callback"}, "", "")
			wantPage(t, p, http.StatusOK, `data-matched="false"`, "No rule matches", "does not match the whole URL")

			// ...and its JSON endpoint, as console.js calls it.
			csrf := p.Form(t, test).Get("csrf_token")
			for _, tc := range []struct {
				url, rule string
				matched   bool
				why       string
			}{
				{formsRedirect, formsRedirect, true, "Identical"},
				{"https://pr-7.preview.example.com/callback", formsPattern, true, "matches the whole URL"},
				{"https://pr-7.preview.example.com/callback/", "", false, "does not match the whole URL"},
				{formsRedirect + "?x=1", "", false, "goes on after"},
			} {
				res := checkMatch(t, b, e.URL, url.Values{"csrf_token": {csrf}, "client_id": {spa.ID}, "url": {tc.url}})
				if res.Matched != tc.matched || res.Rule != tc.rule {
					t.Errorf("%s: matched %v by %q, want %v by %q", tc.url, res.Matched, res.Rule, tc.matched, tc.rule)
				}
				if !slices.ContainsFunc(res.Rules, func(r ruleVerdict) bool { return strings.Contains(r.Why, tc.why) }) {
					t.Errorf("%s: no rule explains %q: %+v", tc.url, tc.why, res.Rules)
				}
			}

			// Live validation uses the same rules as the form.
			lines := checkRedirect(t, b, e.URL, url.Values{"csrf_token": {csrf}, "type": {"spa"}, "kind": {"pattern"}, "value": {formsPattern + "\nhttps://.*/x"}})
			if len(lines) != 2 || !lines[0].OK || lines[1].OK || lines[1].Message == "" {
				t.Errorf("pattern check = %+v", lines)
			}
			lines = checkRedirect(t, b, e.URL, url.Values{"csrf_token": {csrf}, "type": {"native"}, "kind": {"uri"}, "value": {"com.example.app:/cb\nhttp://example.com/cb"}})
			if len(lines) != 2 || !lines[0].OK || lines[1].OK {
				t.Errorf("native URI check = %+v", lines)
			}

			// The API cannot be deleted while the credential lists it.
			p = b.Get(e.URL + "/console/projects/" + proj.ID)
			p = b.Submit(p, "/console/apis/"+api.ID+"/delete", nil, "", "")
			wantPage(t, p, http.StatusConflict, "still allowed to a credential")

			// Deleting the credential needs its name typed.
			del := "/console/credentials/" + spa.ID + "/delete"
			p = b.Get(e.URL + del)
			p = b.Submit(p, del, map[string]string{"confirm": "nope"}, "", "")
			wantPage(t, p, http.StatusBadRequest, "Type the credential")
			p = b.Submit(p, del, map[string]string{"confirm": "Shop SPA"}, "", "")
			wantPage(t, p, http.StatusOK, "<h1>Orders</h1>", "No credentials yet")
			if _, err := e.Admin.GetClient(ctx, spa.ID); err == nil {
				t.Error("the credential still exists")
			}
		})
	}
}

type ruleVerdict struct {
	Kind, Rule, Why string
	Matched         bool
}

type matchVerdict struct {
	Matched bool
	Rule    string
	Rules   []ruleVerdict
}

func checkMatch(t *testing.T, b *servertest.Browser, base string, v url.Values) matchVerdict {
	t.Helper()
	var out matchVerdict
	postJSON(t, b, base+"/console/check/match", v, &out)
	return out
}

type lineVerdict struct {
	Value, Message string
	OK             bool
}

func checkRedirect(t *testing.T, b *servertest.Browser, base string, v url.Values) []lineVerdict {
	t.Helper()
	var out struct{ Lines []lineVerdict }
	postJSON(t, b, base+"/console/check/redirect", v, &out)
	return out.Lines
}

func postJSON(t *testing.T, b *servertest.Browser, u string, v url.Values, out any) {
	t.Helper()
	resp, err := b.HTTP.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

var secretRE = regexp.MustCompile(`<code class="secret" id="client-secret">([^<]+)</code>`)

// TestConsoleSecretShownOnce: a web credential's secret appears in the
// response that created it and in the one that rotated it, never on the
// credential page afterwards; rotation issues a different secret.
func TestConsoleSecretShownOnce(t *testing.T) {
	t.Parallel()
	e := newConsoleEnv(t, servertest.Options{})
	b, p := e.signIn(t, consoleAdmin)
	if p = b.Submit(p, "/console/projects", map[string]string{"name": "Billing"}, "", ""); p.Status != http.StatusOK {
		t.Fatalf("create project: %d", p.Status)
	}
	ps, _ := e.Admin.ListProjects(context.Background())
	newCred := "/console/projects/" + ps[0].ID + "/credentials"
	p = b.Get(e.URL + newCred + "/new?type=web")
	p = b.Submit(p, newCred, map[string]string{"name": "Billing web", "redirect_uris": "https://billing.example.com/cb",
		"post_logout_redirect_uris": "https://billing.example.com/bye", "issue_refresh_tokens": "on"}, "", "")
	wantPage(t, p, http.StatusCreated, "Copy the client secret now", "only time the secret is shown")
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil || len(m[1]) < 40 {
		t.Fatalf("no secret on the creation page:\n%s", p.Body)
	}
	first := m[1]
	cls, _ := e.Admin.ListClients(context.Background())
	i := slices.IndexFunc(cls, func(c storage.Client) bool { return c.Name == "Billing web" })
	if c := cls[i]; !c.IssueRefreshTokens || !slices.Equal(c.PostLogoutRedirectURIs, []string{"https://billing.example.com/bye"}) || c.SecretHash == "" {
		t.Errorf("web client = %+v", c)
	}
	page := "/console/credentials/" + cls[i].ID

	again := b.Get(e.URL + page)
	wantPage(t, again, http.StatusOK, "Rotate secret", "https://billing.example.com/bye", "with every sign-in")
	if strings.Contains(again.Body, first) || secretRE.MatchString(again.Body) {
		t.Fatal("the secret is shown again on the credential page")
	}
	rot := b.Submit(again, page+"/rotate", map[string]string{"overlap": "0"}, "", "")
	wantPage(t, rot, http.StatusOK, "Copy the client secret now")
	m = secretRE.FindStringSubmatch(rot.Body)
	if m == nil || m[1] == first {
		t.Fatalf("rotation showed no new secret (%v)", m)
	}
	if after := b.Get(e.URL + page); secretRE.MatchString(after.Body) || strings.Contains(after.Body, m[1]) {
		t.Fatal("the rotated secret is shown again")
	}
	// A bad overlap is an error at its field, not a rotation.
	bad := b.Submit(again, page+"/rotate", map[string]string{"overlap": "forever"}, "", "")
	wantPage(t, bad, http.StatusBadRequest, "Choose when the old secret stops working")
}

package server_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// The account page (internal/account): a signed-in user sees the apps
// they allowed and their sessions, removes an app's access (which revokes
// its tokens, RFC 7009 §2.1), signs out other sessions and changes their
// password. Every form is CSRF-protected; a browser that is not signed in
// goes to the login page and comes back.

const (
	accountRevoke   = "/account/apps/revoke"
	accountSignOut  = "/account/sessions/sign-out-others"
	accountPassword = "/account/password"
	newPassword     = "a brand new passphrase"
)

// TestAccountPage walks the page end to end, on SQLite and PostgreSQL.
// The steps share one server and run in order: each builds on the last.
func TestAccountPage(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newRulesEnv(t, servertest.Options{Postgres: pg})
			a := &accountFlow{rulesEnv: e}
			for _, step := range []struct {
				name string
				run  func(t *testing.T)
			}{
				{"NotSignedInGoesToLoginAndBack", a.signInThroughAccount},
				{"ReturnPathStaysOnThisServer", a.returnPathIsSafe},
				{"ListsAppsScopesAndSessions", a.listsAppsAndSessions},
				{"FormsNeedTheCSRFToken", a.csrfRequired},
				{"RemoveAppRevokesItsTokens_RFC7009_2.1", a.revokeApp},
				{"SignOutOtherSessions", a.signOutOthers},
				{"ChangePassword", a.changePassword},
			} {
				if !t.Run(step.name, step.run) {
					t.FailNow() // later steps need this one
				}
			}
		})
	}
}

// accountFlow is the state the steps pass on.
type accountFlow struct {
	*rulesEnv
	b     *servertest.Browser // the user's main browser
	other *servertest.Browser // a second signed-in browser
	spa   tokenResponse       // the SPA's tokens (offline_access)
	web   tokenResponse       // the web app's tokens
}

// accountPage loads /account and reports whether the browser is signed in
// (the page) or was sent to the login page.
func accountPage(t *testing.T, e *rulesEnv, b *servertest.Browser) (*servertest.Page, bool) {
	t.Helper()
	p := b.Get(e.URL + "/account")
	switch {
	case p.Status == http.StatusOK && p.URL.Path == "/account":
		return p, true
	case p.Status == http.StatusOK && p.URL.Path == "/login":
		return p, false
	}
	t.Fatalf("GET /account: status %d at %s:\n%s", p.Status, p.URL, excerpt(p.Body))
	return nil, false
}

func wantAccountSignedIn(t *testing.T, e *rulesEnv, b *servertest.Browser, want bool, who string) {
	t.Helper()
	if _, got := accountPage(t, e, b); got != want {
		t.Errorf("%s signed in = %v, want %v", who, got, want)
	}
}

func (a *accountFlow) signInThroughAccount(t *testing.T) {
	a.b = a.BrowserFor(t)
	p, signedIn := accountPage(t, a.rulesEnv, a.b)
	if signedIn {
		t.Fatal("a new browser sees the account page")
	}
	if got := p.URL.Query().Get(web.FieldReturnTo); got != "/account" {
		t.Errorf("redirected to %s, want the login page with return_to=/account", p.URL)
	}
	if got := p.Form(t, "/login").Get(web.FieldReturnTo); got != "/account" {
		t.Errorf("login form return_to = %q, want /account", got)
	}
	p = a.b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	if p.Status != http.StatusOK || p.URL.Path != "/account" || !strings.Contains(p.Body, ruleEmail) {
		t.Fatalf("after signing in: status %d at %s, want the account page:\n%s", p.Status, p.URL, excerpt(p.Body))
	}
	wantPageHeaders(t, p)
}

// returnPathIsSafe: only same-origin paths are followed after signing in;
// anything else ends on the usual "signed in" page (no open redirect,
// RFC 9700 §4.11).
func (a *accountFlow) returnPathIsSafe(t *testing.T) {
	b := a.BrowserFor(t)
	for _, target := range []string{"//evil.example/account", "https://evil.example/", "/\\evil.example"} {
		p := b.Get(a.URL + "/login?" + url.Values{web.FieldReturnTo: {target}}.Encode())
		form := p.Form(t, "/login")
		if form.Has(web.FieldReturnTo) {
			t.Errorf("login page carries unsafe return_to %q", target)
		}
		// A crafted form that sends it anyway.
		form.Set(web.FieldReturnTo, target)
		form.Set("email", ruleEmail)
		form.Set("password", rulePassword)
		p = b.PostForm(a.URL+"/login", form)
		if p.Location != nil || p.URL.Path != "/login" || !strings.Contains(p.Body, "You are signed in") {
			t.Errorf("return_to %q: status %d at %s, location %v; want the signed-in message", target, p.Status, p.URL, p.Location)
		}
	}
	// Sign out, so that later steps see only the sessions they start.
	p := b.Get(a.URL + "/logout")
	if p = b.Submit(p, "/logout", nil, "decision", "logout"); !strings.Contains(p.Body, "You are signed out") {
		t.Fatalf("sign out: status %d:\n%s", p.Status, excerpt(p.Body))
	}
}

func (a *accountFlow) listsAppsAndSessions(t *testing.T) {
	b := a.b.For(t)
	a.spa = grantWithRefresh(t, a.rulesEnv, b, a.SPA, "", spaRedirect, "openid profile email offline_access")
	a.web = grantWithRefresh(t, a.rulesEnv, b, a.Web, a.WebSecret, webRedirect, "openid offline_access api:read")
	a.other = a.BrowserFor(t)
	loginDirectly(t, a.rulesEnv, a.other, rulePassword)

	p, _ := accountPage(t, a.rulesEnv, b)
	wantPageHeaders(t, p)
	for _, s := range []string{
		"Rules SPA", "Rules web",
		oauth.DescribeScope("offline_access") + " <code>offline_access</code>",
		oauth.DescribeScope("email") + " <code>email</code>",
		"<code>api:read</code>",
		`name="client_id" value="` + a.SPA.ID + `"`, `name="client_id" value="` + a.Web.ID + `"`,
		`<span class="tag">Current session</span>`, "Another browser", `action="` + accountSignOut + `"`,
	} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("account page lacks %q", s)
		}
	}
	if n := strings.Count(p.Body, "Current session"); n != 1 {
		t.Errorf("%d sessions marked current, want 1", n)
	}
	if n := strings.Count(p.Body, "<dt>Signed in</dt>"); n != 2 {
		t.Errorf("%d sessions listed, want 2", n)
	}
	// The other browser sees its own session as the current one.
	p, _ = accountPage(t, a.rulesEnv, a.other.For(t))
	if !strings.Contains(p.Body, "Current session") || !strings.Contains(p.Body, "Another browser") {
		t.Errorf("second browser's page does not mark its own session")
	}
}

// loginDirectly signs b in on the login page, outside any authorization request.
func loginDirectly(t *testing.T, e *rulesEnv, b *servertest.Browser, password string) *servertest.Page {
	t.Helper()
	p := b.Get(e.URL + "/login")
	return b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": password}, "", "")
}

// csrfRequired: every action refuses a post without the token, with a
// forged one, or from another site, and changes nothing.
func (a *accountFlow) csrfRequired(t *testing.T) {
	b := a.b.For(t)
	p, _ := accountPage(t, a.rulesEnv, b)
	good := p.Form(t, accountRevoke).Get(web.FieldCSRF)
	forms := map[string]url.Values{
		accountRevoke:   {web.FieldClientID: {a.SPA.ID}},
		accountSignOut:  {},
		accountPassword: {web.FieldCurrentPassword: {rulePassword}, web.FieldNewPassword: {newPassword}, web.FieldConfirmPassword: {newPassword}},
	}
	for path, form := range forms {
		for _, tc := range []struct {
			name, token, origin string
		}{
			{"no token", "", a.URL},
			{"forged token", strings.Repeat("A", len(good)), a.URL},
			{"other site", good, "https://evil.example"},
		} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tc.token != "" {
				f.Set(web.FieldCSRF, tc.token)
			}
			req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", tc.origin)
			resp, err := b.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s, %s: status %d, want 403", path, tc.name, resp.StatusCode)
			}
		}
	}
	if _, err := a.Store.GetConsent(t.Context(), a.User.ID, a.SPA.ID); err != nil {
		t.Errorf("a refused revoke removed the consent: %v", err)
	}
	wantAccountSignedIn(t, a.rulesEnv, a.other.For(t), true, "other browser after refused sign-out")
}

func (a *accountFlow) revokeApp(t *testing.T) {
	b := a.b.For(t)
	// Tokens of the grant from the code exchange, and from a refresh.
	r := refresh(t, a.Env, a.SPA, "", a.spa.str("refresh_token"), "")
	wantRefreshed(t, r, a.spa)
	p, _ := accountPage(t, a.rulesEnv, b)
	form := p.Form(t, accountRevoke)
	form.Set(web.FieldClientID, a.SPA.ID)
	p = b.PostForm(a.URL+accountRevoke, form)
	if p.Status != http.StatusOK || p.URL.Path != "/account" || !strings.Contains(p.Body, `role="status"`) {
		t.Fatalf("revoke: status %d at %s:\n%s", p.Status, p.URL, excerpt(p.Body))
	}
	if strings.Contains(p.Body, "Rules SPA") || !strings.Contains(p.Body, "Rules web") {
		t.Errorf("after removing the SPA the page should list only the web app")
	}
	if _, err := a.Store.GetConsent(t.Context(), a.User.ID, a.SPA.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SPA consent after removal: %v, want ErrNotFound", err)
	}

	wantTokenError(t, refresh(t, a.Env, a.SPA, "", r.str("refresh_token"), ""), http.StatusBadRequest, "invalid_grant")
	wantRevoked(t, a.rulesEnv, r.str("access_token"), "SPA access token after removal")
	wantRevoked(t, a.rulesEnv, a.spa.str("access_token"), "SPA first access token after removal")
	rs, rsSecret := resourceServer(t, a.Env)
	wantActive(t, a.Env, rs, rsSecret, r.str("access_token"), "SPA access token after removal", false)
	wantActive(t, a.Env, rs, rsSecret, r.str("refresh_token"), "SPA refresh token after removal", false)

	// The other app keeps its access.
	wantActive(t, a.Env, rs, rsSecret, a.web.str("access_token"), "web app access token", true)
	wantRefreshed(t, refresh(t, a.Env, a.Web, a.WebSecret, a.web.str("refresh_token"), ""), a.web)

	// Signing in to the SPA again asks for consent again.
	params, _ := authzParams(a.SPA.ID, spaRedirect)
	if p := b.Get(a.URL + "/authorize?" + params.Encode()); !p.HasForm("/consent") {
		t.Errorf("after removal the SPA got through without the consent page: status %d, location %v", p.Status, p.Location)
	}
}

func (a *accountFlow) signOutOthers(t *testing.T) {
	b := a.b.For(t)
	p, _ := accountPage(t, a.rulesEnv, b)
	p = b.Submit(p, accountSignOut, nil, "", "")
	if p.Status != http.StatusOK || p.URL.Path != "/account" || !strings.Contains(p.Body, "other sessions are signed out") {
		t.Fatalf("sign out others: status %d at %s:\n%s", p.Status, p.URL, excerpt(p.Body))
	}
	if strings.Contains(p.Body, "Another browser") || !strings.Contains(p.Body, "not signed in anywhere else") {
		t.Errorf("the page still lists another session")
	}
	other := a.other.For(t)
	wantAccountSignedIn(t, a.rulesEnv, other, false, "the other browser")
	wantAccountSignedIn(t, a.rulesEnv, b, true, "this browser")

	// A signed-out browser's post, with a valid token, goes to the login page.
	lp, _ := accountPage(t, a.rulesEnv, other)
	p = other.PostForm(a.URL+accountSignOut, url.Values{web.FieldCSRF: {lp.Form(t, "/login").Get(web.FieldCSRF)}})
	if p.URL.Path != "/login" || p.URL.Query().Get(web.FieldReturnTo) != "/account" {
		t.Errorf("post without a session: ended at %s (status %d), want the login page", p.URL, p.Status)
	}
}

func (a *accountFlow) changePassword(t *testing.T) {
	b := a.b.For(t)
	other := a.other.For(t)
	loginDirectly(t, a.rulesEnv, other, rulePassword)
	before, err := a.Store.GetUser(t.Context(), a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, current, next, confirm, field, msg string
	}{
		{"wrong current", "not my password", newPassword, newPassword, web.FieldCurrentPassword, "current password is not correct"},
		{"no current", "", newPassword, newPassword, web.FieldCurrentPassword, "Enter your current password"},
		{"too short", rulePassword, "short", "short", web.FieldNewPassword, "at least 8 characters"},
		{"mismatch", rulePassword, newPassword, newPassword + "!", web.FieldConfirmPassword, "do not match"},
	} {
		p, _ := accountPage(t, a.rulesEnv, b)
		p = b.Submit(p, accountPassword, map[string]string{
			web.FieldCurrentPassword: tc.current, web.FieldNewPassword: tc.next, web.FieldConfirmPassword: tc.confirm,
		}, "", "")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, tc.msg) || !strings.Contains(p.Body, `role="alert"`) {
			t.Errorf("%s: status %d, want 400 saying %q:\n%s", tc.name, p.Status, tc.msg, excerpt(p.Body))
		}
		wantPageHeaders(t, p)
		if !regexp.MustCompile(`name="` + tc.field + `"[^>]*aria-invalid="true"`).MatchString(p.Body) {
			t.Errorf("%s: the %s field is not marked invalid", tc.name, tc.field)
		}
	}
	if u, _ := a.Store.GetUser(t.Context(), a.User.ID); u.PasswordHash != before.PasswordHash {
		t.Fatal("a refused change changed the password")
	}
	wantAccountSignedIn(t, a.rulesEnv, other, true, "the other browser after refused changes")

	p, _ := accountPage(t, a.rulesEnv, b)
	p = b.Submit(p, accountPassword, map[string]string{
		web.FieldCurrentPassword: rulePassword, web.FieldNewPassword: newPassword, web.FieldConfirmPassword: newPassword,
	}, "", "")
	if p.Status != http.StatusOK || p.URL.Path != "/account" || !strings.Contains(p.Body, "password was changed") {
		t.Fatalf("change password: status %d at %s:\n%s", p.Status, p.URL, excerpt(p.Body))
	}
	wantAccountSignedIn(t, a.rulesEnv, b, true, "this browser after the change")
	wantAccountSignedIn(t, a.rulesEnv, other, false, "the other browser after the change")
	// Whoever knew the old password may hold an app's tokens: they are
	// revoked too (RFC 6819 §5.2.2.3). The web app's were active until now.
	wantRevoked(t, a.rulesEnv, a.web.str("access_token"), "web app access token after the password change")

	fresh := a.BrowserFor(t)
	if p := loginDirectly(t, a.rulesEnv, fresh, rulePassword); !strings.Contains(p.Body, "not correct") {
		t.Errorf("the old password still signs in: status %d at %s", p.Status, p.URL)
	}
	if p := loginDirectly(t, a.rulesEnv, fresh, newPassword); !strings.Contains(p.Body, "You are signed in") {
		t.Errorf("the new password does not sign in: status %d at %s:\n%s", p.Status, p.URL, excerpt(p.Body))
	}
}

// wantPageHeaders checks the browser security headers of internal/web.
func wantPageHeaders(t *testing.T, p *servertest.Page) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": web.ContentSecurityPolicy, "X-Frame-Options": "DENY",
		"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	} {
		if got := p.Header.Get(k); got != want {
			t.Errorf("%s: header %s = %q, want %q", p.URL.Path, k, got, want)
		}
	}
}

// TestAccountDependencies keeps the account page and the shared session
// code out of the other endpoint packages (design.md: endpoint packages
// never import each other).
func TestAccountDependencies(t *testing.T) {
	imports := moduleImports(t, "../..")
	endpoints := []string{"internal/authorize", "internal/tokenapi", "internal/oidc", "internal/account"}
	for _, pkg := range endpoints {
		for _, dep := range imports[pkg] {
			if dep != pkg && slices.Contains(endpoints, dep) {
				t.Errorf("%s imports %s: endpoint packages must not import each other", pkg, dep)
			}
		}
	}
	if len(imports["internal/session"]) == 0 || len(imports["internal/account"]) == 0 {
		t.Fatal("found no imports for internal/session or internal/account: the walk is broken")
	}
	for _, pkg := range []string{"internal/session", "internal/janitor"} {
		for _, dep := range imports[pkg] {
			if slices.Contains(endpoints, dep) || dep == "internal/server" {
				t.Errorf("%s imports %s: shared code must not reach up", pkg, dep)
			}
		}
	}
}

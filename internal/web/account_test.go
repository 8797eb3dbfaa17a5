package web

import (
	"strings"
	"testing"
)

func TestAccountPage(t *testing.T) {
	html := body(t, PageAccount, sampleAccount())
	wantContains(t, html, "<title>Your account · Gatehouse</title>", "Your account</h1>",
		"Ada Lovelace", "ada@example.com", "Signed in as",
		`role="status"`, "Acme Dashboard can no longer access your account.",
		"Acme Dashboard</p>", "See your email address <code>email</code>", "<span>api:read</span>",
		`<time datetime="2026-03-14T09:26:53Z">14 Mar 2026, 09:26 UTC</time>`, "Last approved",
		"This browser", `<span class="tag">Current session</span>`, "Another browser",
		"Remove access<span class=\"visually-hidden\"> for Acme Dashboard</span>",
		`href="/logout"`, "At least 8 characters.")
	if strings.Contains(html, `role="alert"`) || strings.Contains(html, "aria-invalid") {
		t.Errorf("password error shown without one")
	}

	// One revoke form per app, carrying the CSRF token and the client ID.
	var revokes, others, passwords int
	for _, f := range elements(html, "form") {
		if f.attrs["method"] != "post" {
			t.Errorf("form %v is not a POST", f.attrs)
		}
		switch f.attrs["action"] {
		case "/account/apps/revoke":
			revokes++
		case "/account/sessions/sign-out-others":
			others++
		case "/account/password":
			passwords++
		default:
			t.Errorf("unexpected form %v", f.attrs)
		}
	}
	if revokes != 2 || others != 1 || passwords != 1 {
		t.Errorf("forms: %d revoke, %d sign-out-others, %d password; want 2, 1, 1", revokes, others, passwords)
	}
	var tokens, clients []string
	for _, e := range elements(html, "input") {
		if e.attrs["type"] != "hidden" {
			continue
		}
		switch e.attrs["name"] {
		case FieldCSRF:
			tokens = append(tokens, e.attrs["value"])
		case FieldClientID:
			clients = append(clients, e.attrs["value"])
		}
	}
	if len(tokens) != 4 || strings.Count(strings.Join(tokens, ","), "tok-123") != 4 {
		t.Errorf("csrf tokens %q, want tok-123 in each of the 4 forms", tokens)
	}
	if strings.Join(clients, ",") != "c1,c2" {
		t.Errorf("client_id fields %q", clients)
	}

	fields := map[string]map[string]string{}
	for _, e := range elements(html, "input") {
		if n := e.attrs["name"]; n != "" {
			fields[n] = e.attrs
		}
	}
	for name, ac := range map[string]string{
		FieldCurrentPassword: "current-password", FieldNewPassword: "new-password", FieldConfirmPassword: "new-password",
	} {
		f := fields[name]
		if f["type"] != "password" || f["autocomplete"] != ac || f["id"] == "" || !strings.Contains(html, `<label for="`+f["id"]+`">`) {
			t.Errorf("%s input %v: want a labelled password field with autocomplete=%s", name, f, ac)
		}
	}
	if fields[FieldNewPassword]["minlength"] != "8" || fields[FieldNewPassword]["aria-describedby"] != "new-password-hint" {
		t.Errorf("new password input %v", fields[FieldNewPassword])
	}
}

func TestAccountPageEmptyAndErrors(t *testing.T) {
	d := sampleAccount()
	d.Apps, d.Notice = nil, ""
	d.Sessions = d.Sessions[:1]
	d.PasswordError, d.PasswordField = "The new passwords do not match.", FieldConfirmPassword
	html := body(t, PageAccount, d)
	wantContains(t, html, "No apps have access to your account.", "You are not signed in anywhere else.",
		`role="alert" id="password-error"`, "The new passwords do not match.")
	if strings.Contains(html, `role="status"`) || strings.Contains(html, "/account/apps/revoke") ||
		strings.Contains(html, "/account/sessions/sign-out-others") {
		t.Errorf("empty account page shows a notice, revoke or sign-out form")
	}
	for _, e := range elements(html, "input") {
		_, invalid := e.attrs["aria-invalid"]
		if want := e.attrs["name"] == FieldConfirmPassword; invalid != want {
			t.Errorf("input %s: aria-invalid=%v, want %v", e.attrs["name"], invalid, want)
		}
		if invalid && (e.attrs["aria-describedby"] != "password-error" || !has(e.attrs, "autofocus")) {
			t.Errorf("invalid input %v should point at the error and take focus", e.attrs)
		}
	}

	d.PasswordField = FieldNewPassword
	html = body(t, PageAccount, d)
	for _, e := range elements(html, "input") {
		if e.attrs["name"] == FieldNewPassword && e.attrs["aria-describedby"] != "password-error new-password-hint" {
			t.Errorf("new password input %v should point at the error and the hint", e.attrs)
		}
	}
}

func TestAccountPageUnknownApp(t *testing.T) {
	d := sampleAccount()
	d.Apps = []AccountApp{{ClientID: "gone", GrantedAt: sampleTime, UpdatedAt: sampleTime}}
	html := body(t, PageAccount, d)
	wantContains(t, html, "An app that no longer exists", "Remove access<span class=\"visually-hidden\"> for gone</span>")
	if strings.Contains(html, "Last approved") || strings.Contains(html, `class="scopes compact"`) {
		t.Errorf("unchanged consent shows an update time, or an empty scope list is rendered")
	}
}

func TestAccountPageEscapes(t *testing.T) {
	const attr = `"><script>alert(1)</script>`
	d := AccountData{
		UserName: hostile, UserEmail: hostile, Notice: hostile, PasswordError: hostile, CSRFToken: attr,
		Apps:     []AccountApp{{ClientID: attr, Name: hostile, Scopes: []ScopeView{{Name: hostile, Description: hostile}}}},
		Sessions: []AccountSession{{Current: true}},
	}
	html := body(t, PageAccount, d)
	if strings.Contains(html, "<script>alert") {
		t.Errorf("unescaped hostile value in:\n%s", html)
	}
	wantContains(t, html, "&lt;script&gt;")
	for name, v := range hidden(html) {
		if v != "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" {
			t.Errorf("hidden %s = %q", name, v)
		}
	}
}

func has(attrs map[string]string, k string) bool { _, ok := attrs[k]; return ok }

// The login page carries a return path for a direct sign-in.
func TestLoginPageReturnTo(t *testing.T) {
	html := body(t, PageLogin, LoginData{CSRFToken: "tok-1", ReturnTo: "/account"})
	if got := hidden(html); len(got) != 2 || got[FieldReturnTo] != "/account" {
		t.Errorf("hidden fields %v, want csrf_token and return_to=/account", got)
	}
}

package web

import (
	"strings"
	"testing"
)

func TestLoginPage(t *testing.T) {
	html := body(t, PageLogin, LoginData{
		ClientName: "Acme Dashboard", CSRFToken: "tok-1", Request: "req-1",
	})
	wantForm(t, html, "/login")
	wantContains(t, html, "<title>Sign in · Gatehouse</title>", "Sign in</h1>",
		`to continue to <strong class="client">Acme Dashboard</strong>`)
	if got := hidden(html); len(got) != 2 || got["csrf_token"] != "tok-1" || got["authz"] != "req-1" {
		t.Errorf("hidden fields %v", got)
	}
	fields := map[string]element{}
	for _, e := range elements(html, "input") {
		fields[e.attrs["name"]] = e
	}
	email, pw := fields["email"].attrs, fields["password"].attrs
	if email["type"] != "email" || email["autocomplete"] != "username" || email["id"] != "email" {
		t.Errorf("email input %v", email)
	}
	if pw["type"] != "password" || pw["autocomplete"] != "current-password" || pw["id"] != "password" {
		t.Errorf("password input %v", pw)
	}
	wantContains(t, html, `<label for="email">`, `<label for="password">`)
	if _, ok := email["autofocus"]; !ok {
		t.Errorf("empty email field should have autofocus")
	}
	if strings.Contains(html, `role="alert"`) || strings.Contains(html, "aria-invalid") {
		t.Errorf("alert shown without an error")
	}
	buttons := elements(html, "button")
	if len(buttons) != 1 || buttons[0].attrs["type"] != "submit" {
		t.Errorf("buttons %v", buttons)
	}
}

func TestLoginPageAfterFailure(t *testing.T) {
	html := body(t, PageLogin, LoginData{
		ClientName: "Acme", Email: "ada@example.com", Error: "Wrong email or password.",
		CSRFToken: "tok-1", Request: "req-1",
	})
	wantContains(t, html, `role="alert"`, "Wrong email or password.", `aria-invalid="true"`)
	for _, e := range elements(html, "input") {
		switch e.attrs["name"] {
		case "email":
			if e.attrs["value"] != "ada@example.com" {
				t.Errorf("email not pre-filled: %v", e.attrs)
			}
		case "password":
			if _, ok := e.attrs["autofocus"]; !ok {
				t.Errorf("password should take focus when email is filled")
			}
			if e.attrs["value"] != "" {
				t.Errorf("password must never be echoed")
			}
		}
	}
}

func TestLoginPageDirect(t *testing.T) {
	html := body(t, PageLogin, LoginData{})
	wantForm(t, html, "/login")
	wantContains(t, html, "with your Gatehouse account")
	if strings.Contains(html, "to continue to") {
		t.Errorf("mentions a client when there is none")
	}
	if got := hidden(html); len(got) != 0 {
		t.Errorf("empty hidden fields rendered: %v", got)
	}
}

func TestConsentPage(t *testing.T) {
	html := body(t, PageConsent, ConsentData{
		ClientName: "Acme Dashboard", UserEmail: "ada@example.com", UserName: "Ada Lovelace",
		Scopes: []ScopeView{
			{Name: "email", Description: "See your email address"},
			{Name: "api:read"},
		},
		CSRFToken: "tok-1", Request: "req-1",
	})
	wantForm(t, html, "/consent")
	wantContains(t, html, `Acme Dashboard</span> wants to access your Gatehouse account`,
		"Ada Lovelace", "ada@example.com", "Signed in as",
		"See your email address <code>email</code>", "<span>api:read</span>", "revoke")
	if got := hidden(html); len(got) != 2 || got["csrf_token"] != "tok-1" || got["authz"] != "req-1" {
		t.Errorf("hidden fields %v", got)
	}
	buttons := elements(html, "button")
	if len(buttons) != 2 {
		t.Fatalf("got %d buttons, want 2", len(buttons))
	}
	approve, deny := buttons[0].attrs, buttons[1].attrs
	if approve["name"] != "decision" || approve["value"] != "approve" || approve["type"] != "submit" ||
		!strings.Contains(approve["class"], "primary") {
		t.Errorf("approve button %v", approve)
	}
	if deny["name"] != "decision" || deny["value"] != "deny" || deny["type"] != "submit" ||
		strings.Contains(deny["class"], "primary") {
		t.Errorf("deny button %v", deny)
	}
}

func TestConsentPageWithoutNameOrScopes(t *testing.T) {
	html := body(t, PageConsent, ConsentData{ClientName: "Acme", UserEmail: "ada@example.com"})
	wantContains(t, html, "ada@example.com", "will learn only that it is you")
	if strings.Contains(html, `class="scopes"`) || strings.Contains(html, "identity-name") {
		t.Errorf("empty scope list or user name rendered")
	}
	if got := hidden(html); len(got) != 0 {
		t.Errorf("empty hidden fields rendered: %v", got)
	}
}

func TestErrorPage(t *testing.T) {
	html := body(t, PageError, ErrorData{
		Title: "This sign-in link is not valid", Message: "Go back and try again.", Code: "invalid_request",
	})
	wantContains(t, html, "<title>This sign-in link is not valid · Gatehouse</title>",
		"This sign-in link is not valid</h1>", "Go back and try again.",
		`<code class="badge">invalid_request</code>`)
	if len(elements(html, "form")) != 0 {
		t.Errorf("error page has a form")
	}

	html = body(t, PageError, ErrorData{})
	wantContains(t, html, "Something went wrong</h1>")
	if strings.Contains(html, "Error code") {
		t.Errorf("code badge rendered without a code")
	}
}

func TestLogoutPage(t *testing.T) {
	html := body(t, PageLogout, LogoutData{ClientName: "Acme", CSRFToken: "tok-1", Request: "lr-1"})
	wantForm(t, html, "/logout")
	wantContains(t, html, "Sign out of Gatehouse?", `<strong class="client">Acme</strong> asked to sign you out`)
	if got := hidden(html); len(got) != 2 || got["csrf_token"] != "tok-1" || got["logout_request"] != "lr-1" {
		t.Errorf("hidden fields %v", got)
	}
	buttons := elements(html, "button")
	if len(buttons) != 1 || buttons[0].attrs["name"] != "decision" || buttons[0].attrs["value"] != "logout" {
		t.Errorf("buttons %v", buttons)
	}
	links := elements(html, "a")
	if len(links) != 1 || links[0].attrs["href"] != "/" {
		t.Errorf("cancel link %v", links)
	}

	html = body(t, PageLogout, LogoutData{})
	if strings.Contains(html, "asked to sign you out") {
		t.Errorf("mentions a client when there is none")
	}
	if got := hidden(html); len(got) != 0 {
		t.Errorf("empty hidden fields rendered: %v", got)
	}
}

func TestMessagePage(t *testing.T) {
	html := body(t, PageMessage, MessageData{Title: "You are signed out", Message: "Close this window."})
	wantContains(t, html, "<title>You are signed out · Gatehouse</title>", "You are signed out</h1>", "Close this window.")
}

// Every user- or client-controlled string is escaped for its context.
func TestHostileValuesAreEscaped(t *testing.T) {
	const attr = `"><script>alert(1)</script>`
	pages := []sample{
		{"login", PageLogin, LoginData{ClientName: hostile, Email: attr, Error: hostile, CSRFToken: attr, Request: attr}},
		{"consent", PageConsent, ConsentData{
			ClientName: hostile, UserEmail: hostile, UserName: hostile,
			Scopes: []ScopeView{{Name: hostile, Description: hostile}}, CSRFToken: attr, Request: attr,
		}},
		{"logout", PageLogout, LogoutData{ClientName: hostile, CSRFToken: attr, Request: attr}},
		{"error", PageError, ErrorData{Title: hostile, Message: hostile, Code: hostile}},
		{"message", PageMessage, MessageData{Title: hostile, Message: hostile}},
	}
	for _, s := range pages {
		t.Run(s.name, func(t *testing.T) {
			html := body(t, s.page, s.data)
			if strings.Contains(html, "<script>alert") {
				t.Errorf("unescaped hostile value in:\n%s", html)
			}
			wantContains(t, html, "&lt;script&gt;")
			for name, v := range hidden(html) {
				if v != "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" {
					t.Errorf("hidden %s = %q", name, v)
				}
			}
		})
	}
}

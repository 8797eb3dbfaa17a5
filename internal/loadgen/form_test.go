package loadgen

import (
	"net/url"
	"strings"
	"testing"
)

func parse(t *testing.T, page string) []Form {
	t.Helper()
	base, _ := url.Parse("https://id.example.com/authorize?client_id=x")
	forms, err := ParseForms(strings.NewReader(page), base)
	if err != nil {
		t.Fatal(err)
	}
	return forms
}

func TestFillLogin(t *testing.T) {
	for _, tc := range []struct {
		name, page string
		action     string
		want       url.Values
	}{
		{
			name: "gatehouse: email field, hidden CSRF and request",
			page: `<form method="post" action="/login"><input type="hidden" name="csrf_token" value="c1">
				<input type="hidden" name="authz" value="a=b"><input id="email" name="email" type="email">
				<input name="password" type="password"><button type="submit">Sign in</button></form>`,
			action: "https://id.example.com/login",
			want:   url.Values{"csrf_token": {"c1"}, "authz": {"a=b"}, "email": {"u@example.com"}, "password": {"pw"}},
		},
		{
			name: "search form first, username by name, named submit button",
			page: `<form action="/search"><input name="q"></form>
				<form method="POST" action="login?x=1"><input name="remember" type="checkbox" value="1" checked>
				<input name="opt" type="checkbox" value="no"><input name="nickname" type="text"><input name="username" type="text">
				<input name="pass" type="password"><input type="submit" name="action" value="login"></form>`,
			action: "https://id.example.com/login?x=1",
			want:   url.Values{"remember": {"1"}, "nickname": {""}, "username": {"u@example.com"}, "pass": {"pw"}, "action": {"login"}},
		},
		{
			name: "autocomplete=username beats type email, select and textarea kept, no action",
			page: `<form method="post"><input name="contact" type="email"><input name="login_id" autocomplete="username">
				<select name="lang"><option value="en">English</option><option value="fr" selected>French</option></select>
				<textarea name="note">hi</textarea><input name="pw" type="password"></form>`,
			action: "https://id.example.com/authorize?client_id=x",
			want:   url.Values{"contact": {""}, "login_id": {"u@example.com"}, "lang": {"fr"}, "note": {"hi"}, "pw": {"pw"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := FillLogin(parse(t, tc.page), "u@example.com", "pw")
			if !ok {
				t.Fatal("no login form found")
			}
			if f.Method != "POST" || f.Action != tc.action {
				t.Errorf("submit %s %s, want POST %s", f.Method, f.Action, tc.action)
			}
			if f.Fields.Encode() != tc.want.Encode() {
				t.Errorf("fields = %v, want %v", f.Fields, tc.want)
			}
		})
	}
	if _, ok := FillLogin(parse(t, `<form method="post"><input name="email"></form>`), "u", "p"); ok {
		t.Error("a form without a password field was taken for a login form")
	}
}

func TestFindConsent(t *testing.T) {
	for _, tc := range []struct {
		name, page string
		want       url.Values // nil: no consent form
	}{
		{
			name: "gatehouse: allow and deny buttons",
			page: `<form method="post" action="/consent"><input type="hidden" name="csrf_token" value="c">
				<button type="submit" name="decision" value="approve">Allow</button>
				<button type="submit" name="decision" value="deny">Deny</button></form>`,
			want: url.Values{"csrf_token": {"c"}, "decision": {"approve"}},
		},
		{
			name: "deny first, then an input submit",
			page: `<form method="post" action="/c"><input type="submit" name="deny" value="Deny access">
				<input type="submit" name="accept" value="Yes, allow"></form>`,
			want: url.Values{"accept": {"Yes, allow"}},
		},
		{
			name: "unnamed approve button",
			page: `<form method="post" action="/c"><input type="hidden" name="s" value="1"><button>Continue</button></form>`,
			want: url.Values{"s": {"1"}},
		},
		{name: "a login form is not consent", page: `<form method="post"><input name="p" type="password"><button>Allow</button></form>`},
		{name: "a GET form is not consent", page: `<form action="/search"><button>Continue</button></form>`},
		{name: "no approving button", page: `<form method="post"><button name="d" value="deny">Deny</button></form>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := FindConsent(parse(t, tc.page))
			if ok != (tc.want != nil) {
				t.Fatalf("found = %v, want %v", ok, tc.want != nil)
			}
			if ok && f.Fields.Encode() != tc.want.Encode() {
				t.Errorf("fields = %v, want %v", f.Fields, tc.want)
			}
		})
	}
}

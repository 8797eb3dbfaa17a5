package servertest

import (
	"net/url"
)

// Authorize opens the authorization endpoint with params and walks the
// pages like a user: it signs in with email and password when the login
// form appears and approves the consent form when that appears. It returns
// the page where the browser stops: normally the redirect to the client.
func (b *Browser) Authorize(params url.Values, email, password string) *Page {
	b.t.Helper()
	p := b.Get(b.env.URL + "/authorize?" + params.Encode())
	for range 3 {
		switch {
		case p.Location != nil:
			return p
		case p.HasForm("/login"):
			p = b.Submit(p, "/login", map[string]string{"email": email, "password": password}, "", "")
		case p.HasForm("/consent"):
			p = b.Submit(p, "/consent", nil, "decision", "approve")
		default:
			return p
		}
	}
	return p
}

// Callback returns the query of the redirect the browser stopped at, and
// fails the test when the page is not a redirect to redirectURI.
func (p *Page) Callback(t interface {
	Helper()
	Fatalf(string, ...any)
}, redirectURI string) url.Values {
	t.Helper()
	if p.Location == nil {
		t.Fatalf("expected a redirect to %s, got status %d at %s:\n%s", redirectURI, p.Status, p.URL, p.Body)
	}
	base := *p.Location
	base.RawQuery = ""
	if base.String() != redirectURI {
		t.Fatalf("redirected to %s, want %s", p.Location, redirectURI)
	}
	return p.Location.Query()
}

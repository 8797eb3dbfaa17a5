package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// rfc9700Pages loads every kind of page the server shows a browser: the
// login, consent, sign-out confirmation, account and error pages.
func rfc9700Pages(t *testing.T, e *rulesEnv) map[string]*servertest.Page {
	t.Helper()
	b := e.session(t)
	consentReq, _ := authzParams(e.Web.ID, webRedirect)
	unknown, _ := authzParams("no-such-client", webRedirect)
	return map[string]*servertest.Page{
		"login":   e.BrowserFor(t).Get(e.URL + "/login"),
		"consent": b.Get(e.URL + "/authorize?" + consentReq.Encode()),
		"sign-out confirmation": b.Get(e.URL + "/logout?" +
			url.Values{"client_id": {e.SPA.ID}, "post_logout_redirect_uri": {spaPostLogout}}.Encode()),
		"account": b.Get(e.URL + "/account"),
		"error":   e.BrowserFor(t).Get(e.URL + "/authorize?" + unknown.Encode()),
	}
}

// TestRFC9700_4_16_Clickjacking: no page can be framed by another site
// (§4.16): CSP frame-ancestors 'none', and X-Frame-Options for browsers
// that predate it.
func TestRFC9700_4_16_Clickjacking(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	for name, p := range rfc9700Pages(t, e) {
		if !p.HasForm("/login") && !p.HasForm("/consent") && !p.HasForm("/logout") && name != "account" && name != "error" {
			t.Errorf("%s: not the page it should be (status %d at %s)", name, p.Status, p.URL)
		}
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s page: CSP %q, X-Frame-Options %q; want frame-ancestors 'none' and DENY", name, csp, p.Header.Get("X-Frame-Options"))
		}
	}
}

var absoluteRef = regexp.MustCompile(`(?i)(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//`)

// TestRFC9700_4_2_4_RefererLeakage: pages that carry an authorization
// request in their URL send no Referer (Referrer-Policy: no-referrer) and
// load nothing from other origins, and the authorization response carries
// only a code, never a token, in its URL (§4.2.4).
func TestRFC9700_4_2_4_RefererLeakage(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	for name, p := range rfc9700Pages(t, e) {
		if rp := p.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("%s page: Referrer-Policy %q, want no-referrer", name, rp)
		}
		if m := absoluteRef.FindString(p.Body); m != "" {
			t.Errorf("%s page refers to another origin: %q", name, m)
		}
	}
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	p := e.session(t).Authorize(params, ruleEmail, rulePassword)
	q := wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state"))
	for _, k := range []string{"access_token", "id_token", "refresh_token", "token"} {
		if q.Has(k) || strings.Contains(p.Location.Fragment, k) {
			t.Errorf("the authorization response URL carries %s: %s", k, p.Location)
		}
	}
}

// TestRFC9700_4_3_BrowserHistory: nothing a browser or proxy may keep
// holds a credential: pages and every token-bearing response are
// Cache-Control: no-store (§4.3.2, RFC 6749 §5.1).
func TestRFC9700_4_3_BrowserHistory(t *testing.T) {
	e := newRulesEnv(t, servertest.Options{})
	for name, p := range rfc9700Pages(t, e) {
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s page: Cache-Control %q, want no-store", name, cc)
		}
	}
	code, pk := newCode(t, e, e.session(t), e.SPA, spaRedirect)
	tr := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier) // postToken checks no-store
	wantTokens(t, tr)
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tr.str("access_token"))
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("userinfo: status %d, Cache-Control %q; want 200 and no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// TestRFC9700_2_6_TLSIssuerAndRedirects: the issuer must be https except
// on loopback, cookies of an https issuer are Secure (and __Host-), and
// http redirect URIs are refused except for loopback hosts (§2.6).
func TestRFC9700_2_6_TLSIssuerAndRedirects(t *testing.T) {
	for _, iss := range []string{"http://id.example.com", "http://192.0.2.1:8080", "ftp://id.example.com"} {
		if err := config.ValidateIssuer(iss); err == nil {
			t.Errorf("issuer %q accepted; want https", iss)
		}
	}
	for _, iss := range []string{"https://id.example.com", "http://127.0.0.1:8080", "http://localhost:8080"} {
		if err := config.ValidateIssuer(iss); err != nil {
			t.Errorf("issuer %q refused: %v", iss, err)
		}
	}
	env := servertest.New(t, servertest.Options{Config: func(c *config.Config) {
		c.Issuer = strings.Replace(c.Issuer, "http://", "https://", 1)
	}})
	resp, err := env.Server.Client().Get(env.Server.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("the login page set no cookie")
	}
	for _, c := range cookies {
		if !c.Secure || !strings.HasPrefix(c.Name, "__Host-") || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s: Secure %v, Path %q, Domain %q; want a Secure __Host- cookie", c.Name, c.Secure, c.Path, c.Domain)
		}
	}
}

package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// Rules of the pages the user sees: login, consent and error pages.

// TestPageRules checks what every page and the login form must do.
func TestPageRules(t *testing.T) {
	t.Parallel()
	runRules(t, []rule{
		{"LoginFailureIsGeneric_RFC6819_5.1.4.2.2", ruleLoginFailureIsGeneric},
		{"SecurityHeaders_RFC6749_10.13", rulePagesSecurityHeaders},
	})
}

var alertRE = regexp.MustCompile(`(?s)<div class="alert"[^>]*>.*?<p>(.*?)</p>`)

// ruleLoginFailureIsGeneric checks that a wrong password and an unknown
// email get the same status and the same generic message, so the login form
// does not reveal which accounts exist.
func ruleLoginFailureIsGeneric(t *testing.T, e *rulesEnv) {
	try := func(email, password string) *servertest.Page {
		b := e.BrowserFor(t)
		params, _ := authzParams(e.SPA.ID, spaRedirect)
		p := authorize(b, e.Env, http.MethodGet, params)
		wantLoginPage(t, p)
		return b.Submit(p, "/login", map[string]string{"email": email, "password": password}, "", "")
	}
	wrong := try(ruleEmail, "not the password")
	unknown := try("nobody@example.com", rulePassword)
	empty := try(ruleEmail, "")
	for name, p := range map[string]*servertest.Page{"wrong password": wrong, "unknown email": unknown, "empty password": empty} {
		wantLoginPage(t, p)
		m := alertRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Errorf("%s: no error message on the login page:\n%s", name, excerpt(p.Body))
			continue
		}
		if m[1] != "The email or password is not correct." {
			t.Errorf("%s: message %q, want the generic one", name, m[1])
		}
		if p.Status != wrong.Status {
			t.Errorf("%s: status %d, wrong password gave %d", name, p.Status, wrong.Status)
		}
		for _, line := range p.Header.Values("Set-Cookie") {
			if strings.Contains(line, "gatehouse_session=") {
				t.Errorf("%s: a session cookie was set: %s", name, line)
			}
		}
	}
}

// TestForms_CSRFTokenRequired_RFC6749_10_12 checks that the login and
// consent forms are refused with a 400 error page, never acted on, without
// a valid CSRF token bound to the browser's cookie (RFC 6749 §10.12).
func TestForms_CSRFTokenRequired_RFC6749_10_12(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	b := e.BrowserFor(t)
	login := authorize(b, e.Env, http.MethodGet, params)
	wantLoginPage(t, login)
	loginForm := login.Form(t, "/login")
	loginForm.Set("email", ruleEmail)
	loginForm.Set("password", rulePassword)

	forged := func(form url.Values, change func(url.Values)) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = append([]string(nil), v...)
		}
		change(f)
		return f
	}
	cases := map[string]func(url.Values){
		"no token":         func(f url.Values) { f.Del("csrf_token") },
		"empty token":      func(f url.Values) { f.Set("csrf_token", "") },
		"token of garbage": func(f url.Values) { f.Set("csrf_token", "AAAA") },
		"token altered":    func(f url.Values) { f.Set("csrf_token", flipLast(f.Get("csrf_token"))) },
	}
	for name, change := range cases {
		t.Run("login/"+name, func(t *testing.T) {
			b := b.For(t)
			p := b.PostForm(e.URL+"/login", forged(loginForm, change))
			wantErrorPage(t, p, "invalid_request")
		})
	}
	t.Run("login/token without its cookie", func(t *testing.T) {
		wantErrorPage(t, e.BrowserFor(t).PostForm(e.URL+"/login", loginForm), "invalid_request")
	})
	// A valid token in a post the browser says came from elsewhere.
	for name, headers := range map[string][2]string{
		"cross-origin post":              {"https://evil.example.com", ""},
		"cross-site post, opaque origin": {"null", "cross-site"},
		"same-site post from a sibling":  {"", "same-site"},
	} {
		t.Run("login/"+name, func(t *testing.T) {
			b := b.For(t)
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(loginForm.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if headers[0] != "" {
				req.Header.Set("Origin", headers[0])
			}
			if headers[1] != "" {
				req.Header.Set("Sec-Fetch-Site", headers[1])
			}
			wantErrorPage(t, do(t, b, req), "invalid_request")
		})
	}
	// None of the refused posts signed the browser in.
	none, _ := authzParams(e.SPA.ID, spaRedirect)
	none.Set("prompt", "none")
	wantRedirectError(t, e.Env, authorize(b, e.Env, http.MethodGet, none), spaRedirect, "login_required", none.Get("state"))

	consent := b.Submit(login, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	wantConsentPage(t, consent)
	consentForm := consent.Form(t, "/consent")
	consentForm.Set("decision", "approve")
	for name, change := range cases {
		t.Run("consent/"+name, func(t *testing.T) {
			b := b.For(t)
			p := b.PostForm(e.URL+"/consent", forged(consentForm, change))
			wantErrorPage(t, p, "invalid_request")
		})
	}
	// Nothing was approved by the refused posts.
	wantRedirectError(t, e.Env, authorize(b, e.Env, http.MethodGet, none), spaRedirect, "consent_required", none.Get("state"))
	// The genuine form still works.
	wantCodeRedirect(t, e.Env, b.PostForm(e.URL+"/consent", consentForm), spaRedirect, params.Get("state"))
}

// TestSessionCookie_Attributes_RFC6265bis_4_1_3_2 checks the session
// cookie: HttpOnly and SameSite=Lax always, Path=/ and no Domain; on an
// https issuer also Secure with the __Host- prefix.
func TestSessionCookie_Attributes_RFC6265bis_4_1_3_2(t *testing.T) {
	t.Parallel()
	for _, https := range []bool{false, true} {
		name, wantName := "http issuer", "gatehouse_session"
		opt := servertest.Options{}
		if https {
			name, wantName = "https issuer", "__Host-gatehouse_session"
			opt.Config = func(c *config.Config) { c.Issuer = strings.Replace(c.Issuer, "http://", "https://", 1) }
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newRulesEnv(t, opt)
			// Plain requests to the plain-HTTP listener: the issuer may say
			// https, so the cookies are handled by hand.
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			params, _ := authzParams(e.SPA.ID, spaRedirect)
			resp, err := client.Get(e.Server.URL + "/authorize?" + params.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := &servertest.Page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), URL: resp.Request.URL}
			wantLoginPage(t, page)
			form := page.Form(t, "/login")
			form.Set("email", ruleEmail)
			form.Set("password", rulePassword)
			req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range resp.Cookies() {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			resp, err = client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("login: status %d, want 200 (consent page)", resp.StatusCode)
			}
			var session *http.Cookie
			for _, line := range resp.Header.Values("Set-Cookie") {
				c, err := http.ParseSetCookie(line)
				if err == nil && strings.HasSuffix(c.Name, "gatehouse_session") {
					session = c
					if strings.Contains(strings.ToLower(line), "domain=") {
						t.Errorf("session cookie has a Domain: %s", line)
					}
				}
			}
			if session == nil {
				t.Fatalf("login set no session cookie; Set-Cookie: %q", resp.Header.Values("Set-Cookie"))
			}
			if session.Name != wantName || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode ||
				session.Secure != https || session.Path != "/" || session.Value == "" {
				t.Errorf("session cookie %s=…: HttpOnly %v, SameSite %v, Secure %v, Path %q; want %s, HttpOnly, SameSite=Lax, Secure %v, Path /",
					session.Name, session.HttpOnly, session.SameSite, session.Secure, session.Path, wantName, https)
			}
		})
	}
}

// rulePagesSecurityHeaders checks that every page carries a CSP with
// frame-ancestors 'none' (clickjacking, RFC 6749 §10.13),
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer (the
// authorization request in the URL must not leak).
func rulePagesSecurityHeaders(t *testing.T, e *rulesEnv) {
	b := e.BrowserFor(t)
	params, _ := authzParams(e.SPA.ID, spaRedirect)
	login := authorize(b, e.Env, http.MethodGet, params)
	failed := b.Submit(login, "/login", map[string]string{"email": ruleEmail, "password": "wrong password"}, "", "")
	consent := b.Submit(login, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	bad, _ := authzParams("no-such-client", spaRedirect)
	pages := map[string]*servertest.Page{
		"login":            login,
		"login failed":     failed,
		"consent":          consent,
		"error":            authorize(e.BrowserFor(t), e.Env, http.MethodGet, bad),
		"csrf error":       e.BrowserFor(t).PostForm(e.URL+"/login", url.Values{"email": {ruleEmail}}),
		"login standalone": e.BrowserFor(t).Get(e.URL + "/login"),
		"logout":           b.Get(e.URL + "/logout"),
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			if p.Status != http.StatusOK && p.Status != http.StatusBadRequest {
				t.Fatalf("status %d", p.Status)
			}
			csp := p.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", csp)
			}
			if got := p.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := p.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q, want no-referrer", got)
			}
		})
	}
}

// do sends req with the browser's cookies and returns the response as a
// page.
func do(t *testing.T, b *servertest.Browser, req *http.Request) *servertest.Page {
	t.Helper()
	resp, err := b.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &servertest.Page{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if loc, err := resp.Location(); err == nil {
		p.Location = loc
	}
	return p
}

// flipLast changes a character near the end of a base64url string (a
// JWT's signature, a CSRF token) in bits that carry data, unlike the
// padding bits of the very last character.
func flipLast(s string) string {
	if len(s) < 10 {
		return s + "A"
	}
	i := len(s) - 10
	repl := byte('A')
	if s[i] == 'A' {
		repl = 'B'
	}
	return s[:i] + string(repl) + s[i+1:]
}

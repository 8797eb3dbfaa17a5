package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// issue runs Token on a fresh GET and returns the token and the cookie set.
func issue(t *testing.T, c *CSRF) (string, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	tok := c.Token(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Token set %d cookies, want 1", len(cookies))
	}
	return tok, cookies[0]
}

// post builds a parsed form POST carrying the token and cookies.
func post(t *testing.T, token string, cookies ...*http.Cookie) *http.Request {
	t.Helper()
	form := url.Values{}
	if token != "" {
		form.Set(FieldCSRF, token)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range cookies {
		r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCSRFRoundTrip(t *testing.T) {
	c := NewCSRF(testKey, false, "http://127.0.0.1:8080")
	tok, ck := issue(t, c)
	if !c.Valid(post(t, tok, ck)) {
		t.Fatal("token from Token was not Valid")
	}
}

func TestCSRFRejects(t *testing.T) {
	c := NewCSRF(testKey, false, "")
	tok, ck := issue(t, c)
	otherTok, _ := issue(t, c)
	if tok == otherTok {
		t.Fatal("two fresh cookies gave the same token")
	}
	foreign := NewCSRF(bytes.Repeat([]byte{8}, 32), false, "")
	foreignTok := foreign.sign(ck.Value)

	query := httptest.NewRequest(http.MethodPost, "/login?csrf_token="+url.QueryEscape(tok), nil)
	query.AddCookie(ck)
	_ = query.ParseForm()

	get := httptest.NewRequest(http.MethodGet, "/login", nil)
	get.AddCookie(ck)
	get.PostForm = url.Values{FieldCSRF: {tok}}

	tests := []struct {
		name string
		r    *http.Request
	}{
		{"wrong token", post(t, tok+"x", ck)},
		{"garbage token", post(t, "!!!", ck)},
		{"padded token", post(t, tok+"=", ck)},
		{"empty token", post(t, "", ck)},
		{"missing cookie", post(t, tok)},
		{"token from another cookie", post(t, otherTok, ck)},
		{"cookie value as token", post(t, ck.Value, ck)},
		{"token signed with another key", post(t, foreignTok, ck)},
		{"malformed cookie", post(t, c.sign("short"), &http.Cookie{Name: ck.Name, Value: "short"})},
		{"cookie under another name", post(t, tok, &http.Cookie{Name: "other", Value: ck.Value})},
		{"token only in the query", query},
		{"not a POST", get},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c.Valid(tt.r) {
				t.Error("Valid = true, want false")
			}
		})
	}
}

func TestCSRFTokenReusesCookie(t *testing.T) {
	c := NewCSRF(testKey, false, "")
	tok, ck := issue(t, c)

	r := httptest.NewRequest(http.MethodGet, "/consent", nil)
	r.AddCookie(ck)
	rec := httptest.NewRecorder()
	if got := c.Token(rec, r); got != tok {
		t.Errorf("token changed for the same cookie")
	}
	if h := rec.Header().Values("Set-Cookie"); len(h) != 0 {
		t.Errorf("cookie set again: %v", h)
	}
}

func TestCSRFTokenTwiceSetsOneCookie(t *testing.T) {
	c := NewCSRF(testKey, false, "")
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	a, b := c.Token(rec, r), c.Token(rec, r)
	if a != b {
		t.Errorf("two tokens for one response")
	}
	if n := len(rec.Result().Cookies()); n != 1 {
		t.Errorf("%d cookies set, want 1", n)
	}
}

// A stale or planted duplicate cookie must not lock the user out.
func TestCSRFDuplicateCookies(t *testing.T) {
	c := NewCSRF(testKey, false, "")
	tok, ck := issue(t, c)
	stale := &http.Cookie{Name: ck.Name, Value: strings.Repeat("A", 43)}
	if !c.Valid(post(t, tok, stale, ck)) {
		t.Error("valid pair rejected next to a stale duplicate")
	}
}

func TestCSRFOrigin(t *testing.T) {
	tests := []struct {
		name, configured, origin, fetchSite string
		want                                bool
	}{
		{"no headers", "https://id.example.com", "", "", true},
		{"same origin", "https://id.example.com", "https://id.example.com", "same-origin", true},
		{"issuer URL with path and default port", "https://ID.example.com:443/tenant", "https://id.example.com", "", true},
		{"other site", "https://id.example.com", "https://evil.example", "", false},
		{"sibling subdomain", "https://id.example.com", "https://app.example.com", "", false},
		{"other scheme", "https://id.example.com", "http://id.example.com", "", false},
		{"other port", "http://127.0.0.1:8080", "http://127.0.0.1:9090", "", false},
		{"opaque origin", "https://id.example.com", "null", "", false},
		{"opaque origin cross-site", "https://id.example.com", "null", "cross-site", false},
		{"no-referrer form post", "https://id.example.com", "null", "same-origin", true},
		{"check skipped", "", "https://evil.example", "", true},
		{"fetch metadata cross-site", "", "", "cross-site", false},
		{"fetch metadata same-site", "", "", "same-site", false},
		{"fetch metadata none", "", "", "none", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCSRF(testKey, false, tt.configured)
			tok, ck := issue(t, c)
			r := post(t, tok, ck)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
			}
			if got := c.Valid(r); got != tt.want {
				t.Errorf("Valid = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCSRFCookieAttributes(t *testing.T) {
	for _, secure := range []bool{true, false} {
		c := NewCSRF(testKey, secure, "")
		rec := httptest.NewRecorder()
		c.Token(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		raw := rec.Header().Get("Set-Cookie")
		ck, err := http.ParseSetCookie(raw)
		if err != nil {
			t.Fatal(err)
		}
		wantName := "gatehouse_csrf"
		if secure {
			wantName = "__Host-gatehouse_csrf"
		}
		if ck.Name != wantName || c.CookieName() != wantName {
			t.Errorf("name %q, want %q", ck.Name, wantName)
		}
		if ck.Secure != secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" ||
			ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("secure=%v: cookie attributes %q", secure, raw)
		}
		if strings.Contains(strings.ToLower(raw), "domain") || strings.Contains(raw, "Max-Age") || strings.Contains(raw, "Expires") {
			t.Errorf("unexpected attribute in %q", raw)
		}
	}
}

func TestNewCSRFShortKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a short key")
		}
	}()
	NewCSRF([]byte("short"), true, "")
}

func TestNewCSRFCopiesKey(t *testing.T) {
	key := bytes.Clone(testKey)
	c := NewCSRF(key, false, "")
	tok, ck := issue(t, c)
	key[0] ^= 1
	if !c.Valid(post(t, tok, ck)) {
		t.Error("changing the caller's slice changed the key")
	}
}

func TestNormalizeOrigin(t *testing.T) {
	tests := map[string]string{
		"https://Example.COM":           "https://example.com",
		"https://example.com:443/a/b?c": "https://example.com",
		"http://example.com:80":         "http://example.com",
		"http://127.0.0.1:8080/":        "http://127.0.0.1:8080",
		"http://[::1]:8080":             "http://[::1]:8080",
		"null":                          "null",
		"":                              "",
	}
	for in, want := range tests {
		if got := normalizeOrigin(in); got != want {
			t.Errorf("normalizeOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCSRFValid checks that no cookie/token pair is accepted unless the token
// is the MAC of that cookie value.
func FuzzCSRFValid(f *testing.F) {
	c := NewCSRF(testKey, true, "")
	good := strings.Repeat("Q", 43)
	f.Add(good, c.sign(good))
	f.Add(good, "")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, cookie, token string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Cookie", c.CookieName()+"="+cookie)
		r.PostForm = url.Values{FieldCSRF: {token}}
		if c.Valid(r) && (!wellFormed(cookie) || token != c.sign(cookie)) {
			t.Errorf("accepted cookie %q with token %q", cookie, token)
		}
	})
}

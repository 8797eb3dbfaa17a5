package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Cookie names. The __Host- prefix makes the browser refuse the cookie unless
// it is Secure, has Path=/ and no Domain, so a sibling subdomain or a
// plain-HTTP page cannot plant its own value (RFC 6265bis §4.1.3.2).
const (
	csrfCookieSecure   = "__Host-gatehouse_csrf"
	csrfCookieInsecure = "gatehouse_csrf"
)

// csrfLabel separates CSRF MACs from anything else the same key might sign.
const csrfLabel = "gatehouse csrf v1\x00"

// b64 encodes cookie values and tokens. Strict decoding rejects spellings
// with non-zero padding bits, so each value has exactly one accepted form.
var b64 = base64.RawURLEncoding.Strict()

// csrfValueLen is the number of random bytes in a cookie value.
const csrfValueLen = 32

// CSRF issues and checks anti-CSRF tokens for HTML forms with the signed
// double-submit pattern: the browser holds a random value in a cookie, and
// each form carries HMAC-SHA256(key, value). A cross-site attacker can make
// the browser send the cookie but can neither read it nor compute the MAC,
// so it cannot fill in the form field. No server-side state is needed.
//
// The cookie is SameSite=Lax, not Strict. The token, not SameSite, is the
// defence; what SameSite changes is whether the cookie arrives on the GET
// that opens a page. Users reach /login and /consent through a redirect
// chain started on the client's site, a cross-site navigation: under Strict
// the browser would withhold the cookie there, Token would issue a new one,
// and any other Gatehouse tab left open would fail its next submission. Lax
// sends the cookie on those top-level GETs (so it is reused) and still
// withholds it from cross-site POSTs.
//
// It is safe for concurrent use.
type CSRF struct {
	key    []byte
	secure bool
	name   string
	origin string // normalized scheme://host[:port], or "" to skip the Origin check
}

// NewCSRF returns a CSRF that signs with key, which must be secret and at
// least 16 bytes, 32 recommended (it panics otherwise: that is a wiring
// mistake). When secure is true (an https issuer) the cookie is
// "__Host-gatehouse_csrf" and Secure; otherwise it is "gatehouse_csrf".
// origin is the issuer's origin,
// scheme://host[:port]; a full issuer URL is accepted and reduced to its
// origin. Form posts whose Origin header names any other origin are refused.
// An empty origin skips that check.
func NewCSRF(key []byte, secure bool, origin string) *CSRF {
	if len(key) < 16 {
		panic("web: NewCSRF key must be at least 16 bytes")
	}
	name := csrfCookieInsecure
	if secure {
		name = csrfCookieSecure
	}
	return &CSRF{
		key:    append([]byte(nil), key...),
		secure: secure,
		name:   name,
		origin: normalizeOrigin(origin),
	}
}

// CookieName returns the name of the cookie holding the random value.
func (c *CSRF) CookieName() string { return c.name }

// Token returns the form token to put in the csrf_token field. It reuses the
// request's cookie when that holds a well-formed value (so several open tabs
// keep working) and otherwise sets a new session cookie on w. Calling it
// twice for one response sets at most one cookie.
func (c *CSRF) Token(w http.ResponseWriter, r *http.Request) string {
	for _, ck := range r.CookiesNamed(c.name) {
		if wellFormed(ck.Value) {
			return c.sign(ck.Value)
		}
	}
	if v, ok := c.pending(w); ok {
		return c.sign(v)
	}
	raw := make([]byte, csrfValueLen)
	_, _ = rand.Read(raw) // never fails; crypto/rand aborts the program instead
	v := b64.EncodeToString(raw)
	http.SetCookie(w, &http.Cookie{
		Name:     c.name,
		Value:    v,
		Path:     "/",
		Secure:   c.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	return c.sign(v)
}

// Valid reports whether r is a POST whose csrf_token form field is the token
// for one of its CSRF cookies, compared in constant time. It also refuses
// requests the browser says come from elsewhere: an Origin header that is not
// the configured origin, or a Sec-Fetch-Site other than same-origin or none.
// The caller must already have called r.ParseForm (with a body limit); only
// the request body is consulted, never the URL query, so tokens never end up
// in URLs and logs.
func (c *CSRF) Valid(r *http.Request) bool {
	if r.Method != http.MethodPost || !c.sameOrigin(r) {
		return false
	}
	tok := r.PostForm.Get(FieldCSRF)
	if tok == "" {
		return false
	}
	mac, err := b64.DecodeString(tok)
	if err != nil {
		return false
	}
	// Every cookie of our name is tried: a stale duplicate (say, one from
	// before a path change) must not lock the user out. Forging a match
	// for any value still takes the key.
	for _, ck := range r.CookiesNamed(c.name) {
		if wellFormed(ck.Value) && hmac.Equal(mac, c.mac(ck.Value)) {
			return true
		}
	}
	return false
}

// sameOrigin applies the browser's own statements about where a request
// came from. Either header may be absent (older browsers, privacy tools);
// then the token alone decides.
func (c *CSRF) sameOrigin(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	o := r.Header.Get("Origin")
	if o == "null" && site == "same-origin" {
		// Our pages send Referrer-Policy: no-referrer, under which browsers
		// send "Origin: null" on the page's own form posts; the browser's
		// Sec-Fetch-Site still vouches that the post came from us.
		o = ""
	}
	if o != "" && c.origin != "" && normalizeOrigin(o) != c.origin {
		return false
	}
	switch site {
	case "", "same-origin", "none":
		return true
	}
	return false
}

func (c *CSRF) mac(value string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(csrfLabel))
	m.Write([]byte(value))
	return m.Sum(nil)
}

func (c *CSRF) sign(value string) string {
	return b64.EncodeToString(c.mac(value))
}

// pending returns the value of a CSRF cookie already set on w, if any.
func (c *CSRF) pending(w http.ResponseWriter) (string, bool) {
	for _, line := range w.Header().Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err == nil && ck.Name == c.name && wellFormed(ck.Value) {
			return ck.Value, true
		}
	}
	return "", false
}

// wellFormed reports whether v looks like a value Token issued.
func wellFormed(v string) bool {
	b, err := b64.DecodeString(v)
	return err == nil && len(b) == csrfValueLen
}

// normalizeOrigin reduces a URL or origin to lower-case scheme://host[:port]
// without a default port, so "https://Example.com:443/" and
// "https://example.com" compare equal. Anything unparsable is returned
// unchanged, which can only make the comparison fail (fail closed); the
// opaque origin "null" never matches a configured origin.
func normalizeOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

package resource

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORS is a cross-origin resource sharing policy (the Fetch standard's
// CORS protocol): which web origins may call the API from a browser, on
// which paths, with which methods and request headers. Nothing is allowed
// that is not configured.
//
// Put it outside the bearer middleware, so that preflight requests, which
// carry no token, are answered here, and so that 401 and 403 answers carry
// the CORS headers the calling script needs to read them:
//
//	handler := cors.Handler(verifier.Require("orders:read")(orders))
type CORS struct {
	// AllowedOrigins are origins allowed exactly, such as
	// "https://app.example.com" (scheme, host and port, if not the
	// default, with no path). "*" allows every origin; it cannot be
	// combined with AllowCredentials.
	AllowedOrigins []string
	// AllowedOriginPatterns allow every origin one of them matches in
	// full, such as `https://[a-z0-9-]+\.example\.com`.
	AllowedOriginPatterns []*regexp.Regexp
	// AllowedPaths are the request paths the policy applies to, each
	// matched in full against the URL path; empty means every path.
	// Requests for other paths pass through untouched, so that policies
	// for different paths can be chained.
	AllowedPaths []*regexp.Regexp
	// AllowedMethods are the methods allowed, such as "GET" and "PUT".
	// Empty means GET, HEAD and POST.
	AllowedMethods []string
	// AllowedHeaders are the request headers a script may send, such as
	// "Authorization" and "Content-Type" (for JSON bodies). "*" allows any.
	AllowedHeaders []string
	// ExposedHeaders are the response headers a script may read beyond the
	// safelisted ones; "WWW-Authenticate" lets it read why a token was
	// refused.
	ExposedHeaders []string
	// MaxAge is how long a browser may cache a preflight answer; zero
	// leaves the browser's default (5 seconds).
	MaxAge time.Duration
	// AllowCredentials lets requests carry cookies or client certificates
	// (Access-Control-Allow-Credentials). Bearer tokens do not need it.
	AllowCredentials bool
}

// corsPolicy is a CORS compiled once, for Handler.
type corsPolicy struct {
	anyOrigin   bool
	origins     []string
	patterns    []*regexp.Regexp
	paths       []*regexp.Regexp
	methods     []string
	methodList  string
	anyHeader   bool
	headers     []string // lowercase
	exposed     string
	maxAge      string
	credentials bool
}

// Handler returns next wrapped in the policy. A preflight request (an
// OPTIONS request with Origin and Access-Control-Request-Method) on an
// allowed path is answered here and never reaches next: 204 with the
// Access-Control-Allow-* headers when the origin, method and every
// requested header are allowed, else 403 without them, which the browser
// reports as a CORS failure. Other requests from an allowed origin with an
// allowed method get Access-Control-Allow-Origin (the origin itself, or
// "*" when every origin is allowed and credentials are not), and the
// exposed headers; requests from other origins reach next without CORS
// headers. Vary lists the request headers the answer depends on.
//
// Handler panics if AllowedOrigins contains "*" while AllowCredentials is
// set: that would let every web site act with the user's cookies.
func (c CORS) Handler(next http.Handler) http.Handler {
	p := c.compile()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.pathAllowed(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		// With "*" and no credentials, the answer is the same for every
		// origin; otherwise caches must keep answers per Origin.
		wildcard := p.anyOrigin && !p.credentials
		if !wildcard {
			h.Add("Vary", "Origin")
		}
		origins := r.Header.Values("Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" && len(origins) > 0 {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			p.preflight(w, r, origins)
			return
		}
		if len(origins) == 1 && p.originAllowed(origins[0]) && slices.Contains(p.methods, r.Method) {
			p.allowOrigin(h, origins[0])
			if p.exposed != "" {
				h.Set("Access-Control-Expose-Headers", p.exposed)
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (p *corsPolicy) preflight(w http.ResponseWriter, r *http.Request, origins []string) {
	requested, ok := p.requestedHeaders(r.Header.Values("Access-Control-Request-Headers"))
	if len(origins) != 1 || !p.originAllowed(origins[0]) || !ok ||
		!slices.Contains(p.methods, r.Header.Get("Access-Control-Request-Method")) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h := w.Header()
	p.allowOrigin(h, origins[0])
	h.Set("Access-Control-Allow-Methods", p.methodList)
	if len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	if p.maxAge != "" {
		h.Set("Access-Control-Max-Age", p.maxAge)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *corsPolicy) allowOrigin(h http.Header, origin string) {
	if p.anyOrigin && !p.credentials {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// requestedHeaders parses Access-Control-Request-Headers, a comma-separated
// list of lowercase names; ok is false when one is not allowed.
func (p *corsPolicy) requestedHeaders(values []string) (names []string, ok bool) {
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if !p.anyHeader && !slices.Contains(p.headers, name) {
				return nil, false
			}
			names = append(names, name)
		}
	}
	return names, true
}

func (p *corsPolicy) originAllowed(origin string) bool {
	if p.anyOrigin || slices.Contains(p.origins, origin) {
		return origin != ""
	}
	for _, re := range p.patterns {
		if re.MatchString(origin) {
			return true
		}
	}
	return false
}

func (p *corsPolicy) pathAllowed(path string) bool {
	if len(p.paths) == 0 {
		return true
	}
	for _, re := range p.paths {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

func (c CORS) compile() *corsPolicy {
	p := &corsPolicy{credentials: c.AllowCredentials}
	for _, o := range c.AllowedOrigins {
		if o == "*" {
			p.anyOrigin = true
			continue
		}
		// Browsers serialize origins in lowercase without a final slash.
		p.origins = append(p.origins, strings.TrimSuffix(strings.ToLower(o), "/"))
	}
	if p.anyOrigin && p.credentials {
		panic("resource: CORS: AllowedOrigins \"*\" cannot be combined with AllowCredentials")
	}
	p.patterns = anchored(c.AllowedOriginPatterns)
	p.paths = anchored(c.AllowedPaths)
	for _, m := range c.AllowedMethods {
		p.methods = append(p.methods, strings.ToUpper(m))
	}
	if len(p.methods) == 0 {
		p.methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	p.methodList = strings.Join(p.methods, ", ")
	for _, h := range c.AllowedHeaders {
		if h == "*" {
			p.anyHeader = true
		}
		p.headers = append(p.headers, strings.ToLower(h))
	}
	p.exposed = strings.Join(c.ExposedHeaders, ", ")
	if c.MaxAge > 0 {
		p.maxAge = strconv.FormatInt(max(int64(c.MaxAge/time.Second), 1), 10)
	}
	return p
}

// anchored recompiles patterns so that they must match the whole string:
// MatchString alone would let https://app.example.com.evil.example match
// https://app\.example\.com.
func anchored(res []*regexp.Regexp) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(res))
	for _, re := range res {
		out = append(out, regexp.MustCompile(`^(?:`+re.String()+`)$`))
	}
	return out
}

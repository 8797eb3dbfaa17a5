package oauth

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ValidateRedirectURI checks one exact redirect URI at registration
// (RFC 6749 §3.1.2, RFC 9700 §2.1). It must be absolute, parse with
// net/url and carry no fragment (RFC 6749 §3.1.2), no userinfo and no
// wildcard. Web clients must use https, or http on a loopback host.
// Native apps (native=true) may also use a private-use scheme in
// reverse-domain form (RFC 8252 §7.1, §7.3, §8.4).
func ValidateRedirectURI(uri string, native bool) error {
	fail := func(rule string, args ...any) error {
		return fmt.Errorf("redirect URI %q: "+rule, append([]any{uri}, args...)...)
	}
	if uri == "" {
		return fmt.Errorf("redirect URI: must not be empty")
	}
	for i := 0; i < len(uri); i++ {
		if uri[i] <= ' ' || uri[i] == 0x7f {
			return fail("must not contain spaces or control characters")
		}
	}
	if !utf8.ValidString(uri) {
		return fail("must be valid UTF-8")
	}
	if strings.Contains(uri, "#") {
		return fail("must not contain a fragment (#...) (RFC 6749 §3.1.2)")
	}
	if strings.Contains(uri, "*") {
		return fail("must not contain a wildcard (*); register a redirect URI pattern instead")
	}
	u, err := url.Parse(uri)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return fail("does not parse as a URI: %v", err)
	}
	if u.Scheme == "" {
		return fail("must be an absolute URI with a scheme, such as https://app.example.com/callback")
	}
	if u.User != nil {
		return fail("must not contain userinfo (user@ or user:password@)")
	}
	if host, port, hasPort := splitHostPort(u.Host); hasPort && !validPort(port) {
		return fail("the port must be a number from 1 to 65535")
	} else if u.Scheme == "http" && !isLoopbackHost(host) {
		return fail("http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https")
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" || u.Hostname() == "" {
			return fail("%s URIs must have a host, as in %s://app.example.com/callback", u.Scheme, u.Scheme)
		}
		return nil
	case "javascript", "data", "file", "vbscript", "blob", "about", "filesystem", "ftp", "ws", "wss":
		return fail("the %s: scheme is never allowed for redirects", u.Scheme)
	}
	if !native {
		return fail("the %s: scheme is allowed only for native apps; web clients must use https (or http for loopback hosts)", u.Scheme)
	}
	if !reverseDomain(u.Scheme) {
		return fail("a private-use scheme must be a reversed domain name you control, containing a dot, as in com.example.app:/callback (RFC 8252 §7.1)")
	}
	return nil
}

// reverseDomain reports whether a scheme looks like a reversed domain name
// (RFC 8252 §7.1): at least two non-empty dot-separated parts.
func reverseDomain(scheme string) bool {
	parts := strings.Split(scheme, ".")
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	return len(parts) >= 2
}

// RedirectMatch says which registration accepted a redirect URI: Rule is
// the registered URI or pattern expression; Pattern is set when Rule is a
// pattern; Loopback when an exact loopback URI matched on another port
// (RFC 8252 §7.3).
type RedirectMatch struct {
	Rule     string
	Pattern  bool
	Loopback bool
}

// MatchRedirectURI decides whether uri is allowed for a client with these
// registrations. Exact comparison is by string (RFC 9700 §4.1.3), except
// RFC 8252 §7.3: a registered http://127.0.0.1[:port]/path or
// http://[::1][:port]/path accepts any port with otherwise identical URI.
// Patterns are tried only if the URI passes the match-time safety checks
// (safeForPattern). Patterns that fail to compile are skipped.
func MatchRedirectURI(uri string, exact []string, patterns []string) (RedirectMatch, bool) {
	if uri == "" {
		return RedirectMatch{}, false
	}
	for _, e := range exact {
		if uri == e {
			return RedirectMatch{Rule: e}, true
		}
	}
	if origin, _, rest, ok := splitLoopbackURI(uri); ok {
		for _, e := range exact {
			if o, _, r, ok := splitLoopbackURI(e); ok && o == origin && r == rest {
				return RedirectMatch{Rule: e, Loopback: true}, true
			}
		}
	}
	if len(patterns) == 0 || !safeForPattern(uri) {
		return RedirectMatch{}, false
	}
	for _, expr := range patterns {
		if p, err := cachedPattern(expr); err == nil && p.re.MatchString(uri) {
			return RedirectMatch{Rule: expr, Pattern: true}, true
		}
	}
	return RedirectMatch{}, false
}

// splitLoopbackURI splits an http URI on a loopback IP literal into its
// scheme and host, its port and the rest (path and query), the parts the
// port-agnostic comparison of RFC 8252 §7.3 uses. It works on the string
// so that the rest is compared exactly as registered.
func splitLoopbackURI(s string) (origin, port, rest string, ok bool) {
	switch {
	case strings.HasPrefix(s, "http://127.0.0.1"):
		origin = "http://127.0.0.1"
	case strings.HasPrefix(s, "http://[::1]"):
		origin = "http://[::1]"
	default:
		return "", "", "", false
	}
	rest = s[len(origin):]
	if len(rest) > 0 && rest[0] == ':' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if port = rest[1:i]; !validPort(port) {
			return "", "", "", false
		}
		rest = rest[i:]
	}
	if rest != "" && rest[0] != '/' && rest[0] != '?' {
		return "", "", "", false
	}
	return origin, port, rest, true
}

// safeForPattern applies the match-time checks a URI must pass before any
// pattern is tried (RFC 9700 §4.1.3, §4.1.1): it parses cleanly as an
// absolute URI with a host, and has no userinfo, fragment, backslash, space
// or control character, dot segment, or percent-encoded "/", "\", "." or
// "@" — the tricks that make a URI mean one thing to a regular expression
// and another to a browser or the client's server.
func safeForPattern(uri string) bool {
	for i := 0; i < len(uri); i++ {
		switch c := uri[i]; {
		case c <= ' ' || c == 0x7f || c == '#' || c == '\\':
			return false
		case c == '%' && i+2 < len(uri):
			switch uri[i+1] {
			case '2':
				if h := uri[i+2] | 0x20; h == 'f' || h == 'e' {
					return false
				}
			case '4':
				if uri[i+2] == '0' {
					return false
				}
			case '5':
				if uri[i+2]|0x20 == 'c' {
					return false
				}
			}
		}
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" || u.User != nil {
		return false
	}
	return !hasDotSegment(u.Path)
}

// hasDotSegment reports whether a path has a "." or ".." segment
// (RFC 3986 §3.3), which a browser would remove (§5.2.4) before the
// request.
func hasDotSegment(path string) bool {
	for path != "" {
		seg, rest, _ := strings.Cut(path, "/")
		if seg == "." || seg == ".." {
			return true
		}
		path = rest
	}
	return false
}

// OriginOf returns scheme://host[:port] of an absolute http(s) URI as a
// browser serializes it in the Origin header (RFC 6454 §6.2): lower-case,
// host in ASCII, default port omitted. It returns "" if there is none.
func OriginOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Opaque != "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return ""
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			if host, err = idna.Lookup.ToASCII(host); err != nil {
				return ""
			}
			break
		}
	}
	host = strings.ToLower(host)
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return ""
		}
		if port = strconv.Itoa(n); port != defaultPort(u.Scheme) {
			return u.Scheme + "://" + host + ":" + port
		}
	}
	return u.Scheme + "://" + host
}

// MatchOrigin reports whether origin, as a browser serializes it in the
// Origin header (scheme://host[:port], default port omitted; RFC 6454 §6.2),
// is one the pattern's redirect URIs can have. It lets CORS allow the same
// preview deployments the pattern allows.
func (p *Pattern) MatchOrigin(origin string) bool {
	host, ok := strings.CutPrefix(origin, p.origin)
	if !ok {
		return false
	}
	if p.port != "" {
		if h, ok := strings.CutSuffix(host, p.port); ok && strings.HasSuffix(h, ":") {
			host = h[:len(h)-1]
		} else if p.port != defaultPort(p.scheme) {
			return false
		}
	}
	if p.label == nil {
		return host == p.host
	}
	label, ok := strings.CutSuffix(host, p.host)
	return ok && p.label.MatchString(label)
}

// isLoopbackHost reports whether host, as written in a URI authority, is a
// loopback host: localhost, a 127.0.0.0/8 literal or [::1] (RFC 8252 §7.3,
// §8.3).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip, ok := strings.CutPrefix(host, "["); ok {
		addr, err := netip.ParseAddr(strings.TrimSuffix(ip, "]"))
		return err == nil && strings.HasSuffix(ip, "]") && addr == netip.IPv6Loopback()
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Is4() && addr.As4()[0] == 127
}

// splitHostPort splits a URI authority without userinfo into the host
// (IPv6 literals keep their brackets) and the port; hasPort is set when
// there is a ":" even if the port is empty.
func splitHostPort(auth string) (host, port string, hasPort bool) {
	if strings.HasPrefix(auth, "[") {
		i := strings.IndexByte(auth, ']')
		if i < 0 || i+1 == len(auth) || auth[i+1] != ':' {
			return auth, "", false
		}
		return auth[:i+1], auth[i+2:], true
	}
	host, port, hasPort = strings.Cut(auth, ":")
	return host, port, hasPort
}

// validPort reports whether s is a decimal port from 1 to 65535.
func validPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n >= 1 && n <= 65535
}

func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

// patternCacheSize bounds the compiled-pattern cache; patterns come from
// client registrations, so a deployment rarely has more distinct ones.
const patternCacheSize = 512

// patternCache keeps compiled patterns (and compile errors) for
// MatchRedirectURI, which runs on every /authorize request.
var patternCache = struct {
	sync.RWMutex
	m map[string]compiledPattern
}{m: make(map[string]compiledPattern)}

type compiledPattern struct {
	p   *Pattern
	err error
}

// cachedPattern returns CompilePattern(expr), from the cache when it can.
// When the cache is full an arbitrary entry is evicted.
func cachedPattern(expr string) (*Pattern, error) {
	patternCache.RLock()
	c, ok := patternCache.m[expr]
	patternCache.RUnlock()
	if ok {
		return c.p, c.err
	}
	p, err := CompilePattern(expr)
	patternCache.Lock()
	defer patternCache.Unlock()
	if len(patternCache.m) >= patternCacheSize {
		for k := range patternCache.m {
			delete(patternCache.m, k)
			break
		}
	}
	patternCache.m[expr] = compiledPattern{p, err}
	return p, err
}

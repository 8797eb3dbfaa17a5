package session

import (
	"net/url"
	"strings"
)

// maxReturnPathLen bounds a return path; ours are short.
const maxReturnPathLen = 512

// ReturnPath returns p if it is safe to redirect to after signing in: a
// path on this server, with an optional query, and "" otherwise. Only an
// absolute path ("/account") passes; anything a browser could resolve to
// another origin is refused, which keeps the login page from being an open
// redirector (RFC 6749 §10.15, RFC 9700 §4.11): scheme-relative "//host",
// backslashes (browsers read "/\host" as "//host"), schemes, user info,
// fragments, and spaces, control or non-ASCII characters (a return path
// is one this server wrote, so it is plain ASCII).
func ReturnPath(p string) string {
	if p == "" || len(p) > maxReturnPathLen || p[0] != '/' {
		return ""
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return ""
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' || c == '#' {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	return p
}

package web

import "net/http"

// ContentSecurityPolicy is the policy SecureHeaders sets on every page: our
// own scripts, styles and images only, no inline code, no plugins, no
// framing, no <base>. It deliberately has no form-action directive: browsers
// apply form-action to the redirects that follow a form post too, and the
// login and consent forms end in a redirect to the client's redirect URI.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// SecureHeaders wraps HTML page handlers with the headers every page needs:
// the CSP above; X-Frame-Options for browsers without frame-ancestors (both
// stop clickjacking of the consent buttons, RFC 6749 §10.13); nosniff; no
// Referer, so the authorization request in the URL never leaks to other
// sites; and no caching, since pages carry CSRF tokens and user details.
func SecureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Pragma", "no-cache")
		h.ServeHTTP(w, r)
	})
}

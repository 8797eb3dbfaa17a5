// Package session owns the browser's sign-in session: the session cookie
// (its name, attributes and value), looking the session up, starting and
// ending it, and where a browser may be sent after signing in. The
// front-channel pages (authorize) and the account page (account) both use
// it, so neither imports the other.
//
// The cookie holds a random value; the store keeps only its SHA-256 hash
// as the session ID, so a database leak does not hand out sessions. The
// cookie is HttpOnly and SameSite=Lax (the redirect back from a client's
// site must carry it), and on https issuers Secure with the __Host- prefix
// (RFC 6265bis §4.1.3.2), so no sibling host or plain-HTTP page can plant
// one. A new sign-in always gets a new value, which rules out session
// fixation (OWASP Session Management Cheat Sheet).
package session

// Package authorize is the front channel: the authorization endpoint
// (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2), the login and consent
// pages, and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//
// The flow is a small state machine driven by the browser. Every step
// re-parses and re-validates the original authorization request, which the
// pages carry back in a hidden field, so no pending state is stored and any
// replica can serve any step:
//
//	/authorize ──► no session, prompt=login, or max_age exceeded ──► login page
//	    │                                  POST /login ─┐
//	    ▼                                               ▼
//	consent missing or prompt=consent ──► consent page ─► POST /consent
//	    │                                               │
//	    ▼                                               ▼
//	issue code ──► redirect to redirect_uri with code, state, iss (RFC 9207)
//
// Until the client and redirect URI are known good, errors are shown on a
// page and never redirected (RFC 6749 §4.1.2.1); after that, every error
// is sent to the client's redirect URI.
//
// Sign-in is under brute-force protection (throttle.go, internal/throttle):
// per account and per address, checked before the password is.
package authorize

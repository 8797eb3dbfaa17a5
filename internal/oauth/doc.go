// Package oauth is the protocol vocabulary shared by every endpoint: the one
// Error type and its back-channel writers (RFC 6749 §5.2, RFC 6750 §3),
// scope parsing (RFC 6749 §3.3), PKCE (RFC 7636), parameter rules
// (RFC 6749 §3.1), client-credential parsing (RFC 6749 §2.3.1, RFC 7523
// §2.2) and client JWK set validation (RFC 7591 §2), and
// redirect-URI registration and matching (RFC 6749 §3.1.2, RFC 8252 §7,
// RFC 9700 §4.1.3). It does no storage I/O.
package oauth

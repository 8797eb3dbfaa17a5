// Package token is the only place Gatehouse mints tokens and verifies its
// own: JWT access tokens per RFC 9068 (typ "at+jwt") and ID tokens per
// OpenID Connect Core §2 and §3.1.3.6 (at_hash).
//
// Verifying here means signature, issuer, type and time; whether a token
// was revoked is the caller's question to the store.
package token

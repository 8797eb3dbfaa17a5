// Package oidc serves the OpenID Provider's metadata and user endpoints:
// discovery (OpenID Connect Discovery 1.0 §4, and the same document as RFC
// 8414 authorization-server metadata), the JWKS (RFC 7517), and userinfo
// (OpenID Connect Core §5.3, with bearer tokens per RFC 6750).
package oidc

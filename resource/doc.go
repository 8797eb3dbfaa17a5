// Package resource is the resource-server kit: what an API needs to accept
// the access tokens an OAuth 2.0 authorization server such as Gatehouse
// issues, and to be called from browsers.
//
// A [Verifier] checks access tokens. JWT access tokens (RFC 9068) are
// checked locally against the issuer's published keys (its JWK set, found
// by discovery, cached, and refetched when a token names a key the cache
// does not hold, at most once per [Config.KeyRefetchInterval]); other
// tokens, or every token when so configured, are checked at the issuer's
// introspection endpoint (RFC 7662), with answers cached briefly.
//
// [Verifier.Require] is net/http middleware: it takes the token from the
// Authorization header (RFC 6750 §2.1), checks it and the scopes a route
// needs, puts the [Claims] in the request context ([ClaimsFrom]), and
// otherwise answers as RFC 6750 §3 says: 401 with a bare Bearer challenge
// when there is no token, 401 with error="invalid_token" for a bad one,
// 403 with error="insufficient_scope" and the needed scope, 400 with
// error="invalid_request" for a malformed Authorization header.
//
// [CORS] is a cross-origin policy (the Fetch standard's CORS protocol)
// that allows exactly what it is configured to allow: origins, by exact
// value or regular expression, paths, methods and request headers, with
// exposed headers, a preflight max age and, if asked for, credentials.
//
// The package depends on the standard library and go-jose only, so that an
// API can import it without pulling in the server.
package resource

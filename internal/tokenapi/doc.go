// Package tokenapi is the back channel: the token endpoint (RFC 6749 §3.2),
// revocation (RFC 7009) and introspection (RFC 7662).
//
// Every token request runs the same fixed pipeline, so no grant can skip a
// security step:
//
//  1. parse the form (POST, urlencoded, no repeated parameters, §3.2)
//  2. authenticate the client (§2.3; none, client_secret_basic,
//     client_secret_post, and client_secret_jwt or private_key_jwt
//     assertions, RFC 7523 §2.2, OIDC Core §9), by its registered method,
//     refused early while the client_id or address is throttled (throttle.go)
//  3. check the client may use the grant type
//  4. run the grant (one file per grant) which checks what is specific to it
//  5. mint and record tokens, and answer with Cache-Control: no-store (§5.1)
//
// Grants: authorization_code (authcode.go), refresh_token with rotation
// and reuse detection (refresh.go, RFC 9700 §4.14), client_credentials
// (clientcredentials.go). Revocation and introspection authenticate the
// client the same way (steps 1 and 2).
//
// Errors are RFC 6749 §5.2 JSON, written in one place.
package tokenapi

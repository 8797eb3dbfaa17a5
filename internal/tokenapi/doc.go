// Package tokenapi is the back channel: the token endpoint (RFC 6749 §3.2).
//
// Every token request runs the same fixed pipeline, so no grant can skip a
// security step:
//
//  1. parse the form (POST, urlencoded, no repeated parameters, §3.2)
//  2. authenticate the client (§2.3; none, client_secret_basic, client_secret_post)
//  3. check the client may use the grant type
//  4. run the grant (one file per grant) which checks what is specific to it
//  5. mint and record tokens, and answer with Cache-Control: no-store (§5.1)
//
// Errors are RFC 6749 §5.2 JSON, written in one place.
package tokenapi

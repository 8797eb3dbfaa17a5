// Package spa serves the demo's single-page app: plain HTML, CSS and a
// JavaScript module, embedded in the binary, with no build step. The app
// signs users in with the Gatehouse browser SDK (loaded from the issuer,
// authorization code flow with PKCE, RFC 7636 and RFC 9700 §2.1.1) and
// calls the demo assets API with the access token (RFC 6750 §2.1).
//
// It runs on an origin of its own, so the browser enforces CORS on every
// call to Gatehouse and to the API. The page's Content-Security-Policy
// admits scripts only from itself and the issuer, and connections only to
// itself, the issuer and the API.
package spa

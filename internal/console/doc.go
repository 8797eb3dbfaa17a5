// Package console is the developer console at /console: server-rendered
// pages where an administrator manages projects, APIs, credentials
// (OAuth clients), users, groups and signing keys.
//
// The console signs its administrators in through Gatehouse itself: it is
// a public client (ConsoleClientID, type spa) that runs the authorization
// code flow with PKCE S256, state and nonce (RFC 6749 §4.1, RFC 7636,
// OpenID Connect Core §3.1) against this server's /authorize. The code is
// redeemed at the token endpoint, and the access token checked with the
// public resource-server kit, both through an http.Client whose transport
// hands the request to the server's own handler, so no network is
// involved. The token must carry AdminScope and belong to a user with
// storage.User.Admin. The console session is then a sealed cookie (AES-GCM
// under a key derived from the master secret) naming the user and the
// access token; it expires with the token, and revoking the token (sign-out
// does) ends it.
//
// Pages sit behind web.SecureHeaders (strict CSP, no framing); every form
// carries a web.CSRF token; validation errors of the admin service are
// shown next to the field they name. Scripts are static files
// (web/static/console.js) that only enhance: copy buttons, live validation
// of redirect URIs and patterns, the pattern tester without a reload.
//
// Routes (all under /console):
//
//	GET  /console                          projects (POST /console/projects creates)
//	GET  /console/callback                 the OAuth redirect URI
//	POST /console/signout
//	GET  /console/signin                   sign in again, login page forced
//	GET  /console/projects/{id}            APIs and credentials of a project
//	GET|POST /console/projects/{id}/edit
//	GET  /console/projects/{id}/apis/new   POST /console/projects/{id}/apis
//	GET|POST /console/apis/{id}/edit       POST /console/apis/{id}/delete
//	GET  /console/projects/{id}/credentials/new[?type=T]  POST .../credentials
//	GET  /console/credentials/{id}         details, pattern tester
//	GET|POST /console/credentials/{id}/edit
//	POST /console/credentials/{id}/rotate  new secret, shown once
//	GET|POST /console/credentials/{id}/delete
//	POST /console/credentials/{id}/test    the pattern tester without JavaScript
//	POST /console/check/redirect           JSON: live validation
//	POST /console/check/match              JSON: the pattern tester
//	GET  /console/users (POST creates)
//	GET  /console/users/{id}               details; POST .../edit, .../password
//	GET|POST /console/users/{id}/delete
//	GET  /console/groups                   POST /console/groups/add, /console/groups/remove
//	GET  /console/keys (POST /console/keys/rotate)
package console

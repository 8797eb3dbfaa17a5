// Package adminapi is Gatehouse's admin HTTP API under /api/admin/v1: JSON
// over HTTP for projects, APIs, clients (credentials), users, groups and
// signing keys, described by the OpenAPI 3.1 document it serves at
// /api/admin/v1/openapi.json (openapi.json, embedded).
//
// Every operation is one call to admin.Service, so the API, the console
// and the CLI enforce the same rules. A request is authorized by a bearer
// access token (RFC 6750) that Gatehouse issued with the gatehouse:admin
// scope (oauth.ScopeAdmin), checked by the public resource-server kit
// (resource.Verifier and Require, as any API would check it) and then
// against the store, so that a revoked token, a deleted client or a user
// who is no longer an administrator loses admin power at once rather than
// when the token expires.
//
// Errors are JSON {"error", "message"} with, for validation errors (400),
// the request member at fault, with the element's index for a list:
// {"error": "invalid_request", "field": "redirect_uris[0]", "message":
// "..."}. Unknown IDs are 404 not_found,
// conflicts with the stored state (a taken email, a project that still
// has credentials, the last administrator) 409 conflict, malformed or
// oversized bodies 400 or 413. Secret hashes and sealed secrets are never
// returned; a client secret is shown once, by create and rotate-secret.
package adminapi

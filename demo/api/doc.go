// Package api is the demo "assets" API: a small resource server, built on
// the public resource kit (package resource) the way any API protected by
// Gatehouse would be, that `gatehouse dev` runs for the sample app.
//
// Routes, the scope each needs (RFC 6750 §3.1, RFC 9068 §4) and who may
// call them:
//
//	GET    /models?cursor=&limit=&projection=summary|full   models.read
//	GET    /folders                                         folders.read
//	POST   /folders          {"name": "..."}                folders.write, group editor
//	DELETE /folders/{id}                                    folders.write, group editor
//
// Every request is checked in this order:
//
//  1. The access token (Authorization: Bearer, RFC 6750 §2.1) is verified
//     by the kit against the issuer's keys; a missing or bad one is a 401,
//     a token without the route's scope a 403 insufficient_scope.
//  2. The x-api-key header must equal the token's client_id claim
//     (RFC 9068 §2.2), as commercial APIs ask for a key naming the calling
//     application; a missing or different key is a 403 invalid_api_key.
//  3. Writes need the editor group, from the token's groups claim
//     (RFC 9068 §2.2.3.1): a viewer holding a valid token with
//     folders.write still gets a 403 forbidden. Scopes say what the app
//     may do for the user; groups say what the user may do at all.
//
// Errors are JSON {"error", "error_description"}. A CORS policy allows
// exactly the configured app origins, the methods GET, POST and DELETE
// and the headers Authorization, Content-Type and x-api-key, so the app
// can call the API, and read its errors, from another origin.
//
// Tokens must name the API in aud. Gatehouse access tokens carry the
// issuer URL there today, so the audience defaults to the issuer; once
// Gatehouse issues per-API audiences (RFC 8707 resource indicators) the
// API will use its own identifier.
//
// Data lives in memory: a fixed catalog of content models, paged by an
// opaque cursor, and folders shared by all users, lost on restart.
package api

// Package audit keeps Gatehouse's audit trail: an append-only record of
// who did what, when and from where — sign-ins, consents, token issuance
// and revocation, refresh-token reuse, changes to clients, projects, APIs,
// users and signing keys — and never a secret.
//
// Each record carries the hash of the one before it (storage.AuditHash), so
// that changing, deleting or reordering a stored record breaks the chain at
// that point, which Verify reports. Truncating the tail, or replacing the
// whole trail, leaves a shorter but valid chain: only an anchor kept
// elsewhere (the head's sequence number and hash, printed by `gatehouse
// audit verify`) detects that, by passing it back with --head.
//
// A Recorder appends records. Failing to append must not fail the request
// that caused it (a token already issued cannot be taken back, and an
// outage of the trail must not become an outage of sign-in), so Record
// logs the loss at error level and returns; operators alert on that log
// line. The append ignores the request's cancellation, so a client that
// hangs up does not erase the record of what it did.
//
// What is recorded, never more: IDs of users, clients, grants, signing keys
// and access tokens (the jti), scopes, counts, and the client IP as the
// server saw it (http.Request.RemoteAddr: behind a proxy, the proxy's
// address; X-Forwarded-For is not trusted, since any client can send it).
// Never a password, client secret, authorization code, token, refresh-token
// hash or session ID. A failed sign-in records the user ID when the email
// names an account, and otherwise nothing that identifies the attempt but
// its IP: the attempted email is not stored, as it is often a password
// typed into the wrong field.
package audit

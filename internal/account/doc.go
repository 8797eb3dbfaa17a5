// Package account is the signed-in user's account page: the applications
// the user has allowed to access their account, their signed-in sessions,
// and a password change.
//
//	GET  /account                            the page
//	POST /account/apps/revoke                remove an app's access
//	POST /account/sessions/sign-out-others   end every other session
//	POST /account/password                   change the password
//
// Removing an app's access deletes the user's consent for it and revokes
// every grant, token and unused authorization code issued under it, so
// its refresh tokens stop working at once (RFC 6749 §10.4, RFC 7009 §2.1:
// revoking a grant invalidates the tokens issued under it) and its access
// tokens stop passing userinfo and introspection.
//
// Changing the password needs the current one and ends every other
// session of the user, keeping the one in use (OWASP Authentication Cheat
// Sheet, "change password feature"; NIST SP 800-63B §5.1.1.2 for the
// minimum length).
//
// A browser that is not signed in is sent to the login page with a return
// path back here. Every POST carries the CSRF token of internal/web, and
// every answer the browser security headers. After an action the browser
// is redirected back to the page (POST/redirect/GET), so reloading never
// repeats it; the outcome is named by a fixed key in the query, never by
// free text a link could inject.
package account

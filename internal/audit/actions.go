package audit

// Actions recorded, as "subject.verb". Where each is emitted is listed in
// README.md ("Audit trail").
const (
	LoginSuccess = "login.success" // a password sign-in succeeded
	LoginFailure = "login.failure" // wrong email or password

	ConsentGranted = "consent.granted"
	ConsentDenied  = "consent.denied"
	// ConsentRevoked: the user removed an app's access on the account
	// page, revoking its grants and tokens.
	ConsentRevoked = "consent.revoked"

	TokenIssued  = "token.issued"  // an access token, by any grant; Target is its jti
	TokenRevoked = "token.revoked" // RFC 7009 revocation by the client

	// RefreshReuseDetected: a rotated refresh token was presented again
	// and its grant revoked (RFC 9700 §4.14.2).
	RefreshReuseDetected = "refresh.reuse_detected"
	// CodeReuseDetected: an authorization code was redeemed twice and its
	// grant revoked (RFC 6749 §4.1.2).
	CodeReuseDetected = "code.reuse_detected"

	UserCreated         = "user.created"
	UserPasswordChanged = "user.password_changed"    // by the user, on the account page
	UserSessionsEnded   = "user.sessions_signed_out" // other sessions ended by the user

	ClientCreated       = "client.created"
	ClientUpdated       = "client.updated"
	ClientDeleted       = "client.deleted"
	ClientSecretRotated = "client.secret_rotated"

	ProjectCreated = "project.created"
	ProjectUpdated = "project.updated"
	ProjectDeleted = "project.deleted"

	APICreated = "api.created"
	APIUpdated = "api.updated"
	APIDeleted = "api.deleted"

	KeyCreated  = "key.created"  // a signing key was generated
	KeyRotated  = "key.rotated"  // the next key signs from now (gatehouse keys rotate)
	KeyPromoted = "key.promoted" // maintenance made a key sign when none could
	KeyRetired  = "key.retired"  // maintenance ended a key's signing early
	KeyDeleted  = "key.deleted"  // a retired or spare key was removed
)

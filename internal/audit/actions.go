package audit

// Actions recorded, as "subject.verb", with where each is emitted.
const (
	// LoginSuccess: a password sign-in succeeded (authorize/login.go).
	LoginSuccess = "login.success"
	// LoginFailure: wrong email or password (authorize/login.go). UserID
	// is set when the email names an account.
	LoginFailure = "login.failure"

	// ClientAuthFailure: a client failed to authenticate (invalid_client)
	// at /token, /revoke or /introspect (tokenapi/audit.go). ClientID is
	// the client_id it claimed, which may name no client.
	ClientAuthFailure = "client_auth.failure"

	ConsentGranted = "consent.granted" // authorize/consent.go
	ConsentDenied  = "consent.denied"  // authorize/consent.go
	// ConsentRevoked: the user removed an app's access on the account
	// page, revoking its grants and tokens (account/actions.go).
	ConsentRevoked = "consent.revoked"

	// TokenIssued: an access token, by any grant (tokenapi/mint.go, the
	// step every grant mints through); Target is its jti.
	TokenIssued = "token.issued"
	// TokenRevoked: RFC 7009 revocation by the client (tokenapi/revoke.go);
	// Target is the access token's jti, or the refresh token's grant ID.
	TokenRevoked = "token.revoked"

	// RefreshReuseDetected: a rotated refresh token was presented again
	// and its grant revoked, RFC 9700 §4.14.2 (tokenapi/refresh.go).
	RefreshReuseDetected = "refresh.reuse_detected"
	// CodeReuseDetected: an authorization code was redeemed twice and its
	// grant revoked, RFC 6749 §4.1.2 (tokenapi/authcode.go).
	CodeReuseDetected = "code.reuse_detected"

	UserCreated         = "user.created"             // admin/users.go
	UserUpdated         = "user.updated"             // name, groups or admin flag (admin/useradmin.go)
	UserDeleted         = "user.deleted"             // admin/useradmin.go
	UserPasswordSet     = "user.password_set"        // by an administrator (admin/useradmin.go)
	GroupMemberAdded    = "group.member_added"       // Target: the group (admin/groups.go)
	GroupMemberRemoved  = "group.member_removed"     // Target: the group (admin/groups.go)
	UserPasswordChanged = "user.password_changed"    // by the user (account/actions.go)
	UserSessionsEnded   = "user.sessions_signed_out" // by the user (account/actions.go)

	ClientCreated       = "client.created"        // admin/clients.go
	ClientUpdated       = "client.updated"        // admin/clientupdate.go
	ClientDeleted       = "client.deleted"        // admin/clients.go
	ClientSecretRotated = "client.secret_rotated" // admin/clientauth.go

	ProjectCreated = "project.created" // admin/projects.go
	ProjectUpdated = "project.updated" // admin/projects.go
	ProjectDeleted = "project.deleted" // admin/projects.go

	APICreated = "api.created" // admin/apis.go
	APIUpdated = "api.updated" // admin/apis.go
	APIDeleted = "api.deleted" // admin/apis.go

	// Signing keys (keys/maintain.go): created, rotated by `gatehouse keys
	// rotate` (Target: the key that signs from now), promoted by
	// maintenance when none could sign, retired early when an older key
	// signs, deleted when retired or spare.
	KeyCreated  = "key.created"
	KeyRotated  = "key.rotated"
	KeyPromoted = "key.promoted"
	KeyRetired  = "key.retired"
	KeyDeleted  = "key.deleted"
)

package storage

import (
	"context"
	"time"
)

// Store is the persistence every Gatehouse replica shares.
//
// Times are stored with microsecond precision, in UTC. Slices are never nil
// in returned records. Every method is safe for concurrent use, also by
// several processes sharing one database.
type Store interface {
	UserAdminStore

	// Ping reports whether the database answers; it backs /readyz.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	// CreateUser fails with ErrAlreadyExists when the ID or email is taken.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, id string) (User, error)
	// GetUserByEmail matches the email case-insensitively.
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// UpdateUserPassword replaces the password hash.
	UpdateUserPassword(ctx context.Context, id, passwordHash string, now time.Time) error
	// ListUsers returns every user ordered by email.
	ListUsers(ctx context.Context) ([]User, error)

	// CreateClient fails with ErrAlreadyExists when the ID is taken, and
	// with ErrNotFound when ProjectID is set but names no project. The
	// store does not check that APIs names existing APIs: that is the
	// caller's validation.
	CreateClient(ctx context.Context, c Client) error
	GetClient(ctx context.Context, id string) (Client, error)
	// ListClients returns every client ordered by creation time, then ID.
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient replaces every field but ID and CreatedAt; an unknown ID
	// or ProjectID gives ErrNotFound.
	UpdateClient(ctx context.Context, c Client) error
	// DeleteClient also deletes the client's codes, tokens and consents.
	DeleteClient(ctx context.Context, id string) error

	// CreateProject fails with ErrAlreadyExists when the ID is taken.
	CreateProject(ctx context.Context, p Project) error
	GetProject(ctx context.Context, id string) (Project, error)
	// ListProjects returns every project ordered by name, then ID.
	ListProjects(ctx context.Context) ([]Project, error)
	// UpdateProject replaces Name, Description and UpdatedAt; an unknown ID
	// gives ErrNotFound.
	UpdateProject(ctx context.Context, p Project) error
	// DeleteProject fails with ErrNotFound for an unknown ID and with
	// ErrInUse while an API or client still belongs to the project: a
	// project is emptied first, never deleted with its credentials.
	DeleteProject(ctx context.Context, id string) error

	// CreateAPI fails with ErrAlreadyExists when the ID or the Identifier
	// is taken, and with ErrNotFound when ProjectID names no project.
	CreateAPI(ctx context.Context, a API) error
	GetAPI(ctx context.Context, id string) (API, error)
	// GetAPIByIdentifier finds an API by its Identifier, exactly.
	GetAPIByIdentifier(ctx context.Context, identifier string) (API, error)
	// ListAPIs returns the project's APIs, or every API for projectID "",
	// ordered by name, then ID.
	ListAPIs(ctx context.Context, projectID string) ([]API, error)
	// UpdateAPI replaces every field but ID, ProjectID and CreatedAt; an
	// unknown ID gives ErrNotFound, a taken Identifier ErrAlreadyExists.
	UpdateAPI(ctx context.Context, a API) error
	// DeleteAPI fails with ErrNotFound for an unknown ID and with ErrInUse
	// while a client lists the API in its APIs.
	DeleteAPI(ctx context.Context, id string) error

	CreateSession(ctx context.Context, s Session) error
	// GetSession returns ErrNotFound for an expired session too.
	GetSession(ctx context.Context, id string, now time.Time) (Session, error)
	// DeleteSession is idempotent.
	DeleteSession(ctx context.Context, id string) error
	// ListSessions returns the user's unexpired sessions, newest first.
	ListSessions(ctx context.Context, userID string, now time.Time) ([]Session, error)
	// DeleteUserSessions deletes every session of the user but exceptID
	// (which may be empty) and reports how many it deleted.
	DeleteUserSessions(ctx context.Context, userID, exceptID string) (int, error)

	GetConsent(ctx context.Context, userID, clientID string) (Consent, error)
	// SaveConsent creates or replaces the user's consent for the client.
	SaveConsent(ctx context.Context, c Consent) error
	// DeleteConsent is idempotent.
	DeleteConsent(ctx context.Context, userID, clientID string) error
	// ListConsents returns the user's consents, most recently updated first.
	ListConsents(ctx context.Context, userID string) ([]Consent, error)

	// CreateAuthCode fails with ErrAlreadyExists when the hash is taken.
	CreateAuthCode(ctx context.Context, c AuthCode) error
	// ConsumeAuthCode marks the code used and returns it. Of any number of
	// concurrent calls for one code, exactly one succeeds; every other call,
	// then or later, gets the record with ErrAlreadyConsumed. An unknown
	// hash gives ErrNotFound. Expiry is the caller's check.
	ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (AuthCode, error)

	// CreateToken fails with ErrAlreadyExists when the ID is taken. When
	// the token's grant is revoked, before or concurrently with this call,
	// the token is stored revoked and ErrGrantRevoked is returned: a
	// revocation never misses a token that is being issued.
	CreateToken(ctx context.Context, t Token) error
	GetToken(ctx context.Context, id string) (Token, error)
	// RevokeToken revokes one token and returns it (revoked). An unknown ID
	// gives ErrNotFound; revoking twice keeps the first time.
	RevokeToken(ctx context.Context, id string, now time.Time) (Token, error)
	// RotateRefreshToken exchanges a refresh token for its successor: in
	// one transaction it marks the old token rotated and stores next. Of
	// any number of concurrent calls for one token exactly one succeeds.
	// Errors: ErrNotFound for an unknown ID or one that is not a refresh
	// token; ErrAlreadyConsumed, with the old record, when it was rotated
	// before (reuse); ErrInactive, with the old record, when it is revoked
	// or expired at now. When next's grant is revoked meanwhile, next is
	// stored revoked and ErrGrantRevoked is returned, as by CreateToken.
	// "Expired at now" means now >= ExpiresAt, or now >= GrantExpiresAt
	// when set; next naming a missing client or user gives ErrNotFound. On success it returns the old record with RotatedAt set.
	RotateRefreshToken(ctx context.Context, oldID string, next Token, now time.Time) (Token, error)
	// RevokeUserClient revokes every grant and token the user gave the
	// client and deletes their unconsumed authorization codes, so that
	// nothing issued under the user's approval survives; it reports how
	// many tokens it revoked.
	RevokeUserClient(ctx context.Context, userID, clientID string, now time.Time) (int, error)
	// RevokeGrant marks the grant revoked, so that tokens created for it
	// later are revoked too, then revokes every unrevoked token of the
	// grant and reports how many it revoked.
	RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error)

	// UseAssertionID records the jti of a client assertion (RFC 7523 §3)
	// until expiresAt; a jti the client used before gives ErrAlreadyExists.
	// The record lasts until DeleteExpired removes it. A jti that cannot be
	// recorded (PostgreSQL cannot store NUL or invalid UTF-8) is refused
	// with ErrAlreadyExists too: what cannot be recorded cannot be accepted.
	UseAssertionID(ctx context.Context, clientID, jti string, expiresAt time.Time) error
	ThrottleStore // throttle.go: brute-force failure counters

	// DeleteExpired removes at most limit expired rows of each kind
	// (authorization codes, tokens, sessions and assertion IDs past their
	// expiry; revoked grants revoked over an hour before now that no
	// longer have tokens) and reports how many it removed, so that a
	// janitor can work in small batches.
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error)

	// CreateSigningKey fails with ErrAlreadyExists when the ID is taken.
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// UpdateSigningKey changes when a key signs (for rotation).
	UpdateSigningKey(ctx context.Context, id string, activatesAt, notAfter time.Time) error
	// DeleteSigningKey removes a retired key; unknown IDs give ErrNotFound.
	DeleteSigningKey(ctx context.Context, id string) error
	// ListSigningKeys returns every key ordered by creation time, then ID.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	AuditStore // audit.go: the append-only audit trail
	AuditBatchStore
}

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
	// Ping reports whether the database answers; it backs /readyz.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	// CreateUser fails with ErrAlreadyExists when the ID or email is taken.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, id string) (User, error)
	// GetUserByEmail matches the email case-insensitively.
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// ListUsers returns every user ordered by email.
	ListUsers(ctx context.Context) ([]User, error)

	// CreateClient fails with ErrAlreadyExists when the ID is taken.
	CreateClient(ctx context.Context, c Client) error
	GetClient(ctx context.Context, id string) (Client, error)
	// ListClients returns every client ordered by creation time, then ID.
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient replaces every field but ID and CreatedAt.
	UpdateClient(ctx context.Context, c Client) error
	// DeleteClient also deletes the client's codes, tokens and consents.
	DeleteClient(ctx context.Context, id string) error

	CreateSession(ctx context.Context, s Session) error
	// GetSession returns ErrNotFound for an expired session too.
	GetSession(ctx context.Context, id string, now time.Time) (Session, error)
	// DeleteSession is idempotent.
	DeleteSession(ctx context.Context, id string) error

	GetConsent(ctx context.Context, userID, clientID string) (Consent, error)
	// SaveConsent creates or replaces the user's consent for the client.
	SaveConsent(ctx context.Context, c Consent) error
	// DeleteConsent is idempotent.
	DeleteConsent(ctx context.Context, userID, clientID string) error

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
	// RevokeGrant marks the grant revoked, so that tokens created for it
	// later are revoked too, then revokes every unrevoked token of the
	// grant and reports how many it revoked.
	RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error)

	// CreateSigningKey fails with ErrAlreadyExists when the ID is taken.
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// ListSigningKeys returns every key ordered by creation time, then ID.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
}

package storage

import "time"

// User is an end user who signs in with a password.
type User struct {
	ID           string
	Email        string // unique, stored lower-cased
	Name         string
	PasswordHash string // argon2id PHC string
	Groups       []string
	Admin        bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ClientType is the kind of OAuth credential, as the developer console names it.
type ClientType string

// The client types. SPA and Native clients are public (RFC 6749 §2.1): they
// hold no secret. Web and Service clients are confidential.
const (
	ClientSPA     ClientType = "spa"
	ClientWeb     ClientType = "web"
	ClientNative  ClientType = "native"
	ClientService ClientType = "service"
)

// Valid reports whether t is one of the known client types.
func (t ClientType) Valid() bool {
	switch t {
	case ClientSPA, ClientWeb, ClientNative, ClientService:
		return true
	}
	return false
}

// Public reports whether clients of this type cannot keep a secret.
func (t ClientType) Public() bool { return t == ClientSPA || t == ClientNative }

// Client is a registered OAuth client.
type Client struct {
	ID         string
	Name       string
	Type       ClientType
	SecretHash string // keyed hash of the secret; empty for public clients
	// PreviousSecretHash keeps verifying until PreviousSecretExpiresAt, so
	// a rotated secret does not break an app that is still deployed.
	PreviousSecretHash      string
	PreviousSecretExpiresAt time.Time
	// SealedSecret is the secret itself, encrypted under the master secret,
	// kept only for client_secret_jwt, whose HMAC needs the secret.
	SealedSecret []byte
	// AuthMethod is the token_endpoint_auth_method (RFC 7591 §2); empty
	// means the type's default (none for public clients, client_secret_basic
	// or client_secret_post for confidential ones).
	AuthMethod string
	JWKS       []byte // inline JWK set for private_key_jwt
	JWKSURI    string // or where to fetch it
	// ResourceServer lets the client introspect tokens issued to others.
	ResourceServer bool
	// IssueRefreshTokens issues refresh tokens without offline_access.
	IssueRefreshTokens bool
	// Refresh-token lifetimes; zero means the server default.
	RefreshIdleTTL         time.Duration
	RefreshAbsoluteTTL     time.Duration
	RedirectURIs           []string // exact matches
	RedirectURIPatterns    []string // anchored RE2, validated on registration
	DefaultRedirectURI     string   // used when a request omits redirect_uri
	PostLogoutRedirectURIs []string
	Scopes                 []string // allowed beyond the OpenID scopes
	// PKCEOptional lets a confidential client skip PKCE; public clients
	// always need it (RFC 9700 §2.1.1).
	PKCEOptional bool
	// AllowPlainPKCE admits code_challenge_method=plain (RFC 7636 §4.2).
	AllowPlainPKCE bool
	// IDTokenAlg is the JWS algorithm for ID tokens; empty means the default.
	IDTokenAlg string
	// ProjectID is the project that owns the client; empty for none (a
	// client registered outside any project).
	ProjectID string
	// APIs lists the IDs of the APIs the client may call; the scopes it may
	// request stay in Scopes.
	APIs      []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Project groups the APIs and clients (credentials) of one application in
// the developer console.
type Project struct {
	ID          string
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// API is a protected resource: a resource server whose tokens carry
// Identifier as their audience (RFC 9068 §3, RFC 8707 §2).
type API struct {
	ID        string
	ProjectID string
	Name      string
	// Identifier is the API's unique absolute URI, the aud value of its
	// access tokens.
	Identifier string
	// Scopes are the permissions the API defines, with the descriptions
	// shown on the consent page.
	Scopes    []APIScope
	CreatedAt time.Time
	UpdatedAt time.Time
}

// APIScope is one scope an API defines.
type APIScope struct {
	Name        string
	Description string
}

// Session is a signed-in browser. ID is the hash of the cookie value.
type Session struct {
	ID        string
	UserID    string
	AuthTime  time.Time // when the user last entered a password
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Consent remembers the scopes a user granted a client.
type Consent struct {
	UserID    string
	ClientID  string
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AuthCode is an issued authorization code. Hash is the hash of the code
// handed to the client; the code itself is never stored.
type AuthCode struct {
	Hash                string
	GrantID             string // shared by every token minted from this code
	ClientID            string
	UserID              string
	SessionID           string
	RedirectURI         string // the redirect_uri parameter as sent; empty if omitted
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	AuthTime            time.Time
	CreatedAt           time.Time
	ExpiresAt           time.Time
	ConsumedAt          *time.Time
}

// TokenKind distinguishes token records.
type TokenKind string

// Token kinds.
const (
	TokenAccess  TokenKind = "access"
	TokenRefresh TokenKind = "refresh"
)

// Token records an issued token so that it can be revoked and introspected.
// For access tokens ID is the JWT's jti; for refresh tokens it is the hash of
// the token value.
type Token struct {
	ID        string
	Kind      TokenKind
	GrantID   string
	ClientID  string
	UserID    string // empty for client-credentials tokens
	Scopes    []string
	AuthTime  time.Time // when the user authenticated; zero for clients
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	// RotatedAt is set when a refresh token is exchanged for its successor;
	// presenting it again is reuse (RFC 9700 §4.14.2).
	RotatedAt *time.Time
	// GrantExpiresAt bounds every refresh token of the grant: the absolute
	// lifetime. Zero for access tokens.
	GrantExpiresAt time.Time
}

// SigningKey is one key of the signing-key ring.
type SigningKey struct {
	ID         string    // the JWK "kid"
	Alg        string    // JWS algorithm: ES256, RS256 or EdDSA
	PublicJWK  []byte    // public key as a JWK JSON document
	PrivateKey []byte    // private key, encrypted with the master secret
	CreatedAt  time.Time // when it was published in the JWKS
	// ActivatesAt is when the key starts signing: a "next" key is published
	// before it signs, so caches of the JWKS already know it.
	ActivatesAt time.Time
	// NotAfter is when the key stops signing; it stays published, as a
	// "previous" key, until its tokens have expired.
	NotAfter time.Time
}

package tokenapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
)

// AuthMethods lists the client authentication methods the token,
// revocation and introspection endpoints accept, for discovery (RFC 8414
// §2, token_endpoint_auth_methods_supported).
func AuthMethods() []string {
	return []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost, oauth.AuthClientSecretJWT, oauth.AuthPrivateKeyJWT, oauth.AuthNone}
}

// ClientStore is what client authentication reads and records.
type ClientStore interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	UseAssertionID(ctx context.Context, clientID, jti string, expiresAt time.Time) error
}

// ClientAuthOptions configure a ClientAuth.
type ClientAuthOptions struct {
	Store   ClientStore
	Secrets *secret.ClientSecrets
	// Issuer is this server's identifier; an assertion's aud must hold it
	// or the token endpoint URL (RFC 7523 §3, OIDC Core §9).
	Issuer string
	// HTTPClient fetches jwks_uri documents; nil means one with a short
	// timeout that follows only https redirects.
	HTTPClient *http.Client
	Now        func() time.Time
	Log        *slog.Logger
	// Throttle limits failed authentications per client_id and per
	// address (throttle.go); nil means no limit.
	Throttle *throttle.Limiter
}

// ClientAuth authenticates clients at the token, revocation and
// introspection endpoints (RFC 6749 §2.3, RFC 7523 §2.2, OIDC Core §9). It
// keeps a cache of the clients' jwks_uri documents, so one is shared by
// every endpoint.
type ClientAuth struct {
	o    ClientAuthOptions
	jwks *jwksCache
}

// NewClientAuth returns a ClientAuth.
func NewClientAuth(o ClientAuthOptions) *ClientAuth {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = newJWKSClient()
	}
	return &ClientAuth{o: o, jwks: newJWKSCache(o.HTTPClient, o.Now)}
}

// authenticate is the pipeline's client authentication step.
func (h *Handler) authenticate(r *http.Request, creds oauth.ClientCredentials) (storage.Client, error) {
	if h.ClientAuth == nil {
		return storage.Client{}, oauth.Internal(errors.New("tokenapi: no client authentication configured"))
	}
	return h.ClientAuth.Authenticate(r.Context(), creds, h.ClientAuth.o.Throttle.ClientIP(r))
}

// verify checks the presented credentials against the client's
// registration (RFC 6749 §2.3). Public clients authenticate with "none" and
// are bound by PKCE instead; confidential clients must use their registered
// token_endpoint_auth_method (RFC 7591 §2), which for the JWT methods is
// the only one accepted. Authenticate (throttle.go) calls it when the
// client and address are not throttled.
func (a *ClientAuth) verify(ctx context.Context, creds oauth.ClientCredentials) (storage.Client, error) {
	c, err := a.o.Store.GetClient(ctx, creds.ID)
	if isNotFound(err) {
		return storage.Client{}, clientFailure("client authentication failed")
	}
	if err != nil {
		return storage.Client{}, oauth.Internal(err)
	}
	allowed := allowedAuthMethods(c)
	if !slices.Contains(allowed, creds.Method) {
		return storage.Client{}, wrongMethod(c, creds.Method, allowed)
	}
	switch creds.Method {
	case oauth.AuthNone:
		return c, nil
	case oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost:
		if !a.checkSecret(c, creds.Secret) {
			return storage.Client{}, clientFailure("client authentication failed")
		}
		return c, nil
	case oauth.AuthClientSecretJWT, oauth.AuthPrivateKeyJWT:
		if err := a.verifyAssertion(ctx, c, creds); err != nil {
			return storage.Client{}, err
		}
		return c, nil
	}
	return storage.Client{}, clientFailure("unsupported client authentication method")
}

// allowedAuthMethods is what the client may authenticate with: "none" for
// public clients; for confidential ones the registered method, and when
// none was named either way of sending the secret.
func allowedAuthMethods(c storage.Client) []string {
	if c.Type.Public() {
		return []string{oauth.AuthNone}
	}
	switch c.AuthMethod {
	case "":
		return []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost}
	case oauth.AuthNone:
		return nil // a confidential client cannot be registered so
	}
	return []string{c.AuthMethod}
}

func wrongMethod(c storage.Client, presented string, allowed []string) error {
	switch {
	case c.Type.Public():
		return clientFailure("this is a public client: send client_id only, without a secret or assertion")
	case presented == oauth.AuthNone:
		if slices.Contains(allowed, oauth.AuthPrivateKeyJWT) || slices.Contains(allowed, oauth.AuthClientSecretJWT) {
			return clientFailure("this client must authenticate with a client assertion (" + allowed[0] + ")")
		}
		return clientFailure("this client must authenticate with its client secret")
	case len(allowed) == 0:
		return clientFailure("client authentication failed")
	}
	return clientFailure("this client is registered to authenticate with " + allowed[0] + ", not " + presented)
}

// checkSecret verifies a client secret against the current hash and, until
// the rotation overlap ends, the previous one. Both are always computed, so
// the time taken does not tell which matched.
func (a *ClientAuth) checkSecret(c storage.Client, presented string) bool {
	if a.o.Secrets == nil || presented == "" {
		return false
	}
	current := a.o.Secrets.Verify(c.ID, presented, c.SecretHash)
	previous := a.o.Secrets.Verify(c.ID, presented, c.PreviousSecretHash)
	return current || previous && a.previousValid(c)
}

// previousValid reports whether the client's previous secret still
// verifies: a rotation overlap is running.
func (a *ClientAuth) previousValid(c storage.Client) bool {
	return c.PreviousSecretHash != "" && a.o.Now().Before(c.PreviousSecretExpiresAt)
}

// clientFailure is invalid_client with 401 and a Basic challenge: RFC 6749
// §5.2 requires it after a Basic attempt, and RFC 9110 §15.5.2 on every 401.
func clientFailure(desc string) *oauth.Error {
	return &oauth.Error{Code: oauth.InvalidClient, Description: desc, Status: http.StatusUnauthorized, Challenge: oauth.BasicChallenge}
}

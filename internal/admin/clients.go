package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// NewClient is the input to CreateClient.
type NewClient struct {
	Type                   storage.ClientType
	Name                   string
	RedirectURIs           []string
	RedirectURIPatterns    []string
	DefaultRedirectURI     string
	PostLogoutRedirectURIs []string
	Scopes                 []string
	// PKCEOptional lets a confidential (web) client omit PKCE.
	PKCEOptional bool
	// AllowPlainPKCE admits code_challenge_method=plain, for legacy apps.
	AllowPlainPKCE bool
	// IDTokenAlg is RS256 (default), ES256 or EdDSA.
	IDTokenAlg string
	// IssueRefreshTokens gives the client a refresh token with every code
	// exchange, even without offline_access.
	IssueRefreshTokens bool
	// Refresh-token lifetimes; zero means the server's default.
	RefreshIdleTTL     time.Duration
	RefreshAbsoluteTTL time.Duration
	// AuthMethod is the token_endpoint_auth_method (RFC 7591 §2); empty
	// means none for public clients and client_secret_basic or
	// client_secret_post for confidential ones (clientauth.go).
	AuthMethod string
	// JWKS (a JWK set document) or JWKSURI holds a private_key_jwt
	// client's public keys.
	JWKS    []byte
	JWKSURI string
	// ProjectID is the project that owns the client; empty for none.
	ProjectID string
	// APIs are the IDs of the APIs the client may call. When given, every
	// scope in Scopes must be one of theirs.
	APIs []string
}

// CreateClient validates and registers a client. For clients with a secret
// (confidential ones, but for private_key_jwt) it returns the generated
// secret, which is stored only as a keyed hash (sealed too for
// client_secret_jwt) and so can be shown just this once.
func (s *Service) CreateClient(ctx context.Context, in NewClient) (storage.Client, string, error) {
	c, err := validateClient(in)
	if err != nil {
		return storage.Client{}, "", err
	}
	if err := s.checkClientAPIs(ctx, c, in); err != nil {
		return storage.Client{}, "", err
	}
	c.ID = secret.NewID()
	plain, err := s.issueSecret(&c)
	if err != nil {
		return storage.Client{}, "", err
	}
	now := s.timestamp()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.store.CreateClient(ctx, c); err != nil {
		return storage.Client{}, "", fmt.Errorf("create client: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.ClientCreated, ClientID: c.ID, Target: c.ID, Details: map[string]any{"name": c.Name, "type": c.Type}})
	return c, plain, nil
}

func validateClient(in NewClient) (storage.Client, error) {
	if !in.Type.Valid() {
		return storage.Client{}, invalid("type", "%q is not a client type; use spa, web, native or service", in.Type)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 100 || !plainText(name) {
		return storage.Client{}, invalid("name", "a name of 1 to 100 characters of text is required")
	}
	c := storage.Client{
		Type: in.Type, Name: name,
		RedirectURIs:           dedupe(in.RedirectURIs),
		RedirectURIPatterns:    dedupe(in.RedirectURIPatterns),
		DefaultRedirectURI:     in.DefaultRedirectURI,
		PostLogoutRedirectURIs: dedupe(in.PostLogoutRedirectURIs),
		Scopes:                 dedupe(in.Scopes),
		PKCEOptional:           in.PKCEOptional,
		AllowPlainPKCE:         in.AllowPlainPKCE,
		IDTokenAlg:             in.IDTokenAlg,
		IssueRefreshTokens:     in.IssueRefreshTokens,
		RefreshIdleTTL:         in.RefreshIdleTTL,
		RefreshAbsoluteTTL:     in.RefreshAbsoluteTTL,
		ProjectID:              strings.TrimSpace(in.ProjectID),
		APIs:                   dedupe(in.APIs),
	}
	if c.PKCEOptional && c.Type.Public() {
		return storage.Client{}, invalid("pkce_optional", "public clients must always use PKCE (RFC 9700 §2.1.1)")
	}
	if err := validateRefreshPolicy(c); err != nil {
		return storage.Client{}, err
	}
	if err := validateAuthMethod(in, &c); err != nil {
		return storage.Client{}, err
	}
	if c.IDTokenAlg != "" && !keys.SupportedAlg(c.IDTokenAlg) {
		return storage.Client{}, invalid("id_token_alg", "%q is not supported; use one of %s", c.IDTokenAlg, strings.Join(keys.Algorithms, ", "))
	}
	if c.DefaultRedirectURI != "" && !slices.Contains(c.RedirectURIs, c.DefaultRedirectURI) {
		c.RedirectURIs = append(c.RedirectURIs, c.DefaultRedirectURI)
	}
	native := in.Type == storage.ClientNative
	if in.Type == storage.ClientService {
		if len(c.RedirectURIs)+len(c.RedirectURIPatterns)+len(c.PostLogoutRedirectURIs) > 0 {
			return storage.Client{}, invalid("redirect_uri", "server-to-server clients have no redirect URIs")
		}
	} else if len(c.RedirectURIs)+len(c.RedirectURIPatterns) == 0 {
		return storage.Client{}, invalid("redirect_uri", "add at least one redirect URI (or pattern) for a %s client", in.Type)
	}
	for _, u := range c.RedirectURIs {
		if err := oauth.ValidateRedirectURI(u, native); err != nil {
			if i := itemOf(in.RedirectURIs, u); i > 0 || u != c.DefaultRedirectURI {
				return storage.Client{}, invalidItem("redirect_uri", i, "%v", err)
			}
			return storage.Client{}, invalid("default_redirect_uri", "%v", err)
		}
	}
	for _, p := range c.RedirectURIPatterns {
		if _, err := oauth.CompilePattern(p); err != nil {
			return storage.Client{}, invalidItem("redirect_uri_pattern", itemOf(in.RedirectURIPatterns, p), "%v", err)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := oauth.ValidateRedirectURI(u, native); err != nil {
			return storage.Client{}, invalidItem("post_logout_redirect_uri", itemOf(in.PostLogoutRedirectURIs, u), "%v", err)
		}
	}
	for _, sc := range c.Scopes {
		if !oauth.ValidScopeName(sc) {
			return storage.Client{}, invalidItem("scope", itemOf(in.Scopes, sc), "%q is not a valid scope name (printable ASCII, no spaces, quotes or backslashes)", sc)
		}
	}
	return c, nil
}

// validateRefreshPolicy checks the refresh-token settings: service
// clients get no refresh tokens (RFC 6749 §4.4.3), lifetimes are not
// negative, and an idle lifetime longer than the absolute one is a mistake.
func validateRefreshPolicy(c storage.Client) error {
	const noRefresh = "server-to-server clients get no refresh tokens"
	switch {
	case c.Type == storage.ClientService && c.IssueRefreshTokens:
		return invalid("issue_refresh_tokens", noRefresh)
	case c.Type == storage.ClientService && c.RefreshIdleTTL != 0:
		return invalid("refresh_idle_ttl", noRefresh)
	case c.Type == storage.ClientService && c.RefreshAbsoluteTTL != 0:
		return invalid("refresh_absolute_ttl", noRefresh)
	case c.RefreshIdleTTL < 0:
		return invalid("refresh_idle_ttl", "a lifetime must not be negative")
	case c.RefreshAbsoluteTTL < 0:
		return invalid("refresh_absolute_ttl", "a lifetime must not be negative")
	case c.RefreshIdleTTL > 0 && c.RefreshAbsoluteTTL > 0 && c.RefreshIdleTTL > c.RefreshAbsoluteTTL:
		return invalid("refresh_idle_ttl", "the idle lifetime must not exceed the absolute lifetime")
	}
	return nil
}

// GetClient returns one client.
func (s *Service) GetClient(ctx context.Context, id string) (storage.Client, error) {
	return s.store.GetClient(ctx, id)
}

// ListClients returns every client.
func (s *Service) ListClients(ctx context.Context) ([]storage.Client, error) {
	return s.store.ListClients(ctx)
}

// DeleteClient removes a client and everything issued to it.
func (s *Service) DeleteClient(ctx context.Context, id string) error {
	return s.recorded(ctx, s.store.DeleteClient(ctx, id), audit.Event{Action: audit.ClientDeleted, ClientID: id, Target: id})
}

func dedupe(in []string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

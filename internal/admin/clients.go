package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
	// IDTokenAlg is ES256 (default), RS256 or EdDSA.
	IDTokenAlg string
}

// CreateClient validates and registers a client. For confidential clients
// it returns the generated secret, which is stored only as a hash and so
// can be shown just this once.
func (s *Service) CreateClient(ctx context.Context, in NewClient) (storage.Client, string, error) {
	c, err := validateClient(in)
	if err != nil {
		return storage.Client{}, "", err
	}
	c.ID = secret.NewID()
	var plain string
	if !c.Type.Public() {
		plain = secret.NewToken()
		c.SecretHash = secret.Hash(plain)
	}
	now := s.timestamp()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.store.CreateClient(ctx, c); err != nil {
		return storage.Client{}, "", fmt.Errorf("create client: %w", err)
	}
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
	}
	if c.PKCEOptional && c.Type.Public() {
		return storage.Client{}, invalid("pkce_optional", "public clients must always use PKCE (RFC 9700 §2.1.1)")
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
			return storage.Client{}, invalid("redirect_uri", "%v", err)
		}
	}
	for _, p := range c.RedirectURIPatterns {
		if _, err := oauth.CompilePattern(p); err != nil {
			return storage.Client{}, invalid("redirect_uri_pattern", "%v", err)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := oauth.ValidateRedirectURI(u, native); err != nil {
			return storage.Client{}, invalid("post_logout_redirect_uri", "%v", err)
		}
	}
	for _, sc := range c.Scopes {
		if !oauth.ValidScopeName(sc) {
			return storage.Client{}, invalid("scope", "%q is not a valid scope name (printable ASCII, no spaces, quotes or backslashes)", sc)
		}
	}
	return c, nil
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
	return s.store.DeleteClient(ctx, id)
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

package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config says which server and which registered client to use.
type Config struct {
	// Issuer is the server's issuer URL, e.g. https://id.example.com.
	// It must be https, or http on a loopback host for development.
	Issuer string
	// ClientID is the registered client's ID.
	ClientID string
	// ClientSecret authenticates a confidential client at the token
	// endpoint; leave it empty for public (spa, native) clients, which
	// rely on PKCE alone (RFC 7636, RFC 8252 §8.1).
	ClientSecret string
	// RedirectURL is the registered redirect URI NewFlow uses when given
	// none. LoginLoopback makes its own.
	RedirectURL string
	// Scopes to ask for; default openid, profile and email. Without
	// openid no ID token is asked for or checked.
	Scopes []string
	// HTTPClient makes every request: discovery, JWKS, token, userinfo.
	// Default: a client with a 30-second timeout.
	HTTPClient *http.Client
	// Now is the clock ID-token expiry is judged by; default time.Now.
	Now func() time.Time
}

// Metadata is the part of the discovery document (OIDC Discovery §3,
// RFC 8414 §2) this package uses beyond what go-oidc exposes.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	// RFC 9207 §3: when true, every authorization response carries iss,
	// and Exchange refuses one without it.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
}

// Client is a relying party of one OpenID Connect provider, built on
// go-oidc (discovery, ID-token verification, userinfo) and x/oauth2
// (authorization URL, code exchange, refresh). It is safe for concurrent
// use.
type Client struct {
	cfg      Config
	hc       *http.Client
	provider *oidc.Provider
	meta     Metadata
	oauth    oauth2.Config // RedirectURL left empty; see oauthFor
	verifier *oidc.IDTokenVerifier
}

// New discovers the provider at cfg.Issuer (OIDC Discovery §4) and
// returns a client for it. Discovery fails when the document names
// another issuer.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("client: no client ID")
	}
	if err := checkIssuerURL(cfg.Issuer); err != nil {
		return nil, err
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, hc: cfg.HTTPClient}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 30 * time.Second}
	}
	p, err := oidc.NewProvider(c.ctx(ctx), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", cfg.Issuer, err)
	}
	if err := p.Claims(&c.meta); err != nil {
		return nil, fmt.Errorf("discover %s: %w", cfg.Issuer, err)
	}
	endpoint := p.Endpoint()
	endpoint.AuthStyle, err = authStyle(cfg.ClientSecret, c.meta.TokenEndpointAuthMethodsSupported)
	if err != nil {
		return nil, err
	}
	c.provider = p
	c.oauth = oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: endpoint, Scopes: cfg.Scopes}
	c.verifier = p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now})
	return c, nil
}

// checkIssuerURL requires an absolute https URL, or http on a loopback
// host (OIDC Discovery §3, RFC 8414 §2), without query or fragment.
func checkIssuerURL(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("client: issuer %q is not an absolute URL without query and fragment", issuer)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("client: issuer %q must use https (http only on a loopback host)", issuer)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authStyle picks how to authenticate at the token endpoint, once, so
// x/oauth2 never probes by sending a code twice. Public clients send only
// client_id (RFC 6749 §3.2.1); confidential ones prefer
// client_secret_basic, the method every server must support (RFC 6749
// §2.3.1, and the RFC 8414 §2 default when none is listed).
func authStyle(secret string, supported []string) (oauth2.AuthStyle, error) {
	switch {
	case secret == "":
		return oauth2.AuthStyleInParams, nil
	case len(supported) == 0 || slices.Contains(supported, "client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil
	case slices.Contains(supported, "client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, fmt.Errorf("client: the server accepts neither client_secret_basic nor client_secret_post (it lists %q)", supported)
}

// ctx returns ctx carrying the configured HTTP client, where go-oidc and
// x/oauth2 both look for it.
func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.hc)
}

// oauthFor returns the x/oauth2 configuration with redirectURL.
func (c *Client) oauthFor(redirectURL string) *oauth2.Config {
	cfg := c.oauth
	cfg.RedirectURL = redirectURL
	cfg.Scopes = slices.Clone(c.oauth.Scopes)
	return &cfg
}

// Issuer returns the issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ClientID returns the client ID.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// Provider returns the go-oidc provider, for what this package does not
// wrap.
func (c *Client) Provider() *oidc.Provider { return c.provider }

// Metadata returns the discovered metadata.
func (c *Client) Metadata() Metadata {
	m := c.meta
	m.ScopesSupported = slices.Clone(m.ScopesSupported)
	m.CodeChallengeMethodsSupported = slices.Clone(m.CodeChallengeMethodsSupported)
	m.TokenEndpointAuthMethodsSupported = slices.Clone(m.TokenEndpointAuthMethodsSupported)
	return m
}

// OAuth2Config returns the x/oauth2 configuration the client uses, with
// Config.RedirectURL, for code that works with x/oauth2 directly.
func (c *Client) OAuth2Config() *oauth2.Config { return c.oauthFor(c.cfg.RedirectURL) }

// wantsIDToken reports whether the openid scope is asked for.
func (c *Client) wantsIDToken() bool { return slices.Contains(c.cfg.Scopes, oidc.ScopeOpenID) }

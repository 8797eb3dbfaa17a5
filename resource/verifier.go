package resource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for the zero values of Config.
const (
	defaultLeeway        = 30 * time.Second
	defaultRefetchPeriod = 10 * time.Second
	defaultHTTPTimeout   = 10 * time.Second
	// maxTokenBytes bounds the work one request can cause; real access
	// tokens are a few hundred bytes to a few kilobytes.
	maxTokenBytes = 16 << 10
)

// Config configures a Verifier. Issuer and Audience are required.
type Config struct {
	// Issuer is the authorization server's issuer identifier (RFC 8414
	// §2), e.g. "https://id.example.com". Every token's iss must equal it
	// exactly, and discovery starts from it.
	Issuer string
	// Audience identifies this API: a token's aud must contain it
	// (RFC 9068 §4). Gatehouse access tokens carry the issuer URL.
	Audience string
	// JWKSURL is where the issuer publishes its signing keys. Empty means
	// the jwks_uri of the issuer's discovery document.
	JWKSURL string
	// Introspection, when set, checks tokens that are not JWTs (or every
	// token, see Introspection.Always) at the issuer's introspection
	// endpoint.
	Introspection *Introspection
	// Leeway tolerates clock differences in the exp, nbf and iat checks.
	// Zero means 30 seconds; a negative value means none.
	Leeway time.Duration
	// KeyRefetchInterval is the least time between two fetches of the JWK
	// set, which a token signed with an unknown key (kid) triggers. Zero
	// means 10 seconds.
	KeyRefetchInterval time.Duration
	// HTTPClient makes the requests to the issuer. Nil means a client
	// with a 10-second timeout.
	HTTPClient *http.Client
	// Realm, if set, is the realm of the WWW-Authenticate challenges
	// (RFC 6750 §3).
	Realm string
	// Logger receives failures to reach the issuer (never tokens). Nil
	// means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Introspection configures token introspection (RFC 7662). The API
// authenticates to the endpoint as a client with client_secret_basic
// (RFC 6749 §2.3.1). With Gatehouse, that client must be marked as a
// resource server to see tokens issued to other clients.
type Introspection struct {
	// Endpoint is the introspection endpoint. Empty means the
	// introspection_endpoint of the issuer's discovery document.
	Endpoint     string
	ClientID     string
	ClientSecret string
	// CacheTTL is how long an active answer is reused; never beyond the
	// token's exp. Zero means 30 seconds; a negative value turns the cache
	// off. A revoked token stays accepted for up to this long.
	CacheTTL time.Duration
	// Always sends JWT access tokens to the endpoint too, instead of
	// checking them locally: revocation then takes effect (after CacheTTL)
	// at the cost of a request per token.
	Always bool
}

// ErrInvalidToken is wrapped by every error that means the token itself
// is not acceptable: malformed, expired, not for this API, badly signed,
// revoked. Other errors from Verify mean the token could not be checked,
// for instance because the issuer was unreachable.
var ErrInvalidToken = errors.New("invalid access token")

// tokenError is a rejected token: desc is a fixed sentence safe to show
// the client (RFC 6750 §3 error_description), err the detail for logs.
type tokenError struct {
	desc string
	err  error
}

func invalid(desc string, err error) error { return &tokenError{desc: desc, err: err} }

func (e *tokenError) Error() string {
	if e.err == nil {
		return "invalid access token: " + e.desc
	}
	return "invalid access token: " + e.desc + ": " + e.err.Error()
}

func (e *tokenError) Is(target error) bool { return target == ErrInvalidToken }
func (e *tokenError) Unwrap() error        { return e.err }

// Verifier checks access tokens issued by one issuer for one API. It is
// safe for concurrent use; make one per API and share it.
type Verifier struct {
	issuer   string
	audience string
	leeway   time.Duration
	realm    string
	now      func() time.Time
	log      *slog.Logger
	keys     *keySet       // nil when the issuer publishes no keys
	intro    *introspector // nil without Introspection
}

// New returns a Verifier for cfg. It fetches the issuer's discovery
// document (OpenID Connect Discovery §4, else RFC 8414 §3) only when
// JWKSURL, or the Introspection endpoint, is not given; the keys
// themselves are fetched when the first token needs them.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := checkURL("issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if cfg.Audience == "" {
		return nil, errors.New("resource: an audience is required")
	}
	if in := cfg.Introspection; in != nil && (in.ClientID == "" || in.ClientSecret == "") {
		return nil, errors.New("resource: introspection needs a client ID and secret")
	}
	v := &Verifier{
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		leeway:   cfg.Leeway,
		realm:    cfg.Realm,
		now:      cfg.Now,
		log:      cfg.Logger,
	}
	switch {
	case v.leeway == 0:
		v.leeway = defaultLeeway
	case v.leeway < 0:
		v.leeway = 0
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.Default()
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}

	jwksURL := cfg.JWKSURL
	var introURL string
	if cfg.Introspection != nil {
		introURL = cfg.Introspection.Endpoint
	}
	if jwksURL == "" || cfg.Introspection != nil && introURL == "" {
		m, err := discover(ctx, client, cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("resource: %w", err)
		}
		if jwksURL == "" {
			jwksURL = m.JWKSURI
		}
		if introURL == "" {
			introURL = m.IntrospectionEndpoint
		}
	}
	if jwksURL != "" {
		if err := checkURL("JWKS URL", jwksURL); err != nil {
			return nil, err
		}
		refetch := cfg.KeyRefetchInterval
		if refetch <= 0 {
			refetch = defaultRefetchPeriod
		}
		v.keys = &keySet{url: jwksURL, client: client, now: v.now, minGap: refetch, log: v.log}
	}
	if cfg.Introspection != nil {
		if introURL == "" {
			return nil, errors.New("resource: the issuer announces no introspection endpoint; set Introspection.Endpoint")
		}
		if err := checkURL("introspection endpoint", introURL); err != nil {
			return nil, err
		}
		v.intro = newIntrospector(*cfg.Introspection, introURL, client, v)
	}
	if v.keys == nil && v.intro == nil {
		return nil, errors.New("resource: the issuer announces no jwks_uri; set JWKSURL or Introspection")
	}
	return v, nil
}

func checkURL(what, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("resource: the %s must be an absolute http(s) URL, not %q", what, s)
	}
	return nil
}

// Verify checks an access token and returns its claims. JWTs are checked
// locally (RFC 9068 §4); other tokens by introspection when configured.
// A rejected token gives an error wrapping ErrInvalidToken. Scopes are not
// checked here: see Claims.HasScope and Require.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	if raw == "" {
		return nil, invalid("no access token", nil)
	}
	if len(raw) > maxTokenBytes {
		return nil, invalid("the access token is too long", nil)
	}
	jws := strings.Count(raw, ".") == 2
	if v.intro != nil && (v.intro.always || v.keys == nil || !jws) {
		return v.intro.verify(ctx, raw)
	}
	if !jws {
		return nil, invalid("the access token is not a JWT", nil)
	}
	return v.verifyJWT(ctx, raw)
}

// checkTimes applies the exp, nbf and iat rules with the leeway. A JWT
// must have exp (RFC 9068 §4); an introspection answer may omit it
// (RFC 7662 §2.2). nbf and iat are checked when present.
func (v *Verifier) checkTimes(now, exp, nbf, iat time.Time, needExp bool) error {
	switch {
	case exp.IsZero() && needExp:
		return invalid("the access token has no expiry", nil)
	case !exp.IsZero() && !now.Before(exp.Add(v.leeway)):
		return invalid("the access token expired", nil)
	case !nbf.IsZero() && now.Add(v.leeway).Before(nbf):
		return invalid("the access token is not valid yet", nil)
	case !iat.IsZero() && now.Add(v.leeway).Before(iat):
		return invalid("the access token was issued in the future", nil)
	}
	return nil
}

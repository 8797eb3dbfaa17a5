package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// ErrInvalid means a token is malformed, not ours, badly signed or expired.
// The wrapped text says which, for logs.
var ErrInvalid = errors.New("token: invalid")

// leeway tolerates small clock differences between replicas.
const leeway = 30 * time.Second

var acceptedAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.EdDSA}

// AccessClaims are the verified claims of one of our access tokens.
type AccessClaims struct {
	ID        string
	Subject   string
	ClientID  string
	Audience  []string
	Scopes    []string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// VerifyAccessToken checks signature, typ (RFC 9068 §4), issuer and expiry.
// A token it verified before is recognised by its hash until it expires.
func (s *Service) VerifyAccessToken(ctx context.Context, raw string) (AccessClaims, error) {
	now := s.now()
	if c, ok := s.verified.get(raw, now); ok {
		return c, nil
	}
	var c accessClaims
	if err := s.parse(ctx, raw, TypeAccessToken, &c); err != nil {
		return AccessClaims{}, err
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: s.issuer, Time: now}, leeway); err != nil {
		return AccessClaims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if c.Expiry == nil || c.ID == "" || c.Subject == "" {
		return AccessClaims{}, fmt.Errorf("%w: missing exp, jti or sub", ErrInvalid)
	}
	out := AccessClaims{
		ID: c.ID, Subject: c.Subject, ClientID: c.ClientID, Audience: c.Audience,
		Scopes: strings.Fields(c.Scope), ExpiresAt: c.Expiry.Time(),
	}
	if c.IssuedAt != nil {
		out.IssuedAt = c.IssuedAt.Time()
	}
	s.verified.put(raw, out, now)
	return out, nil
}

// IDTokenHint is what end-session needs from an id_token_hint.
type IDTokenHint struct {
	Subject   string
	Audience  []string
	SessionID string
}

// ParseIDTokenHint verifies an ID token's signature and issuer but not its
// expiry: OpenID Connect RP-Initiated Logout §2 allows expired hints.
func (s *Service) ParseIDTokenHint(ctx context.Context, raw string) (IDTokenHint, error) {
	var c struct {
		jwt.Claims
		SessionID string `json:"sid"`
	}
	if err := s.parse(ctx, raw, typeIDToken, &c); err != nil {
		return IDTokenHint{}, err
	}
	if c.Issuer != s.issuer || c.Subject == "" {
		return IDTokenHint{}, fmt.Errorf("%w: wrong issuer or no subject", ErrInvalid)
	}
	return IDTokenHint{Subject: c.Subject, Audience: c.Audience, SessionID: c.SessionID}, nil
}

// parse checks the JWS signature with the ring's key named by kid, the typ
// header, and decodes the claims into out.
func (s *Service) parse(ctx context.Context, raw, typ string, out any) error {
	tok, err := jwt.ParseSigned(raw, acceptedAlgs)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(tok.Headers) != 1 {
		return fmt.Errorf("%w: want one signature", ErrInvalid)
	}
	h := tok.Headers[0]
	if got, _ := h.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(got, typ) {
		return fmt.Errorf("%w: typ %q, want %q", ErrInvalid, got, typ)
	}
	k, err := s.ring.Verifier(ctx, h.KeyID)
	if errors.Is(err, keys.ErrUnknownKey) {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err != nil {
		return err // the store failed; not the token's fault
	}
	if k.Alg != h.Algorithm {
		return fmt.Errorf("%w: key %s is for %s, token says %s", ErrInvalid, k.ID, k.Alg, h.Algorithm)
	}
	if err := tok.Claims(k.Public.Key, out); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

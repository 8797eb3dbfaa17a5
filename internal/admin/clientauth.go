package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Limits on what a client registers for authentication.
const (
	maxJWKSBytes = 64 << 10
	// DefaultSecretOverlap is how long a rotated-out secret keeps working
	// by default, so the new one can be deployed without an outage.
	DefaultSecretOverlap = 24 * time.Hour
	// MaxSecretOverlap bounds the overlap: a secret being replaced is
	// usually suspected, and should not live on for long.
	MaxSecretOverlap = 30 * 24 * time.Hour
)

// ErrNoSecret means the client authenticates without a secret (a public or
// private_key_jwt client), so there is none to rotate.
var ErrNoSecret = errors.New("the client has no secret")

// EffectiveAuthMethod is the token_endpoint_auth_method a client is held
// to, for display: an empty registration means none for a public client
// and client_secret_basic (client_secret_post is accepted too) for a
// confidential one.
func EffectiveAuthMethod(c storage.Client) string {
	switch {
	case c.AuthMethod != "":
		return c.AuthMethod
	case c.Type.Public():
		return oauth.AuthNone
	}
	return oauth.AuthClientSecretBasic
}

// validateAuthMethod checks the token_endpoint_auth_method and keys of a
// registration (RFC 7591 §2) and copies them to c. Public clients cannot
// keep a secret or key, so they use none; confidential clients must
// authenticate; private_key_jwt needs exactly one of jwks and jwks_uri, and
// only it may have them.
func validateAuthMethod(in NewClient, c *storage.Client) error {
	m := in.AuthMethod
	switch {
	case c.Type.Public():
		if m != "" && m != oauth.AuthNone {
			return invalid("auth_method", "a %s client is public and authenticates with none; use type web or service for %s", c.Type, m)
		}
	case m == oauth.AuthNone:
		return invalid("auth_method", "a %s client is confidential and must authenticate; use client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt", c.Type)
	case m != "" && m != oauth.AuthClientSecretBasic && m != oauth.AuthClientSecretPost &&
		m != oauth.AuthClientSecretJWT && m != oauth.AuthPrivateKeyJWT:
		return invalid("auth_method", "%q is not supported; use client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none", m)
	}
	c.AuthMethod = m
	hasKeys := len(in.JWKS) > 0 || in.JWKSURI != ""
	switch {
	case m != oauth.AuthPrivateKeyJWT && hasKeys:
		return invalid("jwks", "keys are registered only for private_key_jwt clients")
	case m != oauth.AuthPrivateKeyJWT:
		return nil
	case len(in.JWKS) > 0 && in.JWKSURI != "":
		return invalid("jwks", "give either a JWK set or a jwks_uri, not both (RFC 7591 §2)")
	case !hasKeys:
		return invalid("jwks", "a private_key_jwt client needs its public keys: a JWK set or a jwks_uri")
	case in.JWKSURI != "":
		if err := oauth.ValidateJWKSURI(in.JWKSURI); err != nil {
			return invalid("jwks_uri", "%v", err)
		}
		c.JWKSURI = in.JWKSURI
		return nil
	}
	if len(in.JWKS) > maxJWKSBytes {
		return invalid("jwks", "the JWK set exceeds %d bytes", maxJWKSBytes)
	}
	set, err := oauth.ParseClientJWKS(in.JWKS, true)
	if err != nil {
		return invalid("jwks", "%v", err)
	}
	// Store the parsed public keys, not whatever else the document held.
	b, err := json.Marshal(set)
	if err != nil {
		return invalid("jwks", "%v", err)
	}
	c.JWKS = b
	return nil
}

// needsSecret reports whether the client authenticates with a secret.
func needsSecret(c storage.Client) bool {
	return !c.Type.Public() && c.AuthMethod != oauth.AuthPrivateKeyJWT
}

// issueSecret generates a secret for c (which has its ID) when its method
// needs one, stores its keyed hash (and for client_secret_jwt the sealed
// secret, keeping previous, if any, second) in c, and returns it.
func (s *Service) issueSecret(c *storage.Client, previous ...string) (string, error) {
	if !needsSecret(*c) {
		return "", nil
	}
	if s.secrets == nil {
		return "", errors.New("client secrets cannot be issued without the master secret")
	}
	plain := secret.NewToken()
	c.SecretHash = s.secrets.Hash(c.ID, plain)
	c.SealedSecret = nil
	if c.AuthMethod == oauth.AuthClientSecretJWT {
		sealed, err := s.secrets.Seal(c.ID, append([]string{plain}, previous...))
		if err != nil {
			return "", err
		}
		c.SealedSecret = sealed
	}
	return plain, nil
}

// RotateSecret gives a client a new secret and returns it (shown once).
// The old one keeps verifying for overlap, so the new one can be deployed
// first; 0 revokes it at once. Only one previous secret is kept: rotating
// during an overlap ends the earlier one.
func (s *Service) RotateSecret(ctx context.Context, id string, overlap time.Duration) (storage.Client, string, error) {
	if overlap < 0 || overlap > MaxSecretOverlap {
		return storage.Client{}, "", invalid("overlap", "must be between 0 and %s", MaxSecretOverlap)
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return storage.Client{}, "", err
	}
	if !needsSecret(c) {
		return storage.Client{}, "", fmt.Errorf("client %s authenticates with %s: %w", id, EffectiveAuthMethod(c), ErrNoSecret)
	}
	if s.secrets == nil {
		return storage.Client{}, "", errors.New("client secrets cannot be rotated without the master secret")
	}
	now := s.timestamp()
	var previous []string
	c.PreviousSecretHash, c.PreviousSecretExpiresAt = "", time.Time{}
	if overlap > 0 && c.SecretHash != "" {
		c.PreviousSecretHash, c.PreviousSecretExpiresAt = c.SecretHash, now.Add(overlap)
		if c.AuthMethod == oauth.AuthClientSecretJWT && len(c.SealedSecret) > 0 {
			old, err := s.secrets.Open(c.ID, c.SealedSecret)
			if err != nil {
				return storage.Client{}, "", fmt.Errorf("open the current secret: %w", err)
			}
			previous = old[:1]
		}
	}
	plain, err := s.issueSecret(&c, previous...)
	if err != nil {
		return storage.Client{}, "", err
	}
	c.UpdatedAt = now
	if err := s.store.UpdateClient(ctx, c); err != nil {
		return storage.Client{}, "", fmt.Errorf("rotate secret: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.ClientSecretRotated, ClientID: c.ID, Target: c.ID, Details: map[string]any{"overlap": overlap.String()}})
	return c, plain, nil
}

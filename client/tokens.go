package client

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Tokens is a token response with its ID token verified.
type Tokens struct {
	// Token holds the access token, its expiry and the refresh token.
	*oauth2.Token
	// RawIDToken is the ID token as received; "" when none was issued
	// (no openid scope, or a refresh response without one).
	RawIDToken string
	// IDToken is the verified ID token, nil when RawIDToken is "".
	IDToken *oidc.IDToken
	// Claims are the ID token's common claims.
	Claims Claims
	// Scopes are the granted scopes: the response's scope, or the ones
	// asked for when it has none (RFC 6749 §5.1).
	Scopes []string
}

// Claims are the standard ID-token claims most apps want (OIDC Core §2,
// §5.1). IDToken.Claims decodes any others.
type Claims struct {
	Subject       string `json:"sub"`
	Name          string `json:"name,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	AuthTime      int64  `json:"auth_time,omitempty"`
	// AuthorizedParty is azp: the client the token was issued to.
	AuthorizedParty string `json:"azp,omitempty"`
	SessionID       string `json:"sid,omitempty"`
}

// expect is what a token response must match.
type expect struct {
	requireIDToken bool     // openid was asked for in the code flow
	nonce          string   // the request's nonce; "" after a refresh
	subject        string   // after a refresh: the original sub, when known
	scopes         []string // the scopes to assume when the response lists none
}

// newTokens verifies the ID token in tok, if any (OIDC Core §3.1.3.7; for
// a refresh §12.2), and returns the result.
func (c *Client) newTokens(ctx context.Context, tok *oauth2.Token, want expect) (*Tokens, error) {
	t := &Tokens{Token: tok, Scopes: slices.Clone(want.scopes)}
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		t.Scopes = strings.Fields(s)
	}
	t.RawIDToken, _ = tok.Extra("id_token").(string)
	if t.RawIDToken == "" {
		if want.requireIDToken {
			return nil, ErrIDTokenMissing
		}
		return t, nil
	}
	id, err := c.verifier.Verify(c.ctx(ctx), t.RawIDToken)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIDToken, err)
	}
	if err := id.Claims(&t.Claims); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIDToken, err)
	}
	if err := c.checkIDToken(id, t, want); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidIDToken, err)
	}
	t.IDToken = id
	return t, nil
}

// checkIDToken makes the checks go-oidc leaves to the caller: nonce
// (OIDC Core §3.1.3.7 step 11), azp (steps 4 and 5), at_hash when present
// (§3.1.3.8) and, after a refresh, the same subject (§12.2).
func (c *Client) checkIDToken(id *oidc.IDToken, t *Tokens, want expect) error {
	if want.nonce != "" && id.Nonce != want.nonce {
		return fmt.Errorf("nonce %q is not the request's", id.Nonce)
	}
	azp := t.Claims.AuthorizedParty
	if azp != "" && azp != c.cfg.ClientID || azp == "" && len(id.Audience) > 1 {
		return fmt.Errorf("azp %q is not the client ID (audience %q)", azp, id.Audience)
	}
	if want.subject != "" && id.Subject != want.subject {
		return fmt.Errorf("sub %q is not the original %q", id.Subject, want.subject)
	}
	if id.AccessTokenHash != "" {
		if err := id.VerifyAccessToken(t.AccessToken); err != nil {
			return fmt.Errorf("at_hash: %v", err)
		}
	}
	return nil
}

package tokenapi

import (
	"context"
	"errors"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// authorizationCode redeems an authorization code (RFC 6749 §4.1.3,
// RFC 7636 §4.6, OIDC Core §3.1.3.2).
func (h *Handler) authorizationCode(ctx context.Context, c storage.Client, p map[string]string, t target) (*Response, error) {
	code := p["code"]
	if code == "" {
		return nil, oauth.Errorf(oauth.InvalidRequest, "code is required")
	}
	now := h.Now()
	// The code's hash binds its client: presented by any other client it
	// is not found, so it can be neither redeemed nor burned, and its
	// replay path below never runs for another client's code.
	rec, err := h.Store.ConsumeAuthCode(ctx, secret.HashFor(c.ID, code), now.UTC())
	switch {
	case errors.Is(err, storage.ErrAlreadyConsumed):
		// A replayed code may be stolen: revoke what its first use minted
		// (RFC 6749 §4.1.2, RFC 9700 §4.5).
		n, rerr := h.Store.RevokeGrant(ctx, rec.GrantID, now.UTC())
		if rerr != nil {
			return nil, oauth.Internal(rerr)
		}
		h.Log.Warn("authorization code replayed; grant revoked", "client_id", c.ID, "grant_id", rec.GrantID, "revoked", n)
		h.Audit.Record(ctx, audit.Event{Action: audit.CodeReuseDetected, Actor: c.ID, UserID: rec.UserID, ClientID: c.ID, Target: rec.GrantID, Details: map[string]any{"tokens_revoked": n}})
		return nil, oauth.Errorf(oauth.InvalidGrant, "the authorization code was already used")
	case isNotFound(err):
		return nil, oauth.Errorf(oauth.InvalidGrant, "the authorization code is not valid")
	case err != nil:
		return nil, oauth.Internal(err)
	}
	if rec.ClientID != c.ID {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the authorization code was issued to another client")
	}
	if !now.Before(rec.ExpiresAt) {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the authorization code has expired")
	}
	if rec.RedirectURI != "" && p["redirect_uri"] != rec.RedirectURI {
		return nil, oauth.Errorf(oauth.InvalidGrant, "redirect_uri must be identical to the one in the authorization request")
	}
	if err := checkVerifier(rec, p["code_verifier"]); err != nil {
		return nil, err
	}
	user, err := h.Store.GetUser(ctx, rec.UserID)
	if isNotFound(err) {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the user no longer exists")
	}
	if err != nil {
		return nil, oauth.Internal(err)
	}
	// The refresh token keeps every granted scope; the access token may
	// be narrowed to the requested resources (RFC 8707 §2.2).
	g := userGrant{GrantID: rec.GrantID, Scopes: rec.Scopes, AuthTime: rec.AuthTime, Nonce: rec.Nonce, SessionID: rec.SessionID}
	mint := g
	mint.Scopes, mint.Audience = t.apply(g.Scopes)
	resp, err := h.mintForUser(ctx, c, user, mint)
	if err != nil {
		return nil, err
	}
	if wantsRefreshToken(c, rec.Scopes) {
		if resp.RefreshToken, err = h.firstRefreshToken(ctx, c, user.ID, g, now); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// checkVerifier enforces PKCE, and refuses a verifier when the
// authorization request had no challenge (RFC 9700 §2.1.1: PKCE downgrade).
func checkVerifier(rec storage.AuthCode, verifier string) error {
	if rec.CodeChallenge == "" {
		if verifier != "" {
			return oauth.Errorf(oauth.InvalidGrant, "code_verifier was sent but the authorization request had no code_challenge")
		}
		return nil
	}
	if verifier == "" {
		return oauth.Errorf(oauth.InvalidGrant, "code_verifier is required")
	}
	if !oauth.VerifyPKCE(rec.CodeChallengeMethod, rec.CodeChallenge, verifier) {
		return oauth.Errorf(oauth.InvalidGrant, "code_verifier does not match the code_challenge")
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

package tokenapi

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// refreshStore is the part of the store the refresh grant needs beyond
// Store's first methods; Store embeds it.
type refreshStore interface {
	GetToken(ctx context.Context, id string) (storage.Token, error)
	RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error)
}

// refreshToken is the refresh grant (RFC 6749 §6, OIDC Core §12).
//
// Every use rotates the token (RFC 9700 §4.14.2): the presented token is
// exchanged for a successor in one store transaction, so of any number of
// concurrent uses exactly one wins. Presenting a rotated token again is
// reuse, and revokes the whole grant: every refresh and access token
// descending from the code exchange.
//
// That includes the benign case of a client (or a browser retrying a
// request) sending the same refresh token twice at once: the loser is
// refused and the winner's fresh tokens are revoked with the rest of the
// family, so the user must sign in again. We follow RFC 9700 §4.14.2 here
// rather than tolerate a grace period: the server cannot tell a double
// submit from an attacker racing the legitimate client with a stolen
// token, and a race is exactly what an attacker would arrange. Clients
// must serialize their refreshes (golang.org/x/oauth2's TokenSource does).
func (h *Handler) refreshToken(ctx context.Context, c storage.Client, p map[string]string, t target) (*Response, error) {
	raw := p["refresh_token"]
	if raw == "" {
		return nil, oauth.Errorf(oauth.InvalidRequest, "refresh_token is required")
	}
	now := h.Now().UTC()
	id := secret.Hash(raw)
	// Look the token up before rotating it: rotation has no client check,
	// and a client holding another client's token must not be able to burn
	// it (RFC 6749 §6: the token is bound to the client it was issued to).
	old, err := h.Store.GetToken(ctx, id)
	if isNotFound(err) || err == nil && old.Kind != storage.TokenRefresh {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token is not valid")
	}
	if err != nil {
		return nil, oauth.Internal(err)
	}
	if old.ClientID != c.ID {
		h.Log.Warn("refresh token presented by another client", "client_id", c.ID, "token_client_id", old.ClientID, "token", secret.HashPrefix(raw))
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token was issued to another client")
	}
	scopes, err := narrowScopes(old.Scopes, p["scope"])
	if err != nil {
		return nil, err
	}
	user, err := h.Store.GetUser(ctx, old.UserID)
	if isNotFound(err) {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the user no longer exists")
	}
	if err != nil {
		return nil, oauth.Internal(err)
	}
	// What the grant may still carry: the scopes the client is registered
	// for now (as /authorize checks), and the admin scope for
	// administrators only. A refresh token granted before a change goes
	// on with less (RFC 6749 §3.3).
	scopes = slices.DeleteFunc(slices.Clone(scopes), func(s string) bool {
		if s == oauth.ScopeAdmin && !user.Admin {
			return true
		}
		return !slices.Contains(oauth.StandardScopes, s) && !slices.Contains(c.Scopes, s)
	})

	idle, _ := h.refreshTTLs(c)
	g := userGrant{GrantID: old.GrantID, Scopes: old.Scopes, AuthTime: old.AuthTime}
	nextRaw, next := newRefreshToken(c, old.UserID, g, idle, old.GrantExpiresAt, now)
	if !now.Before(next.ExpiresAt) {
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token has expired")
	}
	_, err = h.Store.RotateRefreshToken(ctx, id, next, now)
	switch {
	case errors.Is(err, storage.ErrAlreadyConsumed):
		n, rerr := h.Store.RevokeGrant(ctx, old.GrantID, now)
		if rerr != nil {
			return nil, oauth.Internal(rerr)
		}
		h.Log.Warn("refresh token reused; grant revoked", "client_id", c.ID, "grant_id", old.GrantID, "token", secret.HashPrefix(raw), "revoked", n)
		h.Audit.Record(ctx, audit.Event{Action: audit.RefreshReuseDetected, Actor: c.ID, UserID: old.UserID, ClientID: c.ID, Target: old.GrantID, Details: map[string]any{"tokens_revoked": n}})
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token was already used")
	case errors.Is(err, storage.ErrInactive):
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token was revoked or has expired")
	case errors.Is(err, storage.ErrGrantRevoked):
		// This rotation won, but the grant was revoked while it was in
		// flight (by a concurrent reuse of the same token, or by the
		// user): the successor is stored revoked, and so will be the
		// tokens minted below. Answering normally keeps "exactly one use
		// succeeds" true whatever the interleaving; nothing handed out is
		// usable.
		h.Log.Warn("refresh succeeded for a grant revoked meanwhile", "client_id", c.ID, "grant_id", old.GrantID)
	case isNotFound(err):
		return nil, oauth.Errorf(oauth.InvalidGrant, "the refresh token is not valid")
	case err != nil:
		return nil, oauth.Internal(err)
	}

	// Same subject as at the code exchange, and the same audience for the
	// same scopes and resources; the ID token keeps the original
	// auth_time and has no nonce (OIDC Core §12.2).
	mint := userGrant{GrantID: old.GrantID, AuthTime: old.AuthTime}
	mint.Scopes, mint.Audience = t.apply(scopes)
	resp, err := h.mintForUser(ctx, c, user, mint)
	if err != nil {
		return nil, err
	}
	resp.RefreshToken = nextRaw
	return resp, nil
}

// narrowScopes applies the optional scope parameter of a refresh request:
// it may ask for fewer scopes than were granted, never more (RFC 6749 §6:
// "MUST NOT include any scope not originally granted"); without it the
// new access token has every granted scope.
func narrowScopes(granted []string, raw string) ([]string, error) {
	req, err := oauth.ParseScope(raw)
	if err != nil {
		return nil, err
	}
	if len(req) == 0 {
		return granted, nil
	}
	for _, s := range req {
		if !slices.Contains(granted, s) {
			return nil, oauth.Errorf(oauth.InvalidScope, "scope %q was not granted to this refresh token", truncate(s, 40))
		}
	}
	return req, nil
}

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
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// userGrant is what a user approved for a client, as carried by an
// authorization code or a refresh token: the tokens minted from it are
// recorded under GrantID so that revoking the grant revokes them all.
type userGrant struct {
	GrantID string
	Scopes  []string // the scopes of the tokens to mint now
	// Audience is the access token's aud (see target.apply).
	Audience []string
	AuthTime time.Time
	// Nonce and SessionID come from the authorization request; a refresh
	// has neither (OIDC Core §12.2: a refreshed ID token has no nonce).
	Nonce     string
	SessionID string
}

// mintForUser issues the access token, and an ID token when openid is in
// g.Scopes, and records the access token under the grant.
func (h *Handler) mintForUser(ctx context.Context, c storage.Client, u storage.User, g userGrant) (*Response, error) {
	at, err := h.mintAccessWithGroups(ctx, c, u.ID, g.GrantID, g.Scopes, g.Audience, g.AuthTime, u.Groups)
	if err != nil {
		return nil, err
	}
	resp := &Response{
		AccessToken: at.Raw,
		TokenType:   "Bearer",
		ExpiresIn:   int64(h.AccessTokenTTL.Seconds()),
		Scope:       oauth.JoinScope(g.Scopes),
	}
	if slices.Contains(g.Scopes, oauth.ScopeOpenID) {
		resp.IDToken, err = h.Tokens.MintIDToken(ctx, token.IDParams{
			Subject:     u.ID,
			ClientID:    c.ID,
			Nonce:       g.Nonce,
			AuthTime:    g.AuthTime,
			AccessToken: at.Raw,
			SessionID:   g.SessionID,
			Alg:         c.IDTokenAlg,
			TTL:         h.IDTokenTTL,
			Claims:      token.UserClaims(u, g.Scopes),
		})
		if err != nil {
			return nil, oauth.Internal(err)
		}
	}
	return resp, nil
}

// mintAccess signs a JWT access token (RFC 9068) for subject — a user, or
// the client itself for client credentials — and records it under grantID
// so that it can be revoked with its grant. aud is the token's audience
// (target.apply).
func (h *Handler) mintAccess(ctx context.Context, c storage.Client, subject, grantID string, scopes, aud []string, authTime time.Time) (token.Minted, error) {
	return h.mintAccessWithGroups(ctx, c, subject, grantID, scopes, aud, authTime, nil)
}

// mintAccessWithGroups is mintAccess for a user's token, which carries the
// user's groups (RFC 9068 §2.2.3.1) as they are at this mint, so that a
// refreshed token reflects a change of membership.
func (h *Handler) mintAccessWithGroups(ctx context.Context, c storage.Client, subject, grantID string, scopes, aud []string, authTime time.Time, groups []string) (token.Minted, error) {
	at, err := h.Tokens.MintAccessToken(ctx, token.AccessParams{
		Subject:  subject,
		ClientID: c.ID,
		Audience: aud,
		Scopes:   scopes,
		AuthTime: authTime,
		TTL:      h.AccessTokenTTL,
		Groups:   groups,
	})
	if err != nil {
		return token.Minted{}, oauth.Internal(err)
	}
	userID := subject
	if c.Type == storage.ClientService {
		userID = ""
	}
	err = h.Store.CreateToken(ctx, storage.Token{
		ID: at.ID, Kind: storage.TokenAccess, GrantID: grantID, ClientID: c.ID, UserID: userID,
		Scopes: scopes, AuthTime: authTime.UTC(), CreatedAt: at.IssuedAt.UTC(), ExpiresAt: at.ExpiresAt.UTC(),
	})
	if errors.Is(err, storage.ErrGrantRevoked) {
		// The grant was revoked while this, the one successful use of its
		// code or refresh token, was in flight: by a replay of the code or
		// a reuse of the refresh token. The store recorded the token
		// revoked; answering normally keeps "exactly one use succeeds" true
		// whatever the interleaving, and the token is already useless.
		h.Log.Warn("token issued for a grant revoked meanwhile", "client_id", c.ID, "grant_id", grantID)
		err = nil
	}
	if isNotFound(err) {
		return token.Minted{}, goneDuringExchange()
	}
	if err != nil {
		return token.Minted{}, oauth.Internal(err)
	}
	h.Audit.Record(ctx, audit.Event{Action: audit.TokenIssued, Actor: c.ID, UserID: userID, ClientID: c.ID, Target: at.ID, Details: map[string]any{"grant_type": audit.GrantType(ctx), "grant_id": grantID, "scope": oauth.JoinScope(scopes)}})
	return at, nil
}

// wantsRefreshToken reports whether a code grant for scopes gets a refresh
// token: when the user granted offline_access (OIDC Core §11), or when the
// client is registered to get one regardless. Clients acting on their own
// behalf never do (RFC 6749 §4.4.3).
func wantsRefreshToken(c storage.Client, scopes []string) bool {
	if c.Type == storage.ClientService {
		return false
	}
	return c.IssueRefreshTokens || slices.Contains(scopes, oauth.ScopeOfflineAccess)
}

// refreshTTLs are the client's refresh-token lifetimes, or the server's
// when the client sets none. idle bounds each token (an unused session
// lapses); absolute bounds the whole chain of rotations from the code
// exchange on, so that a stolen, regularly used token dies eventually
// (RFC 9700 §4.14.2).
func (h *Handler) refreshTTLs(c storage.Client) (idle, absolute time.Duration) {
	idle, absolute = h.RefreshIdleTTL, h.RefreshAbsoluteTTL
	if c.RefreshIdleTTL > 0 {
		idle = c.RefreshIdleTTL
	}
	if c.RefreshAbsoluteTTL > 0 {
		absolute = c.RefreshAbsoluteTTL
	}
	return idle, absolute
}

// newRefreshToken returns an opaque refresh token and its record: 256
// random bits, stored only as their hash, so a copy of the database
// cannot be replayed. The record keeps the grant's scopes (RFC 6749 §6:
// the refresh token's scope stays identical across rotations) and its
// absolute expiry; the token itself lives for the idle lifetime, never
// past the grant's end.
func newRefreshToken(c storage.Client, userID string, g userGrant, idle time.Duration, grantExpiresAt, now time.Time) (string, storage.Token) {
	raw := secret.NewToken()
	now = now.UTC()
	exp := now.Add(idle)
	if grantExpiresAt.Before(exp) {
		exp = grantExpiresAt
	}
	return raw, storage.Token{
		ID: secret.Hash(raw), Kind: storage.TokenRefresh, GrantID: g.GrantID, ClientID: c.ID, UserID: userID,
		Scopes: g.Scopes, AuthTime: g.AuthTime.UTC(), CreatedAt: now, ExpiresAt: exp, GrantExpiresAt: grantExpiresAt.UTC(),
	}
}

// firstRefreshToken issues the refresh token of a code exchange, which
// starts the grant's absolute lifetime.
func (h *Handler) firstRefreshToken(ctx context.Context, c storage.Client, userID string, g userGrant, now time.Time) (string, error) {
	idle, absolute := h.refreshTTLs(c)
	raw, rec := newRefreshToken(c, userID, g, idle, now.Add(absolute), now)
	err := h.Store.CreateToken(ctx, rec)
	if errors.Is(err, storage.ErrGrantRevoked) {
		// A replay of the code revoked the grant meanwhile; the token is
		// stored revoked, as the access token was (see mintAccess).
		err = nil
	}
	if isNotFound(err) {
		return "", goneDuringExchange()
	}
	if err != nil {
		return "", oauth.Internal(err)
	}
	return raw, nil
}

// goneDuringExchange is the answer when the store refuses a token because
// its user or client was deleted while the request was in flight (the
// foreign keys, storage.ErrNotFound): the grant no longer exists, which
// RFC 6749 §5.2 calls invalid_grant, not a server error.
func goneDuringExchange() error {
	return oauth.Errorf(oauth.InvalidGrant, "the user or client of this grant no longer exists")
}

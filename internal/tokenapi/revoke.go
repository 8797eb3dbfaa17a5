package tokenapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// Token type hints (RFC 7009 §2.1, RFC 7662 §2.1).
const (
	hintAccessToken  = "access_token"
	hintRefreshToken = "refresh_token"
)

// revocationStore is the part of the store revocation and introspection
// need beyond Store's first methods; Store embeds it.
type revocationStore interface {
	GetToken(ctx context.Context, id string) (storage.Token, error)
	RevokeToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
}

// serveRevoke is the revocation endpoint (RFC 7009 §2). A client revokes
// one of its own tokens; a refresh token takes its whole grant along
// (access tokens included, §2.1). Whether the token was known, or belonged
// to the client, is never revealed: the answer is 200 with an empty body
// either way (§2.2), and another client's token is left untouched.
func (h *Handler) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if err := h.revoke(w, r); err != nil {
		oauth.WriteError(w, h.Log, err)
		return
	}
	oauth.NoStore(w.Header())
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) error {
	client, p, err := h.backChannelClient(w, r)
	if err != nil {
		return err
	}
	raw := p["token"]
	if raw == "" {
		return oauth.Errorf(oauth.InvalidRequest, "token is required")
	}
	ctx := r.Context()
	for _, kind := range lookupOrder(p["token_type_hint"]) {
		var found bool
		if kind == hintAccessToken {
			found, err = h.revokeAccess(ctx, client, raw)
		} else {
			found, err = h.revokeRefresh(ctx, client, raw)
		}
		if err != nil || found {
			return err
		}
	}
	return nil
}

// revokeAccess revokes one of our access tokens issued to c. It reports
// whether raw is one of our live access tokens at all, whoever holds it.
// An expired token fails verification and needs no revoking.
func (h *Handler) revokeAccess(ctx context.Context, c storage.Client, raw string) (bool, error) {
	claims, err := h.Tokens.VerifyAccessToken(ctx, raw)
	if errors.Is(err, token.ErrInvalid) {
		return false, nil
	}
	if err != nil {
		return false, oauth.Internal(err)
	}
	if claims.ClientID != c.ID {
		h.Log.Warn("revocation of another client's access token refused", "client_id", c.ID, "token_client_id", claims.ClientID)
		return true, nil
	}
	if _, err := h.Store.RevokeToken(ctx, claims.ID, h.Now().UTC()); err != nil && !isNotFound(err) {
		return true, oauth.Internal(err)
	}
	h.Log.Info("access token revoked", "client_id", c.ID, "jti", claims.ID)
	h.Audit.Record(ctx, audit.Event{Action: audit.TokenRevoked, Actor: c.ID, ClientID: c.ID, Target: claims.ID, Details: map[string]any{"token_type": hintAccessToken, "sub": claims.Subject}})
	return true, nil
}

// revokeRefresh revokes the grant of a refresh token issued to c: every
// refresh and access token of the family, and any minted for it later
// (RFC 7009 §2.1). It reports whether raw is one of our refresh tokens.
func (h *Handler) revokeRefresh(ctx context.Context, c storage.Client, raw string) (bool, error) {
	rec, err := h.Store.GetToken(ctx, secret.Hash(raw))
	if isNotFound(err) || err == nil && rec.Kind != storage.TokenRefresh {
		return false, nil
	}
	if err != nil {
		return false, oauth.Internal(err)
	}
	if rec.ClientID != c.ID {
		h.Log.Warn("revocation of another client's refresh token refused", "client_id", c.ID, "token_client_id", rec.ClientID)
		return true, nil
	}
	n, err := h.Store.RevokeGrant(ctx, rec.GrantID, h.Now().UTC())
	if err != nil {
		return true, oauth.Internal(err)
	}
	h.Log.Info("refresh token revoked with its grant", "client_id", c.ID, "grant_id", rec.GrantID,
		"token", secret.HashPrefix(raw), "revoked", n)
	h.Audit.Record(ctx, audit.Event{Action: audit.TokenRevoked, Actor: c.ID, UserID: rec.UserID, ClientID: c.ID, Target: rec.GrantID, Details: map[string]any{"token_type": hintRefreshToken, "tokens_revoked": n}})
	return true, nil
}

// lookupOrder is the order in which to try the token kinds: the hinted
// one first, then the other, since a wrong or unknown hint must not make
// the server miss the token (RFC 7009 §2.1, RFC 7662 §2.1).
func lookupOrder(hint string) []string {
	if hint == hintRefreshToken {
		return []string{hintRefreshToken, hintAccessToken}
	}
	return []string{hintAccessToken, hintRefreshToken}
}

// backChannelClient parses a revocation or introspection request and
// authenticates its client exactly as the token endpoint does (RFC 7009
// §2.1, RFC 7662 §2.1 refer to RFC 6749 §2.3).
func (h *Handler) backChannelClient(w http.ResponseWriter, r *http.Request) (storage.Client, map[string]string, error) {
	p, err := parseForm(w, r)
	if err != nil {
		return storage.Client{}, nil, err
	}
	creds, err := oauth.ParseClientCredentials(r.Header.Get("Authorization"), p)
	if err != nil {
		return storage.Client{}, nil, err
	}
	c, err := h.authenticate(r, creds)
	if err != nil {
		h.auditAuthFailure(r.Context(), r.URL.Path, creds, err)
		return storage.Client{}, nil, err
	}
	return c, p, nil
}

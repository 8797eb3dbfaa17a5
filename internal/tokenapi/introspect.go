package tokenapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// introspection is an introspection response (RFC 7662 §2.2). The zero
// value, {"active":false}, is the whole answer for any token that is not
// active or that the caller may not see: nothing else may leak (§2.2, §4).
type introspection struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	// Username is the user's email; absent for client-credentials tokens.
	Username string `json:"username,omitempty"`
	// TokenType is "Bearer" for access tokens, the RFC 6749 §7.1 type
	// RFC 7662 asks for. Refresh tokens have no such type, so for them it
	// is absent: a resource server that checks for "Bearer" cannot mistake
	// a refresh token for an access token.
	TokenType string `json:"token_type,omitempty"`
	ExpiresAt int64  `json:"exp,omitempty"`
	IssuedAt  int64  `json:"iat,omitempty"`
	Subject   string `json:"sub,omitempty"`
	// Audience is a string for one audience, a list for several, as in
	// the JWT (RFC 7519 §4.1.3); absent for refresh tokens.
	Audience any    `json:"aud,omitempty"`
	Issuer   string `json:"iss,omitempty"`
	JWTID    string `json:"jti,omitempty"`
}

// serveIntrospect is the introspection endpoint (RFC 7662). Only clients
// that authenticate with a credential may call it (§2.1 requires
// authorization); a client sees its own tokens, a resource server
// (Client.ResourceServer) everyone's.
func (h *Handler) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	resp, err := h.introspect(w, r)
	if err != nil {
		oauth.WriteError(w, h.Log, err)
		return
	}
	switch resp.Audience.(type) {
	case nil, string, []string:
		oauth.WriteJSONBody(w, http.StatusOK, resp.appendJSON(make([]byte, 0, 512)))
	default:
		oauth.WriteJSON(w, http.StatusOK, resp)
	}
}

// appendJSON appends the response as encoding/json would encode it
// (fields in order, omitempty), without reflection. Audience must be nil,
// a string or a []string.
func (r introspection) appendJSON(b []byte) []byte {
	b = append(b, `{"active":`...)
	b = strconv.AppendBool(b, r.Active)
	str := func(name, v string) {
		if v != "" {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = oauth.AppendJSONString(b, v)
		}
	}
	num := func(name string, v int64) {
		if v != 0 {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	str("scope", r.Scope)
	str("client_id", r.ClientID)
	str("username", r.Username)
	str("token_type", r.TokenType)
	num("exp", r.ExpiresAt)
	num("iat", r.IssuedAt)
	str("sub", r.Subject)
	if r.Audience != nil {
		b = append(b, `,"aud":`...)
		switch aud := r.Audience.(type) {
		case string:
			b = oauth.AppendJSONString(b, aud)
		case []string:
			if aud == nil {
				b = append(b, "null"...)
				break
			}
			b = append(b, '[')
			for i, a := range aud {
				if i > 0 {
					b = append(b, ',')
				}
				b = oauth.AppendJSONString(b, a)
			}
			b = append(b, ']')
		}
	}
	str("iss", r.Issuer)
	str("jti", r.JWTID)
	return append(b, '}')
}

func (h *Handler) introspect(w http.ResponseWriter, r *http.Request) (introspection, error) {
	client, p, err := h.backChannelClient(w, r)
	if err != nil {
		return introspection{}, err
	}
	if client.Type.Public() {
		// A public client presents only its ID, which anyone can copy:
		// that is no client authentication (RFC 6749 §2.3, §5.2), and
		// "none" is not among the methods discovery lists for this
		// endpoint, hence invalid_client rather than unauthorized_client.
		return introspection{}, clientFailure("token introspection requires client authentication; public clients cannot introspect tokens")
	}
	raw := p["token"]
	if raw == "" {
		return introspection{}, oauth.Errorf(oauth.InvalidRequest, "token is required")
	}
	ctx := r.Context()
	for _, kind := range lookupOrder(p["token_type_hint"]) {
		var (
			resp  introspection
			found bool
		)
		if kind == hintAccessToken {
			resp, found, err = h.introspectAccess(ctx, client, raw)
		} else {
			resp, found, err = h.introspectRefresh(ctx, client, raw)
		}
		if err != nil {
			return introspection{}, err
		}
		if found {
			return resp, nil
		}
	}
	return introspection{}, nil
}

// introspectAccess describes one of our access tokens. found is false when
// raw is not one of our valid JWT access tokens (malformed, foreign,
// badly signed or expired), so that the refresh lookup may be tried.
func (h *Handler) introspectAccess(ctx context.Context, c storage.Client, raw string) (introspection, bool, error) {
	claims, err := h.Tokens.VerifyAccessToken(ctx, raw)
	if errors.Is(err, token.ErrInvalid) {
		return introspection{}, false, nil
	}
	if err != nil {
		return introspection{}, false, oauth.Internal(err)
	}
	// VerifyAccessToken allows replicas' clocks some leeway; an answer of
	// "active" with an exp in the past would only confuse the caller.
	if !h.Now().Before(claims.ExpiresAt) || !visible(c, claims.ClientID) {
		return introspection{}, true, nil
	}
	rec, err := h.Store.GetToken(ctx, claims.ID)
	if isNotFound(err) || err == nil && (rec.Kind != storage.TokenAccess || rec.RevokedAt != nil) {
		return introspection{}, true, nil
	}
	if err != nil {
		return introspection{}, true, oauth.Internal(err)
	}
	username, ok, err := h.username(ctx, rec.UserID)
	if err != nil || !ok {
		return introspection{}, true, err
	}
	resp := introspection{
		Active:    true,
		Scope:     oauth.JoinScope(claims.Scopes),
		ClientID:  claims.ClientID,
		Username:  username,
		TokenType: "Bearer",
		ExpiresAt: claims.ExpiresAt.Unix(),
		Subject:   claims.Subject,
		Issuer:    h.Tokens.Issuer(),
		JWTID:     claims.ID,
	}
	if !claims.IssuedAt.IsZero() {
		resp.IssuedAt = claims.IssuedAt.Unix()
	}
	switch len(claims.Audience) {
	case 0:
	case 1:
		resp.Audience = claims.Audience[0]
	default:
		resp.Audience = claims.Audience
	}
	return resp, true, nil
}

// introspectRefresh describes one of our refresh tokens. A refresh token
// is active until it is revoked, rotated (its successor replaced it), idle
// past its expiry, or past its grant's absolute lifetime.
func (h *Handler) introspectRefresh(ctx context.Context, c storage.Client, raw string) (introspection, bool, error) {
	rec, err := h.Store.GetToken(ctx, secret.Hash(raw))
	if isNotFound(err) || err == nil && rec.Kind != storage.TokenRefresh {
		return introspection{}, false, nil
	}
	if err != nil {
		return introspection{}, false, oauth.Internal(err)
	}
	exp := rec.ExpiresAt
	if !rec.GrantExpiresAt.IsZero() && rec.GrantExpiresAt.Before(exp) {
		exp = rec.GrantExpiresAt
	}
	if rec.RevokedAt != nil || rec.RotatedAt != nil || !h.Now().Before(exp) || !visible(c, rec.ClientID) {
		return introspection{}, true, nil
	}
	username, ok, err := h.username(ctx, rec.UserID)
	if err != nil || !ok {
		return introspection{}, true, err
	}
	return introspection{
		Active:    true,
		Scope:     oauth.JoinScope(rec.Scopes),
		ClientID:  rec.ClientID,
		Username:  username,
		ExpiresAt: exp.Unix(),
		IssuedAt:  rec.CreatedAt.Unix(),
		Subject:   rec.UserID,
		Issuer:    h.Tokens.Issuer(),
	}, true, nil
}

// visible reports whether caller may learn about a token issued to owner:
// its own, or any when it is a resource server (RFC 7662 §4 lets the
// server decide; every other token is reported inactive).
func visible(caller storage.Client, owner string) bool {
	return caller.ID == owner || caller.ResourceServer
}

// username returns the email of the token's user ("" for a token without
// one). ok is false when the user no longer exists: the token no longer
// stands for anyone, so it is inactive.
func (h *Handler) username(ctx context.Context, userID string) (string, bool, error) {
	if userID == "" {
		return "", true, nil
	}
	u, err := h.Store.GetUser(ctx, userID)
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, oauth.Internal(err)
	}
	return u.Email, true, nil
}

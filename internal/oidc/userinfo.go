package oidc

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// maxBodyBytes bounds a userinfo POST body.
const maxBodyBytes = 16 << 10

// userinfo returns claims about the token's user (OIDC Core §5.3). The
// token must be one of ours, unexpired, unrevoked, and carry openid.
func (h *Handler) userinfo(w http.ResponseWriter, r *http.Request) {
	raw, err := bearerToken(w, r)
	if err != nil {
		oauth.WriteBearerError(w, h.Log, h.Tokens.Issuer(), err)
		return
	}
	ctx := r.Context()
	claims, err := h.Tokens.VerifyAccessToken(ctx, raw)
	if errors.Is(err, token.ErrInvalid) {
		oauth.WriteBearerError(w, h.Log, h.Tokens.Issuer(), oauth.Errorf(oauth.InvalidToken, "the access token is not valid"))
		return
	}
	if err != nil {
		oauth.WriteError(w, h.Log, oauth.Internal(err))
		return
	}
	rec, err := h.Store.GetToken(ctx, claims.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound) || err == nil && rec.RevokedAt != nil:
		oauth.WriteBearerError(w, h.Log, h.Tokens.Issuer(), oauth.Errorf(oauth.InvalidToken, "the access token was revoked"))
		return
	case err != nil:
		oauth.WriteError(w, h.Log, oauth.Internal(err))
		return
	}
	if !slices.Contains(claims.Scopes, oauth.ScopeOpenID) {
		oauth.WriteBearerError(w, h.Log, h.Tokens.Issuer(), &oauth.Error{Code: oauth.InsufficientScope, Description: "the access token lacks the openid scope"})
		return
	}
	user, err := h.Store.GetUser(ctx, claims.Subject)
	if errors.Is(err, storage.ErrNotFound) {
		oauth.WriteBearerError(w, h.Log, h.Tokens.Issuer(), oauth.Errorf(oauth.InvalidToken, "the user no longer exists"))
		return
	}
	if err != nil {
		oauth.WriteError(w, h.Log, oauth.Internal(err))
		return
	}
	oauth.WriteJSON(w, http.StatusOK, token.UserClaims(user, claims.Scopes))
}

// bearerToken reads the token from the Authorization header or, for POST,
// the form body (RFC 6750 §2.1, §2.2). Using both is an error (§2); the
// URI query method (§2.3) is not supported.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, error) {
	var fromHeader, fromBody string
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return "", oauth.Errorf(oauth.InvalidRequest, "the Authorization header must be: Bearer <token>")
		}
		fromHeader = strings.TrimSpace(tok)
	}
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
			if err := r.ParseForm(); err != nil {
				return "", oauth.Errorf(oauth.InvalidRequest, "the request body could not be parsed")
			}
			if vals := r.PostForm["access_token"]; len(vals) > 1 {
				return "", oauth.Errorf(oauth.InvalidRequest, "access_token was sent more than once")
			}
			fromBody = r.PostForm.Get("access_token")
		}
	}
	switch {
	case fromHeader != "" && fromBody != "":
		return "", oauth.Errorf(oauth.InvalidRequest, "send the access token in one place only")
	case fromHeader != "":
		return fromHeader, nil
	case fromBody != "":
		return fromBody, nil
	}
	return "", &oauth.Error{Status: http.StatusUnauthorized}
}

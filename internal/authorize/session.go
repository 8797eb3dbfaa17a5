package authorize

import (
	"errors"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// currentSession returns the browser's session and user, or nil when the
// browser is not signed in (no cookie, unknown, expired, or user deleted).
func (h *Handler) currentSession(r *http.Request) (*storage.Session, storage.User, error) {
	c, err := r.Cookie(h.sessionCookie)
	if err != nil || c.Value == "" {
		return nil, storage.User{}, nil
	}
	ctx := r.Context()
	s, err := h.Store.GetSession(ctx, secret.Hash(c.Value), h.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.User{}, nil
	}
	if err != nil {
		return nil, storage.User{}, oauth.Internal(err)
	}
	u, err := h.Store.GetUser(ctx, s.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.User{}, nil
	}
	if err != nil {
		return nil, storage.User{}, oauth.Internal(err)
	}
	return &s, u, nil
}

// startSession signs the browser in as user with a brand-new session ID,
// ending any previous session (no session fixation).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, user storage.User) (storage.Session, error) {
	ctx := r.Context()
	if c, err := r.Cookie(h.sessionCookie); err == nil && c.Value != "" {
		if err := h.Store.DeleteSession(ctx, secret.Hash(c.Value)); err != nil {
			return storage.Session{}, err
		}
	}
	value := secret.NewToken()
	now := h.Now().UTC()
	s := storage.Session{ID: secret.Hash(value), UserID: user.ID, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(h.SessionTTL)}
	if err := h.Store.CreateSession(ctx, s); err != nil {
		return storage.Session{}, err
	}
	http.SetCookie(w, h.cookie(value, int(h.SessionTTL.Seconds())))
	return s, nil
}

// endSession deletes the browser's session and its cookie.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(h.sessionCookie); err == nil && c.Value != "" {
		if err := h.Store.DeleteSession(r.Context(), secret.Hash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, h.cookie("", -1))
	return nil
}

// cookie builds the session cookie: HttpOnly, SameSite=Lax (the redirect
// back from a client must carry it), and Secure with the __Host- prefix
// on https issuers.
func (h *Handler) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     h.sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.Secure,
		SameSite: http.SameSiteLaxMode,
	}
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

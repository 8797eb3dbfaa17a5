package authorize

import (
	"errors"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// currentSession returns the browser's session and user, or nil when the
// browser is not signed in (no cookie, unknown, expired, or user deleted).
// The cookie itself is internal/session's business.
func (h *Handler) currentSession(r *http.Request) (*storage.Session, storage.User, error) {
	s, u, err := h.sessions.Current(r)
	if err != nil {
		return nil, storage.User{}, oauth.Internal(err)
	}
	return s, u, nil
}

// startSession signs the browser in as user with a brand-new session ID,
// ending any previous session (no session fixation).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, user storage.User) (storage.Session, error) {
	return h.sessions.Start(w, r, user)
}

// endSession deletes the browser's session and its cookie.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	return h.sessions.End(w, r)
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

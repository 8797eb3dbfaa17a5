package account

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// maxPasswordLen bounds the work a password check makes argon2 do; admin
// refuses longer passwords too.
const maxPasswordLen = 1024

// maxClientIDLen bounds a client_id field; ours are far shorter.
const maxClientIDLen = 255

// actionFunc is an account action for a signed-in user whose form has
// passed the CSRF check.
type actionFunc func(w http.ResponseWriter, r *http.Request, sess storage.Session, user storage.User)

// action reads the form, refuses it without a valid CSRF token, and sends
// a browser that is no longer signed in to the login page.
func (h *Handler) action(run actionFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			h.badForm(w, http.StatusBadRequest, "The form could not be read. Go back to your account page and try again.")
			return
		}
		if !h.CSRF.Valid(r) {
			h.badForm(w, http.StatusForbidden, "The form has expired or was not sent by this site. Go back to your account page, reload it and try again.")
			return
		}
		sess, user, err := h.sessions.Current(r)
		if err != nil {
			h.internalError(w, err)
			return
		}
		if sess == nil {
			h.toLogin(w, r)
			return
		}
		run(w, r, *sess, user)
	})
}

// revokeApp removes an app's access: it deletes the consent first, so no
// new authorization slips through without asking, then revokes every
// grant, token and unused code the app holds for the user.
func (h *Handler) revokeApp(w http.ResponseWriter, r *http.Request, _ storage.Session, user storage.User) {
	clientID := r.PostForm.Get(web.FieldClientID)
	if clientID == "" || len(clientID) > maxClientIDLen || !utf8.ValidString(clientID) {
		h.badForm(w, http.StatusBadRequest, "The form was altered. Go back to your account page and try again.")
		return
	}
	ctx := r.Context()
	if err := h.Store.DeleteConsent(ctx, user.ID, clientID); err != nil {
		h.internalError(w, fmt.Errorf("delete consent: %w", err))
		return
	}
	n, err := h.Store.RevokeUserClient(ctx, user.ID, clientID, h.now())
	if err != nil {
		h.internalError(w, fmt.Errorf("revoke app: %w", err))
		return
	}
	h.Log.Info("app access removed by user", "user_id", user.ID, "client_id", clientID, "tokens_revoked", n)
	h.Audit.Record(ctx, audit.Event{Action: audit.ConsentRevoked, Actor: user.ID, UserID: user.ID, ClientID: clientID, RemoteIP: audit.RemoteIP(r), Details: map[string]any{"tokens_revoked": n}})
	backToPage(w, r, "revoked")
}

// signOutOthers ends every session of the user but this one.
func (h *Handler) signOutOthers(w http.ResponseWriter, r *http.Request, sess storage.Session, user storage.User) {
	n, err := h.Store.DeleteUserSessions(r.Context(), user.ID, sess.ID)
	if err != nil {
		h.internalError(w, fmt.Errorf("end other sessions: %w", err))
		return
	}
	h.Log.Info("other sessions signed out by user", "user_id", user.ID, "sessions", n)
	h.Audit.Record(r.Context(), audit.Event{Action: audit.UserSessionsEnded, Actor: user.ID, UserID: user.ID, RemoteIP: audit.RemoteIP(r), Details: map[string]any{"sessions_ended": n}})
	backToPage(w, r, "signed-out")
}

// changePassword checks the current password and the new one, stores the
// new hash and ends the user's other sessions.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, sess storage.Session, user storage.User) {
	current := r.PostForm.Get(web.FieldCurrentPassword)
	next := r.PostForm.Get(web.FieldNewPassword)
	fail := func(field, msg string) {
		h.render(w, r, http.StatusBadRequest, sess, user, view{passwordError: msg, passwordField: field})
	}
	switch {
	case current == "":
		fail(web.FieldCurrentPassword, "Enter your current password.")
		return
	case utf8.RuneCountInString(next) < admin.MinPasswordLen:
		fail(web.FieldNewPassword, fmt.Sprintf("Choose a new password of at least %d characters.", admin.MinPasswordLen))
		return
	case len(next) > maxPasswordLen:
		fail(web.FieldNewPassword, "That new password is too long. Choose a shorter one.")
		return
	case next != r.PostForm.Get(web.FieldConfirmPassword):
		fail(web.FieldConfirmPassword, "The new passwords do not match.")
		return
	}
	check, allowed := h.beginPasswordCheck(w, r, sess, user) // throttle.go
	if !allowed {
		return
	}
	defer check.end()
	ok := false
	if len(current) <= maxPasswordLen {
		var err error
		if ok, err = secret.CheckPassword(user.PasswordHash, current); err != nil {
			h.internalError(w, fmt.Errorf("check password: %w", err))
			return
		}
	}
	ctx := r.Context()
	if !ok {
		h.Log.Info("password change refused: wrong current password", "user_id", user.ID)
		if err := check.failed(ctx); err != nil {
			h.internalError(w, err)
			return
		}
		fail(web.FieldCurrentPassword, "Your current password is not correct.")
		return
	}
	if err := check.succeeded(ctx); err != nil {
		h.internalError(w, err)
		return
	}
	if err := h.Store.UpdateUserPassword(ctx, user.ID, secret.HashPassword(next), h.now()); err != nil {
		h.internalError(w, fmt.Errorf("update password: %w", err))
		return
	}
	n, err := h.Store.DeleteUserSessions(ctx, user.ID, sess.ID)
	if err != nil {
		h.internalError(w, fmt.Errorf("end other sessions: %w", err))
		return
	}
	// Whoever knew the old password may hold refresh tokens too: revoke
	// every app's tokens (RFC 6819 §5.2.2.3). The approvals stay, so the
	// apps can sign the user in again without asking.
	revoked, err := h.revokeAllTokens(ctx, user.ID)
	if err != nil {
		h.internalError(w, fmt.Errorf("revoke tokens: %w", err))
		return
	}
	h.Log.Info("password changed by user", "user_id", user.ID, "sessions_ended", n, "tokens_revoked", revoked)
	h.Audit.Record(ctx, audit.Event{Action: audit.UserPasswordChanged, Actor: user.ID, UserID: user.ID, RemoteIP: audit.RemoteIP(r), Details: map[string]any{"sessions_ended": n, "tokens_revoked": revoked}})
	backToPage(w, r, "password")
}

// revokeAllTokens revokes the tokens of every app the user approved.
func (h *Handler) revokeAllTokens(ctx context.Context, userID string) (int, error) {
	consents, err := h.Store.ListConsents(ctx, userID)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range consents {
		n, err := h.Store.RevokeUserClient(ctx, userID, c.ClientID, h.now())
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// now is the current time as the store keeps it.
func (h *Handler) now() time.Time { return h.Now().UTC().Truncate(time.Microsecond) }

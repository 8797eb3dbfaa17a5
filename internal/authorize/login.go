package authorize

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/session"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

// errLoginFailed is deliberately vague: it must not reveal whether the
// account exists.
const errLoginFailed = "The email or password is not correct."

// maxPasswordLen bounds the work an attacker can make argon2 do.
const maxPasswordLen = 1024

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, f flow, email, msg string) {
	h.renderLoginStatus(w, r, f, email, msg, http.StatusOK)
}

// renderLoginStatus is renderLogin with another status, such as 429.
func (h *Handler) renderLoginStatus(w http.ResponseWriter, r *http.Request, f flow, email, msg string, status int) {
	data := web.LoginData{
		ClientName: f.client.Name,
		Email:      email,
		Error:      msg,
		CSRFToken:  h.CSRF.Token(w, r),
		Request:    f.raw,
	}
	if f.raw == "" {
		data.ReturnTo = returnTo(r)
	}
	h.Pages.Render(w, status, web.PageLogin, data)
}

// returnTo is the safe same-origin path a direct sign-in returns to: the
// return_to query parameter of GET /login, or the form field of POST
// /login; "" when there is none or it could lead off this server.
func returnTo(r *http.Request) string {
	if r.Method == http.MethodPost {
		return session.ReturnPath(r.PostForm.Get(web.FieldReturnTo))
	}
	return session.ReturnPath(r.URL.Query().Get(web.FieldReturnTo))
}

// loginPage shows the login form outside any authorization request.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, flow{}, "", "")
}

// login checks the password, starts a session and resumes the
// authorization request the form carried, if any; otherwise it returns to
// the form's return path (say, the account page), if any.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.errorPage(w, err)
		return
	}
	if !h.CSRF.Valid(r) {
		h.errorPage(w, errCSRF)
		return
	}
	raw := r.PostForm.Get("authz")
	params, err := url.ParseQuery(raw)
	if err != nil {
		h.errorPage(w, oauth.Errorf(oauth.InvalidRequest, "the sign-in form was altered"))
		return
	}
	var f flow
	if raw != "" {
		req, client, err := h.parseRequest(r.Context(), params)
		if err != nil {
			h.fail(w, r, req, err)
			return
		}
		f = flow{req: req, client: client, raw: raw}
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	attempt, ok := h.beginAttempt(w, r, f, email) // throttle.go
	if !ok {
		return
	}
	defer attempt.end()
	user, ok, err := h.checkPassword(r, email, r.PostForm.Get("password"))
	if err != nil {
		h.fail(w, r, f.req, oauth.Internal(err))
		return
	}
	if !ok {
		h.Log.Info("login failed", "client_id", f.req.ClientID)
		h.Audit.Record(r.Context(), audit.Event{Action: audit.LoginFailure, Actor: audit.ActorAnonymous, UserID: user.ID, ClientID: f.req.ClientID, RemoteIP: audit.RemoteIP(r)})
		if err := attempt.failed(r.Context()); err != nil {
			h.fail(w, r, f.req, oauth.Internal(err))
			return
		}
		h.renderLogin(w, r, f, email, errLoginFailed)
		return
	}
	if err := attempt.succeeded(r.Context()); err != nil {
		h.fail(w, r, f.req, oauth.Internal(err))
		return
	}
	sess, err := h.startSession(w, r, user)
	if err != nil {
		h.fail(w, r, f.req, oauth.Internal(err))
		return
	}
	h.Log.Info("login succeeded", "user_id", user.ID, "client_id", f.req.ClientID)
	h.Audit.Record(r.Context(), audit.Event{Action: audit.LoginSuccess, Actor: user.ID, UserID: user.ID, ClientID: f.req.ClientID, RemoteIP: audit.RemoteIP(r)})
	if raw == "" {
		if to := returnTo(r); to != "" {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		h.Pages.Render(w, http.StatusOK, web.PageMessage, web.MessageData{Title: "You are signed in", Message: "You can close this page and return to your application."})
		return
	}
	h.proceed(w, r, f, &sess, user, true)
}

// checkPassword verifies the credentials in constant work whether or not
// the account exists.
func (h *Handler) checkPassword(r *http.Request, email, password string) (storage.User, bool, error) {
	if email == "" || password == "" || len(password) > maxPasswordLen {
		return storage.User{}, secret.BurnPasswordCheck(password), nil
	}
	user, err := h.Store.GetUserByEmail(r.Context(), strings.ToLower(email))
	if errors.Is(err, storage.ErrNotFound) {
		return storage.User{}, secret.BurnPasswordCheck(password), nil
	}
	if err != nil {
		return storage.User{}, false, err
	}
	ok, err := secret.CheckPassword(user.PasswordHash, password)
	if err != nil {
		return storage.User{}, false, err
	}
	return user, ok, nil
}

var errCSRF = oauth.Errorf(oauth.InvalidRequest, "the form has expired or was not sent by this site")

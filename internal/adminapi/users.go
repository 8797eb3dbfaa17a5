package adminapi

import (
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// userJSON is a user as the API shows it: never the password hash.
type userJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Groups    []string  `json:"groups"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toUser(u storage.User) userJSON {
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Groups: groups, Admin: u.Admin,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := h.svc.ListUsers(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, toUser(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		Groups   []string `json:"groups"`
		Admin    bool     `json:"admin"`
		Password string   `json:"password"`
	}
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	u, err := h.svc.CreateUser(r.Context(), admin.NewUser(in))
	if isAlreadyExists(err) {
		writeError(w, http.StatusConflict, codeConflict, "email", "a user with this email already exists")
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	created(w, "/users/"+u.ID, toUser(u))
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toUser(u))
}

// updateUser changes the members given: name, groups, admin. The email
// cannot change; the password has its own route.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   *string   `json:"name"`
		Groups *[]string `json:"groups"`
		Admin  *bool     `json:"admin"`
	}
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	u, err := h.svc.UpdateUser(r.Context(), r.PathValue("id"), admin.UserUpdate(in))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toUser(u))
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteUser(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setPassword replaces the user's password; it ends the user's sessions
// and revokes their apps' tokens (admin.Service.SetPassword).
func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	if err := h.svc.SetPassword(r.Context(), r.PathValue("id"), in.Password); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

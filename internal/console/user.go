package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// One user's page: their details with an edit form (name, groups, the
// admin flag), a form to set a new password, and deletion behind a
// confirmation page. Every change goes through admin.Service, which
// refuses to demote or delete the last administrator (admin.ErrLastAdmin).

// userData fills the user page.
type userData struct {
	Target storage.User // the user shown; the signed-in one is view.User
	Self   bool         // the signed-in administrator's own page
	Name   string
	Groups string // comma-separated
	Admin  bool
	Errors map[string]string
	Saved  string // what was just changed, for the notice
}

// lastAdminMessage explains admin.ErrLastAdmin.
const lastAdminMessage = "This is the only administrator. Make another user an administrator first: without one, nobody could sign in to this console or use the admin API."

func (c *Console) user(w http.ResponseWriter, r *http.Request, a *adminUser) {
	u, ok := c.loadUser(w, r, a)
	if !ok {
		return
	}
	c.showUser(w, r, a, http.StatusOK, userFormOf(u, a), "")
}

// userFormOf is the user page for u as stored.
func userFormOf(u storage.User, a *adminUser) userData {
	return userData{Target: u, Self: u.ID == a.ID, Name: u.Name, Groups: strings.Join(u.Groups, ", "), Admin: u.Admin}
}

func (c *Console) showUser(w http.ResponseWriter, r *http.Request, a *adminUser, status int, d userData, notice string) {
	c.renderView(w, r, status, "user", view{Title: d.Target.Email, Section: "users", User: a, Data: d, Notice: notice})
}

// loadUser loads the user the path names; on failure it has answered
// (404 page) and returns false.
func (c *Console) loadUser(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.User, bool) {
	u, err := c.o.Admin.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, a, "User", err)
		return storage.User{}, false
	}
	return u, true
}

// postedUser reads a posted form (checking its CSRF token) and loads the
// user the path names; on failure it has answered and returns false.
func (c *Console) postedUser(w http.ResponseWriter, r *http.Request, a *adminUser) (storage.User, bool) {
	if !c.parseForm(w, r, a) {
		return storage.User{}, false
	}
	return c.loadUser(w, r, a)
}

// userError answers a failed change to the user of d: the page again
// with the message next to its field (409 for the last administrator,
// 400 for a validation error), 404 for a user deleted meanwhile, 500
// otherwise.
func (c *Console) userError(w http.ResponseWriter, r *http.Request, a *adminUser, d userData, err error) {
	switch {
	case errors.Is(err, admin.ErrLastAdmin):
		d.Errors = map[string]string{"admin": lastAdminMessage}
		c.showUser(w, r, a, http.StatusConflict, d, "")
	case errors.Is(err, storage.ErrNotFound):
		c.storeError(w, r, a, "User", err)
	default:
		errs, err := fieldErrors(err)
		if err != nil {
			c.serverError(w, r, a, err)
			return
		}
		d.Errors = errs
		c.showUser(w, r, a, http.StatusBadRequest, d, "")
	}
}

// updateUser saves the edit form: name, groups and the admin flag.
func (c *Console) updateUser(w http.ResponseWriter, r *http.Request, a *adminUser) {
	u, ok := c.postedUser(w, r, a)
	if !ok {
		return
	}
	ctx := r.Context()
	d := userFormOf(u, a)
	d.Name, d.Groups, d.Admin = r.PostForm.Get("name"), r.PostForm.Get("groups"), r.PostForm.Get("admin") == "on"
	groups := splitGroups(d.Groups)
	if groups == nil {
		groups = []string{}
	}
	updated, err := c.o.Admin.UpdateUser(ctx, u.ID, admin.UserUpdate{Name: &d.Name, Groups: &groups, Admin: &d.Admin})
	if err != nil {
		c.userError(w, r, a, d, err)
		return
	}
	if updated.ID == a.ID && !updated.Admin {
		// No longer an administrator: the console is closed to them now.
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	c.showUser(w, r, a, http.StatusOK, userFormOf(updated, a), "Saved the changes to "+updated.Email+".")
}

// setPassword replaces the user's password; admin.Service.SetPassword
// also ends their sessions and revokes their apps' tokens.
func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, a *adminUser) {
	u, ok := c.postedUser(w, r, a)
	if !ok {
		return
	}
	ctx := r.Context()
	d := userFormOf(u, a)
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("password_confirm") {
		d.Errors = map[string]string{"password_confirm": "The two passwords differ."}
		c.showUser(w, r, a, http.StatusBadRequest, d, "")
		return
	}
	if err := c.o.Admin.SetPassword(ctx, u.ID, pw); err != nil {
		c.userError(w, r, a, d, err)
		return
	}
	c.showUser(w, r, a, http.StatusOK, d, "Set a new password for "+u.Email+". Their sessions have ended and their apps' tokens are revoked.")
}

// userDeleteData fills the confirmation page.
type userDeleteData struct {
	Target storage.User
	Error  string
}

func (c *Console) confirmDeleteUser(w http.ResponseWriter, r *http.Request, a *adminUser) {
	u, ok := c.loadUser(w, r, a)
	if !ok {
		return
	}
	c.renderView(w, r, http.StatusOK, "user_delete", view{Title: "Delete " + u.Email, Section: "users", User: a, Data: userDeleteData{Target: u}})
}

// deleteUser deletes the user, with their sessions, consents and tokens,
// once the administrator typed the email address to confirm.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, a *adminUser) {
	u, ok := c.postedUser(w, r, a)
	if !ok {
		return
	}
	ctx := r.Context()
	again := func(status int, msg string) {
		c.renderView(w, r, status, "user_delete", view{Title: "Delete " + u.Email, Section: "users", User: a, Data: userDeleteData{Target: u, Error: msg}})
	}
	if !strings.EqualFold(strings.TrimSpace(r.PostForm.Get("confirm")), u.Email) {
		again(http.StatusBadRequest, "Type the user's email address exactly to confirm.")
		return
	}
	err := c.o.Admin.DeleteUser(ctx, u.ID)
	switch {
	case errors.Is(err, admin.ErrLastAdmin):
		again(http.StatusConflict, lastAdminMessage)
		return
	case err != nil:
		c.storeError(w, r, a, "User", err)
		return
	}
	if u.ID == a.ID {
		// Their own account: the session went with it.
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	c.showUsers(w, r, a, http.StatusOK, usersData{}, "Deleted "+u.Email+".")
}

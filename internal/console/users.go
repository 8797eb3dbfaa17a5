package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// usersData fills the users page with its create form.
type usersData struct {
	Users  []storage.User
	Email  string
	Name   string
	Groups string
	Admin  bool
	Errors map[string]string
}

func (c *Console) users(w http.ResponseWriter, r *http.Request, a *adminUser) {
	c.showUsers(w, r, a, http.StatusOK, usersData{}, "")
}

func (c *Console) showUsers(w http.ResponseWriter, r *http.Request, a *adminUser, status int, d usersData, notice string) {
	us, err := c.o.Admin.ListUsers(r.Context())
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	d.Users = us
	c.renderView(w, r, status, "users", view{Title: "Users", User: a, Data: d, Notice: notice})
}

// createUser adds a user with a password the administrator chose and
// passes on (the user can change it on the account page).
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	d := usersData{
		Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"),
		Groups: r.PostForm.Get("groups"), Admin: r.PostForm.Get("admin") == "on",
	}
	in := admin.NewUser{Email: d.Email, Name: d.Name, Admin: d.Admin, Password: r.PostForm.Get("password"), Groups: splitGroups(d.Groups)}
	u, err := c.o.Admin.CreateUser(r.Context(), in)
	if errors.Is(err, storage.ErrAlreadyExists) {
		d.Errors = map[string]string{"email": "A user with this email address already exists."}
		c.showUsers(w, r, a, http.StatusConflict, d, "")
		return
	}
	if err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.serverError(w, r, a, err)
			return
		}
		d.Errors = errs
		c.showUsers(w, r, a, http.StatusBadRequest, d, "")
		return
	}
	c.showUsers(w, r, a, http.StatusCreated, usersData{}, "Added "+u.Email+".")
}

// splitGroups reads a comma-separated list of group names.
func splitGroups(s string) []string {
	var out []string
	for g := range strings.SplitSeq(s, ",") {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

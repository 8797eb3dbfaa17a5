package console

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Groups are not records of their own (admin.Group): a group exists while
// a user names it in storage.User.Groups, and access tokens carry those
// names in the groups claim. The page lists each group with its members,
// removes a member, adds one, and starts a group by adding its first
// member.

// groupsData fills the groups page.
type groupsData struct {
	Groups []groupView
	Users  []storage.User // for the "new group" form
	Group  string         // the new group form's name, shown again with an error
	Errors map[string]string
}

// groupView is a group with the users who could join it.
type groupView struct {
	admin.Group
	Candidates []storage.User
}

func (c *Console) groups(w http.ResponseWriter, r *http.Request, a *adminUser) {
	c.showGroups(w, r, a, http.StatusOK, groupsData{}, "")
}

func (c *Console) showGroups(w http.ResponseWriter, r *http.Request, a *adminUser, status int, d groupsData, notice string) {
	ctx := r.Context()
	gs, err := c.o.Admin.ListGroups(ctx)
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	if d.Users, err = c.o.Admin.ListUsers(ctx); err != nil {
		c.serverError(w, r, a, err)
		return
	}
	d.Groups = make([]groupView, 0, len(gs))
	for _, g := range gs {
		gv := groupView{Group: g}
		for _, u := range d.Users {
			if !slices.ContainsFunc(g.Members, func(m admin.GroupMember) bool { return m.ID == u.ID }) {
				gv.Candidates = append(gv.Candidates, u)
			}
		}
		d.Groups = append(d.Groups, gv)
	}
	c.renderView(w, r, status, "groups", view{Title: "Groups", User: a, Data: d, Notice: notice})
}

// addToGroup adds a user to a group (fields group, user_id), creating the
// group if it had no members.
func (c *Console) addToGroup(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	group, id := r.PostForm.Get("group"), r.PostForm.Get("user_id")
	u, err := c.o.Admin.AddToGroup(r.Context(), group, id)
	if errors.Is(err, storage.ErrNotFound) {
		c.showGroups(w, r, a, http.StatusBadRequest, groupsData{Group: group, Errors: map[string]string{"user": "Choose a user."}}, "")
		return
	}
	if err != nil {
		errs, err := fieldErrors(err)
		if err != nil {
			c.serverError(w, r, a, err)
			return
		}
		c.showGroups(w, r, a, http.StatusBadRequest, groupsData{Group: group, Errors: errs}, "")
		return
	}
	c.showGroups(w, r, a, http.StatusOK, groupsData{}, "Added "+u.Email+" to "+group+".")
}

// removeFromGroup removes a user from a group (fields group, user_id).
func (c *Console) removeFromGroup(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	group := r.PostForm.Get("group")
	u, err := c.o.Admin.RemoveFromGroup(r.Context(), group, r.PostForm.Get("user_id"))
	if errors.Is(err, storage.ErrNotFound) {
		c.fail(w, r, a, http.StatusNotFound, "Not a member", "This user is not in the group, or no longer exists. Go back to the groups page and reload it.")
		return
	}
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	c.showGroups(w, r, a, http.StatusOK, groupsData{}, "Removed "+u.Email+" from "+group+".")
}

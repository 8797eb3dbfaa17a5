package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// withoutCSRF is v less its CSRF token.
func withoutCSRF(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k != "csrf_token" {
			out[k] = vs
		}
	}
	return out
}

// TestConsoleUserForms edits a user on their page (name, groups, admin
// flag), sets a password and deletes the user; every form refuses a post
// without its CSRF token and reports bad input at the field, and the last
// administrator can be neither demoted nor deleted; on SQLite and
// PostgreSQL.
func TestConsoleUserForms(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newConsoleEnv(t, opt)
		ctx := context.Background()
		b, _ := e.signIn(t, consoleAdmin)
		bob := e.PlainUser
		page := "/console/users/" + bob.ID
		edit, pw, del := page+"/edit", page+"/password", page+"/delete"

		p := b.Get(e.URL + "/console/users")
		wantPage(t, p, http.StatusOK, `href="`+page+`"`)
		p = b.Get(e.URL + page)
		wantPage(t, p, http.StatusOK, consoleUser, `value="Bob"`, `value="staff"`, "Set a new password", "Delete user")
		wantPage(t, b.Get(e.URL+"/console/users/nope"), http.StatusNotFound, "User not found")

		// Edit: a bad group name is reported at the groups field.
		form := p.Form(t, edit)
		form.Set("groups", "staff, "+strings.Repeat("g", 101))
		wantPage(t, b.PostForm(e.URL+edit, form), http.StatusBadRequest, `id="err-group"`, `aria-invalid="true"`)
		wantPage(t, b.PostForm(e.URL+edit, withoutCSRF(form)), http.StatusForbidden, "This form has expired")
		form.Set("name", "Robert")
		form.Set("groups", "staff, ops, staff")
		form.Set("admin", "on")
		p = b.PostForm(e.URL+edit, form)
		wantPage(t, p, http.StatusOK, "Saved the changes to "+consoleUser, `value="Robert"`, `value="staff, ops"`)
		got, err := e.Admin.GetUser(ctx, bob.ID)
		if err != nil || got.Name != "Robert" || !slices.Equal(got.Groups, []string{"staff", "ops"}) || !got.Admin {
			t.Fatalf("saved user = %+v, %v", got, err)
		}

		// Set a password: the two must agree and follow the rules.
		p = b.Get(e.URL + page)
		for _, tc := range []struct {
			pw, confirm, want string
		}{
			{"long enough pw", "long enough pW", `id="err-password_confirm"`},
			{"short", "short", `id="err-password"`},
		} {
			wantPage(t, b.Submit(p, pw, map[string]string{"password": tc.pw, "password_confirm": tc.confirm}, "", ""), http.StatusBadRequest, tc.want)
		}
		f := p.Form(t, pw)
		f.Set("password", "a brand new password")
		f.Set("password_confirm", "a brand new password")
		wantPage(t, b.PostForm(e.URL+pw, withoutCSRF(f)), http.StatusForbidden, "This form has expired")
		wantPage(t, b.PostForm(e.URL+pw, f), http.StatusOK, "Set a new password for "+consoleUser)
		got, _ = e.Store.GetUser(ctx, bob.ID)
		if ok, err := secret.CheckPassword(got.PasswordHash, "a brand new password"); !ok || err != nil {
			t.Errorf("the new password does not verify: %v, %v", ok, err)
		}

		// Delete: the email must be typed; then the user is gone.
		p = b.Get(e.URL + del)
		wantPage(t, p, http.StatusOK, "Delete "+consoleUser+"?")
		wantPage(t, b.Submit(p, del, map[string]string{"confirm": "bob"}, "", ""), http.StatusBadRequest, "Type the user")
		wantPage(t, b.PostForm(e.URL+del, url.Values{"confirm": {consoleUser}}), http.StatusForbidden, "This form has expired")
		if _, err := e.Admin.GetUser(ctx, bob.ID); err != nil {
			t.Fatalf("deleted without confirmation: %v", err)
		}
		p = b.Submit(p, del, map[string]string{"confirm": consoleUser}, "", "")
		wantPage(t, p, http.StatusOK, "Deleted "+consoleUser)
		if _, err := e.Admin.GetUser(ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}

		// Ada is now the only administrator: she can neither demote nor
		// delete herself, and says why at the field.
		me := "/console/users/" + e.AdminUser.ID
		p = b.Get(e.URL + me)
		form = p.Form(t, me+"/edit")
		form.Del("admin")
		p = b.PostForm(e.URL+me+"/edit", form)
		wantPage(t, p, http.StatusConflict, `id="err-admin"`, "only administrator")
		p = b.Get(e.URL + me + "/delete")
		p = b.Submit(p, me+"/delete", map[string]string{"confirm": consoleAdmin}, "", "")
		wantPage(t, p, http.StatusConflict, "only administrator")
		if u, err := e.Admin.GetUser(ctx, e.AdminUser.ID); err != nil || !u.Admin {
			t.Errorf("the last administrator = %+v, %v", u, err)
		}
		wantPage(t, b.Get(e.URL+"/console/users"), http.StatusOK, consoleAdmin)
	})
}

// TestConsoleGroups adds and removes group members on the groups page,
// starts a group, and refuses a bad name, a missing user and a post
// without the CSRF token.
func TestConsoleGroups(t *testing.T) {
	e := newConsoleEnv(t, servertest.Options{})
	ctx := context.Background()
	b, _ := e.signIn(t, consoleAdmin)
	p := b.Get(e.URL + "/console/groups")
	wantPage(t, p, http.StatusOK, "<h2 class=\"card-title\">staff</h2>", consoleUser, "Add a member to staff", "New group")
	add := p.Form(t, "/console/groups/add") // the staff card's form comes first
	if add.Get("group") != "staff" {
		t.Fatalf("add form = %v", add)
	}
	add.Set("user_id", e.AdminUser.ID)
	wantPage(t, b.PostForm(e.URL+"/console/groups/add", withoutCSRF(add)), http.StatusForbidden, "This form has expired")
	p = b.PostForm(e.URL+"/console/groups/add", add)
	wantPage(t, p, http.StatusOK, "Added "+consoleAdmin+" to staff.")
	if u, _ := e.Admin.GetUser(ctx, e.AdminUser.ID); !slices.Equal(u.Groups, []string{"staff"}) {
		t.Errorf("admin's groups = %v", u.Groups)
	}

	bad := url.Values{"csrf_token": {add.Get("csrf_token")}, "group": {" "}, "user_id": {e.PlainUser.ID}}
	wantPage(t, b.PostForm(e.URL+"/console/groups/add", bad), http.StatusBadRequest, `id="err-group"`)
	bad.Set("group", "ops")
	bad.Set("user_id", "nobody")
	wantPage(t, b.PostForm(e.URL+"/console/groups/add", bad), http.StatusBadRequest, `id="err-user"`, `value="ops"`)
	bad.Set("user_id", e.PlainUser.ID)
	wantPage(t, b.PostForm(e.URL+"/console/groups/add", bad), http.StatusOK, "Added "+consoleUser+" to ops.", `<h2 class="card-title">ops</h2>`)

	remove := url.Values{"csrf_token": {add.Get("csrf_token")}, "group": {"staff"}, "user_id": {e.PlainUser.ID}}
	wantPage(t, b.PostForm(e.URL+"/console/groups/remove", withoutCSRF(remove)), http.StatusForbidden, "This form has expired")
	wantPage(t, b.PostForm(e.URL+"/console/groups/remove", remove), http.StatusOK, "Removed "+consoleUser+" from staff.")
	wantPage(t, b.PostForm(e.URL+"/console/groups/remove", remove), http.StatusNotFound, "Not a member")
	if u, _ := e.Admin.GetUser(ctx, e.PlainUser.ID); !slices.Equal(u.Groups, []string{"ops"}) {
		t.Errorf("bob's groups = %v", u.Groups)
	}
}

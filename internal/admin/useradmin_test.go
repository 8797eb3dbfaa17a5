package admin

import (
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	root, err := svc.CreateUser(ctx, NewUser{Email: "root@example.com", Admin: true, Password: "password1"})
	if err != nil {
		t.Fatal(err)
	}
	ada, err := svc.CreateUser(ctx, NewUser{Email: "ada@example.com", Name: "Ada", Groups: []string{"eng"}, Password: "password1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		id      string
		in      UserUpdate
		field   string // expected ValidationError field
		wantErr error
		check   func(u storage.User) bool
	}{
		{"rename", ada.ID, UserUpdate{Name: ptr("  Ada L.  ")}, "", nil, func(u storage.User) bool { return u.Name == "Ada L." }},
		{"groups trimmed and deduped", ada.ID, UserUpdate{Groups: ptr([]string{" ops ", "ops", "eng"})}, "", nil,
			func(u storage.User) bool { return slices.Equal(u.Groups, []string{"ops", "eng"}) && u.Name == "Ada L." }},
		{"promote", ada.ID, UserUpdate{Admin: ptr(true)}, "", nil, func(u storage.User) bool { return u.Admin }},
		{"demote while another admin remains", root.ID, UserUpdate{Admin: ptr(false)}, "", nil, func(u storage.User) bool { return !u.Admin }},
		{"demote the last admin", ada.ID, UserUpdate{Admin: ptr(false)}, "", ErrLastAdmin, nil},
		{"empty group", ada.ID, UserUpdate{Groups: ptr([]string{" "})}, "group", nil, nil},
		{"control character in name", ada.ID, UserUpdate{Name: ptr("a\x00b")}, "name", nil, nil},
		{"unknown user", "absent", UserUpdate{Name: ptr("x")}, "", storage.ErrNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := svc.UpdateUser(ctx, tt.id, tt.in)
			switch {
			case tt.field != "":
				wantField(t, err, tt.field, "")
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				stored, err := svc.GetUser(ctx, tt.id)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.check(u) || !tt.check(stored) {
					t.Errorf("returned %+v, stored %+v", u, stored)
				}
			}
		})
	}
}

func TestDeleteUserAndPassword(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := t.Context()
	root, _ := svc.CreateUser(ctx, NewUser{Email: "root@example.com", Admin: true, Password: "password1"})
	bob, err := svc.CreateUser(ctx, NewUser{Email: "bob@example.com", Password: "password1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteUser(ctx, root.ID); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("DeleteUser(last admin) = %v, want ErrLastAdmin", err)
	}
	wantField(t, svc.SetPassword(ctx, bob.ID, "short"), "password", "at least")
	if err := svc.SetPassword(ctx, "absent", "password2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetPassword(absent) = %v, want ErrNotFound", err)
	}
	if err := st.CreateSession(ctx, storage.Session{ID: "s1", UserID: bob.ID, AuthTime: clock, CreatedAt: clock, ExpiresAt: clock.Add(1e12)}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetPassword(ctx, bob.ID, "new password"); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.GetUser(ctx, bob.ID)
	if ok, _ := secret.CheckPassword(got.PasswordHash, "new password"); !ok {
		t.Error("SetPassword did not store the new password")
	}
	if _, err := st.GetSession(ctx, "s1", clock); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("session after SetPassword: %v, want ErrNotFound", err)
	}
	if err := svc.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetUser(ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetUser after DeleteUser: %v", err)
	}
	if err := svc.DeleteUser(ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteUser twice: %v, want ErrNotFound", err)
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	a, _ := svc.CreateUser(ctx, NewUser{Email: "a@example.com", Groups: []string{"eng"}, Password: "password1"})
	b, _ := svc.CreateUser(ctx, NewUser{Email: "b@example.com", Password: "password1"})
	if _, err := svc.AddToGroup(ctx, "eng", b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddToGroup(ctx, "ops", b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddToGroup(ctx, "ops", b.ID); err != nil {
		t.Fatalf("adding again: %v", err)
	}
	_, err := svc.AddToGroup(ctx, "", b.ID)
	wantField(t, err, "group", "")
	if _, err := svc.AddToGroup(ctx, "eng", "absent"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AddToGroup(absent user) = %v", err)
	}
	groups, err := svc.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	summary := map[string][]string{}
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
		for _, m := range g.Members {
			summary[g.Name] = append(summary[g.Name], m.Email)
		}
	}
	if !slices.Equal(names, []string{"eng", "ops"}) || !slices.Equal(summary["eng"], []string{"a@example.com", "b@example.com"}) ||
		!slices.Equal(summary["ops"], []string{"b@example.com"}) {
		t.Errorf("ListGroups = %v %v", names, summary)
	}
	if _, err := svc.RemoveFromGroup(ctx, "ops", a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RemoveFromGroup(non-member) = %v, want ErrNotFound", err)
	}
	if _, err := svc.RemoveFromGroup(ctx, "ops", b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetGroup(ctx, "ops"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetGroup of an emptied group = %v, want ErrNotFound", err)
	}
	g, err := svc.GetGroup(ctx, "eng")
	if err != nil || len(g.Members) != 2 {
		t.Errorf("GetGroup(eng) = %+v, %v", g, err)
	}
}

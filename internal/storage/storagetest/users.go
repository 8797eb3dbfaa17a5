package storagetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// wantUser is in as a store returns it: the email lower-cased.
func wantUser(in storage.User) storage.User {
	in.Email = strings.ToLower(in.Email)
	return in
}

func testCreateUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	users := []struct {
		name string
		in   storage.User
	}{
		{"every field", storage.User{
			ID:           "user-full",
			Email:        "Ada.Lovelace@Example.COM",
			Name:         "Ada Lovelace",
			PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
			Groups:       []string{"admins", "engineering", "ünïcode"},
			Admin:        true,
			CreatedAt:    base,
			UpdatedAt:    at(90 * time.Minute),
		}},
		{"nil groups", storage.User{
			ID:           "user-nil",
			Email:        "nil@example.com",
			PasswordHash: "hash",
			CreatedAt:    base,
			UpdatedAt:    base,
		}},
		{"empty groups", storage.User{
			ID:           "user-empty",
			Email:        "empty@example.com",
			PasswordHash: "hash",
			Groups:       []string{},
			CreatedAt:    base,
			UpdatedAt:    base,
		}},
	}
	for _, tt := range users {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateUser", s.CreateUser(ctx, tt.in), nil)
			got, err := s.GetUser(ctx, tt.in.ID)
			wantErr(t, "GetUser", err, nil)
			checkRecord(t, "GetUser", wantUser(tt.in), got)
			got, err = s.GetUserByEmail(ctx, tt.in.Email)
			wantErr(t, "GetUserByEmail", err, nil)
			checkRecord(t, "GetUserByEmail", wantUser(tt.in), got)
		})
	}

	orig := users[0].in
	conflicts := []struct {
		name string
		in   storage.User
	}{
		{"same id", storage.User{ID: orig.ID, Email: "other@example.com"}},
		{"same email", storage.User{ID: "user-2", Email: orig.Email}},
		{"same email lower-cased", storage.User{ID: "user-3", Email: strings.ToLower(orig.Email)}},
		{"same email upper-cased", storage.User{ID: "user-4", Email: strings.ToUpper(orig.Email)}},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.CreatedAt, tt.in.UpdatedAt = base, base
			wantErr(t, "CreateUser", s.CreateUser(ctx, tt.in), storage.ErrAlreadyExists)
		})
	}
	got, err := s.GetUser(ctx, orig.ID)
	wantErr(t, "GetUser after conflicts", err, nil)
	checkRecord(t, "GetUser after conflicts", wantUser(orig), got)
	list, err := s.ListUsers(ctx)
	wantErr(t, "ListUsers", err, nil)
	if len(list) != len(users) {
		t.Errorf("ListUsers after conflicts: got %d users, want %d", len(list), len(users))
	}
}

func testGetUser(t *testing.T, s storage.Store) {
	mustUser(t, s, "present")
	_, err := s.GetUser(t.Context(), "absent")
	wantErr(t, "GetUser(absent)", err, storage.ErrNotFound)
}

func testGetUserByEmail(t *testing.T, s storage.Store) {
	ctx := t.Context()
	u := storage.User{ID: "grace", Email: "Grace.Hopper@Example.com", CreatedAt: base, UpdatedAt: base}
	wantErr(t, "CreateUser", s.CreateUser(ctx, u), nil)
	mustUser(t, s, "other")

	tests := []struct {
		email string
		want  error
	}{
		{"grace.hopper@example.com", nil},
		{"GRACE.HOPPER@EXAMPLE.COM", nil},
		{"Grace.Hopper@Example.com", nil},
		{"gRACE.hOPPER@eXAMPLE.cOM", nil},
		{"grace.hopper@example.co", storage.ErrNotFound},
		{"race.hopper@example.com", storage.ErrNotFound},
		// Wildcards of LIKE must not match: the lookup is by equality.
		{"grace_hopper@example.com", storage.ErrNotFound},
		{"grace%", storage.ErrNotFound},
		{"", storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(cmp.Or(tt.email, "empty"), func(t *testing.T) {
			got, err := s.GetUserByEmail(ctx, tt.email)
			wantErr(t, "GetUserByEmail", err, tt.want)
			if tt.want == nil {
				checkRecord(t, "GetUserByEmail", wantUser(u), got)
			}
		})
	}
}

func testListUsers(t *testing.T, s storage.Store) {
	ctx := t.Context()
	got, err := s.ListUsers(ctx)
	wantErr(t, "ListUsers on empty store", err, nil)
	if len(got) != 0 {
		t.Fatalf("ListUsers on empty store: got %d users", len(got))
	}

	// Ordered by the lower-cased email, byte by byte: punctuation that a
	// natural-language collation would skip must still count.
	emails := []string{"b@example.com", "a_b@example.com", "AB@example.com", "a.b@example.com", "A-C@example.com", "Z@example.com"}
	var want []storage.User
	for i, e := range emails {
		u := storage.User{
			ID:        fmt.Sprintf("user-%d", i),
			Email:     e,
			Name:      e,
			Groups:    []string{"g" + e},
			CreatedAt: at(time.Duration(-i) * time.Hour),
			UpdatedAt: at(time.Duration(i) * time.Hour),
		}
		wantErr(t, "CreateUser", s.CreateUser(ctx, u), nil)
		want = append(want, wantUser(u))
	}
	slices.SortFunc(want, func(a, b storage.User) int { return strings.Compare(a.Email, b.Email) })

	got, err = s.ListUsers(ctx)
	wantErr(t, "ListUsers", err, nil)
	checkRecords(t, "ListUsers", want, got)
}

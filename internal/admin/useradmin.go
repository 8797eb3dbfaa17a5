package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// maxGroupLen bounds a group name, in characters.
const maxGroupLen = 100

// ErrLastAdmin means a change would leave no administrator, and so nobody
// who could sign in to the console or get an admin token to undo it.
var ErrLastAdmin = errors.New("the last administrator cannot be removed or demoted")

// UserUpdate is the input to UpdateUser; a nil field keeps its value.
type UserUpdate struct {
	Name   *string
	Groups *[]string
	Admin  *bool
}

// checkGroups trims and dedupes group names and checks each is 1 to
// maxGroupLen characters of text.
func checkGroups(groups []string) ([]string, error) {
	out := []string{}
	for i, g := range groups {
		g = strings.TrimSpace(g)
		if g == "" || utf8.RuneCountInString(g) > maxGroupLen || !plainText(g) {
			return nil, invalidItem("group", i+1, "group names must be non-empty text of at most %d characters, without control characters", maxGroupLen)
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out, nil
}

// checkUserName checks a display name: at most 200 characters of text.
func checkUserName(name string) (string, error) {
	if !plainText(name) || utf8.RuneCountInString(name) > 200 {
		return "", invalid("name", "must be at most 200 characters of text, without control characters")
	}
	return strings.TrimSpace(name), nil
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id string) (storage.User, error) {
	return s.store.GetUser(ctx, id)
}

// UpdateUser changes a user's name, groups or admin flag. Demoting the
// last administrator fails with ErrLastAdmin. The email and password do
// not change here (see SetPassword).
func (s *Service) UpdateUser(ctx context.Context, id string, in UserUpdate) (storage.User, error) {
	u, err := s.updateUser(ctx, id, in)
	return u, s.recorded(ctx, err, audit.Event{Action: audit.UserUpdated, UserID: id, Target: id, Details: userChanges(in)})
}

// userChanges names the fields an update sets, for the audit trail: the
// admin flag's new value, the groups, never anything secret.
func userChanges(in UserUpdate) map[string]any {
	d := map[string]any{}
	if in.Name != nil {
		d["name"] = true
	}
	if in.Groups != nil {
		d["groups"] = *in.Groups
	}
	if in.Admin != nil {
		d["admin"] = *in.Admin
	}
	return d
}

// updateUser is UpdateUser without the audit record, for callers that
// record a change of their own (AddToGroup, RemoveFromGroup).
func (s *Service) updateUser(ctx context.Context, id string, in UserUpdate) (storage.User, error) {
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return storage.User{}, fmt.Errorf("update user: %w", err)
	}
	if in.Name != nil {
		if u.Name, err = checkUserName(*in.Name); err != nil {
			return storage.User{}, err
		}
	}
	if in.Groups != nil {
		if u.Groups, err = checkGroups(*in.Groups); err != nil {
			return storage.User{}, err
		}
	}
	if in.Admin != nil {
		if u.Admin && !*in.Admin {
			if err := s.keepAnAdmin(ctx, id); err != nil {
				return storage.User{}, err
			}
		}
		u.Admin = *in.Admin
	}
	u.UpdatedAt = s.timestamp()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return storage.User{}, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

// keepAnAdmin fails with ErrLastAdmin unless an administrator other than
// the user id remains.
func (s *Service) keepAnAdmin(ctx context.Context, id string) error {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	if !slices.ContainsFunc(users, func(u storage.User) bool { return u.Admin && u.ID != id }) {
		return ErrLastAdmin
	}
	return nil
}

// DeleteUser deletes a user with their sessions, consents, codes and
// tokens (storage.UserAdminStore.DeleteUser). Deleting the last
// administrator fails with ErrLastAdmin.
func (s *Service) DeleteUser(ctx context.Context, id string) error {
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	if u.Admin {
		if err := s.keepAnAdmin(ctx, id); err != nil {
			return err
		}
	}
	if err := s.store.DeleteUser(ctx, id); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.UserDeleted, UserID: id, Target: id, Details: map[string]any{"admin": u.Admin}})
	return nil
}

// SetPassword replaces a user's password, as an administrator does for a
// user who lost theirs. Whoever knew the old one may be signed in or hold
// tokens, so it ends every session of the user and revokes the tokens of
// every app the user approved (RFC 6819 §5.2.2.3); the approvals stay.
func (s *Service) SetPassword(ctx context.Context, id, password string) error {
	n, err := s.setPassword(ctx, id, password)
	return s.recorded(ctx, err, audit.Event{Action: audit.UserPasswordSet, UserID: id, Target: id, Details: map[string]any{"apps_revoked": n}})
}

// setPassword is SetPassword without the audit record; it returns how
// many apps' tokens it revoked.
func (s *Service) setPassword(ctx context.Context, id, password string) (int, error) {
	if err := checkPassword(password); err != nil {
		return 0, err
	}
	now := s.timestamp()
	if err := s.store.UpdateUserPassword(ctx, id, secret.HashPassword(password), now); err != nil {
		return 0, fmt.Errorf("set password: %w", err)
	}
	if _, err := s.store.DeleteUserSessions(ctx, id, ""); err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	consents, err := s.store.ListConsents(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("list consents: %w", err)
	}
	for _, c := range consents {
		if _, err := s.store.RevokeUserClient(ctx, id, c.ClientID, now); err != nil {
			return 0, fmt.Errorf("revoke tokens: %w", err)
		}
	}
	return len(consents), nil
}

// checkPassword applies the password rules of CreateUser.
func checkPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return invalid("password", "must be at least %d characters", MinPasswordLen)
	}
	if len(password) > 1024 {
		return invalid("password", "must be at most 1024 bytes")
	}
	return nil
}

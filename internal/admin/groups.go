package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Group is a derived view: groups are not stored on their own but are the
// names users carry in User.Groups (and access tokens in their groups
// claim). A group exists while it has members.
type Group struct {
	Name    string
	Members []GroupMember // ordered by email
}

// GroupMember is a user as a group listing shows it.
type GroupMember struct {
	ID    string
	Email string
	Name  string
}

// ListGroups returns every group that has members, ordered by name (byte
// order), each with its members.
func (s *Service) ListGroups(ctx context.Context) ([]Group, error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	byName := map[string]*Group{}
	for _, u := range users {
		for _, g := range u.Groups {
			grp := byName[g]
			if grp == nil {
				grp = &Group{Name: g, Members: []GroupMember{}}
				byName[g] = grp
			}
			grp.Members = append(grp.Members, GroupMember{ID: u.ID, Email: u.Email, Name: u.Name})
		}
	}
	out := make([]Group, 0, len(byName))
	for _, g := range byName {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetGroup returns one group; a name no user carries gives
// storage.ErrNotFound.
func (s *Service) GetGroup(ctx context.Context, name string) (Group, error) {
	groups, err := s.ListGroups(ctx)
	if err != nil {
		return Group{}, err
	}
	i := slices.IndexFunc(groups, func(g Group) bool { return g.Name == name })
	if i < 0 {
		return Group{}, fmt.Errorf("group %q: %w", name, storage.ErrNotFound)
	}
	return groups[i], nil
}

// AddToGroup adds the user to the group, creating the group if it had no
// members; adding a member again changes nothing. An unknown user gives
// storage.ErrNotFound, a bad group name a ValidationError.
func (s *Service) AddToGroup(ctx context.Context, group, userID string) (storage.User, error) {
	names, err := checkGroups([]string{group})
	if ve := (*ValidationError)(nil); errors.As(err, &ve) {
		ve.Item = 0 // one name, not a list
	}
	if err != nil {
		return storage.User{}, err
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return storage.User{}, fmt.Errorf("add to group: %w", err)
	}
	if slices.Contains(u.Groups, names[0]) {
		return u, nil
	}
	groups := append(slices.Clone(u.Groups), names[0])
	u, err = s.updateUser(ctx, userID, UserUpdate{Groups: &groups})
	return u, s.recorded(ctx, err, audit.Event{Action: audit.GroupMemberAdded, UserID: userID, Target: names[0]})
}

// RemoveFromGroup removes the user from the group; a user who is not a
// member gives storage.ErrNotFound, so that a typo is not a silent no-op.
func (s *Service) RemoveFromGroup(ctx context.Context, group, userID string) (storage.User, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return storage.User{}, fmt.Errorf("remove from group: %w", err)
	}
	if !slices.Contains(u.Groups, group) {
		return storage.User{}, fmt.Errorf("user %s is not in group %q: %w", userID, group, storage.ErrNotFound)
	}
	groups := slices.DeleteFunc(slices.Clone(u.Groups), func(g string) bool { return g == group })
	u, err = s.updateUser(ctx, userID, UserUpdate{Groups: &groups})
	return u, s.recorded(ctx, err, audit.Event{Action: audit.GroupMemberRemoved, UserID: userID, Target: group})
}

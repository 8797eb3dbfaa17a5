package sqlite

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// UpdateUser replaces the user's name, groups, admin flag and UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, u storage.User) error {
	return s.execOne(ctx, "update user",
		`UPDATE users SET name = ?, group_names = ?, admin = ?, updated_at = ? WHERE id = ?`,
		u.Name, listOf(u.Groups), u.Admin, micros(u.UpdatedAt), u.ID)
}

// DeleteUser deletes the user; the foreign keys' ON DELETE CASCADE deletes
// its sessions, consents, authorization codes and tokens in the same
// statement.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete user", `DELETE FROM users WHERE id = ?`, id)
}

package postgres

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// UpdateUser replaces the user's name, groups, admin flag and UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, u storage.User) error {
	if !storable(u.ID) {
		return notFound("update user")
	}
	return s.execOne(ctx, "update user",
		`UPDATE users SET name = $2, group_names = $3, admin = $4, updated_at = $5 WHERE id = $1`,
		u.ID, u.Name, texts(u.Groups), u.Admin, u.UpdatedAt)
}

// DeleteUser deletes the user; the foreign keys' ON DELETE CASCADE deletes
// its sessions, consents, authorization codes and tokens in the same
// statement.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete user")
	}
	return s.execOne(ctx, "delete user", `DELETE FROM users WHERE id = $1`, id)
}

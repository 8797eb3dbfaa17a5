package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const userColumns = `id, email, name, password_hash, group_names, admin, created_at, updated_at`

func scanUser(r row) (storage.User, error) {
	var u storage.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, list{&u.Groups}, &u.Admin,
		microTime{&u.CreatedAt}, microTime{&u.UpdatedAt})
	return u, err
}

// CreateUser stores u with its email lower-cased, so that the UNIQUE
// constraint on email is case-insensitive.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	return s.exec(ctx, "create user",
		`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, strings.ToLower(u.Email), u.Name, u.PasswordHash, listOf(u.Groups), u.Admin,
		micros(u.CreatedAt), micros(u.UpdatedAt))
}

// GetUser returns the user with the given ID.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return storage.User{}, wrap("get user", err)
	}
	return u, nil
}

// GetUserByEmail returns the user with the given email, in any case.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (storage.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = ?`, strings.ToLower(email)))
	if err != nil {
		return storage.User{}, wrap("get user by email", err)
	}
	return u, nil
}

// UpdateUserPassword replaces the user's password hash and sets UpdatedAt
// to now.
func (s *Store) UpdateUserPassword(ctx context.Context, id, passwordHash string, now time.Time) error {
	return s.execOne(ctx, "update user password",
		`UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, micros(now), id)
}

// ListUsers returns every user ordered by email (byte order).
func (s *Store) ListUsers(ctx context.Context) ([]storage.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, wrap("list users", err)
	}
	return collect(rows, "list users", scanUser)
}

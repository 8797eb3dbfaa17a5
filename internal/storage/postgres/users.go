package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const userColumns = `id, email, name, password_hash, group_names, admin, created_at, updated_at`

func scanUser(r pgx.Row) (storage.User, error) {
	var u storage.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Groups, &u.Admin, &u.CreatedAt, &u.UpdatedAt)
	nonNil(&u.Groups)
	return u, err
}

// CreateUser stores u with its email lower-cased, so that the UNIQUE
// constraint on email is case-insensitive.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	return s.exec(ctx, "create user",
		`INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, strings.ToLower(u.Email), u.Name, u.PasswordHash, texts(u.Groups), u.Admin, u.CreatedAt, u.UpdatedAt)
}

// GetUser returns the user with the given ID.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	if !storable(id) {
		return storage.User{}, notFound("get user")
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return storage.User{}, wrap("get user", err)
	}
	return u, nil
}

// GetUserByEmail returns the user with the given email, in any case.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (storage.User, error) {
	if !storable(email) {
		return storage.User{}, notFound("get user by email")
	}
	u, err := scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = $1`, strings.ToLower(email)))
	if err != nil {
		return storage.User{}, wrap("get user by email", err)
	}
	return u, nil
}

// UpdateUserPassword replaces the user's password hash and sets UpdatedAt
// to now.
func (s *Store) UpdateUserPassword(ctx context.Context, id, passwordHash string, now time.Time) error {
	if !storable(id) {
		return notFound("update user password")
	}
	return s.execOne(ctx, "update user password",
		`UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`, id, passwordHash, now)
}

// ListUsers returns every user ordered by email (byte order: the column
// collates "C").
func (s *Store) ListUsers(ctx context.Context) ([]storage.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, wrap("list users", err)
	}
	return collect(rows, "list users", scanUser)
}

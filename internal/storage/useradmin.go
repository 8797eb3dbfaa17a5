package storage

import "context"

// UserAdminStore holds the changes an administrator makes to users through
// the admin API and the developer console.
type UserAdminStore interface {
	// UpdateUser replaces the Name, Groups, Admin and UpdatedAt of the
	// user u.ID names, leaving the email, password and CreatedAt alone; an
	// unknown ID gives ErrNotFound.
	UpdateUser(ctx context.Context, u User) error
	// DeleteUser deletes the user and, in the same statement, everything
	// issued under the user's name: sessions, consents, authorization
	// codes and tokens (access and refresh). Tokens are deleted, not
	// marked revoked, so introspection answers inactive, a refresh fails
	// and nothing keeps a deleted user's ID around. Access tokens a
	// resource server checks only by signature stay valid until they
	// expire, as revoked ones do. An unknown ID gives ErrNotFound.
	DeleteUser(ctx context.Context, id string) error
}

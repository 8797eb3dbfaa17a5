package admin

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// MinPasswordLen follows NIST SP 800-63B §5.1.1.2 for user-chosen passwords.
const MinPasswordLen = 8

// NewUser is the input to CreateUser.
type NewUser struct {
	Email    string
	Name     string
	Groups   []string
	Admin    bool
	Password string
}

// CreateUser validates the input, hashes the password and stores the user.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (storage.User, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return storage.User{}, invalid("email", "%q is not an email address", in.Email)
	}
	if err := checkPassword(in.Password); err != nil {
		return storage.User{}, err
	}
	name, err := checkUserName(in.Name)
	if err != nil {
		return storage.User{}, err
	}
	groups, err := checkGroups(in.Groups)
	if err != nil {
		return storage.User{}, err
	}
	now := s.timestamp()
	u := storage.User{
		ID:           secret.NewID(),
		Email:        email,
		Name:         name,
		PasswordHash: secret.HashPassword(in.Password),
		Groups:       groups,
		Admin:        in.Admin,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return storage.User{}, fmt.Errorf("a user with email %s already exists: %w", email, storage.ErrAlreadyExists)
		}
		return storage.User{}, fmt.Errorf("create user: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.UserCreated, UserID: u.ID, Target: u.ID, Details: map[string]any{"admin": u.Admin}})
	return u, nil
}

// ListUsers returns every user.
func (s *Service) ListUsers(ctx context.Context) ([]storage.User, error) {
	return s.store.ListUsers(ctx)
}

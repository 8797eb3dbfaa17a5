package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Cookie names: the __Host- prefix needs Secure, so only https issuers
// get it.
const (
	cookieSecure   = "__Host-gatehouse_session"
	cookieInsecure = "gatehouse_session"
)

// Store is the part of storage.Store that sessions need.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	CreateSession(ctx context.Context, s storage.Session) error
	GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error)
	DeleteSession(ctx context.Context, id string) error
}

// Manager reads and writes the session cookie. It is safe for concurrent
// use.
type Manager struct {
	store  Store
	secure bool
	ttl    time.Duration
	now    func() time.Time
	name   string
}

// New returns a Manager. secure means the issuer is https; ttl is the
// lifetime of new sessions (only Start uses it); now may be nil.
func New(store Store, secure bool, ttl time.Duration, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	name := cookieInsecure
	if secure {
		name = cookieSecure
	}
	return &Manager{store: store, secure: secure, ttl: ttl, now: now, name: name}
}

// CookieName returns the name of the session cookie.
func (m *Manager) CookieName() string { return m.name }

// Current returns the browser's session and user, or nil when the browser
// is not signed in (no cookie, unknown or expired session, or the user was
// deleted). An error means the store failed.
func (m *Manager) Current(r *http.Request) (*storage.Session, storage.User, error) {
	c, err := r.Cookie(m.name)
	if err != nil || c.Value == "" {
		return nil, storage.User{}, nil
	}
	ctx := r.Context()
	s, err := m.store.GetSession(ctx, secret.Hash(c.Value), m.now())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.User{}, nil
	}
	if err != nil {
		return nil, storage.User{}, fmt.Errorf("get session: %w", err)
	}
	u, err := m.store.GetUser(ctx, s.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.User{}, nil
	}
	if err != nil {
		return nil, storage.User{}, fmt.Errorf("get session user: %w", err)
	}
	return &s, u, nil
}

// Start signs the browser in as user with a brand-new session ID, ending
// any previous session (no session fixation).
func (m *Manager) Start(w http.ResponseWriter, r *http.Request, user storage.User) (storage.Session, error) {
	ctx := r.Context()
	if c, err := r.Cookie(m.name); err == nil && c.Value != "" {
		if err := m.store.DeleteSession(ctx, secret.Hash(c.Value)); err != nil {
			return storage.Session{}, fmt.Errorf("end previous session: %w", err)
		}
	}
	value := secret.NewToken()
	now := m.now().UTC()
	s := storage.Session{ID: secret.Hash(value), UserID: user.ID, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(m.ttl)}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return storage.Session{}, fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, m.cookie(value, int(m.ttl.Seconds())))
	return s, nil
}

// End deletes the browser's session and its cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(m.name); err == nil && c.Value != "" {
		if err := m.store.DeleteSession(r.Context(), secret.Hash(c.Value)); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
	}
	http.SetCookie(w, m.cookie("", -1))
	return nil
}

// cookie builds the session cookie: HttpOnly, SameSite=Lax, and Secure
// on https issuers.
func (m *Manager) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     m.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   m.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

package admin

import (
	"errors"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

// clock is the fixed time the tests' service sees.
var clock = time.Date(2025, 3, 4, 5, 6, 7, 891234567, time.FixedZone("X", 3600))

// newService returns a Service on a fresh, migrated SQLite store.
func newService(t *testing.T) (*Service, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	secrets, err := secret.NewClientSecrets([]byte(strings.Repeat("m", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return New(st, secrets, func() time.Time { return clock }), st
}

// wantField fails unless err is a *ValidationError about field.
func wantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	if ve.Field != field || !strings.Contains(ve.Message, msg) {
		t.Errorf("ValidationError{%q, %q}, want field %q and a message containing %q", ve.Field, ve.Message, field, msg)
	}
	if !strings.HasPrefix(ve.Error(), field+": ") {
		t.Errorf("Error() = %q, want it to start with the field", ve.Error())
	}
}

func TestCreateUserInvalid(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	tests := []struct {
		name  string
		in    NewUser
		field string
		msg   string
	}{
		{"empty email", NewUser{Password: "long-enough"}, "email", "not an email address"},
		{"no at sign", NewUser{Email: "alice.example.com", Password: "long-enough"}, "email", `"alice.example.com"`},
		{"display name", NewUser{Email: "Alice <alice@example.com>", Password: "long-enough"}, "email", "not an email address"},
		{"two addresses", NewUser{Email: "a@example.com, b@example.com", Password: "long-enough"}, "email", "not an email address"},
		{"short password", NewUser{Email: "a@example.com", Password: "1234567"}, "password", "at least 8"},
		{"short in runes", NewUser{Email: "a@example.com", Password: "ééééééé"}, "password", "at least 8"},
		{"long password", NewUser{Email: "a@example.com", Password: strings.Repeat("x", 1025)}, "password", "at most 1024"},
		{"empty group", NewUser{Email: "a@example.com", Password: "long-enough", Groups: []string{"dev", " "}}, "group", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateUser(t.Context(), tt.in)
			wantField(t, err, tt.field, tt.msg)
		})
	}
	if users, err := st.ListUsers(t.Context()); err != nil || len(users) != 0 {
		t.Errorf("refused users were stored: %v, %v", users, err)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := t.Context()
	u, err := svc.CreateUser(ctx, NewUser{
		Email: "  Alice@Example.COM ", Name: " Alice ", Groups: []string{"dev", "ops"}, Admin: true,
		Password: "ünïcødé-8", // 9 runes
	})
	if err != nil {
		t.Fatal(err)
	}
	want := clock.UTC().Truncate(time.Microsecond)
	if u.ID == "" || u.Email != "alice@example.com" || u.Name != "Alice" || !u.Admin ||
		!slices.Equal(u.Groups, []string{"dev", "ops"}) || !u.CreatedAt.Equal(want) || u.CreatedAt.Location() != time.UTC ||
		!u.UpdatedAt.Equal(want) {
		t.Errorf("CreateUser = %+v", u)
	}
	if ok, err := secret.CheckPassword(u.PasswordHash, "ünïcødé-8"); !ok || err != nil {
		t.Errorf("password does not verify: %v", err)
	}
	if strings.Contains(u.PasswordHash, "ünïcødé") {
		t.Error("password stored in plain text")
	}
	got, err := st.GetUserByEmail(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, u) {
		t.Errorf("stored %+v\nreturned %+v", got, u)
	}

	// A second user with the same email in any case is refused as a
	// conflict with stored data, not as invalid input.
	for _, email := range []string{"alice@example.com", "ALICE@EXAMPLE.COM", " alice@example.com"} {
		_, err := svc.CreateUser(ctx, NewUser{Email: email, Password: "another-password"})
		if !errors.Is(err, storage.ErrAlreadyExists) || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("duplicate %q: err = %v, want storage.ErrAlreadyExists", email, err)
		}
	}
	users, err := svc.ListUsers(ctx)
	if err != nil || len(users) != 1 {
		t.Fatalf("ListUsers = %v, %v; want the one user", users, err)
	}
	if ok, _ := secret.CheckPassword(users[0].PasswordHash, "ünïcødé-8"); !ok {
		t.Error("a refused duplicate changed the password")
	}

	// No groups is an empty list, not nil.
	u2, err := svc.CreateUser(ctx, NewUser{Email: "bob@example.com", Password: "long-enough"})
	if err != nil || u2.Groups == nil || u2.Admin {
		t.Errorf("CreateUser(bob) = %+v, %v", u2, err)
	}
}

func TestCreateClientInvalid(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	https := []string{"https://app.example.com/cb"}
	tests := []struct {
		name  string
		in    NewClient
		field string
		msg   string
	}{
		{"unknown type", NewClient{Type: "desktop", Name: "A", RedirectURIs: https}, "type", `"desktop"`},
		{"empty type", NewClient{Name: "A", RedirectURIs: https}, "type", "spa, web, native or service"},
		{"blank name", NewClient{Type: storage.ClientSPA, Name: "  ", RedirectURIs: https}, "name", "1 to 100"},
		{"long name", NewClient{Type: storage.ClientSPA, Name: strings.Repeat("n", 101), RedirectURIs: https}, "name", "1 to 100"},
		{"name with NUL", NewClient{Type: storage.ClientSPA, Name: "a\x00b", RedirectURIs: https}, "name", "1 to 100"},
		{"name not UTF-8", NewClient{Type: storage.ClientSPA, Name: "a\xffb", RedirectURIs: https}, "name", "1 to 100"},
		{"service with redirect", NewClient{Type: storage.ClientService, Name: "S", RedirectURIs: https}, "redirect_uri", "no redirect URIs"},
		{"service with pattern", NewClient{Type: storage.ClientService, Name: "S", RedirectURIPatterns: []string{`https://[a-z]+\.example\.com/cb`}}, "redirect_uri", "no redirect URIs"},
		{"service with default", NewClient{Type: storage.ClientService, Name: "S", DefaultRedirectURI: https[0]}, "redirect_uri", "no redirect URIs"},
		{"service with logout", NewClient{Type: storage.ClientService, Name: "S", PostLogoutRedirectURIs: https}, "redirect_uri", "no redirect URIs"},
		{"spa without redirect", NewClient{Type: storage.ClientSPA, Name: "A"}, "redirect_uri", "at least one redirect URI"},
		{"web without redirect", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIs: []string{" "}}, "redirect_uri", "web client"},
		{"native without redirect", NewClient{Type: storage.ClientNative, Name: "A"}, "redirect_uri", "native client"},
		{"http non-loopback", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIs: []string{"http://app.example.com/cb"}}, "redirect_uri", "loopback"},
		{"fragment", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIs: []string{"https://app.example.com/cb#x"}}, "redirect_uri", "fragment"},
		{"wildcard", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIs: []string{"https://*.example.com/cb"}}, "redirect_uri", "pattern"},
		{"private scheme for web", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIs: []string{"com.example.app:/cb"}}, "redirect_uri", "native"},
		{"one-label private scheme", NewClient{Type: storage.ClientNative, Name: "A", RedirectURIs: []string{"myapp:/cb"}}, "redirect_uri", "reversed domain"},
		{"bad default", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIs: https, DefaultRedirectURI: "javascript:alert(1)"}, "default_redirect_uri", "never allowed"},
		{"bad pattern", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIPatterns: []string{`https://[a-z]+.example\.com/`}}, "redirect_uri_pattern", "unescaped"},
		{"pattern not RE2", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIPatterns: []string{`https://app\.example\.com/(`}}, "redirect_uri_pattern", "RE2"},
		{"bad logout URI", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIs: https, PostLogoutRedirectURIs: []string{"http://evil.example.com/"}}, "post_logout_redirect_uri", "loopback"},
		{"bad scope", NewClient{Type: storage.ClientService, Name: "S", Scopes: []string{`api\read`}}, "scope", "not a valid scope name"},
		{"spa without PKCE", NewClient{Type: storage.ClientSPA, Name: "A", RedirectURIs: https, PKCEOptional: true}, "pkce_optional", "always use PKCE"},
		{"native without PKCE", NewClient{Type: storage.ClientNative, Name: "A", RedirectURIs: https, PKCEOptional: true}, "pkce_optional", "always use PKCE"},
		{"unknown ID token alg", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIs: https, IDTokenAlg: "HS256"}, "id_token_alg", "ES256"},
		{"lower-case ID token alg", NewClient{Type: storage.ClientWeb, Name: "A", RedirectURIs: https, IDTokenAlg: "rs256"}, "id_token_alg", `"rs256"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, plain, err := svc.CreateClient(t.Context(), tt.in)
			wantField(t, err, tt.field, tt.msg)
			if c.ID != "" || plain != "" {
				t.Errorf("refused client returned %+v, secret %q", c, plain)
			}
		})
	}
	if cs, err := st.ListClients(t.Context()); err != nil || len(cs) != 0 {
		t.Errorf("refused clients were stored: %v, %v", cs, err)
	}
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// nilEmptyBytes makes empty byte fields nil: a backend may read an empty
// BLOB back as either.
func nilEmptyBytes(c storage.Client) storage.Client {
	if len(c.SealedSecret) == 0 {
		c.SealedSecret = nil
	}
	if len(c.JWKS) == 0 {
		c.JWKS = nil
	}
	return c
}

func TestCreateClient(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	tests := []struct {
		in   NewClient
		uris []string // the stored exact redirect URIs
	}{
		{NewClient{Type: storage.ClientSPA, Name: " SPA ", RedirectURIs: []string{"https://app.example.com/cb", " https://app.example.com/cb "},
			DefaultRedirectURI: "https://app.example.com/home", PostLogoutRedirectURIs: []string{"https://app.example.com/"}},
			[]string{"https://app.example.com/cb", "https://app.example.com/home"}},
		{NewClient{Type: storage.ClientSPA, Name: "SPA default only", DefaultRedirectURI: "https://app.example.com/only"},
			[]string{"https://app.example.com/only"}},
		{NewClient{Type: storage.ClientNative, Name: "Native", RedirectURIs: []string{"com.example.app:/cb", "http://127.0.0.1/cb", "http://[::1]/cb"}},
			[]string{"com.example.app:/cb", "http://127.0.0.1/cb", "http://[::1]/cb"}},
		{NewClient{Type: storage.ClientWeb, Name: "Web", RedirectURIs: []string{"https://web.example.com/cb"},
			DefaultRedirectURI: "https://web.example.com/cb", Scopes: []string{"api:read", "api:read", "api:write"}},
			[]string{"https://web.example.com/cb"}},
		{NewClient{Type: storage.ClientWeb, Name: "Previews", RedirectURIPatterns: []string{`https://pr-[0-9]+\.preview\.example\.com/cb`}},
			[]string{}},
		{NewClient{Type: storage.ClientService, Name: "Service", Scopes: []string{"api:read"}}, []string{}},
		{NewClient{Type: storage.ClientWeb, Name: "Legacy", RedirectURIs: []string{"https://legacy.example.com/cb"},
			PKCEOptional: true, AllowPlainPKCE: true, IDTokenAlg: "RS256"}, []string{"https://legacy.example.com/cb"}},
		{NewClient{Type: storage.ClientSPA, Name: "EdDSA SPA", RedirectURIs: []string{"https://spa.example.com/cb"}, IDTokenAlg: "EdDSA"},
			[]string{"https://spa.example.com/cb"}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.in.Name, func(t *testing.T) {
			ctx := t.Context()
			c, plain, err := svc.CreateClient(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if c.ID == "" || seen[c.ID] {
				t.Errorf("client ID %q is empty or repeated", c.ID)
			}
			seen[c.ID] = true
			if c.Name != strings.TrimSpace(tt.in.Name) || c.Type != tt.in.Type || !slices.Equal(c.RedirectURIs, tt.uris) {
				t.Errorf("CreateClient = %+v; want redirect URIs %q", c, tt.uris)
			}
			if tt.in.DefaultRedirectURI != "" && !slices.Contains(c.RedirectURIs, c.DefaultRedirectURI) {
				t.Errorf("default redirect URI %q not in the exact list %q", c.DefaultRedirectURI, c.RedirectURIs)
			}
			if tt.in.Type.Public() {
				if plain != "" || c.SecretHash != "" {
					t.Errorf("public client got a secret %q / hash %q", plain, c.SecretHash)
				}
			} else if !secretRE.MatchString(plain) || !svc.secrets.Verify(c.ID, plain, c.SecretHash) || c.SecretHash == plain {
				t.Errorf("confidential client: secret %q, hash %q", plain, c.SecretHash)
			}
			sorted := slices.Sorted(slices.Values(c.Scopes))
			if c.Scopes == nil || len(slices.Compact(sorted)) != len(c.Scopes) {
				t.Errorf("scopes %q: want a deduplicated, non-nil list", c.Scopes)
			}
			want := clock.UTC().Truncate(time.Microsecond)
			if !c.CreatedAt.Equal(want) || !c.UpdatedAt.Equal(want) {
				t.Errorf("timestamps %v %v, want %v", c.CreatedAt, c.UpdatedAt, want)
			}
			got, err := svc.GetClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(nilEmptyBytes(got), nilEmptyBytes(c)) {
				t.Errorf("stored %+v\nreturned %+v", got, c)
			}
		})
	}
	all, err := svc.ListClients(t.Context())
	if err != nil || len(all) != len(tests) {
		t.Fatalf("ListClients = %d clients, %v; want %d", len(all), err, len(tests))
	}
	if err := svc.DeleteClient(t.Context(), all[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetClient(t.Context(), all[0].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetClient after delete = %v, want ErrNotFound", err)
	}
	if err := svc.DeleteClient(t.Context(), all[0].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second DeleteClient = %v, want ErrNotFound", err)
	}
}

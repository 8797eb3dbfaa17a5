package loadgen

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// SeedOptions choose what Seed creates.
type SeedOptions struct {
	Users    int    // users to create (or reuse); one per worker is plenty
	Password string // every load user's password; empty means DefaultPassword
	// RedirectURI is the public client's redirect URI. The load generator
	// never calls it: it reads the code from the redirect.
	RedirectURI string
	// IDTokenAlg is the public client's id_token_signed_response_alg;
	// empty leaves the OIDC default, RS256.
	IDTokenAlg string
}

// DefaultPassword is the load users' password. Load users are for test
// databases only.
const DefaultPassword = "load-test-password"

// DefaultRedirectURI is a loopback URI on the discard port, never opened.
const DefaultRedirectURI = "http://127.0.0.1:9/callback"

// LoadUserEmail is the email of load user i.
func LoadUserEmail(i int) string { return fmt.Sprintf("load-%d@loadtest.example", i) }

// Seed creates the load users (reusing those a previous seed created
// with the same password), a public single-page-app client and a
// service client through the admin service, and returns their
// credentials for the scenarios.
func Seed(ctx context.Context, adm *admin.Service, opt SeedOptions) (Credentials, error) {
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if opt.RedirectURI == "" {
		opt.RedirectURI = DefaultRedirectURI
	}
	var creds Credentials
	for i := range opt.Users {
		email := LoadUserEmail(i)
		_, err := adm.CreateUser(ctx, admin.NewUser{Email: email, Name: fmt.Sprintf("Load User %d", i), Password: opt.Password})
		if err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
			return creds, fmt.Errorf("seed user %s: %w", email, err)
		}
		creds.Users = append(creds.Users, UserCredentials{Username: email, Password: opt.Password})
	}
	spa, _, err := adm.CreateClient(ctx, admin.NewClient{
		Type: storage.ClientSPA, Name: "Load test app", RedirectURIs: []string{opt.RedirectURI}, IDTokenAlg: opt.IDTokenAlg,
	})
	if err != nil {
		return creds, fmt.Errorf("seed public client: %w", err)
	}
	creds.Public = PublicClient{ClientID: spa.ID, RedirectURI: opt.RedirectURI, Scope: "openid profile email offline_access"}
	svc, secret, err := adm.CreateClient(ctx, admin.NewClient{
		Type: storage.ClientService, Name: "Load test service", Scopes: []string{"load:read"},
	})
	if err != nil {
		return creds, fmt.Errorf("seed service client: %w", err)
	}
	creds.Service = ServiceClient{ClientID: svc.ID, ClientSecret: secret, Scope: "load:read"}
	return creds, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientJSON is a client as --json prints it. ClientSecret is set only
// right after creation: it is stored hashed and cannot be shown again.
type clientJSON struct {
	ClientID               string    `json:"client_id"`
	ClientSecret           string    `json:"client_secret,omitempty"`
	Name                   string    `json:"name"`
	Type                   string    `json:"type"`
	Public                 bool      `json:"public"`
	RedirectURIs           []string  `json:"redirect_uris"`
	RedirectURIPatterns    []string  `json:"redirect_uri_patterns"`
	DefaultRedirectURI     string    `json:"default_redirect_uri,omitempty"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	Scopes                 []string  `json:"scopes"`
	PKCERequired           bool      `json:"pkce_required"`
	AllowPlainPKCE         bool      `json:"allow_plain_pkce"`
	IDTokenAlg             string    `json:"id_token_signed_response_alg"`
	CreatedAt              time.Time `json:"created_at"`
	// Client authentication (RFC 7591 §2). PreviousSecretExpiresAt is when
	// a rotated-out secret stops working, while it still does.
	AuthMethod              string          `json:"token_endpoint_auth_method"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	PreviousSecretExpiresAt *time.Time      `json:"previous_secret_expires_at,omitempty"`
	// ProjectID is empty for a client in no project; APIs lists the IDs of
	// the APIs it may call.
	ProjectID string   `json:"project_id,omitempty"`
	APIs      []string `json:"apis"`
}

func toClientJSON(c storage.Client, plainSecret string) clientJSON {
	out := clientJSON{
		ClientID: c.ID, ClientSecret: plainSecret, Name: c.Name, Type: string(c.Type), Public: c.Type.Public(),
		RedirectURIs: c.RedirectURIs, RedirectURIPatterns: c.RedirectURIPatterns, DefaultRedirectURI: c.DefaultRedirectURI,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes, CreatedAt: c.CreatedAt,
		PKCERequired: c.Type.Public() || !c.PKCEOptional, AllowPlainPKCE: c.AllowPlainPKCE, IDTokenAlg: c.IDTokenAlg,
		ProjectID: c.ProjectID, APIs: c.APIs,
	}
	if out.IDTokenAlg == "" {
		out.IDTokenAlg = keys.RS256 // the OIDC default, see token.MintIDToken
	}
	out.AuthMethod, out.JWKSURI, out.JWKS = admin.EffectiveAuthMethod(c), c.JWKSURI, c.JWKS
	if c.PreviousSecretHash != "" && time.Now().Before(c.PreviousSecretExpiresAt) {
		t := c.PreviousSecretExpiresAt
		out.PreviousSecretExpiresAt = &t
	}
	return out
}

// clientSecrets loads the master secret the server uses, so that the
// secrets this command issues verify there.
func clientSecrets(cfg config.Config) (*secret.ClientSecrets, error) {
	master, err := server.LoadMasterSecret(cfg.SecretFile, cfg.DB)
	if err != nil {
		return nil, err
	}
	return secret.NewClientSecrets(master)
}

func runClient(ctx context.Context, e env, args []string) error {
	return dispatch(ctx, e, args, "Usage: gatehouse client add|list|show ID|update ID|delete ID|rotate-secret ID [flags]\nRun 'gatehouse client add --help' for its flags.",
		subcommand{"add", runClientAdd}, subcommand{"list", runClientList}, subcommand{"show", runClientShow},
		subcommand{"update", runClientUpdate}, // clientupdate.go
		subcommand{"delete", runClientDelete}, subcommand{"rotate-secret", runClientRotateSecret})
}

func runClientAdd(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "client add", `client add --type spa|web|native|service --name N [flags]

Registers an OAuth client. Types:
  spa      single-page app: public client, PKCE, no secret
  web      web app with a server: confidential client with a secret
  native   desktop or mobile app: public client, loopback or private-use scheme redirects
  service  server-to-server: confidential client, no redirects
The secret of web and service clients is printed once; store it safely.
A private_key_jwt client gets no secret: register its public keys with
--jwks-file or --jwks-uri.`)
	cfg.BindDB(fs)
	cfg.BindSecretFile(fs)
	var typ string
	var in admin.NewClient
	var uris, patterns, logoutURIs, scopes, apis stringList
	fs.StringVar(&typ, "type", "", "client type: spa, web, native or service (required)")
	fs.StringVar(&in.Name, "name", "", "name shown to users on the consent page (required)")
	fs.Var(&uris, "redirect-uri", "exact redirect URI (repeatable)")
	fs.Var(&patterns, "redirect-uri-pattern", `redirect URI pattern, an RE2 expression matched against the whole URI, e.g. 'https://pr-[0-9]+\.preview\.example\.com/cb' (repeatable)`)
	fs.StringVar(&in.DefaultRedirectURI, "default-redirect-uri", "", "redirect URI used when a request omits redirect_uri")
	fs.Var(&logoutURIs, "post-logout-redirect-uri", "where the app may send users after sign-out (repeatable)")
	fs.Var(&scopes, "scope", "scope the client may request beyond openid, profile, email, offline_access (repeatable); with --api, each must be a scope of one of its APIs")
	fs.StringVar(&in.ProjectID, "project", "", "ID of the project that owns the client (see gatehouse project list)")
	fs.Var(&apis, "api", "ID of an API the client may call (repeatable; see gatehouse api list)")
	fs.StringVar(&in.IDTokenAlg, "id-token-alg", "", "ID token signing algorithm: RS256 (default, what OpenID Connect clients expect), ES256 or EdDSA")
	fs.BoolVar(&in.PKCEOptional, "pkce-optional", false, "let a web client omit PKCE (not recommended; public clients always need it)")
	fs.BoolVar(&in.AllowPlainPKCE, "allow-plain-pkce", false, "accept code_challenge_method=plain from this client (legacy apps only)")
	fs.BoolVar(&in.IssueRefreshTokens, "issue-refresh-tokens", false, "issue a refresh token with every sign-in, even without the offline_access scope")
	fs.DurationVar(&in.RefreshIdleTTL, "refresh-idle-ttl", 0, "refresh token lifetime when unused, e.g. 720h (default: the server's)")
	fs.DurationVar(&in.RefreshAbsoluteTTL, "refresh-absolute-ttl", 0, "refresh token lifetime from sign-in, however used, e.g. 2160h (default: the server's)")
	var jwksFile string
	fs.StringVar(&in.AuthMethod, "auth-method", "", "token endpoint authentication: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none (default: none for spa and native; client_secret_basic or _post for web and service)")
	fs.StringVar(&jwksFile, "jwks-file", "", "file with the client's public keys as a JWK set, for private_key_jwt (each key with kid, and alg or use)")
	fs.StringVar(&in.JWKSURI, "jwks-uri", "", "https URL where the client publishes its public keys, for private_key_jwt")
	asJSON := fs.Bool("json", false, `print {"client_id": ..., "client_secret": ...} as JSON`)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if typ == "" || in.Name == "" {
		return usagef("--type and --name are required")
	}
	if jwksFile != "" {
		b, err := os.ReadFile(jwksFile)
		if err != nil {
			return fmt.Errorf("--jwks-file: %w", err)
		}
		in.JWKS = b
	}
	in.Type = storage.ClientType(typ)
	in.RedirectURIs, in.RedirectURIPatterns, in.PostLogoutRedirectURIs, in.Scopes = uris, patterns, logoutURIs, scopes
	in.APIs = apis
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	var secrets *secret.ClientSecrets
	if in.Type.Valid() && !in.Type.Public() {
		if secrets, err = clientSecrets(cfg); err != nil {
			return err
		}
	}
	c, plain, err := admin.New(store, secrets, nil).CreateClient(ctx, in)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		return printJSON(e.stdout, toClientJSON(c, plain))
	}
	fmt.Fprintf(e.stdout, "Created %s client %q\n  client_id:     %s\n", c.Type, c.Name, c.ID)
	if plain != "" {
		fmt.Fprintf(e.stdout, "  client_secret: %s\n  (shown only now: it is stored hashed)\n", plain)
	}
	return nil
}

func runClientList(ctx context.Context, e env, args []string) error {
	cfg := config.Default()
	fs := newFlags(e, "client list", "client list [--db DSN] [--json]")
	cfg.BindDB(fs)
	cfg.BindSecretFile(fs) // accepted for uniformity; listing needs no secret
	asJSON := fs.Bool("json", false, "print clients as a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	clients, err := svc.ListClients(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSONList(e.stdout, clients, func(c storage.Client) clientJSON { return toClientJSON(c, "") })
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "CLIENT ID\tTYPE\tNAME\tREDIRECT URIS")
	for _, c := range clients {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Type, c.Name, strings.Join(c.RedirectURIs, " "))
	}
	return tw.Flush()
}

// idCommand parses the flags of a command that takes one client ID; bind
// registers flags of its own.
func idCommand(e env, name string, args []string, bind ...func(*flag.FlagSet)) (config.Config, string, bool, error) {
	return nounIDCommand(e, "client", name, args, bind...)
}

// nounIDCommand parses the flags of `gatehouse NOUN NAME ID`, a command
// that takes one ID, such as `project show ID`.
func nounIDCommand(e env, noun, name string, args []string, bind ...func(*flag.FlagSet)) (config.Config, string, bool, error) {
	cfg := config.Default()
	fs := newFlags(e, noun+" "+name, noun+" "+name+" ID [--db DSN] [--json]")
	cfg.BindDB(fs)
	cfg.BindSecretFile(fs)
	for _, b := range bind {
		b(fs)
	}
	asJSON := fs.Bool("json", false, "print the result as JSON")
	// Allow flags before and after the ID, as in `client show ID --json`.
	pos, err := parseArgs(fs, args, 1, "")
	if err != nil {
		return cfg, "", false, err
	}
	if len(pos) == 0 || pos[0] == "" {
		return cfg, "", false, usagef("give the %s ID: gatehouse %s %s ID", noun, noun, name)
	}
	id := pos[0]
	return cfg, id, *asJSON, nil
}

func runClientShow(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := idCommand(e, "show", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	c, err := svc.GetClient(ctx, id)
	if err != nil {
		return explainNotFound(err, "client", "client", id)
	}
	if asJSON {
		return printJSON(e.stdout, toClientJSON(c, ""))
	}
	tw := newTable(e.stdout)
	fmt.Fprintf(tw, "client_id\t%s\nname\t%s\ntype\t%s\n", c.ID, c.Name, c.Type)
	fmt.Fprintf(tw, "redirect URIs\t%s\nredirect URI patterns\t%s\n", strings.Join(c.RedirectURIs, " "), strings.Join(c.RedirectURIPatterns, " "))
	fmt.Fprintf(tw, "default redirect URI\t%s\npost-logout redirect URIs\t%s\n", c.DefaultRedirectURI, strings.Join(c.PostLogoutRedirectURIs, " "))
	fmt.Fprintf(tw, "extra scopes\t%s\ncreated\t%s\n", strings.Join(c.Scopes, " "), c.CreatedAt.Format(time.RFC3339))
	fmt.Fprintf(tw, "token endpoint auth\t%s\n", admin.EffectiveAuthMethod(c))
	if c.ProjectID != "" {
		fmt.Fprintf(tw, "project\t%s\n", c.ProjectID)
	}
	if len(c.APIs) > 0 {
		fmt.Fprintf(tw, "APIs\t%s\n", strings.Join(c.APIs, " "))
	}
	if c.JWKSURI != "" {
		fmt.Fprintf(tw, "jwks_uri\t%s\n", c.JWKSURI)
	}
	return tw.Flush()
}

func runClientDelete(ctx context.Context, e env, args []string) error {
	cfg, id, asJSON, err := idCommand(e, "delete", args)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	err = svc.DeleteClient(ctx, id)
	if err != nil {
		return explainNotFound(err, "client", "client", id)
	}
	if asJSON {
		return printJSON(e.stdout, map[string]any{"client_id": id, "deleted": true})
	}
	fmt.Fprintf(e.stdout, "Deleted client %s\n", id)
	return nil
}

func runClientRotateSecret(ctx context.Context, e env, args []string) error {
	overlap := admin.DefaultSecretOverlap
	cfg, id, asJSON, err := idCommand(e, "rotate-secret", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&overlap, "overlap", overlap, "how long the old secret keeps working, e.g. 1h; 0 revokes it at once")
	})
	if err != nil {
		return err
	}
	store, err := server.OpenMigrated(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	secrets, err := clientSecrets(cfg)
	if err != nil {
		return err
	}
	c, plain, err := admin.New(store, secrets, nil).RotateSecret(ctx, id, overlap)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no client with ID %q (see gatehouse client list)", id)
	}
	if err != nil {
		return explain(err)
	}
	if asJSON {
		return printJSON(e.stdout, toClientJSON(c, plain))
	}
	fmt.Fprintf(e.stdout, "Rotated the secret of client %s\n  client_secret: %s\n  (shown only now: it is stored hashed)\n", c.ID, plain)
	if c.PreviousSecretHash != "" {
		fmt.Fprintf(e.stdout, "  The previous secret keeps working until %s.\n", c.PreviousSecretExpiresAt.Format(time.RFC3339))
	} else {
		fmt.Fprintln(e.stdout, "  The previous secret no longer works.")
	}
	return nil
}

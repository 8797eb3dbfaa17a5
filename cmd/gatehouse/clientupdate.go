package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientUpdateFlags are the settings `client update` can change: those of
// client add but the type.
type clientUpdateFlags struct {
	name, defaultURI, project, idTokenAlg, authMethod, jwksFile, jwksURI string
	uris, patterns, logoutURIs, scopes, apis                             replaceList
	pkceOptional, allowPlain, issueRefresh                               bool
	idleTTL, absoluteTTL                                                 time.Duration
}

func (f *clientUpdateFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "name shown to users on the consent page")
	fs.Var(&f.uris, "redirect-uri", "exact redirect URI (repeatable; replaces the list)")
	fs.Var(&f.patterns, "redirect-uri-pattern", "redirect URI pattern, an RE2 expression matched against the whole URI (repeatable; replaces the list)")
	fs.StringVar(&f.defaultURI, "default-redirect-uri", "", "redirect URI used when a request omits redirect_uri ('' for none)")
	fs.Var(&f.logoutURIs, "post-logout-redirect-uri", "where the app may send users after sign-out (repeatable; replaces the list)")
	fs.Var(&f.scopes, "scope", "scope the client may request beyond openid, profile, email, offline_access (repeatable; replaces the list)")
	fs.Var(&f.apis, "api", "ID of an API the client may call (repeatable; replaces the list)")
	fs.StringVar(&f.project, "project", "", "ID of the project that owns the client ('' for none)")
	fs.StringVar(&f.idTokenAlg, "id-token-alg", "", "ID token signing algorithm: RS256, ES256 or EdDSA")
	fs.BoolVar(&f.pkceOptional, "pkce-optional", false, "let a web client omit PKCE (--pkce-optional=false to require it again)")
	fs.BoolVar(&f.allowPlain, "allow-plain-pkce", false, "accept code_challenge_method=plain (--allow-plain-pkce=false to stop)")
	fs.BoolVar(&f.issueRefresh, "issue-refresh-tokens", false, "issue a refresh token with every sign-in (--issue-refresh-tokens=false to stop)")
	fs.DurationVar(&f.idleTTL, "refresh-idle-ttl", 0, "refresh token lifetime when unused, e.g. 720h (0: the server's)")
	fs.DurationVar(&f.absoluteTTL, "refresh-absolute-ttl", 0, "refresh token lifetime from sign-in, e.g. 2160h (0: the server's)")
	fs.StringVar(&f.authMethod, "auth-method", "", "token endpoint authentication; only client_secret_basic and client_secret_post can be swapped")
	fs.StringVar(&f.jwksFile, "jwks-file", "", "file with the client's public keys as a JWK set, for private_key_jwt")
	fs.StringVar(&f.jwksURI, "jwks-uri", "", "https URL where the client publishes its public keys, for private_key_jwt")
}

// apply copies the flags given on c's command line into in, and reports
// whether any was.
func (f *clientUpdateFlags) apply(c cmdLine, in *admin.NewClient) (bool, error) {
	var err error
	changed := false
	c.fs.Visit(func(fl *flag.Flag) {
		if notSetting(fl.Name) {
			return
		}
		changed = true
		switch fl.Name {
		case "name":
			in.Name = f.name
		case "redirect-uri":
			in.RedirectURIs = f.uris.list()
		case "redirect-uri-pattern":
			in.RedirectURIPatterns = f.patterns.list()
		case "default-redirect-uri":
			in.DefaultRedirectURI = f.defaultURI
		case "post-logout-redirect-uri":
			in.PostLogoutRedirectURIs = f.logoutURIs.list()
		case "scope":
			in.Scopes = f.scopes.list()
		case "api":
			in.APIs = f.apis.list()
		case "project":
			in.ProjectID = f.project
		case "id-token-alg":
			in.IDTokenAlg = f.idTokenAlg
		case "pkce-optional":
			in.PKCEOptional = f.pkceOptional
		case "allow-plain-pkce":
			in.AllowPlainPKCE = f.allowPlain
		case "issue-refresh-tokens":
			in.IssueRefreshTokens = f.issueRefresh
		case "refresh-idle-ttl":
			in.RefreshIdleTTL = f.idleTTL
		case "refresh-absolute-ttl":
			in.RefreshAbsoluteTTL = f.absoluteTTL
		case "auth-method":
			in.AuthMethod = f.authMethod
		case "jwks-uri":
			in.JWKSURI = f.jwksURI
		case "jwks-file":
			b, rerr := os.ReadFile(f.jwksFile)
			if rerr != nil {
				err = fmt.Errorf("--jwks-file: %w", rerr)
			}
			in.JWKS = b
		}
	})
	return changed, err
}

func runClientUpdate(ctx context.Context, e env, args []string) error {
	var f clientUpdateFlags
	c, err := positionalCommand(e, "client", "update", `client update ID [flags] [--db DSN] [--json]

Changes a client's settings; its ID, type and secret stay. The flags are
those of client add; the type cannot change (create a new credential).`+replaceHelp("redirect-uri-pattern"),
		[]string{"ID"}, args, f.bind)
	if err != nil {
		return err
	}
	svc, done, err := openAdmin(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer done()
	id := c.args[0]
	old, err := svc.GetClient(ctx, id)
	if err != nil {
		return explainNotFound(err, "client", "client", id)
	}
	in := admin.ClientInput(old)
	changed, err := f.apply(c, &in)
	if err != nil {
		return err
	}
	if !changed {
		return nothingToChange("client", "update")
	}
	updated, err := svc.UpdateClient(ctx, id, in)
	if errors.Is(err, storage.ErrNotFound) {
		return explainNotFound(err, "client", "client", id)
	}
	if err != nil {
		return explain(err)
	}
	if c.asJSON {
		return printJSON(e.stdout, toClientJSON(updated, ""))
	}
	fmt.Fprintf(e.stdout, "Updated client %q (%s)\n", updated.Name, updated.ID)
	return nil
}

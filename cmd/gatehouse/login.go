package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/client"
	"github.com/gatehouse-dev/gatehouse/internal/config"
)

// tokenFile is what `gatehouse login` prints or saves. Its token fields
// have x/oauth2's names, so the document decodes into an oauth2.Token.
type tokenFile struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	IDToken      string    `json:"id_token,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"client_id"`
	Subject      string    `json:"sub,omitempty"`
	Email        string    `json:"email,omitempty"`
}

// loginSummary is what --json prints when the tokens went to --out: who
// signed in and where the tokens are, no secret.
type loginSummary struct {
	Subject string    `json:"sub,omitempty"`
	Email   string    `json:"email,omitempty"`
	Scope   string    `json:"scope,omitempty"`
	Expiry  time.Time `json:"expiry,omitzero"`
	Out     string    `json:"out"`
}

func runLogin(ctx context.Context, e env, args []string) error {
	return login(ctx, e, args, client.OpenBrowser)
}

// login is `gatehouse login` with the browser opener given, so tests can
// play the user.
func login(ctx context.Context, e env, args []string, openBrowser func(string) error) error {
	fs := newFlags(e, "login", `login --issuer URL --client-id ID [flags]

Signs you in from the command line the way RFC 8252 describes for native
apps: it listens on a random port of 127.0.0.1, opens your browser at the
server's sign-in page and waits for it to come back. The URL is also
printed on standard error, for when no browser opens (e.g. over SSH).

Register the app once as a native client:
  gatehouse client add --type native --name CLI --redirect-uri http://127.0.0.1/callback

The tokens are printed as JSON on standard output, or written to --out
(mode 0600) with a short confirmation on standard output instead.`)
	var issuer, clientID, secretFile, out string
	var scopes stringList
	var noBrowser, asJSON bool
	timeout := 5 * time.Minute
	var envErr error
	envString(fs, &issuer, "issuer", "issuer URL of the server, e.g. https://id.example.com (required)")
	envString(fs, &clientID, "client-id", "client ID of the native (or web) client (required)")
	envString(fs, &secretFile, "client-secret-file", "file holding the client secret, for a confidential client")
	envString(fs, &out, "out", "write the tokens to this file (mode 0600) instead of standard output")
	fs.Var(&scopes, "scope", "scope to ask for (repeatable; default openid, profile, email, offline_access)")
	envErr = errors.Join(envErr, envBool(fs, &noBrowser, "no-browser", "do not try to open a browser; only print the URL"))
	envErr = errors.Join(envErr, envDuration(fs, &timeout, "timeout", "how long to wait for the sign-in"))
	fs.BoolVar(&asJSON, "json", false, "with --out: print who signed in as JSON (without tokens)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case envErr != nil:
		return usagef("%v", envErr)
	case issuer == "" || clientID == "":
		return usagef("--issuer and --client-id are required")
	case timeout <= 0:
		return usagef("--timeout must be positive")
	}
	cfg := client.Config{Issuer: issuer, ClientID: clientID, Scopes: scopes}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile", "email", "offline_access"}
	}
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return fmt.Errorf("--client-secret-file: %w", err)
		}
		if cfg.ClientSecret = strings.TrimSpace(string(b)); cfg.ClientSecret == "" {
			return fmt.Errorf("--client-secret-file: %s is empty", secretFile)
		}
	}
	c, err := client.New(ctx, cfg)
	if err != nil {
		return err
	}
	opt := client.LoopbackOptions{OpenBrowser: openBrowser, Out: e.stderr, Timeout: timeout}
	if noBrowser {
		opt.OpenBrowser = nil
	}
	tok, err := c.LoginLoopback(ctx, opt)
	if err != nil {
		return err
	}
	doc := tokenFile{AccessToken: tok.AccessToken, TokenType: tok.Type(), RefreshToken: tok.RefreshToken, Expiry: tok.Expiry.UTC(),
		IDToken: tok.RawIDToken, Scope: strings.Join(tok.Scopes, " "), Issuer: issuer, ClientID: clientID,
		Subject: tok.Claims.Subject, Email: tok.Claims.Email}
	who := cmp.Or(doc.Email, doc.Subject, "you")
	if out == "" {
		fmt.Fprintf(e.stderr, "Signed in as %s.\n", who)
		return printJSON(e.stdout, doc)
	}
	if err := writeTokenFile(out, doc); err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, loginSummary{Subject: doc.Subject, Email: doc.Email, Scope: doc.Scope, Expiry: doc.Expiry, Out: out})
	}
	fmt.Fprintf(e.stdout, "Signed in as %s. Tokens saved to %s.\n", who, out)
	return nil
}

// writeTokenFile replaces path with doc, readable by its owner only: the
// file is written under a temporary name (created 0600) and renamed, so
// neither an existing file's wider mode nor a crash leaves tokens exposed
// or half written.
func writeTokenFile(path string, doc tokenFile) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := printJSON(tmp, doc); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// envString registers a string flag whose default comes from its
// environment variable (GATEHOUSE_ and the flag name).
func envString(fs *flag.FlagSet, p *string, name, usage string) {
	*p = os.Getenv(config.EnvName(name))
	fs.StringVar(p, name, *p, usage+" ["+config.EnvName(name)+"]")
}

func envBool(fs *flag.FlagSet, p *bool, name, usage string) error {
	var err error
	if v, ok := os.LookupEnv(config.EnvName(name)); ok {
		if *p, err = strconv.ParseBool(v); err != nil {
			err = fmt.Errorf("%s=%q: want true or false", config.EnvName(name), v)
		}
	}
	fs.BoolVar(p, name, *p, usage+" ["+config.EnvName(name)+"]")
	return err
}

func envDuration(fs *flag.FlagSet, p *time.Duration, name, usage string) error {
	var err error
	if v, ok := os.LookupEnv(config.EnvName(name)); ok {
		if *p, err = time.ParseDuration(v); err != nil {
			err = fmt.Errorf("%s=%q: want a duration such as 90s or 10m", config.EnvName(name), v)
		}
	}
	fs.DurationVar(p, name, *p, usage+" ["+config.EnvName(name)+"]")
	return err
}

package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientOut is a client as --json prints it.
type clientOut struct {
	ClientID               string   `json:"client_id"`
	ClientSecret           string   `json:"client_secret"`
	Name                   string   `json:"name"`
	Type                   string   `json:"type"`
	Public                 bool     `json:"public"`
	RedirectURIs           []string `json:"redirect_uris"`
	RedirectURIPatterns    []string `json:"redirect_uri_patterns"`
	DefaultRedirectURI     string   `json:"default_redirect_uri"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	Scopes                 []string `json:"scopes"`
	PKCERequired           bool     `json:"pkce_required"`
	AllowPlainPKCE         bool     `json:"allow_plain_pkce"`
	IDTokenAlg             string   `json:"id_token_signed_response_alg"`
}

// secretRE is 32 random bytes in unpadded base64url.
var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// addClient runs `client add --json` and returns what it printed.
func addClient(t *testing.T, db string, args ...string) clientOut {
	t.Helper()
	r := runCLI(t, "", append([]string{"client", "add", "--db", db, "--json"}, args...)...)
	mustCode(t, r, 0)
	var c clientOut
	decodeOne(t, r.stdout, &c)
	return c
}

func TestClientAddTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ     string
		args    []string
		public  bool
		uris    []string
		scopes  []string
		logouts []string
	}{
		{"spa", []string{"--redirect-uri", "https://app.example.com/cb", "--post-logout-redirect-uri", "https://app.example.com/"},
			true, []string{"https://app.example.com/cb"}, []string{}, []string{"https://app.example.com/"}},
		{"native", []string{"--redirect-uri", "com.example.app:/cb", "--redirect-uri", "http://127.0.0.1/cb"},
			true, []string{"com.example.app:/cb", "http://127.0.0.1/cb"}, []string{}, []string{}},
		{"web", []string{"--redirect-uri", "https://web.example.com/cb", "--redirect-uri", "https://web.example.com/cb", "--scope", "api:read"},
			false, []string{"https://web.example.com/cb"}, []string{"api:read"}, []string{}},
		{"service", []string{"--scope", "api:read", "--scope", "api:write"},
			false, []string{}, []string{"api:read", "api:write"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			t.Parallel()
			db := tempDB(t)
			r := runCLI(t, "", append([]string{"client", "add", "--type", tt.typ, "--name", "My " + tt.typ, "--db", db, "--json"}, tt.args...)...)
			mustCode(t, r, 0)
			var obj map[string]any
			decodeOne(t, r.stdout, &obj)
			var c clientOut
			decodeOne(t, r.stdout, &c)
			if c.ClientID == "" || c.Type != tt.typ || c.Name != "My "+tt.typ || c.Public != tt.public {
				t.Errorf("client add --json = %+v", c)
			}
			if !slices.Equal(c.RedirectURIs, tt.uris) || !slices.Equal(c.Scopes, tt.scopes) ||
				!slices.Equal(c.PostLogoutRedirectURIs, tt.logouts) || c.RedirectURIPatterns == nil {
				t.Errorf("client add --json = %+v; want redirect URIs %q, scopes %q, logout %q", c, tt.uris, tt.scopes, tt.logouts)
			}
			_, hasSecret := obj["client_secret"]
			stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.public {
				if hasSecret || stored.SecretHash != "" {
					t.Errorf("public client has a secret: printed %v, stored hash %q", obj["client_secret"], stored.SecretHash)
				}
				return
			}
			if !secretRE.MatchString(c.ClientSecret) {
				t.Errorf("client_secret %q is not 43 base64url characters", c.ClientSecret)
			}
			if stored.SecretHash == c.ClientSecret || !cliSecrets(t, "", db).Verify(c.ClientID, c.ClientSecret, stored.SecretHash) {
				t.Errorf("stored secret %q is not the hash of the printed secret", stored.SecretHash)
			}
		})
	}
}

func TestClientAddText(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	r := runCLI(t, "", "client", "add", "--type", "web", "--name", "Web", "--redirect-uri", "https://web.example.com/cb", "--db", db)
	mustCode(t, r, 0)
	for _, w := range []string{"client_id:", "client_secret:", "shown only now"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout %q lacks %q", r.stdout, w)
		}
	}
	r = runCLI(t, "", "client", "add", "--type", "spa", "--name", "SPA", "--redirect-uri", "https://spa.example.com/cb", "--db", db)
	mustCode(t, r, 0)
	if strings.Contains(r.stdout, "client_secret") {
		t.Errorf("public client printed a secret: %q", r.stdout)
	}
}

func TestClientAddRedirectOptions(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	const pattern = `https://pr-[0-9]+\.preview\.example\.com/cb`
	c := addClient(t, db, "--type", "web", "--name", "Previews", "--redirect-uri-pattern", pattern)
	if len(c.RedirectURIs) != 0 || !slices.Equal(c.RedirectURIPatterns, []string{pattern}) {
		t.Errorf("pattern-only client = %+v", c)
	}
	if !c.PKCERequired || c.AllowPlainPKCE || c.IDTokenAlg != "RS256" {
		t.Errorf("defaults: pkce_required %v, allow_plain_pkce %v, alg %q; want true, false, RS256", c.PKCERequired, c.AllowPlainPKCE, c.IDTokenAlg)
	}
	c = addClient(t, db, "--type", "web", "--name", "Legacy", "--redirect-uri", "https://legacy.example.com/cb",
		"--pkce-optional", "--allow-plain-pkce", "--id-token-alg", "EdDSA")
	if c.PKCERequired || !c.AllowPlainPKCE || c.IDTokenAlg != "EdDSA" {
		t.Errorf("legacy options not applied: %+v", c)
	}
	c = addClient(t, db, "--type", "spa", "--name", "Default", "--redirect-uri", "https://app.example.com/cb",
		"--default-redirect-uri", "https://app.example.com/home")
	if c.DefaultRedirectURI != "https://app.example.com/home" ||
		!slices.Equal(c.RedirectURIs, []string{"https://app.example.com/cb", "https://app.example.com/home"}) {
		t.Errorf("default redirect URI not registered: %+v", c)
	}
}

// TestClientAddInvalid checks that validation errors name the flag to fix,
// exit 2, print nothing on stdout and store nothing.
func TestClientAddInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"web without redirect", []string{"--type", "web"}, []string{"--redirect-uri:", "at least one redirect URI"}},
		{"spa without redirect", []string{"--type", "spa"}, []string{"--redirect-uri:"}},
		{"service with redirect", []string{"--type", "service", "--redirect-uri", "https://x.example.com/cb"}, []string{"--redirect-uri:", "no redirect URIs"}},
		{"http on a public host", []string{"--type", "web", "--redirect-uri", "http://app.example.com/cb"}, []string{"--redirect-uri:", "loopback"}},
		{"fragment", []string{"--type", "spa", "--redirect-uri", "https://app.example.com/cb#x"}, []string{"--redirect-uri:", "fragment"}},
		{"private scheme for web", []string{"--type", "web", "--redirect-uri", "com.example.app:/cb"}, []string{"--redirect-uri:", "native"}},
		{"bad default redirect", []string{"--type", "spa", "--redirect-uri", "https://app.example.com/cb", "--default-redirect-uri", "javascript:alert(1)"}, []string{"--default-redirect-uri:", `"javascript:alert(1)"`, "never allowed"}},
		{"pattern with unescaped dot", []string{"--type", "web", "--redirect-uri-pattern", `https://[a-z]+.example\.com/cb`}, []string{"--redirect-uri-pattern:", "unescaped"}},
		{"pattern not RE2", []string{"--type", "web", "--redirect-uri-pattern", `https://app\.example\.com/[`}, []string{"--redirect-uri-pattern:", "RE2"}},
		{"pattern with http host", []string{"--type", "web", "--redirect-uri-pattern", `http://app\.example\.com/cb`}, []string{"--redirect-uri-pattern:", "loopback"}},
		{"bad logout URI", []string{"--type", "spa", "--redirect-uri", "https://app.example.com/cb", "--post-logout-redirect-uri", "http://evil.example.com/"}, []string{"--post-logout-redirect-uri:"}},
		{"bad scope", []string{"--type", "service", "--scope", `api"read`}, []string{"--scope:", "not a valid scope name"}},
		{"blank name", []string{"--type", "service", "--name", "   "}, []string{"--name:"}},
		{"spa without PKCE", []string{"--type", "spa", "--redirect-uri", "https://app.example.com/cb", "--pkce-optional"}, []string{"--pkce-optional:", "PKCE"}},
		{"unknown ID token alg", []string{"--type", "web", "--redirect-uri", "https://app.example.com/cb", "--id-token-alg", "HS256"}, []string{"--id-token-alg:", `"HS256"`}},
		{"unknown type", []string{"--type", "desktop", "--redirect-uri", "https://app.example.com/cb"}, []string{"--type:", `"desktop"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := tempDB(t)
			args := []string{"client", "add", "--db", db, "--json", "--name", "App"}
			r := runCLI(t, "", append(args, tt.args...)...)
			mustCode(t, r, 2)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q, want it to contain %q", r.stderr, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if cs, err := openStore(t, db).ListClients(t.Context()); err != nil || len(cs) != 0 {
				t.Errorf("clients after a refused add: %v, %v", cs, err)
			}
		})
	}
}

func TestClientListShowDelete(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	web := addClient(t, db, "--type", "web", "--name", "Web", "--redirect-uri", "https://web.example.com/cb")
	svc := addClient(t, db, "--type", "service", "--name", "Service", "--scope", "api:read")

	r := runCLI(t, "", "client", "list", "--json", "--db", db)
	mustCode(t, r, 0)
	var list []map[string]any
	decodeOne(t, r.stdout, &list)
	var ids []string
	for _, c := range list {
		if _, ok := c["client_secret"]; ok {
			t.Errorf("client list shows a secret: %v", c)
		}
		ids = append(ids, c["client_id"].(string))
	}
	slices.Sort(ids)
	want := []string{web.ClientID, svc.ClientID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("client list IDs %q, want %q", ids, want)
	}
	if strings.Contains(r.stdout, web.ClientSecret) {
		t.Error("client list prints the secret")
	}

	r = runCLI(t, "", "client", "list", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, web.ClientID) || !strings.Contains(r.stdout, svc.ClientID) || !strings.Contains(r.stdout, "CLIENT ID") {
		t.Errorf("client list = %q", r.stdout)
	}

	// Flags may come before or after the ID.
	for _, args := range [][]string{
		{"client", "show", web.ClientID, "--json", "--db", db},
		{"client", "show", "--json", "--db", db, web.ClientID},
	} {
		r = runCLI(t, "", args...)
		mustCode(t, r, 0)
		var shown map[string]any
		decodeOne(t, r.stdout, &shown)
		if shown["client_id"] != web.ClientID || shown["type"] != string(storage.ClientWeb) || shown["name"] != "Web" {
			t.Errorf("%q = %v", args, shown)
		}
		if _, ok := shown["client_secret"]; ok {
			t.Errorf("client show prints a secret: %v", shown)
		}
	}
	r = runCLI(t, "", "client", "show", svc.ClientID, "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, svc.ClientID) || !strings.Contains(r.stdout, "api:read") {
		t.Errorf("client show = %q", r.stdout)
	}

	r = runCLI(t, "", "client", "delete", web.ClientID, "--json", "--db", db)
	mustCode(t, r, 0)
	var del struct {
		ClientID string `json:"client_id"`
		Deleted  bool   `json:"deleted"`
	}
	decodeOne(t, r.stdout, &del)
	if del.ClientID != web.ClientID || !del.Deleted {
		t.Errorf("client delete --json = %+v", del)
	}

	for _, sub := range []string{"show", "delete"} {
		r = runCLI(t, "", "client", sub, web.ClientID, "--db", db, "--json")
		mustCode(t, r, 1)
		if !strings.Contains(r.stderr, "no client with ID "+`"`+web.ClientID+`"`) || !strings.Contains(r.stderr, "client list") {
			t.Errorf("client %s of a deleted client: stderr %q", sub, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("client %s of a deleted client: stdout %q", sub, r.stdout)
		}
	}
	r = runCLI(t, "", "client", "delete", "no-such-client", "--db", db)
	mustCode(t, r, 1)
	if !strings.Contains(r.stderr, `no client with ID "no-such-client"`) {
		t.Errorf("delete unknown: stderr %q", r.stderr)
	}

	r = runCLI(t, "", "client", "list", "--json", "--db", db)
	mustCode(t, r, 0)
	var left []clientOut
	decodeOne(t, r.stdout, &left)
	if len(left) != 1 || left[0].ClientID != svc.ClientID {
		t.Errorf("after delete, client list = %+v", left)
	}
}

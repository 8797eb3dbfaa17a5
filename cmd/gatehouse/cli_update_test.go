package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// lastAuditOf returns the newest audit record of the database db.
func lastAuditOf(t *testing.T, db string) storage.AuditRecord {
	t.Helper()
	recs, err := openStore(t, db).ListAudit(t.Context(), 0, 10000)
	if err != nil || len(recs) == 0 {
		t.Fatalf("audit trail: %d records, %v", len(recs), err)
	}
	return recs[len(recs)-1]
}

// TestClientUpdate: the flags given replace those settings (a list as a
// whole, an empty value emptying it) and the rest stays.
func TestClientUpdate(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop")
	orders := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com", "--scope", "orders:read")
	c := addClient(t, db, "--type", "spa", "--name", "App", "--redirect-uri", "https://app.example.com/cb",
		"--redirect-uri-pattern", `https://pr-[0-9]+\.app\.example\.com/cb`, "--scope", "extra")
	steps := []struct {
		name  string
		args  []string
		check func(t *testing.T, got clientOut)
	}{
		{"name and redirect URIs", []string{"--name", "App 2", "--redirect-uri", "https://app.example.com/a", "--redirect-uri", "https://app.example.com/b"},
			func(t *testing.T, got clientOut) {
				if got.Name != "App 2" || !slices.Equal(got.RedirectURIs, []string{"https://app.example.com/a", "https://app.example.com/b"}) {
					t.Errorf("name %q, redirect URIs %v", got.Name, got.RedirectURIs)
				}
				if !slices.Equal(got.RedirectURIPatterns, c.RedirectURIPatterns) || !slices.Equal(got.Scopes, []string{"extra"}) || got.Type != "spa" {
					t.Errorf("settings not given changed: patterns %v, scopes %v, type %s", got.RedirectURIPatterns, got.Scopes, got.Type)
				}
			}},
		{"empty the patterns, set default and logout URIs", []string{"--redirect-uri-pattern", "", "--default-redirect-uri", "https://app.example.com/b",
			"--post-logout-redirect-uri", "https://app.example.com/bye"},
			func(t *testing.T, got clientOut) {
				if len(got.RedirectURIPatterns) != 0 || got.DefaultRedirectURI != "https://app.example.com/b" ||
					!slices.Equal(got.PostLogoutRedirectURIs, []string{"https://app.example.com/bye"}) {
					t.Errorf("patterns %v, default %q, logout %v", got.RedirectURIPatterns, got.DefaultRedirectURI, got.PostLogoutRedirectURIs)
				}
				if len(got.RedirectURIs) != 2 {
					t.Errorf("redirect URIs %v, want the two of the last step", got.RedirectURIs)
				}
			}},
		{"into a project with an API", []string{"--project", shop.ID, "--api", orders.ID, "--scope", "orders:read"},
			func(t *testing.T, got clientOut) {
				if !slices.Equal(got.Scopes, []string{"orders:read"}) {
					t.Errorf("scopes %v", got.Scopes)
				}
			}},
	}
	for _, s := range steps {
		args := append([]string{"client", "update", c.ClientID, "--db", db, "--json"}, s.args...)
		r := runCLI(t, "", args...)
		mustCode(t, r, 0)
		var got clientOut
		decodeOne(t, r.stdout, &got)
		if got.ClientID != c.ClientID || got.ClientSecret != "" {
			t.Fatalf("%s: client %q, secret %q", s.name, got.ClientID, got.ClientSecret)
		}
		t.Run(s.name, func(t *testing.T) { s.check(t, got) })
	}
	stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil || stored.ProjectID != shop.ID || !slices.Equal(stored.APIs, []string{orders.ID}) {
		t.Fatalf("stored client: project %q, APIs %v, %v", stored.ProjectID, stored.APIs, err)
	}
	if rec := lastAuditOf(t, db); rec.Action != audit.ClientUpdated || rec.Actor != audit.ActorCLI || rec.Target != c.ClientID {
		t.Errorf("last audit record %s %s by %s, want client.updated of the client by cli", rec.Action, rec.Target, rec.Actor)
	}
	// Text output; flags before the ID.
	r := runCLI(t, "", "client", "update", "--db", db, "--name", "App 3", c.ClientID)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "App 3") || !strings.Contains(r.stdout, c.ClientID) {
		t.Errorf("client update = %q", r.stdout)
	}
}

// TestUpdateRefused: bad usage exits 2, a value the admin service refuses
// exits 2 naming the flag (as for add), a record that does not exist
// exits 1; nothing refused is stored.
func TestUpdateRefused(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop", "--description", "Orders")
	orders := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com", "--scope", "orders:read")
	addAPI(t, db, "--project", shop.ID, "--name", "Stock", "--identifier", "https://stock.example.com")
	spa := addClient(t, db, "--type", "spa", "--name", "App", "--redirect-uri", "https://app.example.com/cb",
		"--project", shop.ID, "--api", orders.ID, "--scope", "orders:read")
	web := addClient(t, db, "--type", "web", "--name", "Web", "--redirect-uri", "https://web.example.com/cb")
	st := openStore(t, db)
	before := func() (storage.Client, storage.Client, storage.API, storage.Project) {
		a, _ := st.GetClient(t.Context(), spa.ClientID)
		b, _ := st.GetClient(t.Context(), web.ClientID)
		c, _ := st.GetAPI(t.Context(), orders.ID)
		d, _ := st.GetProject(t.Context(), shop.ID)
		return a, b, c, d
	}
	s1, w1, a1, p1 := before()
	tests := []struct {
		name string
		args []string // --db is appended
		code int
		want string
	}{
		{"client update without ID", []string{"client", "update", "--name", "X"}, 2, "give the ID"},
		{"client update two IDs", []string{"client", "update", spa.ClientID, "other"}, 2, `unexpected argument "other"`},
		{"client update nothing", []string{"client", "update", spa.ClientID}, 2, "nothing to change"},
		{"client update unknown flag", []string{"client", "update", spa.ClientID, "--type", "web"}, 2, "-type"},
		{"client update unknown ID", []string{"client", "update", "nope", "--name", "X"}, 1, `no client with ID "nope"`},
		{"client update http redirect", []string{"client", "update", spa.ClientID, "--redirect-uri", "http://app.example.com/cb"}, 2, "--redirect-uri:"},
		{"client update no redirect left", []string{"client", "update", spa.ClientID, "--redirect-uri", ""}, 2, "--redirect-uri:"},
		{"client update bad pattern", []string{"client", "update", spa.ClientID, "--redirect-uri-pattern", `https://[a-z]+.example\.com/cb`}, 2, "--redirect-uri-pattern:"},
		{"client update blank name", []string{"client", "update", spa.ClientID, "--name", "  "}, 2, "--name:"},
		{"client update unknown API", []string{"client", "update", spa.ClientID, "--api", "nope"}, 2, "--api:"},
		{"client update unknown project", []string{"client", "update", spa.ClientID, "--project", "nope"}, 2, "--project:"},
		{"client update scope of no API", []string{"client", "update", spa.ClientID, "--scope", "stock:write"}, 2, "--scope:"},
		{"client update to client_secret_jwt", []string{"client", "update", web.ClientID, "--auth-method", "client_secret_jwt"}, 2, "--auth-method:"},
		{"api update without ID", []string{"api", "update", "--name", "X"}, 2, "give the ID"},
		{"api update nothing", []string{"api", "update", orders.ID, "--json"}, 2, "nothing to change"},
		{"api update unknown ID", []string{"api", "update", "nope", "--name", "X"}, 1, `no API with ID "nope"`},
		{"api update bad identifier", []string{"api", "update", orders.ID, "--identifier", "http://orders.example.com"}, 2, "--identifier:"},
		{"api update taken identifier", []string{"api", "update", orders.ID, "--identifier", "https://stock.example.com"}, 2, "--identifier: another API"},
		{"api update scope in use", []string{"api", "update", orders.ID, "--scope", ""}, 2, "--scope:"},
		{"project update without ID", []string{"project", "update", "--name", "X"}, 2, "give the ID"},
		{"project update nothing", []string{"project", "update", shop.ID}, 2, "nothing to change"},
		{"project update unknown ID", []string{"project", "update", "nope", "--name", "X"}, 1, `no project with ID "nope"`},
		{"project update long name", []string{"project", "update", shop.ID, "--name", strings.Repeat("n", 101)}, 2, "--name:"},
		{"project update stray word", []string{"project", "update", shop.ID, "--name", "My", "Shop"}, 2, `unexpected argument "Shop"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append(tt.args, "--db", db)...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want nothing and a message with %q", r.stdout, r.stderr, tt.want)
			}
			if tt.code == 2 && !strings.Contains(r.stderr, "--help") {
				t.Errorf("stderr %q does not point to --help", r.stderr)
			}
		})
	}
	s2, w2, a2, p2 := before()
	if !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(w1, w2) || !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(p1, p2) {
		t.Errorf("a refused update changed a record")
	}
}

// TestAPIProjectUpdate: api and project update change the fields given.
func TestAPIProjectUpdate(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop", "--description", "Orders and stock")
	orders := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com", "--scope", "orders:read=Read")

	r := runCLI(t, "", "project", "update", shop.ID, "--db", db, "--name", "Shop 2", "--json")
	mustCode(t, r, 0)
	var p projectOut
	decodeOne(t, r.stdout, &p)
	if p.ID != shop.ID || p.Name != "Shop 2" || p.Description != "Orders and stock" {
		t.Errorf("project update --name = %+v", p)
	}
	r = runCLI(t, "", "project", "update", shop.ID, "--db", db, "--description", "")
	mustCode(t, r, 0)
	if stored, err := openStore(t, db).GetProject(t.Context(), shop.ID); err != nil || stored.Description != "" || stored.Name != "Shop 2" {
		t.Errorf("after --description '': %+v, %v", stored, err)
	}

	r = runCLI(t, "", "api", "update", orders.ID, "--db", db, "--json", "--identifier", "https://orders.example.com/v2",
		"--scope", "orders:read=Read your orders", "--scope", "orders:write=Place orders")
	mustCode(t, r, 0)
	var a apiOut
	decodeOne(t, r.stdout, &a)
	if a.ID != orders.ID || a.Name != "Orders" || a.Identifier != "https://orders.example.com/v2" || len(a.Scopes) != 2 ||
		a.Scopes[0].Description != "Read your orders" || a.Scopes[1].Name != "orders:write" {
		t.Errorf("api update = %+v", a)
	}
	r = runCLI(t, "", "api", "update", orders.ID, "--db", db, "--json", "--name", "Orders API", "--scope", "")
	mustCode(t, r, 0)
	decodeOne(t, r.stdout, &a)
	if a.Name != "Orders API" || len(a.Scopes) != 0 || a.Identifier != "https://orders.example.com/v2" {
		t.Errorf("api update --scope '' = %+v", a)
	}
	if rec := lastAuditOf(t, db); rec.Action != audit.APIUpdated || rec.Actor != audit.ActorCLI {
		t.Errorf("last audit record %s by %s, want api.updated by cli", rec.Action, rec.Actor)
	}
}

// TestParityHelp: the commands added for parity with the console explain
// themselves on --help (how lists are replaced, for updates), exit 0 and
// do not touch the database.
func TestParityHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"client", "update", "--help"}, []string{"Usage: gatehouse client update ID", "replaces the whole list", "-redirect-uri-pattern", "-api", "-project"}},
		{[]string{"api", "update", "--help"}, []string{"Usage: gatehouse api update ID", "replaces the whole list", "-scope", "-identifier"}},
		{[]string{"project", "update", "--help"}, []string{"Usage: gatehouse project update ID", "-description"}},
		{[]string{"user", "help"}, []string{"show ID", "update ID", "delete ID", "passwd ID"}},
		{[]string{"user", "show", "--help"}, []string{"Usage: gatehouse user show ID", "-json"}},
		{[]string{"user", "update", "--help"}, []string{"Usage: gatehouse user update ID", "-no-admin", "-group", "replaces the whole list"}},
		{[]string{"user", "delete", "--help"}, []string{"Usage: gatehouse user delete ID", "last"}},
		{[]string{"user", "passwd", "--help"}, []string{"Usage: gatehouse user passwd ID", "-password-stdin", "revokes"}},
		{[]string{"group", "--help"}, []string{"Usage: gatehouse group list|show NAME|add NAME USER_ID|remove NAME USER_ID"}},
		{[]string{"group", "add", "--help"}, []string{"Usage: gatehouse group add NAME USER_ID"}},
		{[]string{"group", "remove", "--help"}, []string{"Usage: gatehouse group remove NAME USER_ID"}},
		{[]string{"client", "help"}, []string{"update ID"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "g.db")
			r := runCLI(t, "", append(tt.args, "--db", "sqlite:"+db)...)
			mustCode(t, r, 0)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout+r.stderr)
				}
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--help touched the database (stat: %v)", err)
			}
		})
	}
	r := runCLI(t, "", "help")
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "  group ") {
		t.Errorf("gatehouse help lacks the group command:\n%s", r.stdout)
	}
}

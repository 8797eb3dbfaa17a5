package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// projectOut and apiOut are a project and an API as --json prints them.
type projectOut struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type apiOut struct {
	ID         string `json:"id"`
	ProjectID  string `json:"project_id"`
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
	Scopes     []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"scopes"`
}

func addProject(t *testing.T, db string, args ...string) projectOut {
	t.Helper()
	r := runCLI(t, "", append([]string{"project", "add", "--db", db, "--json"}, args...)...)
	mustCode(t, r, 0)
	var p projectOut
	decodeOne(t, r.stdout, &p)
	return p
}

func addAPI(t *testing.T, db string, args ...string) apiOut {
	t.Helper()
	r := runCLI(t, "", append([]string{"api", "add", "--db", db, "--json"}, args...)...)
	mustCode(t, r, 0)
	var a apiOut
	decodeOne(t, r.stdout, &a)
	return a
}

func TestProjectCommands(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop", "--description", "Orders and stock")
	blog := addProject(t, db, "--name", "Blog")
	if shop.ID == "" || shop.Name != "Shop" || shop.Description != "Orders and stock" || blog.ID == shop.ID {
		t.Fatalf("project add --json = %+v, %+v", shop, blog)
	}
	stored, err := openStore(t, db).GetProject(t.Context(), shop.ID)
	if err != nil || stored.Name != "Shop" {
		t.Fatalf("stored project = %+v, %v", stored, err)
	}

	r := runCLI(t, "", "project", "list", "--db", db, "--json")
	mustCode(t, r, 0)
	var list []projectOut
	decodeOne(t, r.stdout, &list)
	if want := []projectOut{blog, shop}; !reflect.DeepEqual(list, want) {
		t.Errorf("project list --json = %+v, want %+v", list, want)
	}
	r = runCLI(t, "", "project", "list", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, shop.ID) || !strings.Contains(r.stdout, "Orders and stock") {
		t.Errorf("project list = %q", r.stdout)
	}

	// Flags may follow the ID.
	r = runCLI(t, "", "project", "show", shop.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var shown projectOut
	decodeOne(t, r.stdout, &shown)
	if shown != shop {
		t.Errorf("project show --json = %+v, want %+v", shown, shop)
	}
	r = runCLI(t, "", "project", "show", "--db", db, shop.ID)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "Orders and stock") {
		t.Errorf("project show = %q", r.stdout)
	}

	// A project with an API cannot be deleted until the API is gone.
	a := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com")
	r = runCLI(t, "", "project", "delete", shop.ID, "--db", db)
	mustCode(t, r, 1)
	if !strings.Contains(r.stderr, "still has APIs or clients") || r.stdout != "" {
		t.Errorf("project delete in use: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	mustCode(t, runCLI(t, "", "api", "delete", a.ID, "--db", db), 0)
	r = runCLI(t, "", "project", "delete", shop.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var deleted map[string]any
	decodeOne(t, r.stdout, &deleted)
	if deleted["id"] != shop.ID || deleted["deleted"] != true {
		t.Errorf("project delete --json = %v", deleted)
	}
	for _, args := range [][]string{{"show", shop.ID}, {"delete", shop.ID}} {
		r := runCLI(t, "", append([]string{"project"}, append(args, "--db", db)...)...)
		mustCode(t, r, 1)
		if !strings.Contains(r.stderr, "no project with ID") {
			t.Errorf("project %s of a deleted project: stderr %q", args[0], r.stderr)
		}
	}
}

func TestAPICommands(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop")
	other := addProject(t, db, "--name", "Other")
	orders := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com",
		"--scope", "orders:read=Read your orders", "--scope", "orders:write=Place orders = spend money", "--scope", "orders:admin")
	if orders.ID == "" || orders.ProjectID != shop.ID || orders.Identifier != "https://orders.example.com" {
		t.Fatalf("api add --json = %+v", orders)
	}
	gotScopes := [][2]string{}
	for _, sc := range orders.Scopes {
		gotScopes = append(gotScopes, [2]string{sc.Name, sc.Description})
	}
	wantScopes := [][2]string{{"orders:read", "Read your orders"}, {"orders:write", "Place orders = spend money"}, {"orders:admin", ""}}
	if !reflect.DeepEqual(gotScopes, wantScopes) {
		t.Errorf("scopes = %q, want %q", gotScopes, wantScopes)
	}
	stock := addAPI(t, db, "--project", other.ID, "--name", "Stock", "--identifier", "http://localhost:9000/stock")
	if stock.Scopes == nil {
		t.Errorf("api add without scopes printed scopes null, want []")
	}

	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"api", "list"}, []string{orders.ID, stock.ID}},
		{[]string{"api", "list", "--project", shop.ID}, []string{orders.ID}},
		{[]string{"api", "list", "--project", other.ID}, []string{stock.ID}},
	} {
		r := runCLI(t, "", append(tt.args, "--db", db, "--json")...)
		mustCode(t, r, 0)
		var list []apiOut
		decodeOne(t, r.stdout, &list)
		var ids []string
		for _, a := range list {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%q = %q, want %q", tt.args, ids, tt.want)
		}
	}
	r := runCLI(t, "", "api", "list", "--project", "nope", "--db", db)
	mustCode(t, r, 1)
	r = runCLI(t, "", "api", "list", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "orders:read orders:write orders:admin") {
		t.Errorf("api list = %q", r.stdout)
	}

	r = runCLI(t, "", "api", "show", orders.ID, "--json", "--db", db)
	mustCode(t, r, 0)
	var shown apiOut
	decodeOne(t, r.stdout, &shown)
	if !reflect.DeepEqual(shown, orders) {
		t.Errorf("api show --json = %+v, want %+v", shown, orders)
	}
	r = runCLI(t, "", "api", "show", orders.ID, "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "Read your orders") || !strings.Contains(r.stdout, "https://orders.example.com") {
		t.Errorf("api show = %q", r.stdout)
	}

	// A client that lists the API keeps it from being deleted.
	c := addClient(t, db, "--type", "service", "--name", "Worker", "--project", shop.ID,
		"--api", orders.ID, "--api", stock.ID, "--scope", "orders:read")
	r = runCLI(t, "", "api", "delete", orders.ID, "--db", db)
	mustCode(t, r, 1)
	if !strings.Contains(r.stderr, "still listed by a client") {
		t.Errorf("api delete in use: stderr %q", r.stderr)
	}
	mustCode(t, runCLI(t, "", "client", "delete", c.ClientID, "--db", db), 0)
	r = runCLI(t, "", "api", "delete", orders.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var deleted map[string]any
	decodeOne(t, r.stdout, &deleted)
	if deleted["id"] != orders.ID || deleted["deleted"] != true {
		t.Errorf("api delete --json = %v", deleted)
	}
	for _, sub := range []string{"show", "delete"} {
		r := runCLI(t, "", "api", sub, orders.ID, "--db", db)
		mustCode(t, r, 1)
		if !strings.Contains(r.stderr, "no API with ID") {
			t.Errorf("api %s of a deleted API: stderr %q", sub, r.stderr)
		}
	}
}

func TestClientAddProjectAndAPIs(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop")
	orders := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com",
		"--scope", "orders:read=Read your orders")
	r := runCLI(t, "", "client", "add", "--type", "spa", "--name", "Shop app", "--redirect-uri", "https://shop.example.com/cb",
		"--project", shop.ID, "--api", orders.ID, "--scope", "orders:read", "--db", db, "--json")
	mustCode(t, r, 0)
	var c struct {
		ClientID  string   `json:"client_id"`
		ProjectID string   `json:"project_id"`
		APIs      []string `json:"apis"`
		Scopes    []string `json:"scopes"`
	}
	decodeOne(t, r.stdout, &c)
	if c.ProjectID != shop.ID || !slices.Equal(c.APIs, []string{orders.ID}) || !slices.Equal(c.Scopes, []string{"orders:read"}) {
		t.Errorf("client add --json = %+v", c)
	}
	stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil || stored.ProjectID != shop.ID || !slices.Equal(stored.APIs, []string{orders.ID}) {
		t.Errorf("stored client = %+v, %v", stored, err)
	}
	r = runCLI(t, "", "client", "show", c.ClientID, "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, shop.ID) || !strings.Contains(r.stdout, orders.ID) {
		t.Errorf("client show = %q", r.stdout)
	}
	// A client without --project or --api is as before.
	plain := addClient(t, db, "--type", "service", "--name", "Legacy", "--scope", "anything:goes")
	r = runCLI(t, "", "client", "show", plain.ClientID, "--db", db, "--json")
	mustCode(t, r, 0)
	var obj map[string]any
	decodeOne(t, r.stdout, &obj)
	if _, ok := obj["project_id"]; ok || !reflect.DeepEqual(obj["apis"], []any{}) {
		t.Errorf("client without project: %v", obj)
	}
}

// TestProjectAPIBadUsage: mistakes in the command line exit 2 and name
// the flag; nothing is printed on stdout.
func TestProjectAPIBadUsage(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	shop := addProject(t, db, "--name", "Shop")
	api := addAPI(t, db, "--project", shop.ID, "--name", "Orders", "--identifier", "https://orders.example.com", "--scope", "orders:read")
	tests := []struct {
		name string
		args []string // --db is appended unless the args end with "-"
		want string
	}{
		{"project without subcommand", []string{"project", "-"}, "missing subcommand"},
		{"project unknown subcommand", []string{"project", "rename"}, `unknown subcommand "rename"`},
		{"project add without name", []string{"project", "add"}, "--name is required"},
		{"project add long name", []string{"project", "add", "--name", strings.Repeat("n", 101)}, "--name:"},
		{"project add bad description", []string{"project", "add", "--name", "P", "--description", "a\tb"}, "--description:"},
		{"project add stray argument", []string{"project", "add", "--name", "My", "Project"}, `unexpected argument "Project"`},
		{"project show without ID", []string{"project", "show"}, "give the project ID"},
		{"project delete two IDs", []string{"project", "delete", "a", "b"}, `unexpected argument "b"`},
		{"api without subcommand", []string{"api", "-"}, "missing subcommand"},
		{"api unknown subcommand", []string{"api", "rename"}, `unknown subcommand "rename"`},
		{"api add missing flags", []string{"api", "add", "--name", "X"}, "--project, --name and --identifier are required"},
		{"api add unknown project", []string{"api", "add", "--project", "nope", "--name", "X", "--identifier", "https://x.example.com"}, "--project:"},
		{"api add bad identifier", []string{"api", "add", "--project", shop.ID, "--name", "X", "--identifier", "http://x.example.com"}, "--identifier:"},
		{"api add taken identifier", []string{"api", "add", "--project", shop.ID, "--name", "X", "--identifier", "https://orders.example.com"}, "--identifier: another API"},
		{"api add openid scope", []string{"api", "add", "--project", shop.ID, "--name", "X", "--identifier", "https://x.example.com", "--scope", "openid=Sign in"}, "--scope:"},
		{"api add bad scope", []string{"api", "add", "--project", shop.ID, "--name", "X", "--identifier", "https://x.example.com", "--scope", "a\"b"}, "--scope:"},
		{"api show without ID", []string{"api", "show", "--json"}, "give the api ID"},
		{"api list stray argument", []string{"api", "list", shop.ID}, "unexpected argument"},
		{"client add unknown project", []string{"client", "add", "--type", "service", "--name", "W", "--project", "nope"}, "--project:"},
		{"client add unknown api", []string{"client", "add", "--type", "service", "--name", "W", "--api", "nope"}, "--api:"},
		{"client add scope of no api", []string{"client", "add", "--type", "service", "--name", "W", "--api", api.ID, "--scope", "stock:read"}, "--scope:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if args[len(args)-1] == "-" {
				args = args[:len(args)-1]
			} else {
				args = append(args, "--db", db)
			}
			r := runCLI(t, "", args...)
			mustCode(t, r, 2)
			if !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "--help") {
				t.Errorf("stderr %q, want it to contain %q and point to --help", r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
	// Nothing refused was stored.
	st := openStore(t, db)
	if ps, _ := st.ListProjects(t.Context()); len(ps) != 1 {
		t.Errorf("%d projects stored, want 1", len(ps))
	}
	if as, _ := st.ListAPIs(t.Context(), ""); len(as) != 1 {
		t.Errorf("%d APIs stored, want 1", len(as))
	}
	if cs, _ := st.ListClients(t.Context()); len(cs) != 0 {
		t.Errorf("%d clients stored, want 0", len(cs))
	}
}

// TestProjectAPIHelp: every new command explains itself on --help, exits
// 0 and does not touch the database.
func TestProjectAPIHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"project", "--help"}, []string{"Usage: gatehouse project", "add", "list", "show", "delete"}},
		{[]string{"project", "add", "--help"}, []string{"Usage: gatehouse project add", "-name", "-description", "-json", "-db"}},
		{[]string{"project", "list", "--help"}, []string{"Usage: gatehouse project list", "-json"}},
		{[]string{"project", "show", "--help"}, []string{"Usage: gatehouse project show ID", "-json"}},
		{[]string{"project", "delete", "--help"}, []string{"Usage: gatehouse project delete ID", "-json"}},
		{[]string{"api", "help"}, []string{"Usage: gatehouse api", "audience"}},
		{[]string{"api", "add", "--help"}, []string{"Usage: gatehouse api add", "-project", "-identifier", "-scope", "name=description", "-json"}},
		{[]string{"api", "list", "--help"}, []string{"Usage: gatehouse api list", "-project", "-json"}},
		{[]string{"api", "show", "--help"}, []string{"Usage: gatehouse api show ID", "-json"}},
		{[]string{"api", "delete", "--help"}, []string{"Usage: gatehouse api delete ID", "-json"}},
		{[]string{"client", "add", "--help"}, []string{"-project", "-api"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "g.db")
			r := runCLI(t, "", append(tt.args, "--db", "sqlite:"+db)...)
			mustCode(t, r, 0)
			all := r.stdout + r.stderr
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("help lacks %q:\n%s", w, all)
				}
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--help touched the database (stat: %v)", err)
			}
		})
	}
	r := runCLI(t, "", "help")
	mustCode(t, r, 0)
	for _, w := range []string{"project", "api"} {
		if !strings.Contains(r.stdout, "  "+w+" ") {
			t.Errorf("gatehouse help lacks %q:\n%s", w, r.stdout)
		}
	}
}

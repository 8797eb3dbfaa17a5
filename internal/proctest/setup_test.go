package proctest

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// fixture is a migrated database, the master secret file a server of it
// reads, and an app registered on it.
type fixture struct {
	db, secret string
	ap         app
}

// newFixture migrates db, writes a master secret and registers an app,
// all with the CLI, as an operator would.
func newFixture(t *testing.T, db string) fixture {
	t.Helper()
	f := fixture{db: db, secret: secretFile(t)}
	cli(t, "", "migrate", "--db", db)
	f.ap = register(t, db, f.secret)
	return f
}

// onEachBackend runs fn in one subtest per backend (name "sqlite" or
// "postgres"), each on a fresh fixture: SQLite in a temporary file, a
// new PostgreSQL database.
func onEachBackend(t *testing.T, fn func(t *testing.T, name string, f fixture)) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.name, newFixture(t, b.db(t))) })
	}
}

// app is a registered web client and a user who signs in to it.
type app struct {
	clientID, clientSecret, redirectURI string
	email, password                     string
}

// register adds a user and a confidential web client with the CLI, as an
// operator would, on the database db.
func register(t *testing.T, db, secret string) app {
	t.Helper()
	a := app{redirectURI: "https://app.example/callback", email: "ada@example.com", password: "correct horse battery staple"}
	cli(t, a.password+"\n", "user", "add", "--email", a.email, "--name", "Ada", "--password-stdin", "--db", db)
	out := cli(t, "", "client", "add", "--type", "web", "--name", "Proc Test App", "--redirect-uri", a.redirectURI,
		"--db", db, "--secret-file", secret, "--json")
	var c struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID == "" || c.ClientSecret == "" {
		t.Fatalf("client add --json: %v\n%s", err, out)
	}
	a.clientID, a.clientSecret = c.ClientID, c.ClientSecret
	return a
}

// agent returns a fresh browser for the app's user, going to issuer.
func (a app) agent(issuer string) *agent {
	return newAgent(issuer, a.clientID, a.clientSecret, a.redirectURI, a.email, a.password)
}

package proctest

import (
	"encoding/json"
	"testing"
)

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

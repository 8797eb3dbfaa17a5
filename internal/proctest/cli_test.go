package proctest

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// TestCLIChangesReachRunningServer: a client secret rotated with the CLI
// (another process, writing to the database directly) is honoured by a
// running server within the documented bound — by notification on
// PostgreSQL, by the cache TTL on SQLite — though the server had the
// client cached.
func TestCLIChangesReachRunningServer(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			secret := secretFile(t)
			cli(t, "", "migrate", "--db", db)
			ap := register(t, db, secret)
			lb := newBalancer(t)
			p := serve(t, db, secret, lb.URL)
			authenticates := func(clientSecret string) bool {
				withSecret := ap
				withSecret.clientSecret = clientSecret
				_, err := withSecret.agent(p.URL).active(p.URL, "not-a-token")
				return err == nil
			}
			if !authenticates(ap.clientSecret) { // and the server caches the client
				t.Fatal("the registered secret does not authenticate")
			}
			out := cli(t, "", "client", "rotate-secret", ap.clientID, "--overlap", "0", "--db", db, "--secret-file", secret, "--json")
			var rotated struct {
				ClientSecret string `json:"client_secret"`
			}
			if err := json.Unmarshal([]byte(out), &rotated); err != nil || rotated.ClientSecret == "" {
				t.Fatalf("rotate-secret --json: %v\n%s", err, out)
			}
			// Poll with the old secret, which works while the client is
			// cached: failed client authentications may be throttled.
			waitFor(t, "the old secret refused", func() bool { return !authenticates(ap.clientSecret) })
			if !authenticates(rotated.ClientSecret) {
				t.Error("the rotated secret does not authenticate")
			}
		})
	}
}

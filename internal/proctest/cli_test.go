package proctest

import (
	"encoding/json"
	"testing"
)

// TestCLIChangesReachRunningServer: a client secret rotated with the CLI
// (another process, writing to the database directly) is honoured by a
// running server within the documented bound — by notification on
// PostgreSQL, by the cache TTL on SQLite — though the server had the
// client cached.
func TestCLIChangesReachRunningServer(t *testing.T) {
	onEachBackend(t, func(t *testing.T, _ string, f fixture) {
		db, secret, ap := f.db, f.secret, f.ap
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

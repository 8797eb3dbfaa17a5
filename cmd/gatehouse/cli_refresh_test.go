package main

import (
	"strings"
	"testing"
	"time"
)

// TestClientAddRefreshPolicy checks --issue-refresh-tokens,
// --refresh-idle-ttl and --refresh-absolute-ttl reach the registration,
// and that a service client is refused them with exit status 2.
func TestClientAddRefreshPolicy(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	c := addClient(t, db, "--type", "web", "--name", "Web", "--redirect-uri", "https://web.example.com/cb",
		"--issue-refresh-tokens", "--refresh-idle-ttl", "24h", "--refresh-absolute-ttl", "720h")
	got, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssueRefreshTokens || got.RefreshIdleTTL != 24*time.Hour || got.RefreshAbsoluteTTL != 720*time.Hour {
		t.Errorf("stored issue=%v idle=%v absolute=%v; want true 24h 720h", got.IssueRefreshTokens, got.RefreshIdleTTL, got.RefreshAbsoluteTTL)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "service", "--issue-refresh-tokens"}, "--issue-refresh-tokens:"},
		{[]string{"--type", "service", "--refresh-idle-ttl", "1h"}, "--refresh-idle-ttl:"},
		{[]string{"--type", "web", "--redirect-uri", "https://web.example.com/cb", "--refresh-idle-ttl", "2h", "--refresh-absolute-ttl", "1h"}, "--refresh-idle-ttl:"},
		{[]string{"--type", "web", "--redirect-uri", "https://web.example.com/cb", "--refresh-absolute-ttl", "-1h"}, "--refresh-absolute-ttl:"},
	} {
		r := runCLI(t, "", append([]string{"client", "add", "--db", db, "--name", "App"}, tc.args...)...)
		mustCode(t, r, 2)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr %q, want it to name %s", tc.args, r.stderr, tc.want)
		}
	}
}

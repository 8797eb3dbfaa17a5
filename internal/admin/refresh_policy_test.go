package admin

import (
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestCreateClientRefreshPolicy checks the refresh-token settings a client
// may register: stored as given, refused for service clients (RFC 6749
// §4.4.3: no refresh token for client credentials), never negative, and
// the idle lifetime within the absolute one.
func TestCreateClientRefreshPolicy(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	web := NewClient{Type: storage.ClientWeb, Name: "Web", RedirectURIs: []string{"https://web.example.com/cb"}}
	service := NewClient{Type: storage.ClientService, Name: "Job"}
	with := func(in NewClient, issue bool, idle, absolute time.Duration) NewClient {
		in.IssueRefreshTokens, in.RefreshIdleTTL, in.RefreshAbsoluteTTL = issue, idle, absolute
		return in
	}
	for _, tc := range []struct {
		name  string
		in    NewClient
		field string // "" when accepted
	}{
		{"web with every setting", with(web, true, time.Hour, 24*time.Hour), ""},
		{"web with defaults", web, ""},
		{"web idle only", with(web, false, time.Hour, 0), ""},
		{"web idle equal to absolute", with(web, false, time.Hour, time.Hour), ""},
		{"web idle beyond absolute", with(web, false, 2*time.Hour, time.Hour), "refresh_idle_ttl"},
		{"web negative idle", with(web, false, -time.Hour, 0), "refresh_idle_ttl"},
		{"web negative absolute", with(web, false, 0, -time.Hour), "refresh_absolute_ttl"},
		{"service issuing refresh tokens", with(service, true, 0, 0), "issue_refresh_tokens"},
		{"service with an idle lifetime", with(service, false, time.Hour, 0), "refresh_idle_ttl"},
		{"service with an absolute lifetime", with(service, false, 0, time.Hour), "refresh_absolute_ttl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := svc.CreateClient(t.Context(), tc.in)
			if tc.field != "" {
				wantField(t, err, tc.field, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.GetClient(t.Context(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.IssueRefreshTokens != tc.in.IssueRefreshTokens || got.RefreshIdleTTL != tc.in.RefreshIdleTTL || got.RefreshAbsoluteTTL != tc.in.RefreshAbsoluteTTL {
				t.Errorf("stored issue=%v idle=%v absolute=%v, want %v %v %v", got.IssueRefreshTokens, got.RefreshIdleTTL, got.RefreshAbsoluteTTL,
					tc.in.IssueRefreshTokens, tc.in.RefreshIdleTTL, tc.in.RefreshAbsoluteTTL)
			}
		})
	}
}

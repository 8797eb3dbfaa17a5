package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// adminPost sends an admin API POST with a JSON body and, if xff is set,
// an X-Forwarded-For header, and fails unless it answers 201.
func adminPost(t *testing.T, env *servertest.Env, token, path, xff string, body any) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+adminPrefix+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: status %d, want 201; %s", path, resp.StatusCode, readAll(t, resp))
	}
}

// lastAudit returns the newest audit record with the action.
func lastAudit(t *testing.T, env *servertest.Env, action string) storage.AuditRecord {
	t.Helper()
	recs, err := env.Store.ListAudit(t.Context(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Action == action {
			return recs[i]
		}
	}
	t.Fatalf("no %s record in %d records", action, len(recs))
	return storage.AuditRecord{}
}

// TestAuditAdminAPIActor: a change made through the admin API is recorded
// as "admin:" and the user of the token, or its client for a client's own
// token, never as "system".
func TestAuditAdminAPIActor(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		root := addUser(t, env, "root@example.com", true)
		userTok := userToken(t, env, consoleClient(t, env), root.Email).str("access_token")
		svc, svcTok := serviceToken(t, env, oauth.ScopeAdmin)
		for _, tc := range []struct {
			name, token, project, actor string
		}{
			{"user token", userTok, "By a user", audit.ActorAdminPrefix + root.ID},
			{"client token", svcTok, "By a client", audit.ActorAdminPrefix + svc.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				adminPost(t, env, tc.token, "/projects", "", map[string]string{"name": tc.project})
				r := lastAudit(t, env, audit.ProjectCreated)
				if r.Actor != tc.actor || !bytes.Contains([]byte(r.Details), []byte(tc.project)) {
					t.Errorf("project.created by %q, details %s; want actor %q and the project", r.Actor, r.Details, tc.actor)
				}
				if r.RemoteIP != "127.0.0.1" {
					t.Errorf("remote IP %q, want the test client's 127.0.0.1", r.RemoteIP)
				}
			})
		}
	})
}

// TestAuditClientIPBehindProxy: the audit trail names the client address
// the throttle counts failures under (--trusted-proxies): the
// X-Forwarded-For entry of a trusted proxy's request, but the peer when
// the peer is not trusted, whatever the header says.
func TestAuditClientIPBehindProxy(t *testing.T) {
	const forwarded = "203.0.113.9"
	for _, tc := range []struct {
		name, proxies, wantIP string
	}{
		{"trusted proxy", "127.0.0.1/32", forwarded},
		{"untrusted peer", "", "127.0.0.1"},
		{"other proxy trusted", "10.0.0.0/8", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := servertest.New(t, servertest.Options{Config: func(c *config.Config) { c.Throttle.TrustedProxies = tc.proxies }})
			root := addUser(t, env, "root@example.com", true)
			tok := userToken(t, env, consoleClient(t, env), root.Email).str("access_token")
			adminPost(t, env, tok, "/projects", "198.51.100.1, "+forwarded, map[string]string{"name": "Shop"})
			if r := lastAudit(t, env, audit.ProjectCreated); r.RemoteIP != tc.wantIP {
				t.Errorf("admin API change recorded from %q, want %q", r.RemoteIP, tc.wantIP)
			}
			// A failed client authentication, which the throttle counts
			// under the same address.
			body := url.Values{"grant_type": {"client_credentials"}}.Encode()
			resp := postToken(t, env, body, "", func(r *http.Request) {
				r.SetBasicAuth("no-such-client", "guess")
				r.Header.Set("X-Forwarded-For", forwarded)
			})
			wantTokenError(t, resp, http.StatusUnauthorized, "invalid_client")
			if r := lastAudit(t, env, audit.ClientAuthFailure); r.RemoteIP != tc.wantIP {
				t.Errorf("client authentication failure recorded from %q, want %q", r.RemoteIP, tc.wantIP)
			}
		})
	}
}

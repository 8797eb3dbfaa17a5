package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// scrape returns the /metrics exposition.
func scrape(t *testing.T, env *servertest.Env) string {
	t.Helper()
	resp, err := env.Server.Client().Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

// TestMetrics drives a token request, a failed and a successful sign-in
// and an unknown path, then checks the exposition counts them under the
// route pattern (never the raw path), the grant type and the outcome.
func TestMetrics(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Metrics job", Scopes: []string{"api:read"}})
		r := postToken(t, env, "grant_type=client_credentials", "", basicAuth(svc.ID, secret))
		if r.Status != http.StatusOK {
			t.Fatalf("client credentials: %d %v", r.Status, r.JSON)
		}
		if r := postToken(t, env, "grant_type=password", "", basicAuth(svc.ID, secret)); r.Status != http.StatusBadRequest {
			t.Fatalf("unsupported grant: %d", r.Status)
		}
		e := registerRules(env)
		b := env.Browser()
		params, _ := authzParams(e.SPA.ID, spaRedirect)
		form := b.Get(env.URL + "/authorize?" + params.Encode())
		if again := b.Submit(form, "/login", map[string]string{"email": ruleEmail, "password": "wrong password"}, "", ""); !again.HasForm("/login") {
			t.Fatalf("a wrong password did not show the form again: %d", again.Status)
		}
		b.Authorize(params, ruleEmail, rulePassword).Callback(t, spaRedirect)
		if resp, err := env.Server.Client().Get(env.URL + "/no/such/secret-looking/path"); err == nil {
			resp.Body.Close()
		}

		got := scrape(t, env)
		for _, want := range []string{
			`gatehouse_http_requests_total{code="200",grant_type="client_credentials",route="POST /token"} 1`,
			`gatehouse_http_requests_total{code="400",grant_type="other",route="POST /token"} 1`,
			`gatehouse_http_request_duration_seconds_count{grant_type="client_credentials",route="POST /token"} 1`,
			`gatehouse_http_requests_total{code="404",grant_type="",route="unmatched"} 1`,
			`gatehouse_tokens_issued_total{kind="access"} 1`,
			`gatehouse_logins_total{outcome="failure"} 1`,
			`gatehouse_logins_total{outcome="success"} 1`,
			`gatehouse_store_duration_seconds_count{method="GetClient"}`,
			`gatehouse_store_duration_seconds_count{method="CreateToken"} 1`,
			"process_cpu_seconds_total ",
			"process_resident_memory_bytes ",
			"go_goroutines ",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
		for _, leak := range []string{"secret-looking", svc.ID, url.QueryEscape(secret)} {
			if strings.Contains(got, leak) {
				t.Errorf("/metrics contains %q: labels must be bounded, never raw input", leak)
			}
		}
	})
}

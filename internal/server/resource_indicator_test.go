package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/resource"
)

// The APIs of the resource-indicator fixture.
const (
	ordersAPI   = "https://orders.example.com/api"
	billingAPI  = "https://billing.example.com/api"
	payrollAPI  = "https://payroll.example.com/api" // no client below may call it
	ordersRead  = "orders:read"
	billingRead = "billing:read"
	ordersDesc  = "See your orders and their delivery status"
)

// apiEnv is rulesEnv plus a project whose APIs an SPA and a service
// client may call.
type apiEnv struct {
	*rulesEnv
	App       storage.Client // SPA; may call orders and billing
	Job       storage.Client // service; may call orders
	JobSecret string
}

func newAPIEnv(t *testing.T, opt servertest.Options) *apiEnv {
	t.Helper()
	e := &apiEnv{rulesEnv: newRulesEnv(t, opt)}
	ctx := context.Background()
	proj, err := e.Admin.CreateProject(ctx, admin.ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	newAPI := func(name, identifier string, scopes ...storage.APIScope) storage.API {
		a, err := e.Admin.CreateAPI(ctx, admin.APIInput{ProjectID: proj.ID, Name: name, Identifier: identifier, Scopes: scopes})
		if err != nil {
			t.Fatalf("CreateAPI %s: %v", name, err)
		}
		return a
	}
	orders := newAPI("Orders", ordersAPI, storage.APIScope{Name: ordersRead, Description: ordersDesc})
	billing := newAPI("Billing", billingAPI, storage.APIScope{Name: billingRead, Description: "See your invoices"})
	newAPI("Payroll", payrollAPI, storage.APIScope{Name: "payroll:read", Description: "See salaries"})
	e.App, _ = e.AddClient(admin.NewClient{Type: storage.ClientSPA, Name: "Shop SPA", ProjectID: proj.ID,
		RedirectURIs: []string{spaRedirect}, APIs: []string{orders.ID, billing.ID},
		Scopes: []string{ordersRead, billingRead}})
	e.Job, e.JobSecret = e.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Shop job", ProjectID: proj.ID,
		APIs: []string{orders.ID}, Scopes: []string{ordersRead}})
	return e
}

// TestResourceIndicators: an access token's aud names the APIs whose
// scopes it carries, and the resource parameter (RFC 8707) picks and
// downscopes them.
func TestResourceIndicators(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newAPIEnv(t, opt)
		// The consent rule runs first: it is the one flow that meets the
		// consent page for the API scopes.
		t.Run("consent describes API scopes", func(t *testing.T) { ruleConsentDescribesAPIScopes(t, e) })
		t.Run("audience of a code grant", func(t *testing.T) { ruleCodeGrantAudience(t, e) })
		t.Run("resource at the token endpoint", func(t *testing.T) { ruleTokenResource(t, e) })
		t.Run("resource at the authorization endpoint", func(t *testing.T) { ruleAuthorizeResource(t, e) })
		t.Run("refresh keeps the audience", func(t *testing.T) { ruleRefreshAudience(t, e) })
		t.Run("client credentials", func(t *testing.T) { ruleServiceAudience(t, e) })
		t.Run("resource kit checks aud", func(t *testing.T) { ruleResourceKitAudience(t, e) })
	})
}

func ruleConsentDescribesAPIScopes(t *testing.T, e *apiEnv) {
	b := e.BrowserFor(t)
	params, _ := authzParams(e.App.ID, spaRedirect)
	params.Set("scope", "openid profile "+ordersRead)
	p := b.Get(e.URL + "/authorize?" + params.Encode())
	if p.HasForm("/login") {
		p = b.Submit(p, "/login", map[string]string{"email": ruleEmail, "password": rulePassword}, "", "")
	}
	if !p.HasForm("/consent") {
		t.Fatalf("want the consent page, got status %d:\n%s", p.Status, excerpt(p.Body))
	}
	if !strings.Contains(p.Body, ordersDesc) {
		t.Errorf("consent page lacks the API's description %q of %s:\n%s", ordersDesc, ordersRead, excerpt(p.Body))
	}
	// The OpenID scopes keep their built-in words; the API scope does not
	// fall back to the generic wording.
	if !strings.Contains(p.Body, "See your name") {
		t.Errorf("consent page lacks the description of profile:\n%s", excerpt(p.Body))
	}
	if strings.Contains(p.Body, "Use the permission") {
		t.Errorf("consent page describes %s generically:\n%s", ordersRead, excerpt(p.Body))
	}
}

// appGrant runs a code flow for the SPA with scope and optional
// authorization-request resources, and redeems the code with tokenForm's
// extra parameters.
func appGrant(t *testing.T, e *apiEnv, scope string, authzResources []string, extra url.Values) tokenResponse {
	t.Helper()
	params, pk := authzParams(e.App.ID, spaRedirect)
	params.Set("scope", scope)
	params["resource"] = authzResources
	q := wantCodeRedirect(t, e.Env, e.session(t).Authorize(params, ruleEmail, rulePassword), spaRedirect, params.Get("state"))
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {spaRedirect},
		"code_verifier": {pk.Verifier}, "client_id": {e.App.ID}}
	for k, v := range extra {
		form[k] = v
	}
	return postToken(t, e.Env, form.Encode(), "", nil)
}

// audience is the aud of an access token, as a list.
func audience(t *testing.T, at string) []string {
	t.Helper()
	_, claims := jwtParts(t, at)
	switch v := claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			str, _ := s.(string)
			out = append(out, str)
		}
		return out
	}
	t.Fatalf("access token aud %v is neither a string nor a list", claims["aud"])
	return nil
}

func wantAudience(t *testing.T, r tokenResponse, want ...string) {
	t.Helper()
	wantTokens(t, r)
	if got := audience(t, r.str("access_token")); !slices.Equal(got, want) {
		t.Errorf("aud = %q, want %q", got, want)
	}
}

func ruleCodeGrantAudience(t *testing.T, e *apiEnv) {
	tests := []struct {
		scope string
		want  []string
	}{
		{"openid " + ordersRead, []string{ordersAPI}},
		{"openid profile", []string{e.URL}}, // userinfo is the resource
		{"openid " + ordersRead + " " + billingRead, []string{ordersAPI, billingAPI}},
	}
	for _, tt := range tests {
		r := appGrant(t, e, tt.scope, nil, nil)
		wantAudience(t, r, tt.want...)
		if r.str("scope") != tt.scope {
			t.Errorf("scope %q: token response scope %q", tt.scope, r.str("scope"))
		}
	}
	// Clients without APIs keep the issuer as audience.
	b := e.session(t)
	code, pk := newCode(t, e.rulesEnv, b, e.SPA, spaRedirect)
	wantAudience(t, exchange(t, e.rulesEnv, e.SPA, "", code, spaRedirect, pk.Verifier), e.URL)
}

func ruleTokenResource(t *testing.T, e *apiEnv) {
	both := "openid " + ordersRead + " " + billingRead
	tests := []struct {
		name      string
		resources []string
		wantAud   []string
		wantScope string
		wantErr   string
	}{
		{"one API downscopes", []string{ordersAPI}, []string{ordersAPI}, "openid " + ordersRead, ""},
		{"the other API", []string{billingAPI}, []string{billingAPI}, "openid " + billingRead, ""},
		{"both APIs", []string{billingAPI, ordersAPI}, []string{billingAPI, ordersAPI}, both, ""},
		{"API the client may not call", []string{payrollAPI}, nil, "", "invalid_target"},
		{"unknown API", []string{"https://unknown.example.com/"}, nil, "", "invalid_target"},
		{"one good, one bad", []string{ordersAPI, payrollAPI}, nil, "", "invalid_target"},
		{"fragment", []string{ordersAPI + "#x"}, nil, "", "invalid_target"},
		{"relative", []string{"/api"}, nil, "", "invalid_target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := appGrant(t, e, both, nil, url.Values{"resource": tt.resources})
			if tt.wantErr != "" {
				wantTokenError(t, r, http.StatusBadRequest, tt.wantErr)
				return
			}
			wantAudience(t, r, tt.wantAud...)
			if r.str("scope") != tt.wantScope {
				t.Errorf("scope = %q, want %q", r.str("scope"), tt.wantScope)
			}
			_, claims := jwtParts(t, r.str("access_token"))
			if claims["scope"] != tt.wantScope {
				t.Errorf("access token scope = %v, want %q", claims["scope"], tt.wantScope)
			}
		})
	}
}

func ruleAuthorizeResource(t *testing.T, e *apiEnv) {
	for _, tt := range []struct {
		name      string
		resources []string
		wantErr   string
	}{
		{"API of the client", []string{ordersAPI}, ""},
		{"repeated", []string{ordersAPI, billingAPI}, ""},
		{"API the client may not call", []string{payrollAPI}, "invalid_target"},
		{"fragment", []string{ordersAPI + "#f"}, "invalid_target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			params, pk := authzParams(e.App.ID, spaRedirect)
			params.Set("scope", "openid "+ordersRead)
			params["resource"] = tt.resources
			p := e.session(t).Authorize(params, ruleEmail, rulePassword)
			if tt.wantErr != "" {
				wantRedirectError(t, e.Env, p, spaRedirect, tt.wantErr, params.Get("state"))
				return
			}
			code := wantCodeRedirect(t, e.Env, p, spaRedirect, params.Get("state")).Get("code")
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {spaRedirect},
				"code_verifier": {pk.Verifier}, "client_id": {e.App.ID}}
			wantAudience(t, postToken(t, e.Env, form.Encode(), "", nil), ordersAPI)
		})
	}
}

func ruleRefreshAudience(t *testing.T, e *apiEnv) {
	first := appGrant(t, e, "openid offline_access "+ordersRead+" "+billingRead, nil, nil)
	wantAudience(t, first, ordersAPI, billingAPI)
	rt := first.str("refresh_token")
	if rt == "" {
		t.Fatalf("no refresh token with offline_access: %v", first.JSON)
	}
	r := refresh(t, e.Env, e.App, "", rt, "")
	wantAudience(t, r, ordersAPI, billingAPI)

	// Narrowed by scope, the audience follows the scopes left.
	r = refresh(t, e.Env, e.App, "", r.str("refresh_token"), "openid "+billingRead)
	wantAudience(t, r, billingAPI)

	// A resource at refresh downscopes that token only: the next refresh
	// without one has every granted scope again (RFC 8707 §2.2).
	body, _ := refreshRequest(e.App, "", r.str("refresh_token"), "")
	r = postToken(t, e.Env, body+"&resource="+url.QueryEscape(ordersAPI), "", nil)
	wantAudience(t, r, ordersAPI)
	if want := "openid offline_access " + ordersRead; r.str("scope") != want {
		t.Errorf("scope = %q, want %q", r.str("scope"), want)
	}
	body, _ = refreshRequest(e.App, "", r.str("refresh_token"), "")
	r = postToken(t, e.Env, body+"&resource="+url.QueryEscape(payrollAPI), "", nil)
	wantTokenError(t, r, http.StatusBadRequest, "invalid_target")
}

func ruleServiceAudience(t *testing.T, e *apiEnv) {
	wantAudience(t, clientCredentials(t, e.rulesEnv, e.Job, e.JobSecret, ""), ordersAPI)
	wantAudience(t, clientCredentials(t, e.rulesEnv, e.Job, e.JobSecret, ordersRead), ordersAPI)
	// A service client without APIs keeps the issuer.
	wantAudience(t, clientCredentials(t, e.rulesEnv, e.Service, e.rulesEnv.SvcSecret, ""), e.URL)

	for _, tt := range []struct {
		resource string
		wantErr  string
	}{
		{ordersAPI, ""},
		{billingAPI, "invalid_target"}, // in the project, not the client's
		{"urn:example:orders", "invalid_target"},
	} {
		form := url.Values{"grant_type": {"client_credentials"}, "resource": {tt.resource}}
		r := postToken(t, e.Env, form.Encode(), "", basicAuth(e.Job.ID, e.JobSecret))
		if tt.wantErr != "" {
			wantTokenError(t, r, http.StatusBadRequest, tt.wantErr)
			continue
		}
		wantAudience(t, r, tt.resource)
	}
	// The resource parameter is not for clients without APIs either.
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {ordersAPI}}
	wantTokenError(t, postToken(t, e.Env, form.Encode(), "", basicAuth(e.Service.ID, e.rulesEnv.SvcSecret)), http.StatusBadRequest, "invalid_target")
}

func ruleResourceKitAudience(t *testing.T, e *apiEnv) {
	at := appGrant(t, e, "openid "+ordersRead, nil, nil).str("access_token")
	svcAt := clientCredentials(t, e.rulesEnv, e.Job, e.JobSecret, "").str("access_token")
	verifier := func(aud string) *resource.Verifier {
		v, err := resource.New(t.Context(), resource.Config{Issuer: e.URL, Audience: aud, HTTPClient: e.Server.Client(), Now: e.Clock.Now})
		if err != nil {
			t.Fatalf("resource.New: %v", err)
		}
		return v
	}
	orders, billing := verifier(ordersAPI), verifier(billingAPI)
	for _, tok := range []string{at, svcAt} {
		c, err := orders.Verify(t.Context(), tok)
		if err != nil {
			t.Errorf("orders API refused its token: %v", err)
		} else if !slices.Contains(c.Scopes, ordersRead) {
			t.Errorf("orders API sees scopes %q, want %s", c.Scopes, ordersRead)
		}
		if _, err := billing.Verify(t.Context(), tok); !errors.Is(err, resource.ErrInvalidToken) {
			t.Errorf("billing API accepted a token for the orders API: err = %v", err)
		}
	}
}

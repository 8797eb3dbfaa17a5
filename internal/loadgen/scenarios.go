package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Op is one operation of a scenario, run over and over by one worker.
type Op func(ctx context.Context) error

// Scenario prepares a worker (virtual user) and returns its operation.
type Scenario struct {
	Name string
	Doc  string
	// Setup runs once per worker, before the clock starts; id numbers
	// the workers from 0.
	Setup func(ctx context.Context, t *Target, id int) (Op, error)
}

// Scenarios are the load scenarios, by name.
var Scenarios = []Scenario{
	{"authcode", "code flow with PKCE S256, state and nonce on a kept session: authorize, redirect with code, token exchange with ID token", setupAuthcode},
	{"login", "the code flow with a fresh browser each time: login form (password check), consent if asked, token exchange", setupLogin},
	{"client_credentials", "client credentials grant (RFC 6749 §4.4), client_secret_basic", setupClientCredentials},
	{"refresh", "refresh token grant with rotation: each answer's refresh token is used next", setupRefresh},
	{"introspect", "token introspection (RFC 7662) of a client-credentials access token", setupIntrospect},
	{"userinfo", "userinfo (OIDC Core §5.3) with a user's access token", setupUserinfo},
	{"resource", "a protected GET through the resource kit (in-process resource server) with a client-credentials token", setupResource},
}

// ScenarioNamed returns the scenario called name.
func ScenarioNamed(name string) (Scenario, bool) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

func userFor(t *Target, id int) (UserCredentials, error) {
	if len(t.Creds.Users) == 0 {
		return UserCredentials{}, fmt.Errorf("the credentials list no users")
	}
	return t.Creds.Users[id%len(t.Creds.Users)], nil
}

// scopeWithout is the public client's scope less offline_access, so that
// the code flows do not store a refresh token they never use.
func scopeWithout(scope, drop string) string {
	var keep []string
	for _, s := range strings.Fields(scope) {
		if s != drop {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, " ")
}

func setupAuthcode(ctx context.Context, t *Target, id int) (Op, error) {
	u, err := userFor(t, id)
	if err != nil {
		return nil, err
	}
	b := newBrowser(t, u)
	scope := scopeWithout(t.Creds.Public.Scope, "offline_access")
	if _, err := b.codeFlow(ctx, scope); err != nil {
		return nil, fmt.Errorf("first sign-in of %s: %w", u.Username, err)
	}
	return func(ctx context.Context) error {
		before := b.logins
		if _, err := b.codeFlow(ctx, scope); err != nil {
			return err
		}
		if b.logins != before {
			return failf("session_lost", "the session was not kept: the login form came back")
		}
		return nil
	}, nil
}

func setupLogin(ctx context.Context, t *Target, id int) (Op, error) {
	u, err := userFor(t, id)
	if err != nil {
		return nil, err
	}
	scope := scopeWithout(t.Creds.Public.Scope, "offline_access")
	return func(ctx context.Context) error {
		b := newBrowser(t, u)
		if _, err := b.codeFlow(ctx, scope); err != nil {
			return err
		}
		if b.logins != 1 {
			return failf("no_login", "a fresh browser was not asked to sign in")
		}
		return nil
	}, nil
}

func (t *Target) clientCredentials(ctx context.Context, h *http.Client) (TokenResponse, error) {
	s := t.Creds.Service
	form := url.Values{"grant_type": {"client_credentials"}}
	if s.Scope != "" {
		form.Set("scope", s.Scope)
	}
	return postToken(ctx, h, t.Discovery.TokenEndpoint, s.ClientID, s.ClientSecret, form)
}

func setupClientCredentials(ctx context.Context, t *Target, id int) (Op, error) {
	h := t.client(nil)
	return func(ctx context.Context) error {
		_, err := t.clientCredentials(ctx, h)
		return err
	}, nil
}

func setupRefresh(ctx context.Context, t *Target, id int) (Op, error) {
	u, err := userFor(t, id)
	if err != nil {
		return nil, err
	}
	b := newBrowser(t, u)
	tr, err := b.codeFlow(ctx, t.Creds.Public.Scope)
	if err != nil {
		return nil, fmt.Errorf("sign-in of %s: %w", u.Username, err)
	}
	if tr.RefreshToken == "" {
		return nil, fmt.Errorf("no refresh token for scope %q (does the client allow offline_access?)", t.Creds.Public.Scope)
	}
	rt := tr.RefreshToken
	c := t.Creds.Public
	return func(ctx context.Context) error {
		tr, err := postToken(ctx, b.http, t.Discovery.TokenEndpoint, c.ClientID, c.ClientSecret, url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {rt},
		})
		if err != nil {
			return err
		}
		if tr.RefreshToken != "" {
			rt = tr.RefreshToken
		}
		return nil
	}, nil
}

func setupIntrospect(ctx context.Context, t *Target, id int) (Op, error) {
	if t.Discovery.IntrospectionEndpoint == "" {
		return nil, fmt.Errorf("the provider announces no introspection_endpoint")
	}
	h := t.client(nil)
	tr, err := t.clientCredentials(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("token to introspect: %w", err)
	}
	s := t.Creds.Service
	body := url.Values{"token": {tr.AccessToken}}.Encode()
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Discovery.IntrospectionEndpoint, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(s.ClientID), url.QueryEscape(s.ClientSecret))
		var out struct {
			Active bool `json:"active"`
		}
		if err := doJSON(h, req, http.StatusOK, &out); err != nil {
			return err
		}
		if !out.Active {
			return failf("inactive", "introspection says the token is inactive")
		}
		return nil
	}, nil
}

func setupUserinfo(ctx context.Context, t *Target, id int) (Op, error) {
	if t.Discovery.UserinfoEndpoint == "" {
		return nil, fmt.Errorf("the provider announces no userinfo_endpoint")
	}
	u, err := userFor(t, id)
	if err != nil {
		return nil, err
	}
	b := newBrowser(t, u)
	tr, err := b.codeFlow(ctx, scopeWithout(t.Creds.Public.Scope, "offline_access"))
	if err != nil {
		return nil, fmt.Errorf("sign-in of %s: %w", u.Username, err)
	}
	return bearerGet(t.client(nil), t.Discovery.UserinfoEndpoint, tr.AccessToken, "sub"), nil
}

func setupResource(ctx context.Context, t *Target, id int) (Op, error) {
	if t.ResourceURL == "" {
		return nil, fmt.Errorf("no resource server to call")
	}
	h := t.client(nil)
	tr, err := t.clientCredentials(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("token for the resource: %w", err)
	}
	return bearerGet(h, t.ResourceURL, tr.AccessToken, "sub"), nil
}

// bearerGet returns an Op that GETs u with the access token (RFC 6750
// §2.1) and wants a JSON object with the member want.
func bearerGet(h *http.Client, u, token, want string) Op {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := h.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return failf(fmt.Sprintf("http_%d", resp.StatusCode), "GET %s: %s", req.URL.Path, excerpt(body))
		}
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil || out[want] == nil {
			return failf("bad_json", "GET %s: no %q in the answer", req.URL.Path, want)
		}
		return nil
	}
}

// ParseScenarios returns the scenarios of a comma-separated list; "all"
// means every one.
func ParseScenarios(list string) ([]Scenario, error) {
	if list == "all" {
		return Scenarios, nil
	}
	var out []Scenario
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		sc, ok := ScenarioNamed(name)
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario given")
	}
	return out, nil
}

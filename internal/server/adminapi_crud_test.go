package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminAPIProjectsAPIsClients creates, reads, lists, updates and
// deletes projects, APIs and clients through the admin API, with the
// validation, not-found and conflict answers along the way; then the new
// SPA credential signs a user in for the new API.
func TestAdminAPIProjectsAPIsClients(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		_, tok := serviceToken(t, env, oauth.ScopeAdmin)
		call := func(method, path string, body any) apiResponse { return callAdmin(t, env, tok, method, path, body) }

		// Projects.
		call("POST", "/projects", map[string]any{"name": " "}).wantError(t, 400, "invalid_request", "name")
		pr := call("POST", "/projects", map[string]any{"name": "Shop", "description": "The shop"}).want(t, http.StatusCreated)
		project := pr.str(t, "id")
		if loc := pr.Header.Get("Location"); loc != adminPrefix+"/projects/"+project {
			t.Errorf("Location = %q", loc)
		}
		if got := call("GET", "/projects/"+project, nil).want(t, 200).json(t); got["name"] != "Shop" || got["description"] != "The shop" {
			t.Errorf("GET project = %v", got)
		}
		if got := call("PATCH", "/projects/"+project, map[string]any{"name": "Shop 2"}).want(t, 200).json(t); got["name"] != "Shop 2" || got["description"] != "The shop" {
			t.Errorf("PATCH project kept %v", got)
		}
		if list := call("GET", "/projects", nil).want(t, 200).json(t)["projects"].([]any); len(list) != 1 {
			t.Errorf("projects = %v", list)
		}
		call("GET", "/projects/absent", nil).wantError(t, 404, "not_found", "")
		call("PATCH", "/projects/absent", map[string]any{"name": "x"}).wantError(t, 404, "not_found", "")

		// APIs.
		apiBody := map[string]any{"project_id": project, "name": "Orders", "identifier": "https://orders.example.com",
			"scopes": []map[string]string{{"name": "orders:read", "description": "Read orders"}, {"name": "orders:write"}}}
		call("POST", "/apis", map[string]any{"project_id": project, "name": "Bad", "identifier": "ftp://x"}).wantError(t, 400, "invalid_request", "identifier")
		call("POST", "/apis", map[string]any{"project_id": project, "name": "Bad", "identifier": "https://bad.example.com",
			"scopes": []map[string]string{{"name": "a"}, {"name": "openid"}}}).wantError(t, 400, "invalid_request", "scopes[1]")
		call("POST", "/apis", map[string]any{"project_id": "absent", "name": "Bad", "identifier": "https://x.example.com"}).wantError(t, 400, "invalid_request", "project_id")
		api := call("POST", "/apis", apiBody).want(t, 201).str(t, "id")
		call("POST", "/apis", apiBody).wantError(t, 400, "invalid_request", "identifier") // taken
		if got := call("GET", "/apis?project_id="+project, nil).want(t, 200).json(t)["apis"].([]any); len(got) != 1 {
			t.Errorf("apis of the project = %v", got)
		}
		call("PATCH", "/apis/"+api, map[string]any{"project_id": "other"}).wantError(t, 400, "invalid_request", "project_id")
		call("GET", "/apis/absent", nil).wantError(t, 404, "not_found", "")

		// Clients.
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no type", map[string]any{"name": "X"}, "type"},
			{"http redirect", map[string]any{"type": "spa", "name": "X", "redirect_uris": []string{"https://app.example.com/cb", "http://app.example.com/cb"}}, "redirect_uris[1]"},
			{"bad default", map[string]any{"type": "spa", "name": "X", "default_redirect_uri": "http://app.example.com/cb"}, "default_redirect_uri"},
			{"bad pattern", map[string]any{"type": "spa", "name": "X", "redirect_uri_patterns": []string{"https://(.*"}}, "redirect_uri_patterns[0]"},
			{"scope of no api", map[string]any{"type": "service", "name": "X", "apis": []string{api}, "scopes": []string{"openid", "stock:read"}}, "scopes[1]"},
			{"unknown api", map[string]any{"type": "service", "name": "X", "apis": []string{api, "absent"}}, "apis[1]"},
			{"unknown auth method", map[string]any{"type": "web", "name": "X", "redirect_uris": []string{"https://a.example.com/cb"}, "token_endpoint_auth_method": "magic"}, "token_endpoint_auth_method"},
			{"negative ttl", map[string]any{"type": "web", "name": "X", "redirect_uris": []string{"https://a.example.com/cb"}, "refresh_idle_ttl_seconds": -1}, "refresh_idle_ttl_seconds"},
			{"wrong JSON type", map[string]any{"type": "spa", "name": "X", "redirect_uris": "https://a.example.com/cb"}, "redirect_uris"},
		}
		for _, tt := range bad {
			t.Run("client "+tt.name, func(t *testing.T) {
				call("POST", "/clients", tt.body).wantError(t, 400, "invalid_request", tt.field)
			})
		}
		spaResp := call("POST", "/clients", map[string]any{"type": "spa", "name": "Shop SPA", "project_id": project, "apis": []string{api},
			"redirect_uris": []string{"https://shop.example.com/cb"}, "redirect_uri_patterns": []string{`https://pr-[0-9]+\.shop\.example\.com/cb`},
			"scopes": []string{"orders:read"}}).want(t, 201)
		spa := spaResp.json(t)
		if _, ok := spa["client_secret"]; ok {
			t.Errorf("a public client got a secret: %v", spa)
		}
		webResp := call("POST", "/clients", map[string]any{"type": "web", "name": "Back office", "project_id": project,
			"redirect_uris": []string{"https://office.example.com/cb"}}).want(t, 201)
		web := webResp.json(t)
		webID, secret1 := web["client_id"].(string), web["client_secret"].(string)
		if secret1 == "" {
			t.Fatalf("a web client got no secret: %v", web)
		}
		got := call("GET", "/clients/"+webID, nil).want(t, 200)
		for _, leak := range []string{secret1, "secret_hash", "sealed", `"client_secret":`} {
			if strings.Contains(string(got.Body), leak) {
				t.Errorf("GET client shows %q: %s", leak, got.Body)
			}
		}
		rot := call("POST", "/clients/"+webID+"/rotate-secret", map[string]any{"overlap_seconds": 0}).want(t, 200).json(t)
		if s, _ := rot["client_secret"].(string); s == "" || s == secret1 {
			t.Errorf("rotate-secret gave %v", rot)
		}
		call("POST", "/clients/"+webID+"/rotate-secret", nil).want(t, 200) // empty body: default overlap
		call("POST", "/clients/"+spa["client_id"].(string)+"/rotate-secret", nil).wantError(t, 409, "conflict", "")
		call("POST", "/clients/absent/rotate-secret", nil).wantError(t, 404, "not_found", "")

		upd := call("PATCH", "/clients/"+webID, map[string]any{"name": "Back office 2", "post_logout_redirect_uris": []string{"https://office.example.com/"}}).want(t, 200).json(t)
		if upd["name"] != "Back office 2" || upd["type"] != "web" || len(upd["redirect_uris"].([]any)) != 1 {
			t.Errorf("PATCH client = %v", upd)
		}
		call("PATCH", "/clients/"+webID, map[string]any{"type": "spa"}).wantError(t, 400, "invalid_request", "type")
		call("PATCH", "/clients/"+webID, map[string]any{"redirect_uris": []string{}}).wantError(t, 400, "invalid_request", "redirect_uris")
		call("PATCH", "/clients/absent", map[string]any{"name": "x"}).wantError(t, 404, "not_found", "")
		if list := call("GET", "/clients?project_id="+project, nil).want(t, 200).json(t)["clients"].([]any); len(list) != 2 {
			t.Errorf("clients of the project: %d, want 2", len(list))
		}

		// The API cannot lose a scope its SPA still has, nor be deleted.
		call("PATCH", "/apis/"+api, map[string]any{"scopes": []map[string]string{{"name": "orders:write"}}}).wantError(t, 400, "invalid_request", "scopes")
		if a := call("PATCH", "/apis/"+api, map[string]any{"scopes": []map[string]string{{"name": "orders:read"}}}).want(t, 200).json(t); len(a["scopes"].([]any)) != 1 {
			t.Errorf("PATCH api scopes = %v", a)
		}
		call("DELETE", "/apis/"+api, nil).wantError(t, 409, "conflict", "")
		call("DELETE", "/projects/"+project, nil).wantError(t, 409, "conflict", "")

		// The new credential works: its token is for the API.
		user := addUser(t, env, "shopper@example.com", false)
		params, pk := authzParams(spa["client_id"].(string), "https://pr-7.shop.example.com/cb")
		params.Set("scope", "openid orders:read")
		q := env.BrowserFor(t).Authorize(params, user.Email, adminPassword).Callback(t, "https://pr-7.shop.example.com/cb")
		tr := postToken(t, env, "grant_type=authorization_code&client_id="+spa["client_id"].(string)+"&code="+q.Get("code")+
			"&redirect_uri=https%3A%2F%2Fpr-7.shop.example.com%2Fcb&code_verifier="+pk.Verifier, "", nil)
		if _, claims := jwtParts(t, tr.str("access_token")); claims["aud"] != "https://orders.example.com" {
			t.Errorf("access token aud = %v, want the API", claims["aud"])
		}

		// Deleting, in order.
		call("DELETE", "/clients/"+spa["client_id"].(string), nil).want(t, http.StatusNoContent)
		call("DELETE", "/clients/"+webID, nil).want(t, http.StatusNoContent)
		call("DELETE", "/clients/"+webID, nil).wantError(t, 404, "not_found", "")
		call("DELETE", "/apis/"+api, nil).want(t, http.StatusNoContent)
		call("DELETE", "/projects/"+project, nil).want(t, http.StatusNoContent)
		call("GET", "/projects/"+project, nil).wantError(t, 404, "not_found", "")
	})
}

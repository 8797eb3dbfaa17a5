package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminAPIUsersGroupsKeys covers users (create with a password, read,
// list, update, password, delete), the groups derived from them, and the
// signing keys.
func TestAdminAPIUsersGroupsKeys(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		_, tok := serviceToken(t, env, oauth.ScopeAdmin)
		call := func(method, path string, body any) apiResponse { return callAdmin(t, env, tok, method, path, body) }

		for _, tt := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"bad email", map[string]any{"email": "nope", "password": "long enough"}, "email"},
			{"short password", map[string]any{"email": "a@example.com", "password": "short"}, "password"},
			{"empty group", map[string]any{"email": "a@example.com", "password": "long enough", "groups": []string{"eng", ""}}, "groups[1]"},
			{"unknown member", map[string]any{"email": "a@example.com", "password": "long enough", "role": "x"}, "role"},
		} {
			t.Run("user "+tt.name, func(t *testing.T) {
				call("POST", "/users", tt.body).wantError(t, 400, "invalid_request", tt.field)
			})
		}
		ur := call("POST", "/users", map[string]any{"email": "Ada@Example.com", "name": "Ada", "password": "long enough",
			"groups": []string{"eng"}, "admin": true}).want(t, http.StatusCreated)
		if strings.Contains(string(ur.Body), "argon2") || strings.Contains(string(ur.Body), "password") {
			t.Errorf("the user answer shows the password hash: %s", ur.Body)
		}
		ada := ur.json(t)
		adaID := ada["id"].(string)
		if ada["email"] != "ada@example.com" || ada["admin"] != true {
			t.Errorf("created user = %v", ada)
		}
		call("POST", "/users", map[string]any{"email": "ada@example.com", "password": "long enough"}).wantError(t, 409, "conflict", "email")
		bob := call("POST", "/users", map[string]any{"email": "bob@example.com", "password": "long enough"}).want(t, 201).json(t)
		bobID := bob["id"].(string)

		if got := call("GET", "/users/"+adaID, nil).want(t, 200).json(t); got["name"] != "Ada" {
			t.Errorf("GET user = %v", got)
		}
		if got := call("GET", "/users", nil).want(t, 200).json(t)["users"].([]any); len(got) != 2 {
			t.Errorf("users = %v", got)
		}
		if got := call("PATCH", "/users/"+bobID, map[string]any{"name": "Bob", "groups": []string{"ops", "eng"}}).want(t, 200).json(t); got["name"] != "Bob" || len(got["groups"].([]any)) != 2 {
			t.Errorf("PATCH user = %v", got)
		}
		call("PATCH", "/users/"+bobID, map[string]any{"email": "x@example.com"}).wantError(t, 400, "invalid_request", "email")
		call("PATCH", "/users/"+adaID, map[string]any{"admin": false}).wantError(t, 409, "conflict", "")
		call("PATCH", "/users/absent", map[string]any{"name": "x"}).wantError(t, 404, "not_found", "")
		call("PUT", "/users/"+bobID+"/password", map[string]any{"password": "short"}).wantError(t, 400, "invalid_request", "password")
		call("PUT", "/users/"+bobID+"/password", map[string]any{"password": "a new password"}).want(t, http.StatusNoContent)
		call("PUT", "/users/absent/password", map[string]any{"password": "a new password"}).wantError(t, 404, "not_found", "")

		// Groups.
		groups := call("GET", "/groups", nil).want(t, 200).json(t)["groups"].([]any)
		if len(groups) != 2 || groups[0].(map[string]any)["name"] != "eng" || groups[0].(map[string]any)["member_count"] != float64(2) {
			t.Errorf("groups = %v", groups)
		}
		g := call("PUT", "/groups/design/members/"+adaID, nil).want(t, 200).json(t)
		if g["name"] != "design" || g["member_count"] != float64(1) {
			t.Errorf("PUT member = %v", g)
		}
		call("PUT", "/groups/design/members/absent", nil).wantError(t, 404, "not_found", "")
		call("PUT", "/groups/%20/members/"+adaID, nil).wantError(t, 400, "invalid_request", "name")
		call("DELETE", "/groups/design/members/"+bobID, nil).wantError(t, 404, "not_found", "")
		call("DELETE", "/groups/design/members/"+adaID, nil).want(t, http.StatusNoContent)
		call("GET", "/groups/design", nil).wantError(t, 404, "not_found", "")
		if g := call("GET", "/groups/ops", nil).want(t, 200).json(t); g["members"].([]any)[0].(map[string]any)["id"] != bobID {
			t.Errorf("GET group = %v", g)
		}

		// Users are deleted with what they hold; the last admin stays.
		call("DELETE", "/users/"+bobID, nil).want(t, http.StatusNoContent)
		call("GET", "/users/"+bobID, nil).wantError(t, 404, "not_found", "")
		call("DELETE", "/users/"+bobID, nil).wantError(t, 404, "not_found", "")
		call("DELETE", "/users/"+adaID, nil).wantError(t, 409, "conflict", "")

		// Keys: public information only; rotation promotes the next key.
		keys := call("GET", "/keys", nil).want(t, 200)
		for _, leak := range []string{`"d"`, "private", `"n"`} {
			if strings.Contains(string(keys.Body), leak) {
				t.Errorf("keys answer shows %s: %s", leak, keys.Body)
			}
		}
		next := map[string]string{}
		for _, k := range keys.json(t)["keys"].([]any) {
			if k := k.(map[string]any); k["state"] == "next" {
				next[k["alg"].(string)] = k["kid"].(string)
			}
		}
		if next["ES256"] == "" {
			t.Fatalf("no next ES256 key: %s", keys.Body)
		}
		call("POST", "/keys/rotate", map[string]any{"alg": "HS256"}).wantError(t, 400, "invalid_request", "alg")
		rots := call("POST", "/keys/rotate", map[string]any{"alg": "ES256"}).want(t, 200).json(t)["rotations"].([]any)
		if len(rots) != 1 || rots[0].(map[string]any)["current"].(map[string]any)["kid"] != next["ES256"] {
			t.Errorf("rotation = %v, want %s current", rots, next["ES256"])
		}
		if rots := call("POST", "/keys/rotate", nil).want(t, 200).json(t)["rotations"].([]any); len(rots) != 3 {
			t.Errorf("rotating every algorithm gave %d rotations", len(rots))
		}
		// The token signed before the rotations still verifies.
		call("GET", "/keys", nil).want(t, 200)
	})
}

// TestAdminAPIBadBodies: malformed, oversized or mistyped bodies get 4xx
// JSON errors, never a 5xx.
func TestAdminAPIBadBodies(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	_, tok := serviceToken(t, env, oauth.ScopeAdmin)
	big := `{"name":"` + strings.Repeat("a", 300<<10) + `"}`
	tests := []struct {
		name, method, path, body, contentType string
		status                                int
		code, field                           string
	}{
		{"malformed", "POST", "/projects", `{"name":`, "application/json", 400, "invalid_request", ""},
		{"not an object", "POST", "/projects", `["x"]`, "application/json", 400, "invalid_request", ""},
		{"two values", "POST", "/projects", `{"name":"a"}{"name":"b"}`, "application/json", 400, "invalid_request", ""},
		{"unknown member", "POST", "/projects", `{"name":"a","owner":"b"}`, "application/json", 400, "invalid_request", "owner"},
		{"wrong type", "POST", "/projects", `{"name":7}`, "application/json", 400, "invalid_request", "name"},
		{"empty body", "POST", "/projects", ``, "application/json", 400, "invalid_request", ""},
		{"form body", "POST", "/projects", `name=a`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/users", `{"email":"a@example.com"}`, "-", 415, "unsupported_media_type", ""},
		{"oversized", "POST", "/projects", big, "application/json", 413, "request_too_large", ""},
		{"huge ttl", "POST", "/clients", `{"type":"web","name":"x","refresh_idle_ttl_seconds":1e30}`, "application/json", 400, "invalid_request", "refresh_idle_ttl_seconds"},
		{"bad rotate body", "POST", "/keys/rotate", `{"alg":["ES256"]}`, "application/json", 400, "invalid_request", "alg"},
		{"invalid UTF-8 id", "GET", "/users/%FF%00", ``, "", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, env.URL+adminPrefix+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "-" && tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := env.Server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			r := apiResponse{Status: resp.StatusCode, Header: resp.Header}
			r.Body = readAll(t, resp)
			r.wantError(t, tt.status, tt.code, tt.field)
		})
	}
}

// TestAdminAPIUnstorableIDs: IDs no record can have (NUL, invalid UTF-8,
// which PostgreSQL cannot even compare) are simply not found, on every
// route that takes one.
func TestAdminAPIUnstorableIDs(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		env := servertest.New(t, opt)
		_, tok := serviceToken(t, env, oauth.ScopeAdmin)
		user := addUser(t, env, "root@example.com", true)
		for _, id := range []string{"%FF", "%00", "a%C0%AF"} {
			for _, rt := range []struct{ method, path string }{
				{"GET", "/projects/" + id}, {"PATCH", "/projects/" + id}, {"DELETE", "/projects/" + id},
				{"GET", "/apis/" + id}, {"PATCH", "/apis/" + id}, {"DELETE", "/apis/" + id},
				{"GET", "/clients/" + id}, {"PATCH", "/clients/" + id}, {"DELETE", "/clients/" + id},
				{"POST", "/clients/" + id + "/rotate-secret"},
				{"GET", "/users/" + id}, {"PATCH", "/users/" + id}, {"DELETE", "/users/" + id},
				{"PUT", "/users/" + id + "/password"},
				{"GET", "/groups/" + id}, {"PUT", "/groups/eng/members/" + id},
				{"DELETE", "/groups/eng/members/" + id}, {"DELETE", "/groups/" + id + "/members/" + user.ID},
			} {
				body := map[string]any{}
				if rt.method == "PUT" && strings.HasSuffix(rt.path, "/password") {
					body["password"] = "long enough"
				}
				if rt.method == "GET" || rt.method == "DELETE" {
					body = nil
				}
				r := callAdmin(t, env, tok, rt.method, rt.path, body)
				if r.Status != http.StatusNotFound {
					t.Errorf("%s %s: status %d, want 404: %s", rt.method, rt.path, r.Status, excerpt(string(r.Body)))
				}
			}
		}
		// The bad IDs did not touch the one real record.
		callAdmin(t, env, tok, "GET", "/users/"+user.ID, nil).want(t, http.StatusOK)
	})
}

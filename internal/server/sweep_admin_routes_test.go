package server_test

import (
	"net/http"
)

// adminEndpoints are the admin API's routes (adminapi's route table, which
// a test in internal/adminapi holds equal to openapi.json), each with a
// near-valid body. Updates go to real records with a poison member;
// deletions and group changes go to missing IDs only.
var adminEndpoints = []sweepEndpoint{
	adminRoute("list projects", http.MethodGet, "/projects", 1, poisonName, nil),
	adminRoute("create project", http.MethodPost, "/projects", 2, poisonName, nil,
		"name", "Sweep new project", "description", "made by the sweep"),
	adminRoute("get project", http.MethodGet, "/projects/{id}", 1, poisonName, projectArg),
	adminRoute("update project", http.MethodPatch, "/projects/{id}", 2, poisonName, projectArg, "name", "Renamed", "description", "x"),
	adminRoute("delete project", http.MethodDelete, "/projects/{id}", 1, "", missingArg),
	adminRoute("list apis", http.MethodGet, "/apis", 1, poisonName, nil, "project_id", "{project}"),
	adminRoute("create api", http.MethodPost, "/apis", 2, poisonName, nil,
		"project_id", "{project}", "name", "Sweep new API", "identifier", "https://sweep-new.example.com/",
		"scopes", `[{"name":"sweep:read","description":"read"}]`),
	adminRoute("get api", http.MethodGet, "/apis/{id}", 1, poisonName, apiArg),
	adminRoute("update api", http.MethodPatch, "/apis/{id}", 2, poisonName, apiArg, "name", "Renamed API",
		"scopes", `[{"name":"sweep:write"}]`),
	adminRoute("delete api", http.MethodDelete, "/apis/{id}", 1, "", missingArg),
	adminRoute("list clients", http.MethodGet, "/clients", 1, poisonType, nil, "project_id", "{project}"),
	adminRoute("create client", http.MethodPost, "/clients", 3, poisonType, nil,
		"type", "web", "name", "Sweep new client", "project_id", "{project}", "redirect_uris", `["https://sweep.example.com/cb"]`,
		"scopes", `["openid","profile"]`, "pkce_optional", "false", "refresh_idle_ttl_seconds", "3600"),
	adminRoute("get client", http.MethodGet, "/clients/{id}", 1, poisonAuthMethod, webClientArg),
	adminRoute("update client", http.MethodPatch, "/clients/{id}", 3, poisonAuthMethod, webClientArg,
		"name", "Renamed client", "redirect_uris", `["https://web.example.com/other"]`, "allow_plain_pkce", "true"),
	adminRoute("delete client", http.MethodDelete, "/clients/{id}", 1, "", missingArg),
	adminRoute("rotate client secret", http.MethodPost, "/clients/{id}/rotate-secret", 2, `"overlap_seconds":-1`, webClientArg,
		"overlap_seconds", "60"),
	adminRoute("list users", http.MethodGet, "/users", 1, poisonEmail, nil),
	adminRoute("create user", http.MethodPost, "/users", 2, poisonEmail, nil,
		"email", "sweep-new@example.com", "name", "New", "password", "a long sweep password 1", "groups", `["staff"]`, "admin", "true"),
	adminRoute("get user", http.MethodGet, "/users/{id}", 1, poisonEmail, userArg),
	adminRoute("update user", http.MethodPatch, "/users/{id}", 2, poisonEmail, userArg, "name", "Renamed", "admin", "true"),
	adminRoute("delete user", http.MethodDelete, "/users/{id}", 1, "", missingArg),
	adminRoute("set password", http.MethodPut, "/users/{id}/password", 2, `"password":""`, userArg,
		"password", "another long password 2"),
	adminRoute("list groups", http.MethodGet, "/groups", 1, "", nil),
	adminRoute("get group", http.MethodGet, "/groups/{name}", 1, "", func(*sweepFixture) []string { return []string{"staff"} }),
	adminRoute("add group member", http.MethodPut, "/groups/{name}/members/{user_id}", 1, "", groupMissingArgs),
	adminRoute("remove group member", http.MethodDelete, "/groups/{name}/members/{user_id}", 1, "", groupMissingArgs),
	adminRoute("list keys", http.MethodGet, "/keys", 1, "", nil),
	adminRoute("rotate keys", http.MethodPost, "/keys/rotate", 2, `"alg":"sweep-no-such-alg"`, nil, "alg", "RS256"),
	adminRoute("unknown path", http.MethodGet, "/nothing/{id}", 1, "", missingArg),
	{name: "admin openapi", method: http.MethodGet, path: adminPrefix + "/openapi.json", shape: shapeDocument,
		ids: []identity{anonymous, garbageTok}, base: noParams, weight: 1},
}

// Poisons: a member that fails validation whatever else the body holds.
const (
	poisonName       = `"name":""`
	poisonType       = `"type":"sweep-no-such-type"`
	poisonAuthMethod = `"token_endpoint_auth_method":"sweep-no-such-method"`
	poisonEmail      = `"email":"not an email address"`
)

// adminRoute is a table entry for one admin API operation; kv are the
// base request's members ("{project}" stands for the fixture's project).
func adminRoute(name, method, path string, weight int, poison string, args func(*sweepFixture) []string, kv ...string) sweepEndpoint {
	return sweepEndpoint{
		name: "admin " + name, method: method, path: adminPrefix + path, shape: shapeJSONAPI,
		json: isWrite(method), args: args, poison: poison, weight: weight,
		ids: []identity{adminTok, anonymous, garbageTok, nonAdminTok},
		base: func(fx *sweepFixture) ([][2]string, http.Header) {
			ps := pairs(kv...)
			for i := range ps {
				if ps[i][1] == "{project}" {
					ps[i][1] = fx.admin.projectID
				}
			}
			return ps, nil
		},
	}
}

func projectArg(fx *sweepFixture) []string   { return []string{fx.admin.projectID} }
func apiArg(fx *sweepFixture) []string       { return []string{fx.admin.apiID} }
func webClientArg(fx *sweepFixture) []string { return []string{fx.e.Web.ID} }
func userArg(fx *sweepFixture) []string      { return []string{fx.e.User.ID} }
func missingArg(*sweepFixture) []string      { return []string{sweepMissingID} }

// groupMissingArgs: a group that exists and a user who does not.
func groupMissingArgs(*sweepFixture) []string { return []string{"staff", sweepMissingID} }

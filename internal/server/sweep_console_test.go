package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The developer console (internal/console) in the sweep: every page and
// form without a session, with a console cookie this server did not seal,
// and with the administrator's session but no or a wrong CSRF token;
// forms with a valid CSRF token only where every ID is missing or the
// endpoint only reads (the live checks), so nothing can be saved.

// Identity sets of console entries; the first is the base request's.
var (
	consolePageIDs = []identity{consoleSess, anonymous, consoleForged}
	consoleFormIDs = []identity{consoleSess, consoleBadCSRF, anonymous, consoleForged}
	// consoleSafeIDs add a valid CSRF pair, for forms about missing IDs
	// and for read-only endpoints.
	consoleSafeIDs = []identity{consoleCSRF, consoleSess, consoleBadCSRF, anonymous, consoleForged}
)

var consoleEndpoints = []sweepEndpoint{
	consolePage("home", "/console", nil, 1),
	consolePage("project", "/console/projects/{id}", projectArg, 1),
	consolePage("new api", "/console/projects/{id}/apis/new", projectArg, 1),
	consolePage("edit project", "/console/projects/{id}/edit", projectArg, 1),
	consolePage("edit api", "/console/apis/{id}/edit", apiArg, 1),
	consolePage("new credential", "/console/projects/{id}/credentials/new", projectArg, 1),
	consolePage("credential", "/console/credentials/{id}", webClientArg, 1, "url", "https://web.example.com/cb"),
	consolePage("edit credential", "/console/credentials/{id}/edit", webClientArg, 1),
	consolePage("confirm delete credential", "/console/credentials/{id}/delete", webClientArg, 1),
	consolePage("users", "/console/users", nil, 1, "q", "rules"),
	consolePage("user", "/console/users/{id}", userArg, 1),
	consolePage("confirm delete user", "/console/users/{id}/delete", userArg, 1),
	consolePage("groups", "/console/groups", nil, 1),
	consolePage("keys", "/console/keys", nil, 1),
	consolePage("unknown page", "/console/nothing/{id}", missingArg, 1),

	consoleForm("create project", "/console/projects", nil, consoleFormIDs, 2, "name", "Sweep project 2", "description", "x"),
	consoleForm("delete project", "/console/projects/{id}/delete", missingArg, consoleSafeIDs, 1, "confirm", "delete"),
	consoleForm("create api", "/console/projects/{id}/apis", missingArg, consoleSafeIDs, 2,
		"name", "Sweep API 2", "identifier", "https://sweep-api2.example.com/", "scope_name", "sweep:read", "scope_description", "read"),
	consoleForm("create api in project", "/console/projects/{id}/apis", projectArg, consoleFormIDs, 1,
		"name", "Sweep API 3", "identifier", "https://sweep-api3.example.com/"),
	consoleForm("delete api", "/console/apis/{id}/delete", missingArg, consoleSafeIDs, 1, "confirm", "delete"),
	consoleForm("update project", "/console/projects/{id}/edit", missingArg, consoleSafeIDs, 1, "name", "Renamed", "description", "x"),
	consoleForm("update api", "/console/apis/{id}/edit", missingArg, consoleSafeIDs, 1, "name", "Renamed", "scope_name", "a:b"),
	consoleForm("create credential", "/console/projects/{id}/credentials", missingArg, consoleSafeIDs, 2,
		"type", "web", "name", "Sweep app", "redirect_uris", "https://sweep.example.com/cb", "scope", "openid"),
	consoleForm("update credential", "/console/credentials/{id}/edit", missingArg, consoleSafeIDs, 2,
		"name", "Renamed", "redirect_uris", "https://a.example.com/cb\nhttps://b.example.com/*", "redirect_uri_patterns", "https://*.example.com/cb",
		"default_redirect_uri", "https://a.example.com/cb", "post_logout_redirect_uris", "", "issue_refresh_tokens", "on", "extra_scopes", "x:y"),
	consoleForm("update real credential", "/console/credentials/{id}/edit", webClientArg, consoleFormIDs, 1, "name", "Renamed"),
	consoleForm("rotate secret", "/console/credentials/{id}/rotate", missingArg, consoleSafeIDs, 1, "overlap", "3600"),
	consoleForm("delete credential", "/console/credentials/{id}/delete", missingArg, consoleSafeIDs, 1, "confirm", "x"),
	consoleForm("test redirect", "/console/credentials/{id}/test", webClientArg, consoleSafeIDs, 2, "url", "https://web.example.com/cb?x=1"),
	consoleForm("create user", "/console/users", nil, consoleFormIDs, 2,
		"email", "sweep-new@example.com", "name", "N", "password", "a long password 12", "password_confirm", "a long password 12", "admin", "on"),
	consoleForm("update user", "/console/users/{id}/edit", missingArg, consoleSafeIDs, 1, "name", "N", "groups", "staff", "admin", "on"),
	consoleForm("set password", "/console/users/{id}/password", missingArg, consoleSafeIDs, 1,
		"password", "a long password 12", "password_confirm", "a long password 12"),
	consoleForm("delete user", "/console/users/{id}/delete", missingArg, consoleSafeIDs, 1, "confirm", "x"),
	consoleForm("add to group", "/console/groups/add", nil, consoleSafeIDs, 1, "group", "sweepers", "user_id", sweepMissingID),
	consoleForm("remove from group", "/console/groups/remove", nil, consoleSafeIDs, 1, "group", "staff", "user_id", sweepMissingID),
	consoleForm("rotate key", "/console/keys/rotate", nil, consoleFormIDs, 1, "alg", "RS256"),
	consoleForm("check redirect", "/console/check/redirect", nil, consoleSafeIDs, 3,
		"type", "web", "kind", "pattern", "value", "https://*.example.com/cb\nhttps://a.example.com/{x}"),
	consoleForm("check match", "/console/check/match", nil, consoleSafeIDs, 3, "client_id", "{web}", "url", "https://web.example.com/cb"),
	consoleForm("sign out", "/console/signout", nil, consoleFormIDs, 1),
	{name: "console callback", method: http.MethodGet, path: "/console/callback", shape: shapeConsole,
		ids: []identity{anonymous, consoleForged, consoleSess}, weight: 2,
		base: func(*sweepFixture) ([][2]string, http.Header) {
			return pairs("code", "never-issued", "state", "sweep-state"), nil
		}},
	{name: "console sign in again", method: http.MethodGet, path: "/console/signin", shape: shapeConsole,
		ids: []identity{anonymous, consoleSess}, base: noParams, weight: 1},
}

// consolePage is an entry for a page (GET) with query kv.
func consolePage(name, path string, args func(*sweepFixture) []string, weight int, kv ...string) sweepEndpoint {
	return sweepEndpoint{name: "console " + name, method: http.MethodGet, path: path, shape: shapeConsole,
		ids: consolePageIDs, args: args, weight: weight, base: func(*sweepFixture) ([][2]string, http.Header) { return pairs(kv...), nil }}
}

// consoleForm is an entry for a form post with fields kv and a csrf_token
// (filled in by the identity); "{web}" stands for the web client's ID.
func consoleForm(name, path string, args func(*sweepFixture) []string, ids []identity, weight int, kv ...string) sweepEndpoint {
	return sweepEndpoint{name: "console " + name, method: http.MethodPost, path: path,
		shape: shapeConsole, ids: ids, weight: weight, args: args,
		base: func(fx *sweepFixture) ([][2]string, http.Header) {
			ps := append(pairs("csrf_token", ""), pairs(kv...)...)
			for i := range ps {
				if ps[i][1] == "{web}" {
					ps[i][1] = fx.e.Web.ID
				}
			}
			return ps, nil
		}}
}

// checkConsole: the console answers with an HTML page carrying the
// anti-framing headers (any 4xx, or 200 for a read), a redirect within
// the server (to sign in), or, for a post to its live checks, JSON.
func checkConsole(issuer string, r sweepReq, resp sweepResp) string {
	if resp.status >= 300 && resp.status < 400 {
		// 303 to sign in; 301 or 307 from the mux to a cleaned path.
		if !slices.Contains([]int{http.StatusSeeOther, http.StatusMovedPermanently, http.StatusTemporaryRedirect}, resp.status) {
			return fmt.Sprintf("redirect status %d", resp.status)
		}
		loc, err := url.Parse(resp.header.Get("Location"))
		if err != nil || (loc.IsAbs() && !strings.HasPrefix(loc.String(), issuer+"/")) || strings.HasPrefix(loc.String(), "//") {
			return fmt.Sprintf("redirect to %q, outside the server", resp.header.Get("Location"))
		}
		if loc.Path != "/authorize" && loc.Path != "/console" && !strings.HasPrefix(loc.Path, "/console/") {
			return fmt.Sprintf("redirect to %q, neither the sign-in nor the console", loc)
		}
		return ""
	}
	if resp.status != http.StatusOK && (resp.status < 400 || resp.status >= 500) {
		return fmt.Sprintf("status %d", resp.status)
	}
	ct := resp.header.Get("Content-Type")
	// The live checks answer JSON, also to other methods without a session.
	if strings.HasPrefix(r.path, "/console/check/") && (r.method == http.MethodPost || strings.HasPrefix(ct, "application/json")) {
		if !strings.HasPrefix(ct, "application/json") {
			return fmt.Sprintf("status %d with Content-Type %q, want JSON", resp.status, ct)
		}
		var m map[string]any
		if r.method == http.MethodHead {
			return ""
		}
		if err := json.Unmarshal(resp.body, &m); err != nil {
			return fmt.Sprintf("status %d, body is not a JSON object: %.200s", resp.status, resp.body)
		}
		if resp.status != http.StatusOK && m["error"] == nil {
			return fmt.Sprintf("status %d without an error member: %.200s", resp.status, resp.body)
		}
		if resp.status == http.StatusOK && r.id != consoleCSRF {
			return "a live check answered 200 without a valid session and CSRF token"
		}
		return ""
	}
	if !strings.HasPrefix(ct, "text/html") {
		return fmt.Sprintf("status %d with Content-Type %q, want an HTML page", resp.status, ct)
	}
	h := resp.header
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" {
		return "console page without the anti-framing headers"
	}
	if resp.status == http.StatusOK && isWrite(r.method) && r.path != "/console/signout" && !strings.HasSuffix(r.path, "/test") {
		return fmt.Sprintf("a form post answered 200 (saved?) as identity %d", r.id)
	}
	return ""
}

package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// The admin API (internal/adminapi) in the sweep: every route and method
// of its OpenAPI document, sent with no token, a garbage token, a valid
// token without gatehouse:admin (each must be refused before anything is
// read: 401 with a Bearer challenge, or 403 insufficient_scope), and a
// valid admin token with mutated bodies and path IDs. An admin write can
// never succeed: see sweepEndpoint.poison and guardWrites.

// sweepMissingID names no record of any kind.
const sweepMissingID = "sweep-missing-id"

// adminFixture is what the admin API and console entries draw on, all
// made before the database snapshot.
type adminFixture struct {
	token     string       // client credentials token with gatehouse:admin
	projectID string       // a project and...
	apiID     string       // ...an API of it, for reads and poisoned updates
	consoleCk *http.Cookie // the console administrator's session
}

// newAdminFixture registers an automation client with the admin scope and
// takes its token, adds a project and an API, and signs an administrator
// in to the console through the real login and consent pages.
func newAdminFixture(t *testing.T, e *rulesEnv) *adminFixture {
	t.Helper()
	ctx := context.Background()
	_, tok := serviceToken(t, e.Env, oauth.ScopeAdmin)
	p, err := e.Admin.CreateProject(ctx, admin.ProjectInput{Name: "Sweep project"})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	api, err := e.Admin.CreateAPI(ctx, admin.APIInput{ProjectID: p.ID, Name: "Sweep API", Identifier: "https://sweep-api.example.com/"})
	if err != nil {
		t.Fatalf("create api: %v", err)
	}
	const email = "sweep-admin@example.com"
	if _, err := e.Admin.CreateUser(ctx, admin.NewUser{Email: email, Password: consolePassword, Admin: true}); err != nil {
		t.Fatalf("create console admin: %v", err)
	}
	b, _ := (&consoleEnv{Env: e.Env}).signIn(t, email)
	ck := consoleCookieOf(t, b, e.URL)
	if ck == nil {
		t.Fatal("signing in to the console set no session cookie")
	}
	return &adminFixture{token: tok, projectID: p.ID, apiID: api.ID, consoleCk: &http.Cookie{Name: ck.Name, Value: ck.Value}}
}

// authorization is the Authorization header an identity sends, or "".
func (fx *sweepFixture) authorization(id identity) string {
	switch id {
	case garbageTok:
		return "Bearer " + base64.RawURLEncoding.EncodeToString([]byte("garbage "+fx.pk.Verifier))
	case nonAdminTok:
		return "Bearer " + fx.accessToken
	case adminTok:
		return "Bearer " + fx.admin.token
	}
	return ""
}

// adminCookies returns the console identities' cookies and form token.
func (fx *sweepFixture) adminCookies(id identity) ([]*http.Cookie, string) {
	otherCSRF := &http.Cookie{Name: fx.csrfCk.Name, Value: base64.RawURLEncoding.EncodeToString(make([]byte, 32))}
	switch id {
	case consoleForged:
		return []*http.Cookie{{Name: fx.admin.consoleCk.Name, Value: fx.admin.consoleCk.Value[:len(fx.admin.consoleCk.Value)/2] + secret.NewToken()}}, ""
	case consoleSess:
		return []*http.Cookie{fx.admin.consoleCk}, ""
	case consoleBadCSRF:
		return []*http.Cookie{fx.admin.consoleCk, otherCSRF}, fx.csrfToken
	case consoleCSRF:
		return []*http.Cookie{fx.admin.consoleCk, fx.csrfCk}, fx.csrfToken
	}
	return nil, ""
}

// nastyPathIDs are path segments, already as they go on the wire:
// percent-encoded NUL, slashes, dot segments, invalid and overlong UTF-8,
// bidi and fullwidth characters, raw bytes, empty and very long ones.
var nastyPathIDs = []string{
	"%00", "a%00b", "%2F", "a%2Fb", "..%2F..%2Fetc", "%2e%2e", "%2E", "%FF%FE", "%C0%AF", "%ED%A0%80", "%E2%80%AE",
	"%EF%BC%8F", "%C3%A9t%C3%A9", "\xc3\xa9", "\xff", "%", "%zz", "%%41", "-1", "0", "null", "%20", "+", "a;b",
	"%0D%0ASet-Cookie:%20x=1", "'%20OR%20'1'='1", "..", ".", "", "sweep-missing-id%3Fq=1", "%23frag",
	strings.Repeat("a", 4096), strings.Repeat("%41", 3000), strings.Repeat("%F0%9F%98%80", 200),
}

// fillPath replaces path's {placeholders} with args, in order.
func fillPath(path string, args []string) string {
	var b strings.Builder
	for _, a := range args {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			break
		}
		b.WriteString(path[:i] + a)
		path = path[j+1:]
	}
	b.WriteString(path)
	return b.String()
}

// isWrite reports whether method may change a record.
func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions && method != "TRACE"
}

// guardWrites keeps the requests that hold real credentials from
// changing anything, and returns the path arguments to use: a request
// whose method the generator changed goes to missing IDs, and an admin
// token's write carries ep.poison last in its body (or goes to missing
// IDs when the route has no poison). It also sets the per-identity
// expectations of admin API requests.
func guardWrites(ep sweepEndpoint, r *sweepReq, args []string) []string {
	missing := func() {
		for i := range args {
			args[i] = sweepMissingID
		}
	}
	if (r.id == adminTok || r.id == consoleCSRF) && r.method != ep.method {
		missing()
	}
	if r.id == adminTok && isWrite(r.method) {
		if ep.poison == "" {
			missing()
		} else {
			r.body = poisonBody(r.body, ep.poison)
		}
	}
	if ep.shape == shapeJSONAPI && r.extra == nil {
		r.extra = wantAdminRefusal(r)
	}
	return args
}

// poisonBody adds member to the end of a JSON object body (or makes it
// the whole body of an empty one). Anything else is no JSON object and
// fails to decode as it is.
func poisonBody(body []byte, member string) []byte {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0:
		return []byte("{" + member + "}")
	case b[0] != '{' || b[len(b)-1] != '}':
		return body
	case len(bytes.TrimSpace(b[1:len(b)-1])) == 0:
		return []byte("{" + member + "}")
	}
	return append(slices.Clone(b[:len(b)-1]), []byte(","+member+"}")...)
}

// wantAdminRefusal checks that a request without a valid admin token is
// refused at the door: 401 invalid_token for none or garbage, 403
// insufficient_scope for a valid token without the scope, unless
// routing (404, 405) or the body limit (413) answered first or a
// mutation changed the Authorization header.
func wantAdminRefusal(r *sweepReq) func(sweepResp) string {
	var auths []string
	for _, h := range r.header {
		if strings.EqualFold(h[0], "Authorization") {
			auths = append(auths, h[1])
		}
	}
	want, code := 0, ""
	switch {
	case r.id == anonymous && len(auths) == 0:
		want = http.StatusUnauthorized
	case r.id == garbageTok && len(auths) == 1 && auths[0] == r.idAuth:
		want, code = http.StatusUnauthorized, oauth.InvalidToken
	case r.id == nonAdminTok && len(auths) == 1 && auths[0] == r.idAuth:
		want, code = http.StatusForbidden, oauth.InsufficientScope
	default:
		return nil
	}
	return func(resp sweepResp) string {
		if resp.header.Get("X-Request-Id") == "" || slices.Contains([]int{http.StatusNotFound, http.StatusMethodNotAllowed,
			http.StatusRequestEntityTooLarge, http.StatusMovedPermanently, http.StatusTemporaryRedirect}, resp.status) {
			return ""
		}
		if resp.status != want || r.method != http.MethodHead && !strings.Contains(string(resp.body), code) {
			return fmt.Sprintf("status %d %.200s, want %d %s", resp.status, resp.body, want, code)
		}
		if code != "" && !strings.Contains(resp.header.Get("WWW-Authenticate"), `error="`+code+`"`) {
			return fmt.Sprintf("WWW-Authenticate %q lacks error=%q (RFC 6750 §3)", resp.header.Get("WWW-Authenticate"), code)
		}
		return ""
	}
}

// adminErrors are the codes of the admin API's error body.
var adminErrors = []string{"invalid_request", "not_found", "conflict", "request_too_large", "unsupported_media_type",
	"method_not_allowed"}

// cornerCases send, without random mutations, every nasty path segment
// as every path ID of the admin API (with the admin token) and of the
// console (with its most capable identity), and every nasty value as
// each field of the console's live checks, so that each reaches the
// store at least once on every run, whatever the seed.
func cornerCases(g *generator, endpoints []sweepEndpoint) []sweepReq {
	var out []sweepReq
	for _, ep := range endpoints {
		if ep.args != nil && (ep.shape == shapeJSONAPI || ep.shape == shapeConsole) {
			id := ep.ids[0]
			if slices.Contains(ep.ids, consoleCSRF) {
				id = consoleCSRF
			}
			for _, seg := range nastyPathIDs {
				args := ep.args(g.fx)
				for i := range args {
					args[i] = seg
				}
				out = append(out, g.build(ep, id, args, []string{"every path id " + short(seg)}, 0, nil))
			}
		}
		if ep.shape == shapeJSONAPI && ep.json && ep.poison != "" {
			// A well-formed body past the API's own 256 KiB limit, above
			// the server's 64 KiB for other endpoints: adminapi's decode
			// must refuse it, as 413. (The routes without poison read no
			// body.)
			big := g.build(ep, adminTok, argsOf(g.fx, ep), []string{"a 300 KB JSON body"}, 0, nil)
			big.body = poisonBody([]byte(`{"name":"`+strings.Repeat("n", 300<<10)+`"}`), ep.poison)
			big.extra = wantJSONError(http.StatusRequestEntityTooLarge, "request_too_large")
			out = append(out, big)
		}
		if ep.shape == shapeConsole && strings.HasPrefix(ep.path, "/console/check/") {
			params, _ := ep.base(g.fx)
			for _, p := range params[1:] { // after csrf_token
				for _, v := range nastyValues {
					out = append(out, g.build(ep, consoleCSRF, nil, []string{fmt.Sprintf("%s=%s", p[0], short(v))}, 0,
						map[string]string{p[0]: v}))
				}
			}
		}
	}
	for i := range out {
		out[i].endpoint = "corner cases"
	}
	return out
}

// argsOf is ep's base path arguments, nil for a path without any.
func argsOf(fx *sweepFixture, ep sweepEndpoint) []string {
	if ep.args == nil {
		return nil
	}
	return ep.args(fx)
}

package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
)

// registeredErrors are the error codes of RFC 6749 §4.1.2.1 and §5.2,
// RFC 6750 §3.1, OpenID Connect Core §3.1.2.6 and RFC 8707 §2.
var registeredErrors = []string{
	oauth.InvalidRequest, oauth.InvalidClient, oauth.InvalidGrant, oauth.UnauthorizedClient,
	oauth.UnsupportedGrantType, oauth.UnsupportedResponseType, oauth.InvalidScope, oauth.AccessDenied,
	oauth.InvalidToken, oauth.InsufficientScope, oauth.LoginRequired, oauth.ConsentRequired,
	oauth.InteractionRequired, oauth.RequestNotSupported, oauth.RequestURINotSupported, oauth.InvalidTarget,
	"unsupported_token_type", // RFC 7009 §2.2.1
}

// sweepResp is what came back for one request.
type sweepResp struct {
	status int
	header http.Header
	body   []byte
}

// checkResponse returns what is wrong with resp as an answer to r, or "".
func checkResponse(issuer string, r sweepReq, resp sweepResp) string {
	if resp.status >= 500 {
		return fmt.Sprintf("status %d", resp.status)
	}
	if b := string(resp.body); strings.Contains(b, "goroutine ") || strings.Contains(b, "runtime error") {
		return "the body shows a Go stack trace"
	}
	if strings.Contains(string(resp.body), "<script>alert(1)") {
		return "the body reflects an injected <script> unescaped"
	}
	for _, c := range resp.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "x=") {
			return "a CR LF in a parameter injected a response header"
		}
	}
	if resp.header.Get("X-Request-Id") == "" && (r.path != "/metrics" || netHTTPRefusal(resp)) {
		// net/http refused the request before any handler ran (malformed
		// request line or header, header too large): a 4xx is right.
		if resp.status < 400 {
			return fmt.Sprintf("status %d without passing the handlers", resp.status)
		}
		return ""
	}
	if resp.status == http.StatusMethodNotAllowed && r.shape != shapeBackChannel {
		if resp.header.Get("Allow") == "" {
			return "405 without an Allow header (RFC 9110 §15.5.6)"
		}
		return ""
	}
	switch r.shape {
	case shapeBackChannel:
		return checkBackChannel(r, resp)
	case shapeBearer:
		return checkBearer(r, resp)
	case shapeFrontChannel:
		return checkFrontChannel(issuer, r, resp)
	case shapeDocument:
		return checkDocument(r, resp)
	case shapeJSONAPI:
		return checkJSONAPI(r, resp)
	case shapeConsole:
		return checkConsole(issuer, r, resp)
	case shapeOps:
		return checkOps(r, resp)
	}
	return "unknown shape"
}

// netHTTPRefusal reports whether net/http itself refused the request
// (its plain "400 Bad Request: ..." answer to a malformed request). It
// tells those apart for /metrics, which the server answers before the
// request log, so without X-Request-Id.
func netHTTPRefusal(resp sweepResp) bool {
	return resp.status >= 400 && strings.HasPrefix(string(resp.body), fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
}

// checkBackChannel: the JSON error of RFC 6749 §5.2, or revocation's 200.
func checkBackChannel(r sweepReq, resp sweepResp) string {
	if r.method == http.MethodHead {
		if resp.status != http.StatusMethodNotAllowed || resp.header.Get("Allow") != http.MethodPost {
			return fmt.Sprintf("HEAD answered %d, want 405 with Allow: POST", resp.status)
		}
		return "" // the JSON error's headers, without its body
	}
	if resp.status == http.StatusOK {
		if r.path == "/revoke" && len(strings.TrimSpace(string(resp.body))) == 0 {
			return "" // RFC 7009 §2.2: an unknown token is not an error
		}
		return fmt.Sprintf("200 at %s for a request that must fail: %.200s", r.path, resp.body)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("status %d with Content-Type %q, want a JSON error", resp.status, ct)
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(resp.body, &e); err != nil {
		return fmt.Sprintf("status %d, body is not JSON: %.200s", resp.status, resp.body)
	}
	if !slices.Contains(registeredErrors, e.Error) {
		return fmt.Sprintf("error %q is not a registered code", e.Error)
	}
	if bad := badDescription(e.Description); bad != "" {
		return bad
	}
	switch resp.status {
	case http.StatusBadRequest:
	case http.StatusUnauthorized:
		if e.Error != oauth.InvalidClient {
			return fmt.Sprintf("401 with error %q, want invalid_client", e.Error)
		}
		if r.authSent && resp.header.Get("WWW-Authenticate") == "" {
			return "401 after an Authorization header without WWW-Authenticate (RFC 6749 §5.2)"
		}
	case http.StatusMethodNotAllowed:
		if resp.header.Get("Allow") != http.MethodPost {
			return "405 without Allow: POST"
		}
	default:
		return fmt.Sprintf("status %d for error %q", resp.status, e.Error)
	}
	if r.path == "/token" && resp.header.Get("Cache-Control") != "no-store" {
		return "token error without Cache-Control: no-store (RFC 6749 §5.1)"
	}
	return ""
}

// badDescription checks error_description's characters (RFC 6749 §5.2).
func badDescription(d string) string {
	for i := 0; i < len(d); i++ {
		if c := d[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return fmt.Sprintf("error_description %q has %q, which RFC 6749 §5.2 does not allow", d, c)
		}
	}
	return ""
}

// checkBearer: userinfo's RFC 6750 §3 challenge, or claims for the valid
// token (which some mutations leave intact).
func checkBearer(r sweepReq, resp sweepResp) string {
	switch resp.status {
	case http.StatusOK:
		if r.method == http.MethodHead {
			return "" // the claims' headers without the claims
		}
		var claims map[string]any
		if err := json.Unmarshal(resp.body, &claims); err != nil || claims["sub"] == nil {
			return fmt.Sprintf("200 without claims: %.200s", resp.body)
		}
		return ""
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		ch := resp.header.Get("WWW-Authenticate")
		if !strings.HasPrefix(ch, "Bearer ") {
			return fmt.Sprintf("status %d with WWW-Authenticate %q, want a Bearer challenge (RFC 6750 §3)", resp.status, ch)
		}
		if _, code, ok := strings.Cut(ch, `error="`); ok {
			code, _, _ = strings.Cut(code, `"`)
			if !slices.Contains(registeredErrors, code) {
				return fmt.Sprintf("challenge error %q is not registered", code)
			}
		}
		return ""
	}
	return fmt.Sprintf("status %d at userinfo", resp.status)
}

// frontRedirects are the registered redirect URIs a front-channel error
// may go to, and where the sign-out may land.
var frontRedirects = []string{webRedirect, webDefault, spaRedirect}

// checkFrontChannel: a page with the browser security headers, or a
// redirect that carries an error to a registered redirect URI.
func checkFrontChannel(issuer string, r sweepReq, resp sweepResp) string {
	if resp.status >= 300 && resp.status < 400 {
		return checkFrontRedirect(issuer, r, resp)
	}
	h := resp.header
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		return fmt.Sprintf("status %d with Content-Type %q, want an HTML page", resp.status, ct)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" ||
		h.Get("Referrer-Policy") != "no-referrer" {
		return "page without the anti-framing and no-referrer headers"
	}
	switch resp.status {
	case http.StatusOK:
		return ""
	case http.StatusTooManyRequests:
		if r.mayThrottle && h.Get("Retry-After") != "" {
			return "" // brute-force protection (TestBadInputSweepThrottled)
		}
		return "429 without brute-force protection on, or without Retry-After"
	case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		if r.method == http.MethodHead || strings.HasPrefix(r.path, "/account") {
			return "" // HEAD has no body; account pages show no code
		}
		m := badgeRE.FindSubmatch(resp.body)
		if m == nil || !slices.Contains(registeredErrors, string(m[1])) {
			return fmt.Sprintf("error page (status %d) without a registered error code", resp.status)
		}
		return ""
	}
	return fmt.Sprintf("page with status %d", resp.status)
}

func checkFrontRedirect(issuer string, r sweepReq, resp sweepResp) string {
	if resp.status != http.StatusSeeOther && resp.status != http.StatusFound {
		return fmt.Sprintf("redirect status %d (RFC 9700 §4.12 forbids 307)", resp.status)
	}
	loc, err := url.Parse(resp.header.Get("Location"))
	if err != nil {
		return "unparsable Location"
	}
	if !loc.IsAbs() || strings.HasPrefix(loc.String(), issuer+"/") {
		if loc.Path == "/login" {
			return "" // the account page sends strangers to sign in
		}
		return fmt.Sprintf("redirect within the server to %s", loc)
	}
	base := *loc
	base.RawQuery = ""
	q := loc.Query()
	if r.path == "/logout" {
		if base.String() != spaPostLogout || q.Has("code") || q.Has("error") {
			return fmt.Sprintf("sign-out redirected to %s", loc)
		}
		return ""
	}
	if !slices.Contains(frontRedirects, base.String()) {
		return fmt.Sprintf("redirected to unregistered %s", loc)
	}
	if q.Has("code") || !slices.Contains(registeredErrors, q.Get("error")) {
		return fmt.Sprintf("redirect %s carries no registered error (or a code)", loc)
	}
	if bad := badDescription(q.Get("error_description")); bad != "" {
		return bad
	}
	if q.Get("iss") != issuer || len(q["iss"]) != 1 {
		return fmt.Sprintf("redirect %s without iss=%s (RFC 9207)", loc, issuer)
	}
	if len(q["state"]) > 1 || q.Has("state") && !slices.Contains(sentStates(r), q.Get("state")) {
		return fmt.Sprintf("redirect state %q is not the one sent", q["state"])
	}
	if r.path == "/authorize" && r.state != "" && !q.Has("state") && sentOnly(r) {
		return "error redirect dropped the request's state (RFC 6749 §4.1.2.1)"
	}
	return ""
}

// sentStates lists every state the request carried, in the query, the
// body, or the authorization request inside a login or consent form.
func sentStates(r sweepReq) []string {
	var out []string
	for _, raw := range []string{r.query, string(r.body)} {
		v, _ := url.ParseQuery(raw)
		out = append(out, v["state"]...)
		for _, inner := range v["authz"] {
			iv, _ := url.ParseQuery(inner)
			out = append(out, iv["state"]...)
		}
	}
	return out
}

// sentOnly reports whether the request's parameters are where the
// endpoint reads them and nowhere else (query for GET, form for POST).
func sentOnly(r sweepReq) bool {
	switch r.method {
	case http.MethodGet:
		return len(r.body) == 0
	case http.MethodPost:
		return r.query == "" && !slices.ContainsFunc(r.header, func(h [2]string) bool {
			return strings.EqualFold(h[0], "Content-Type") && h[1] != "application/x-www-form-urlencoded"
		})
	}
	return false
}

// checkDocument: the document for GET and HEAD, whatever the query.
func checkDocument(r sweepReq, resp sweepResp) string {
	if r.method != http.MethodGet && r.method != http.MethodHead {
		if r.method == http.MethodOptions && resp.status < 300 {
			return "" // a CORS preflight
		}
		return fmt.Sprintf("%s answered %d, want 405", r.method, resp.status)
	}
	if resp.status != http.StatusOK {
		return fmt.Sprintf("status %d for GET", resp.status)
	}
	ct := resp.header.Get("Content-Type")
	if !strings.Contains(ct, "json") && !strings.Contains(ct, "javascript") {
		return fmt.Sprintf("Content-Type %q", ct)
	}
	return ""
}

// checkJSONAPI: the admin API as its OpenAPI document describes it. A
// refusal of the token (401, 403, or 400 for a malformed Authorization
// header) is a TokenError: a Bearer challenge (RFC 6750 §3) and a JSON
// body whose error, absent when no token was sent, is a registered code.
// Any other failure is an Error: a JSON body with one of the API's codes
// and a message. Only a valid admin token's reads may succeed. The mux
// answers a path with dot segments or double slashes with a redirect to
// the cleaned path, which must stay in the API.
func checkJSONAPI(r sweepReq, resp sweepResp) string {
	switch {
	case resp.status == http.StatusMovedPermanently || resp.status == http.StatusTemporaryRedirect ||
		resp.status == http.StatusPermanentRedirect:
		if loc := resp.header.Get("Location"); !strings.HasPrefix(loc, adminPrefix+"/") {
			return fmt.Sprintf("redirect to %q, outside the admin API", loc)
		}
		return ""
	case resp.status < 300 && r.id == adminTok && !isWrite(r.method):
		return "" // an administrator's read
	case resp.status < 400:
		return fmt.Sprintf("status %d for a request that must fail: %.200s", resp.status, resp.body)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("status %d with Content-Type %q, want a JSON error", resp.status, ct)
	}
	ch := resp.header.Get("WWW-Authenticate")
	if resp.status == http.StatusUnauthorized && !strings.HasPrefix(ch, "Bearer") {
		return fmt.Sprintf("401 with WWW-Authenticate %q, want a Bearer challenge (RFC 6750 §3)", ch)
	}
	if r.method == http.MethodHead {
		return ""
	}
	var e struct {
		Error       *string `json:"error"`
		Message     string  `json:"message"`
		Description string  `json:"error_description"`
	}
	if err := json.Unmarshal(resp.body, &e); err != nil {
		return fmt.Sprintf("status %d, body is not a JSON object: %.200s", resp.status, resp.body)
	}
	code := ""
	if e.Error != nil {
		code = *e.Error
	}
	if e.Description != "" { // a TokenError
		switch {
		case resp.status == http.StatusUnauthorized && (code == "" || code == oauth.InvalidToken):
		case resp.status == http.StatusForbidden && code == oauth.InsufficientScope:
			if !strings.Contains(ch, `error="insufficient_scope"`) {
				return fmt.Sprintf("403 with WWW-Authenticate %q", ch)
			}
		case resp.status == http.StatusBadRequest && code == oauth.InvalidRequest:
		default:
			return fmt.Sprintf("status %d with token error %q", resp.status, code)
		}
		return badDescription(e.Description)
	}
	if !slices.Contains(adminErrors, code) || e.Message == "" {
		return fmt.Sprintf("status %d without an admin API error and message: %.200s", resp.status, resp.body)
	}
	return ""
}

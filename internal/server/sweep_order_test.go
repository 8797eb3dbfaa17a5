package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// outOfOrderCases are requests a legitimate browser or client never sends
// in this order: a token request before any authorization, a consent
// without a sign-in, a login form posted without loading it, a CSRF token
// reused with another cookie, a consent on an expired session. Several
// carry the correct password or approve consent, so that only the order
// (or the missing step) stops them; each says what it must get.
func outOfOrderCases(fx *sweepFixture) []sweepReq {
	e := fx.e
	authz, _ := authorizeBase(fx)
	authzRaw := encodePairs(authz)
	form := func(cks []*http.Cookie, kv ...string) (hdr [][2]string, body []byte) {
		hdr = [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", "null"}, {"Sec-Fetch-Site", "same-origin"}}
		for _, c := range cks {
			hdr = append(hdr, [2]string{"Cookie", c.Name + "=" + c.Value})
		}
		return hdr, []byte(encodePairs(pairs(kv...)))
	}
	post := func(what, path string, shape shape, id identity, extra func(sweepResp) string, kv ...string) sweepReq {
		cks, tok := fx.cookies(id)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == "csrf_token" && kv[i+1] == "" {
				kv[i+1] = tok
			}
		}
		hdr, body := form(cks, kv...)
		return sweepReq{endpoint: "out of order", what: what, method: http.MethodPost, path: path, header: hdr, body: body,
			shape: shape, extra: extra}
	}
	get := func(what, path, query string, id identity, extra func(sweepResp) string) sweepReq {
		cks, _ := fx.cookies(id)
		var hdr [][2]string
		for _, c := range cks {
			hdr = append(hdr, [2]string{"Cookie", c.Name + "=" + c.Value})
		}
		return sweepReq{endpoint: "out of order", what: what, method: http.MethodGet, path: path, query: query, header: hdr,
			shape: shapeFrontChannel, extra: extra}
	}
	// A CSRF token sent in the URL rather than the form (it must be
	// ignored there), with the correct password.
	inQuery := post("login with the CSRF token in the query", "/login", shapeFrontChannel, anonCSRF, wantStatus(http.StatusBadRequest),
		"authz", authzRaw, "email", ruleEmail, "password", rulePassword)
	inQuery.query = "csrf_token=" + url.QueryEscape(fx.csrfToken)

	promptNone := url.Values{}
	for _, p := range authz {
		promptNone.Set(p[0], p[1])
	}
	promptNone.Set("prompt", "none")
	tampered := strings.Replace(authzRaw, url.QueryEscape(webRedirect), url.QueryEscape("https://evil.example/cb"), 1)

	return []sweepReq{
		post("token exchange before any authorization", "/token", shapeBackChannel, anonymous, wantJSONError(oauth400, "invalid_grant"),
			"grant_type", "authorization_code", "client_id", e.SPA.ID, "code", "never-issued", "redirect_uri", spaRedirect,
			"code_verifier", fx.pk.Verifier),
		post("the access token presented as a code", "/token", shapeBackChannel, anonymous, wantJSONError(oauth400, "invalid_grant"),
			"grant_type", "authorization_code", "client_id", e.SPA.ID, "code", fx.accessToken, "redirect_uri", spaRedirect,
			"code_verifier", fx.pk.Verifier),
		post("the access token presented as a refresh token", "/token", shapeBackChannel, anonymous, wantJSONError(oauth400, "invalid_grant"),
			"grant_type", "refresh_token", "client_id", e.SPA.ID, "refresh_token", fx.accessToken),
		post("consent approved without signing in", "/consent", shapeFrontChannel, anonCSRF, wantLoginForm,
			"csrf_token", "", "authz", authzRaw, "decision", "approve"),
		post("consent approved on an expired session", "/consent", shapeFrontChannel, expiredSess, wantLoginForm,
			"csrf_token", "", "authz", authzRaw, "decision", "approve"),
		post("consent approved with another cookie's CSRF token", "/consent", shapeFrontChannel, forgedSess, wantStatus(http.StatusBadRequest),
			"csrf_token", "", "authz", authzRaw, "decision", "approve"),
		post("consent approved without a CSRF token", "/consent", shapeFrontChannel, asSignedIn, wantStatus(http.StatusBadRequest),
			"authz", authzRaw, "decision", "approve"),
		post("consent approved for a tampered redirect URI", "/consent", shapeFrontChannel, signedCSRF, wantStatus(http.StatusBadRequest),
			"csrf_token", "", "authz", tampered, "decision", "approve"),
		post("login posted without loading the form", "/login", shapeFrontChannel, anonymous, wantStatus(http.StatusBadRequest),
			"authz", authzRaw, "email", ruleEmail, "password", rulePassword),
		post("login with a CSRF token reused from another browser", "/login", shapeFrontChannel, forgedSess, wantStatus(http.StatusBadRequest),
			"csrf_token", "", "authz", authzRaw, "email", ruleEmail, "password", rulePassword),
		inQuery,
		post("sign-out confirmed without a CSRF token", "/logout", shapeFrontChannel, asSignedIn, wantStatus(http.StatusBadRequest),
			"decision", "logout", "logout_request", "client_id="+e.SPA.ID),
		post("password change without a CSRF token", "/account/password", shapeFrontChannel, asSignedIn, wantStatus(http.StatusForbidden),
			"current_password", rulePassword, "new_password", "another long password 1", "confirm_password", "another long password 1"),
		get("prompt=none on an expired session", "/authorize", promptNone.Encode(), expiredSess, wantRedirectCode("login_required")),
		get("the account page on an expired session", "/account", "", expiredSess, wantLocationPath("/login")),
	}
}

const oauth400 = http.StatusBadRequest

func wantStatus(status int) func(sweepResp) string {
	return func(r sweepResp) string {
		if r.status != status {
			return fmt.Sprintf("status %d, want %d", r.status, status)
		}
		return ""
	}
}

func wantJSONError(status int, code string) func(sweepResp) string {
	return func(r sweepResp) string {
		if r.status != status || !strings.Contains(string(r.body), `"error":"`+code+`"`) {
			return fmt.Sprintf("status %d %.200s, want %d %s", r.status, r.body, status, code)
		}
		return ""
	}
}

func wantLoginForm(r sweepResp) string {
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `action="/login"`) {
		return fmt.Sprintf("status %d, want the login page", r.status)
	}
	return ""
}

func wantRedirectCode(code string) func(sweepResp) string {
	return func(r sweepResp) string {
		loc, err := url.Parse(r.header.Get("Location"))
		if err != nil || loc.Query().Get("error") != code {
			return fmt.Sprintf("status %d to %q, want an error redirect with %s", r.status, r.header.Get("Location"), code)
		}
		return ""
	}
}

func wantLocationPath(path string) func(sweepResp) string {
	return func(r sweepResp) string {
		loc, err := url.Parse(r.header.Get("Location"))
		if err != nil || loc.Path != path {
			return fmt.Sprintf("status %d to %q, want a redirect to %s", r.status, r.header.Get("Location"), path)
		}
		return ""
	}
}

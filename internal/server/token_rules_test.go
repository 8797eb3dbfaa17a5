package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Rules of the token endpoint's request (RFC 6749 §3.2, §2.3): how the
// request is framed and how the client authenticates. Every error is RFC
// 6749 §5.2 JSON with Cache-Control: no-store (postToken checks both on
// every response).

// TestTokenRequestRules checks the rules of the token request (RFC 6749
// §3.2, §4.1.3): client authentication, grant type, framing, and what a
// code redeems for.
func TestTokenRequestRules(t *testing.T) {
	t.Parallel()
	runRules(t, []rule{
		{"ClientAuthentication_RFC6749_2.3.1", ruleClientAuthentication},
		{"GrantType_RFC6749_5.2", ruleGrantType},
		{"FormEncodedBodyOnly_RFC6749_3.2", ruleFormEncodedBodyOnly},
		{"POSTOnly_RFC6749_3.2", rulePOSTOnly},
		{"DuplicateParameters_RFC6749_3.2", ruleTokenDuplicateParameters},
		{"CodeBoundToClientRedirectURIAndVerifier_RFC6749_4.1.3_RFC7636_4.6", ruleCodeBinding},
		{"SuccessResponse_RFC6749_5.1_RFC9068_2.2_OIDCCore_3.1.3.3", ruleSuccessResponse},
		{"CORSPublicClientOriginsOnly_Fetch_3.2", ruleCORSPublicClientOriginsOnly},
	})
}

// ruleClientAuthentication checks the three methods (none for public
// clients, client_secret_basic and client_secret_post for confidential
// ones) and every way to get them wrong: invalid_client with 401, and
// WWW-Authenticate: Basic when Basic was tried (RFC 6749 §5.2); two methods
// at once is invalid_request (RFC 6749 §2.3).
func ruleClientAuthentication(t *testing.T, e *rulesEnv) {
	b := e.session(t)

	type tc struct {
		name      string
		form      url.Values // grant_type, code, code_verifier, redirect_uri added
		auth      func(*http.Request)
		status    int
		code      string // "" for success
		challenge bool
	}
	cases := []tc{
		{"public none", url.Values{"client_id": {e.SPA.ID}}, nil, 200, "", false},
		{"confidential client_secret_basic", nil, basicAuth(e.Web.ID, e.WebSecret), 200, "", false},
		{"confidential client_secret_post", url.Values{"client_id": {e.Web.ID}, "client_secret": {e.WebSecret}}, nil, 200, "", false},
		{"confidential basic with matching client_id in form", url.Values{"client_id": {e.Web.ID}}, basicAuth(e.Web.ID, e.WebSecret), 200, "", false},

		{"public with client_secret_post", url.Values{"client_id": {e.SPA.ID}, "client_secret": {"anything"}}, nil, 401, "invalid_client", false},
		{"public with client_secret_basic", nil, basicAuth(e.SPA.ID, "anything"), 401, "invalid_client", true},
		{"public with basic and empty secret", nil, basicAuth(e.SPA.ID, ""), 401, "invalid_client", true},
		{"confidential without secret", url.Values{"client_id": {e.Web.ID}}, nil, 401, "invalid_client", false},
		{"confidential wrong secret post", url.Values{"client_id": {e.Web.ID}, "client_secret": {e.WebSecret + "x"}}, nil, 401, "invalid_client", false},
		{"confidential wrong secret basic", nil, basicAuth(e.Web.ID, e.WebSecret[:len(e.WebSecret)-1]), 401, "invalid_client", true},
		{"confidential empty secret basic", nil, basicAuth(e.Web.ID, ""), 401, "invalid_client", true},
		{"confidential another client's secret", nil, basicAuth(e.Web.ID, e.NoPKCESec), 401, "invalid_client", true},
		{"basic not form-encoded", nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(e.Web.ID+":%zz")))
		}, 401, "invalid_client", true},
		{"basic not base64", nil, func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }, 401, "invalid_client", true},
		{"basic without colon", nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(e.Web.ID)))
		}, 401, "invalid_client", true},
		{"bearer scheme", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+e.WebSecret) }, 401, "invalid_client", true},
		{"unknown client none", url.Values{"client_id": {"no-such-client"}}, nil, 401, "invalid_client", false},
		{"unknown client post", url.Values{"client_id": {"no-such-client"}, "client_secret": {"x"}}, nil, 401, "invalid_client", false},
		{"unknown client basic", nil, basicAuth("no-such-client", "x"), 401, "invalid_client", true},
		{"no client at all", nil, nil, 401, "invalid_client", false},

		{"basic and post", url.Values{"client_id": {e.Web.ID}, "client_secret": {e.WebSecret}}, basicAuth(e.Web.ID, e.WebSecret), 400, "invalid_request", false},
		{"basic and different client_id", url.Values{"client_id": {e.SPA.ID}}, basicAuth(e.Web.ID, e.WebSecret), 400, "invalid_request", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := b.For(t)
			client, redirect := e.Web, webRedirect
			if strings.HasPrefix(c.name, "public") {
				client, redirect = e.SPA, spaRedirect
			}
			code, pk := "not-a-code", newPKCE()
			if c.code == "" {
				code, pk = newCode(t, e, b, client, redirect)
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {pk.Verifier}, "redirect_uri": {redirect}}
			for k, v := range c.form {
				form[k] = v
			}
			r := postToken(t, e.Env, form.Encode(), "", c.auth)
			if c.code == "" {
				wantTokens(t, r)
				return
			}
			wantTokenError(t, r, c.status, c.code)
			challenge := r.Header.Get("WWW-Authenticate")
			if c.challenge && !strings.HasPrefix(challenge, "Basic ") {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge (RFC 6749 §5.2)", challenge)
			}
		})
	}
}

// ruleGrantType checks that a missing grant_type is invalid_request, an
// unknown one unsupported_grant_type, and a supported one the client may
// not use unauthorized_client (client_credentials is for server-to-server
// clients only; they in turn may not use authorization_code). A bogus
// refresh token is invalid_grant.
func ruleGrantType(t *testing.T, e *rulesEnv) {
	for _, tc := range []struct {
		grantType string // "-" omits it
		want      string
	}{
		{"-", "invalid_request"},
		{"password", "unsupported_grant_type"},
		{"client_credentials", "unauthorized_client"},
		{"refresh_token", "invalid_grant"},
		{"implicit", "unsupported_grant_type"},
		{"urn:ietf:params:oauth:grant-type:device_code", "unsupported_grant_type"},
		{"urn:ietf:params:oauth:grant-type:jwt-bearer", "unsupported_grant_type"},
		{"Authorization_Code", "unsupported_grant_type"},
	} {
		for _, client := range []string{"public", "confidential"} {
			t.Run(client+"/"+tc.grantType, func(t *testing.T) {
				form := url.Values{"grant_type": {tc.grantType}, "code": {"x"}, "username": {ruleEmail},
					"password": {rulePassword}, "refresh_token": {"x"}, "scope": {"openid"}}
				if tc.grantType == "-" {
					form.Del("grant_type")
				}
				var auth func(*http.Request)
				if client == "public" {
					form.Set("client_id", e.SPA.ID)
				} else {
					auth = basicAuth(e.Web.ID, e.WebSecret)
				}
				wantTokenError(t, postToken(t, e.Env, form.Encode(), "", auth), 400, tc.want)
			})
		}
	}
	t.Run("service client with authorization_code", func(t *testing.T) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "code_verifier": {newPKCE().Verifier}}
		wantTokenError(t, postToken(t, e.Env, form.Encode(), "", basicAuth(e.Service.ID, e.SvcSecret)), 400, "unauthorized_client")
	})
}

// ruleFormEncodedBodyOnly checks that a body that is not
// application/x-www-form-urlencoded is invalid_request (RFC 6749 §3.2,
// Appendix B), even when it carries valid parameters.
func ruleFormEncodedBodyOnly(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, tc := range []struct {
		contentType string // "-" sends none
		body        func(form url.Values) string
	}{
		{"application/json", func(f url.Values) string {
			return `{"grant_type":"authorization_code","client_id":"` + f.Get("client_id") + `","code":"` + f.Get("code") + `"}`
		}},
		{"text/plain", url.Values.Encode},
		{"multipart/form-data; boundary=xyz", url.Values.Encode},
		{"application/x-www-form-urlencoded-x", url.Values.Encode},
		{"application/xml", url.Values.Encode},
		{"-", url.Values.Encode},
		{"garbage;;", url.Values.Encode},
	} {
		t.Run(tc.contentType, func(t *testing.T) {
			b := b.For(t)
			code, pk := newCode(t, e, b, e.SPA, spaRedirect)
			form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "code": {code},
				"code_verifier": {pk.Verifier}, "redirect_uri": {spaRedirect}}
			wantTokenError(t, postToken(t, e.Env, tc.body(form), tc.contentType, nil), 400, "invalid_request")
		})
	}
	t.Run("form with charset is fine", func(t *testing.T) {
		b := b.For(t)
		code, pk := newCode(t, e, b, e.SPA, spaRedirect)
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "code": {code},
			"code_verifier": {pk.Verifier}, "redirect_uri": {spaRedirect}}
		wantTokens(t, postToken(t, e.Env, form.Encode(), "application/x-www-form-urlencoded; charset=UTF-8", nil))
	})
}

// rulePOSTOnly: "The client MUST use the HTTP POST method" (RFC 6749 §3.2);
// other methods get 405 with Allow, still as a no-store JSON error.
func rulePOSTOnly(t *testing.T, e *rulesEnv) {
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequest(method, e.URL+"/token?grant_type=authorization_code", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" ||
				body["error"] != "invalid_request" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s /token: status %d, Allow %q, Cache-Control %q, body %v", method, resp.StatusCode,
					resp.Header.Get("Allow"), resp.Header.Get("Cache-Control"), body)
			}
		})
	}
}

// ruleTokenDuplicateParameters checks that a parameter sent twice is
// invalid_request ("Request and response parameters MUST NOT be included
// more than once", RFC 6749 §3.2), whatever the values.
func ruleTokenDuplicateParameters(t *testing.T, e *rulesEnv) {
	b := e.session(t)
	for _, name := range []string{"grant_type", "code", "client_id", "code_verifier", "redirect_uri"} {
		for _, same := range []bool{true, false} {
			t.Run(name+map[bool]string{true: " same value", false: " different value"}[same], func(t *testing.T) {
				b := b.For(t)
				code, pk := newCode(t, e, b, e.SPA, spaRedirect)
				form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "code": {code},
					"code_verifier": {pk.Verifier}, "redirect_uri": {spaRedirect}}
				second := form.Get(name)
				if !same {
					second = map[string]string{"grant_type": "refresh_token", "code": "other", "client_id": e.Native.ID,
						"code_verifier": newPKCE().Verifier, "redirect_uri": "https://pr-1.preview.example.com/cb"}[name]
				}
				body := form.Encode() + "&" + url.Values{name: {second}}.Encode()
				wantTokenError(t, postToken(t, e.Env, body, "", nil), 400, "invalid_request")
			})
		}
	}
}

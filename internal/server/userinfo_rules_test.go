package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// resourceResponse is an answer of a protected resource (userinfo).
type resourceResponse struct {
	Status    int
	Challenge string // WWW-Authenticate
	JSON      map[string]any
}

// userinfo calls /userinfo with the token in the Authorization header
// (GET, RFC 6750 §2.1) or in the form body (POST, RFC 6750 §2.2); token ""
// sends none.
func userinfo(t *testing.T, e *rulesEnv, method, token string) resourceResponse {
	t.Helper()
	var req *http.Request
	if method == http.MethodPost {
		form := url.Values{}
		if token != "" {
			form.Set("access_token", token)
		}
		req, _ = http.NewRequest(method, e.URL+"/userinfo", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, e.URL+"/userinfo", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s /userinfo: %v", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := resourceResponse{Status: resp.StatusCode, Challenge: resp.Header.Get("WWW-Authenticate")}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			t.Fatalf("userinfo body is not JSON: %v\n%s", err, raw)
		}
	}
	return r
}

var challengeParamRE = regexp.MustCompile(`([a-z_]+)=("(?:[^"\\]|\\.)*"|[^\s,]+)`)

// bearerParam returns a parameter of a Bearer challenge, "" if absent.
func bearerParam(challenge, name string) string {
	if !strings.HasPrefix(challenge, "Bearer ") {
		return ""
	}
	for _, m := range challengeParamRE.FindAllStringSubmatch(challenge, -1) {
		if m[1] == name {
			if v, err := strconv.Unquote(m[2]); err == nil {
				return v
			}
			return m[2]
		}
	}
	return ""
}

// TestUserinfo_BearerTokenRules_RFC6750_3_1 checks userinfo (OIDC Core
// §5.3) with the token in the header or the form; without a token the
// bare challenge Bearer realm="…" and no error code (RFC 6750 §3.1); a bad
// token 401 invalid_token; a token without openid 403 insufficient_scope.
func TestUserinfo_BearerTokenRules_RFC6750_3_1(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	b, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	tokens := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, tokens)
	at := tokens.str("access_token")

	for _, method := range methods {
		t.Run(method+" with token", func(t *testing.T) {
			r := userinfo(t, e, method, at)
			if r.Status != http.StatusOK || r.JSON["sub"] != e.User.ID || r.JSON["email"] != ruleEmail || r.JSON["name"] == nil {
				t.Errorf("status %d, claims %v; want 200 with sub, email and name", r.Status, r.JSON)
			}
		})
		t.Run(method+" without token", func(t *testing.T) {
			r := userinfo(t, e, method, "")
			if want := `Bearer realm="` + e.URL + `"`; r.Status != http.StatusUnauthorized || r.Challenge != want {
				t.Errorf("status %d, WWW-Authenticate %q; want 401 and exactly %q", r.Status, r.Challenge, want)
			}
		})
	}
	bad := map[string]string{
		"garbage":             "not-a-token",
		"signature altered":   flipLast(at),
		"payload altered":     alterPayload(t, at),
		"ID token":            tokens.str("id_token"),
		"unsigned (alg none)": unsignedCopy(at),
	}
	for name, tok := range bad {
		for _, method := range methods {
			t.Run(method+" "+name, func(t *testing.T) {
				r := userinfo(t, e, method, tok)
				if r.Status != http.StatusUnauthorized || bearerParam(r.Challenge, "error") != "invalid_token" {
					t.Errorf("status %d, WWW-Authenticate %q; want 401 error=\"invalid_token\"", r.Status, r.Challenge)
				}
				if bearerParam(r.Challenge, "realm") != e.URL {
					t.Errorf("challenge realm in %q, want %s", r.Challenge, e.URL)
				}
			})
		}
	}
	t.Run("token without openid", func(t *testing.T) {
		b := b.For(t)
		params, pk := authzParams(e.SPA.ID, spaRedirect)
		params.Set("scope", "profile email")
		q := wantCodeRedirect(t, e.Env, b.Authorize(params, ruleEmail, rulePassword), spaRedirect, params.Get("state"))
		tok := exchange(t, e, e.SPA, "", q.Get("code"), spaRedirect, pk.Verifier)
		wantTokens(t, tok)
		for _, method := range methods {
			r := userinfo(t, e, method, tok.str("access_token"))
			if r.Status != http.StatusForbidden || bearerParam(r.Challenge, "error") != "insufficient_scope" {
				t.Errorf("%s: status %d, WWW-Authenticate %q; want 403 error=\"insufficient_scope\"", method, r.Status, r.Challenge)
			}
		}
	})
	t.Run("expired token", func(t *testing.T) {
		e.Clock.Advance(11 * time.Minute)
		r := userinfo(t, e, http.MethodGet, at)
		if r.Status != http.StatusUnauthorized || bearerParam(r.Challenge, "error") != "invalid_token" {
			t.Errorf("status %d, WWW-Authenticate %q; want 401 error=\"invalid_token\"", r.Status, r.Challenge)
		}
	})
}

// alterPayload changes the subject of a JWT, keeping its signature.
func alterPayload(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	_, claims := jwtParts(t, raw)
	claims["sub"] = "someone-else"
	body, _ := json.Marshal(claims)
	parts[1] = b64url(body)
	return strings.Join(parts, ".")
}

// unsignedCopy re-encodes a JWT's payload with alg "none" and no signature.
func unsignedCopy(raw string) string {
	parts := strings.Split(raw, ".")
	return b64url([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + parts[1] + "."
}

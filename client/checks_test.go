package client

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestCheckResponse covers the RFC 9207 rules on both kinds of server:
// one that announces authorization_response_iss_parameter_supported
// (iss required) and one that does not (iss checked only when present).
func TestCheckResponse(t *testing.T) {
	t.Parallel()
	const issuer = "https://id.example.com"
	fl := &Flow{State: "s1"}
	tests := []struct {
		name      string
		announced bool
		q         url.Values
		want      error // nil: accepted; *Error: that code
	}{
		{"code with iss", true, url.Values{"state": {"s1"}, "iss": {issuer}, "code": {"c"}}, nil},
		{"code without iss, announced", true, url.Values{"state": {"s1"}, "code": {"c"}}, ErrIssuerMissing},
		{"code without iss, not announced", false, url.Values{"state": {"s1"}, "code": {"c"}}, nil},
		{"wrong iss, not announced", false, url.Values{"state": {"s1"}, "iss": {"https://other.example.com"}, "code": {"c"}}, ErrIssuerMismatch},
		{"empty iss", false, url.Values{"state": {"s1"}, "iss": {""}, "code": {"c"}}, ErrIssuerMismatch},
		{"iss differing in case", true, url.Values{"state": {"s1"}, "iss": {"https://ID.example.com"}, "code": {"c"}}, ErrIssuerMismatch},
		{"wrong state before wrong iss", true, url.Values{"state": {"s2"}, "iss": {"https://other.example.com"}, "code": {"c"}}, ErrStateMismatch},
		{"wrong iss before error", true, url.Values{"state": {"s1"}, "iss": {"https://other.example.com"}, "error": {"access_denied"}}, ErrIssuerMismatch},
		{"missing iss before error", true, url.Values{"state": {"s1"}, "error": {"access_denied"}}, ErrIssuerMissing},
		{"error", true, url.Values{"state": {"s1"}, "iss": {issuer}, "error": {"access_denied"}, "error_description": {"no"}},
			&Error{Code: "access_denied", Description: "no"}},
		{"error wins over code", true, url.Values{"state": {"s1"}, "iss": {issuer}, "error": {"server_error"}, "code": {"c"}}, &Error{Code: "server_error"}},
		{"nothing", true, url.Values{"state": {"s1"}, "iss": {issuer}}, ErrCodeMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{cfg: Config{Issuer: issuer}, meta: Metadata{AuthorizationResponseIssParameterSupported: tt.announced}}
			err := c.checkResponse(fl, tt.q)
			var want, got *Error
			switch {
			case tt.want == nil:
				if err != nil {
					t.Errorf("checkResponse = %v, want accepted", err)
				}
			case errors.As(tt.want, &want):
				if !errors.As(err, &got) || got.Code != want.Code || got.Description != want.Description {
					t.Errorf("checkResponse = %v, want *Error %s", err, want.Code)
				}
			case !errors.Is(err, tt.want):
				t.Errorf("checkResponse = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAuthStyle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		secret    string
		supported []string
		want      oauth2.AuthStyle
		wantErr   bool
	}{
		{"", []string{"client_secret_basic"}, oauth2.AuthStyleInParams, false},
		{"s", nil, oauth2.AuthStyleInHeader, false},
		{"s", []string{"client_secret_post", "client_secret_basic"}, oauth2.AuthStyleInHeader, false},
		{"s", []string{"client_secret_post", "private_key_jwt"}, oauth2.AuthStyleInParams, false},
		{"s", []string{"private_key_jwt"}, 0, true},
	}
	for _, tt := range tests {
		got, err := authStyle(tt.secret, tt.supported)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("authStyle(%q, %q) = %v, %v; want %v, error %v", tt.secret, tt.supported, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseBearerChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want map[string]string // nil: not a Bearer challenge
	}{
		{`Bearer realm="gatehouse", error="invalid_token", error_description="the token expired"`,
			map[string]string{"realm": "gatehouse", "error": "invalid_token", "error_description": "the token expired"}},
		{`bearer error=invalid_token`, map[string]string{"error": "invalid_token"}},
		{`Bearer`, map[string]string{}},
		{`Bearer realm="a \"quoted\" \\ realm",error="insufficient_scope" , scope="a b"`,
			map[string]string{"realm": `a "quoted" \ realm`, "error": "insufficient_scope", "scope": "a b"}},
		{`Bearer error="first", error="second"`, map[string]string{"error": "first"}},
		{`Bearer realm="x", DPoP algs="ES256"`, map[string]string{"realm": "x"}},
		{`Basic realm="x"`, nil},
		{`Bearerx error="x"`, nil},
		{`Bearer error="unterminated`, nil},
		{``, nil},
	}
	for _, tt := range tests {
		got, ok := parseBearerChallenge(tt.in)
		if ok != (tt.want != nil) || !maps.Equal(got, tt.want) {
			t.Errorf("parseBearerChallenge(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzParseBearerChallenge(f *testing.F) {
	f.Add(`Bearer realm="gatehouse", error="invalid_token", error_description="x"`)
	f.Add(`Bearer a="\`)
	f.Add(`Bearer ,,=,"`)
	f.Fuzz(func(t *testing.T, h string) {
		params, ok := parseBearerChallenge(h)
		if !ok && params != nil {
			t.Fatalf("params %q with ok false", params)
		}
	})
}

func TestWrapTokenError(t *testing.T) {
	t.Parallel()
	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant", ErrorDescription: "d", ErrorURI: "u"}
	var e *Error
	if err := wrapTokenError(re); !errors.As(err, &e) || e.Code != "invalid_grant" || e.Description != "d" || e.URI != "u" ||
		e.StatusCode != 400 || !errors.Is(err, re) {
		t.Errorf("wrapTokenError(RetrieveError) = %#v", err)
	}
	// Without a code (e.g. an HTML 502), the RetrieveError stays as it is.
	bare := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 502, Status: "502 Bad Gateway"}}
	if err := wrapTokenError(bare); err != bare {
		t.Errorf("wrapTokenError(no code) = %v", err)
	}
	other := errors.New("network")
	if err := wrapTokenError(other); err != other {
		t.Errorf("wrapTokenError(other) = %v", err)
	}
	if got := (&Error{Code: "access_denied"}).Error(); got != "authorization server: access_denied" {
		t.Errorf("Error() = %q", got)
	}
}

// TestOpenBrowserRefuses: only http and https URLs reach the opener.
func TestOpenBrowserRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "calc.exe", "", "http://", "-h"} {
		if err := OpenBrowser(u); err == nil {
			t.Errorf("OpenBrowser(%q) = nil, want refused", u)
		}
	}
}

func TestCheckIssuerURL(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"https://id.example.com":        true,
		"https://id.example.com/tenant": true,
		"http://127.0.0.1:8080":         true,
		"http://[::1]:8080":             true,
		"http://localhost:8080":         true,
		"http://id.example.com":         false,
		"https://id.example.com?x=1":    false,
		"https://id.example.com#f":      false,
		"id.example.com":                false,
		"":                              false,
	} {
		if err := checkIssuerURL(in); (err == nil) != ok {
			t.Errorf("checkIssuerURL(%q) = %v, want ok %v", in, err, ok)
		}
	}
}

// TestTokenSourceWithoutToken: a nil start is an error, not a panic.
func TestTokenSourceWithoutToken(t *testing.T) {
	t.Parallel()
	c := &Client{}
	for _, start := range []*Tokens{nil, {}} {
		if _, err := c.TokenSource(t.Context(), start, nil).Token(); err == nil {
			t.Errorf("TokenSource(%v).Token() succeeded", start)
		}
	}
}

// TestCheckIDToken covers the ID-token rules a real Gatehouse never
// breaks: azp, the subject after a refresh, a wrong at_hash.
func TestCheckIDToken(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{ClientID: "app"}}
	tests := []struct {
		name   string
		id     oidc.IDToken
		azp    string
		want   expect
		wantOK bool
	}{
		{"plain", oidc.IDToken{Subject: "u1", Audience: []string{"app"}, Nonce: "n"}, "app", expect{nonce: "n"}, true},
		{"no azp, one audience", oidc.IDToken{Subject: "u1", Audience: []string{"app"}}, "", expect{}, true},
		{"nonce differs", oidc.IDToken{Subject: "u1", Audience: []string{"app"}, Nonce: "m"}, "app", expect{nonce: "n"}, false},
		{"nonce missing", oidc.IDToken{Subject: "u1", Audience: []string{"app"}}, "app", expect{nonce: "n"}, false},
		{"azp of another client", oidc.IDToken{Subject: "u1", Audience: []string{"app", "other"}}, "other", expect{}, false},
		{"two audiences without azp", oidc.IDToken{Subject: "u1", Audience: []string{"app", "other"}}, "", expect{}, false},
		{"same subject after refresh", oidc.IDToken{Subject: "u1", Audience: []string{"app"}}, "app", expect{subject: "u1"}, true},
		{"other subject after refresh", oidc.IDToken{Subject: "u2", Audience: []string{"app"}}, "app", expect{subject: "u1"}, false},
		{"at_hash that does not match", oidc.IDToken{Subject: "u1", Audience: []string{"app"}, AccessTokenHash: "x"}, "app", expect{}, false},
	}
	for _, tt := range tests {
		tok := &Tokens{Token: &oauth2.Token{AccessToken: "at"}, Claims: Claims{AuthorizedParty: tt.azp}}
		if err := c.checkIDToken(&tt.id, tok, tt.want); (err == nil) != tt.wantOK {
			t.Errorf("%s: checkIDToken = %v, want ok %v", tt.name, err, tt.wantOK)
		}
	}
}

package oauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
)

// FuzzParseClientCredentials checks that no Authorization header or form
// makes the parser panic, that success always names a known method and a
// client (with an assertion only for the JWT methods), and that every
// failure is a protocol error a client can act on.
func FuzzParseClientCredentials(f *testing.F) {
	enc := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, s := range []struct{ auth, id, secret string }{
		{"", "", ""},
		{"", "app", ""},
		{"", "app", "s3cret"},
		{"", "", "s3cret"},
		{enc("app:s3cret"), "", ""},
		{enc("app:s3cret"), "app", ""},
		{enc("app:s3cret"), "other", ""},
		{enc("app:s3cret"), "app", "s3cret"},
		{enc("my%3Aapp:p%25ss%2Bw%3Ard"), "", ""},
		{enc("a+b:c+d"), "", ""},
		{enc(":secret"), "", ""},
		{enc("app"), "", ""},
		{enc("app%zz:s"), "", ""},
		{enc("%00:%ff"), "", ""},
		{"Basic !!!", "", ""},
		{"Basic", "", ""},
		{"Basic ", "", ""},
		{"basic  " + base64.StdEncoding.EncodeToString([]byte("x:y")) + "  ", "", ""},
		{"Bearer abc", "app", ""},
		{"Basic YXBwOnMzY3JldA", "", ""}, // missing padding
	} {
		f.Add(s.auth, s.id, s.secret, "", "")
	}
	jwtSeg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	es := jwtSeg(`{"alg":"ES256"}`) + "." + jwtSeg(`{"sub":"app"}`) + ".sig"
	f.Add("", "", "", ClientAssertionJWT, es)
	f.Add("", "app", "", ClientAssertionJWT, jwtSeg(`{"alg":"HS256"}`)+"."+jwtSeg(`{}`)+".sig")
	f.Add("", "", "", ClientAssertionJWT, jwtSeg(`{"alg":"none"}`)+"."+jwtSeg(`{"sub":"app"}`)+".")
	f.Add("", "app", "s", ClientAssertionJWT, es)
	f.Add(enc("app:s"), "", "", ClientAssertionJWT, es)
	f.Add("", "", "", "", es)
	f.Add("", "", "", "urn:other", es)
	f.Fuzz(func(t *testing.T, auth, id, secret, assertionType, assertion string) {
		form := map[string]string{}
		if id != "" {
			form["client_id"] = id
		}
		if secret != "" {
			form["client_secret"] = secret
		}
		if assertionType != "" {
			form["client_assertion_type"] = assertionType
		}
		if assertion != "" {
			form["client_assertion"] = assertion
		}
		withAssertion := assertionType != "" || assertion != ""
		creds, err := ParseClientCredentials(auth, form)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			switch e.Code {
			case InvalidClient:
				if e.HTTPStatus() != http.StatusUnauthorized {
					t.Fatalf("invalid_client with status %d", e.HTTPStatus())
				}
				if auth != "" && e.Challenge != BasicChallenge {
					t.Fatalf("failed Authorization header without a Basic challenge: %+v", e)
				}
			case InvalidRequest:
				if auth == "" && !withAssertion {
					t.Fatalf("invalid_request without an Authorization header: %+v", e)
				}
			default:
				t.Fatalf("unexpected code %q", e.Code)
			}
			if creds != (ClientCredentials{}) {
				t.Fatalf("credentials %+v returned with an error", creds)
			}
			return
		}
		if creds.ID == "" {
			t.Fatalf("success with an empty client ID: %+v", creds)
		}
		switch creds.Method {
		case AuthClientSecretBasic:
			if auth == "" || secret != "" || (id != "" && id != creds.ID) || withAssertion {
				t.Fatalf("basic accepted with auth %q, form %v: %+v", auth, form, creds)
			}
		case AuthClientSecretPost:
			if auth != "" || creds.ID != id || creds.Secret != secret || withAssertion {
				t.Fatalf("post mismatch: auth %q, form %v: %+v", auth, form, creds)
			}
		case AuthNone:
			if auth != "" || secret != "" || creds.ID != id || creds.Secret != "" || withAssertion {
				t.Fatalf("none mismatch: auth %q, form %v: %+v", auth, form, creds)
			}
		case AuthClientSecretJWT, AuthPrivateKeyJWT:
			if auth != "" || secret != "" || assertionType != ClientAssertionJWT || creds.Assertion != assertion ||
				creds.Secret != "" || (id != "" && creds.ID != id) {
				t.Fatalf("assertion mismatch: auth %q, form %v: %+v", auth, form, creds)
			}
		default:
			t.Fatalf("unknown method %q", creds.Method)
		}
	})
}

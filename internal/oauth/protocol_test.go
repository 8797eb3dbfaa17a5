package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// wantCode fails unless err is an *Error with the given code.
func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v, want an *Error with code %q", err, code)
	}
	return e
}

func TestSingleValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  map[string]string
		dup   string // the parameter reported as repeated
	}{
		{"a=1&b=2", map[string]string{"a": "1", "b": "2"}, ""},
		{"", map[string]string{}, ""},
		{"a=&b=2", map[string]string{"b": "2"}, ""},
		{"a=&a=1", map[string]string{"a": "1"}, ""},
		{"a=1&a=", map[string]string{"a": "1"}, ""},
		{"a", map[string]string{}, ""},
		{"scope=openid+profile", map[string]string{"scope": "openid profile"}, ""},
		{"a=1&a=1", nil, "a"},
		{"a=1&b=2&b=3", nil, "b"},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SingleValues(v)
		if tt.dup != "" {
			e := wantCode(t, err, InvalidRequest)
			if !strings.Contains(e.Description, tt.dup) || e.HTTPStatus() != http.StatusBadRequest {
				t.Errorf("SingleValues(%q) = %+v", tt.query, e)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("SingleValues(%q) = %v, %v; want %v", tt.query, got, err, tt.want)
		}
	}
}

func TestParseScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string // nil: invalid_scope
	}{
		{"", []string{}},
		{"   ", []string{}},
		{"openid", []string{"openid"}},
		{"openid profile email", []string{"openid", "profile", "email"}},
		{"email openid", []string{"email", "openid"}},
		{"  openid   profile  ", []string{"openid", "profile"}},
		{"openid profile openid", []string{"openid", "profile"}},
		{"OpenID openid", []string{"OpenID", "openid"}},
		{"api:read https://api.example.com/x !#$%&'()*+,-./", []string{"api:read", "https://api.example.com/x", "!#$%&'()*+,-./"}},
		{"a~z[]^_`{|}", []string{"a~z[]^_`{|}"}},
		{`openid "quoted"`, nil},
		{`back\slash`, nil},
		{"openid\tprofile", nil},
		{"openid\nprofile", nil},
		{"caf\u00e9", nil},
		{"del\x7f", nil},
		{"nul\x00", nil},
	}
	for _, tt := range tests {
		got, err := ParseScope(tt.in)
		if tt.want == nil {
			wantCode(t, err, InvalidScope)
			continue
		}
		if err != nil || got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseScope(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if ValidScopeName("") || !ValidScopeName("api:read") || ValidScopeName("a b") {
		t.Error("ValidScopeName disagrees with RFC 6749 §3.3")
	}
	if got := JoinScope([]string{"openid", "api:read"}); got != "openid api:read" {
		t.Errorf("JoinScope = %q", got)
	}
}

func TestContainsAll(t *testing.T) {
	t.Parallel()
	have := []string{"openid", "profile", "api:read"}
	tests := []struct {
		want []string
		ok   bool
	}{
		{nil, true},
		{[]string{}, true},
		{[]string{"openid"}, true},
		{[]string{"api:read", "openid"}, true},
		{[]string{"openid", "openid"}, true},
		{[]string{"email"}, false},
		{[]string{"openid", "email"}, false},
		{[]string{"OPENID"}, false},
		{[]string{"api"}, false},
	}
	for _, tt := range tests {
		if got := ContainsAll(have, tt.want); got != tt.ok {
			t.Errorf("ContainsAll(%q, %q) = %v, want %v", have, tt.want, got, tt.ok)
		}
	}
	if ContainsAll(nil, []string{"openid"}) || !ContainsAll(nil, nil) {
		t.Error("ContainsAll with an empty have")
	}
}

func TestVerifyPKCE(t *testing.T) {
	t.Parallel()
	// RFC 7636 Appendix B.
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if got := S256Challenge(verifier); got != challenge {
		t.Fatalf("S256Challenge(RFC 7636 verifier) = %q, want %q", got, challenge)
	}
	short := strings.Repeat("a", 42)
	long := strings.Repeat("b", 129)
	max := strings.Repeat("c", 128)
	tests := []struct {
		name, method, challenge, verifier string
		ok                                bool
	}{
		{"S256 RFC vector", PKCES256, challenge, verifier, true},
		{"S256 wrong verifier", PKCES256, challenge, "x" + verifier[1:], false},
		{"S256 challenge is the verifier", PKCES256, verifier, verifier, false},
		{"S256 padded challenge", PKCES256, challenge + "=", verifier, false},
		{"plain", PKCEPlain, verifier, verifier, true},
		{"plain 128", PKCEPlain, max, max, true},
		{"plain mismatch", PKCEPlain, verifier, verifier[:42] + "Z", false},
		{"plain with S256 challenge", PKCEPlain, challenge, verifier, false},
		{"lower-case method", "s256", challenge, verifier, false},
		{"unknown method", "S512", challenge, verifier, false},
		{"empty method", "", verifier, verifier, false},
		{"verifier too short", PKCEPlain, short, short, false},
		{"verifier too short S256", PKCES256, S256Challenge(short), short, false},
		{"verifier too long", PKCES256, S256Challenge(long), long, false},
		{"verifier bad char", PKCES256, S256Challenge(verifier[:42] + "+"), verifier[:42] + "+", false},
		{"empty everything", PKCES256, "", "", false},
	}
	for _, tt := range tests {
		if got := VerifyPKCE(tt.method, tt.challenge, tt.verifier); got != tt.ok {
			t.Errorf("%s: VerifyPKCE = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestValidPKCEValue(t *testing.T) {
	t.Parallel()
	a42 := strings.Repeat("a", 42)
	for s, ok := range map[string]bool{
		a42: false, a42 + "a": true, strings.Repeat("Z", 128): true, strings.Repeat("0", 129): false, "": false,
		strings.Repeat("-._~", 11): true, a42 + "+": false, a42 + "/": false, a42 + "=": false, a42 + " ": false,
		strings.Repeat("a", 41) + "é": false, // 43 bytes, not unreserved
	} {
		if got := ValidPKCEValue(s); got != ok {
			t.Errorf("ValidPKCEValue(%q) (len %d) = %v, want %v", s, len(s), got, ok)
		}
	}
}

// basic builds an Authorization header the way RFC 6749 §2.3.1 says:
// form-urlencode id and secret, join with ':', base64.
func basic(id, secret string) string {
	return "Basic " + b64(url.QueryEscape(id)+":"+url.QueryEscape(secret))
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// errSentinel marks rows where a protocol error is expected.
type errSentinel struct {
	code      string
	status    int
	challenge bool // WWW-Authenticate: Basic expected
}

func TestParseClientCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth string
		form map[string]string
		want ClientCredentials
		err  *errSentinel
	}{
		{"basic", basic("app", "s3cret"), nil, ClientCredentials{ID: "app", Secret: "s3cret", Method: AuthClientSecretBasic}, nil},
		{"basic special chars", basic("my:app%1", "p:a%ss+w/o=rd"), nil, ClientCredentials{ID: "my:app%1", Secret: "p:a%ss+w/o=rd", Method: AuthClientSecretBasic}, nil},
		{"basic plus is space", "Basic " + b64("a+b:c+d"), nil, ClientCredentials{ID: "a b", Secret: "c d", Method: AuthClientSecretBasic}, nil},
		{"basic colon in secret unencoded", "Basic " + b64("app:x:y"), nil, ClientCredentials{ID: "app", Secret: "x:y", Method: AuthClientSecretBasic}, nil},
		{"basic lower-case scheme", "basic " + b64("app:s"), nil, ClientCredentials{ID: "app", Secret: "s", Method: AuthClientSecretBasic}, nil},
		{"basic empty secret", basic("app", ""), nil, ClientCredentials{ID: "app", Secret: "", Method: AuthClientSecretBasic}, nil},
		{"basic with matching client_id", basic("app", "s"), map[string]string{"client_id": "app"}, ClientCredentials{ID: "app", Secret: "s", Method: AuthClientSecretBasic}, nil},
		{"post", "", map[string]string{"client_id": "app", "client_secret": "s"}, ClientCredentials{ID: "app", Secret: "s", Method: AuthClientSecretPost}, nil},
		{"none", "", map[string]string{"client_id": "spa"}, ClientCredentials{ID: "spa", Secret: "", Method: AuthNone}, nil},
		{"basic and post", basic("app", "s"), map[string]string{"client_id": "app", "client_secret": "s"}, ClientCredentials{}, &errSentinel{InvalidRequest, 400, false}},
		{"basic id differs from form", basic("app", "s"), map[string]string{"client_id": "other"}, ClientCredentials{}, &errSentinel{InvalidRequest, 400, false}},
		{"malformed base64", "Basic !!!notbase64", nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"no colon", "Basic " + b64("appsecret"), nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"empty id", "Basic " + b64(":secret"), nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"bad percent-encoding", "Basic " + b64("app%zz:s"), nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"bearer scheme", "Bearer abc", map[string]string{"client_id": "app"}, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"scheme only", "Basic", nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, true}},
		{"no credentials", "", nil, ClientCredentials{}, &errSentinel{InvalidClient, 401, false}},
		{"secret without id", "", map[string]string{"client_secret": "s"}, ClientCredentials{}, &errSentinel{InvalidClient, 401, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseClientCredentials(tt.auth, tt.form)
			if tt.err == nil {
				if err != nil || got != tt.want {
					t.Errorf("= %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			e := wantCode(t, err, tt.err.code)
			if e.HTTPStatus() != tt.err.status {
				t.Errorf("status %d, want %d", e.HTTPStatus(), tt.err.status)
			}
			if tt.err.challenge && e.Challenge != BasicChallenge {
				t.Errorf("Challenge = %q, want %q (RFC 6749 §5.2)", e.Challenge, BasicChallenge)
			}
			if got != (ClientCredentials{}) {
				t.Errorf("credentials %+v returned with an error", got)
			}
		})
	}
}

// TestNoCredentialsChallenge: a 401 must carry WWW-Authenticate (RFC 9110
// §11.6.1, §15.5.2), including when no credentials were sent at all.
func TestNoCredentialsChallenge(t *testing.T) {
	t.Parallel()
	_, err := ParseClientCredentials("", nil)
	rec := httptest.NewRecorder()
	WriteError(rec, nil, err)
	if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatal("BUG: internal/oauth/clientauth.go ParseClientCredentials answers 401 with no WWW-Authenticate challenge when no credentials are sent")
	}
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]string {
	t.Helper()
	var body map[string]string
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("body is not a JSON object of strings: %v", err)
	}
	return body
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		status    int
		body      map[string]string
		challenge string
	}{
		{"invalid_request", Errorf(InvalidRequest, "grant_type is required"), 400,
			map[string]string{"error": "invalid_request", "error_description": "grant_type is required"}, ""},
		{"no description", &Error{Code: InvalidGrant}, 400, map[string]string{"error": "invalid_grant"}, ""},
		{"with status", Errorf(InvalidClient, "unknown client").WithStatus(401), 401,
			map[string]string{"error": "invalid_client", "error_description": "unknown client"}, ""},
		{"basic challenge", basicFailure("bad header"), 401,
			map[string]string{"error": "invalid_client", "error_description": "bad header"}, BasicChallenge},
		{"wrapped", fmt.Errorf("token: %w", Errorf(InvalidScope, "nope")), 400,
			map[string]string{"error": "invalid_scope", "error_description": "nope"}, ""},
		{"plain error", errors.New("dial tcp 10.0.0.5:5432: password=hunter2 refused"), 500,
			map[string]string{"error": "server_error", "error_description": "the server could not complete the request"}, ""},
		{"internal", Internal(errors.New("disk full at /var/secret")), 500,
			map[string]string{"error": "server_error", "error_description": "the server could not complete the request"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rec := httptest.NewRecorder()
			WriteError(rec, log, tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			h := rec.Header()
			if h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
				t.Errorf("headers %v: want JSON and no-store (RFC 6749 §5.1)", h)
			}
			if got := h.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			body := decodeBody(t, rec)
			if !maps.Equal(body, tt.body) {
				t.Errorf("body %v, want %v", body, tt.body)
			}
			if tt.status == 500 && !strings.Contains(logs.String(), "server_error") {
				t.Errorf("server error not logged with its cause: %q", logs.String())
			}
		})
	}
	// The cause of a server error is kept for the log; WithStatus copies.
	cause := errors.New("cause")
	if e := Internal(cause); !errors.Is(e, cause) || !strings.Contains(e.Error(), "cause") {
		t.Errorf("Internal(cause) = %v: want the cause kept for logs", e)
	}
	if orig := Errorf(InvalidGrant, "used"); orig.WithStatus(401) == orig || orig.Status != 0 {
		t.Error("WithStatus must copy")
	}
	// WriteError works without a logger.
	rec := httptest.NewRecorder()
	WriteError(rec, nil, errors.New("boom"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("nil logger: %d %s", rec.Code, rec.Body)
	}
}

func TestWriteBearerError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		header string
	}{
		{"no token", &Error{Status: 401}, 401, `Bearer realm="api"`},
		{"invalid_token", Errorf(InvalidToken, "the token expired"), 401,
			`Bearer realm="api", error="invalid_token", error_description="the token expired"`},
		{"insufficient_scope", Errorf(InsufficientScope, "needs api:write"), 403,
			`Bearer realm="api", error="insufficient_scope", error_description="needs api:write"`},
		{"invalid_request", &Error{Code: InvalidRequest}, 400, `Bearer realm="api", error="invalid_request"`},
		{"explicit status", Errorf(InvalidToken, "x").WithStatus(400), 400,
			`Bearer realm="api", error="invalid_token", error_description="x"`},
		{"internal", errors.New("db down"), 500,
			`Bearer realm="api", error="server_error", error_description="the server could not complete the request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			WriteBearerError(rec, nil, "api", tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.header {
				t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, tt.header)
			}
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Body.Len() != 0 {
				t.Errorf("want no-store and an empty body; got %v %q", rec.Header(), rec.Body)
			}
		})
	}
	// A realm with a quote stays one quoted-string.
	rec := httptest.NewRecorder()
	WriteBearerError(rec, nil, `my "api"`, &Error{Status: 401})
	if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer realm="my \"api\""` {
		t.Errorf("quoted realm: %s", got)
	}
}

// descriptionOK reports whether s uses only the characters RFC 6749 §5.2
// and RFC 6750 §3 allow in error_description: %x20-21 / %x23-5B / %x5D-7E.
func descriptionOK(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// TestErrorDescriptionCharset: descriptions built with %q (ParseScope,
// SingleValues) or truncate ("…") must still reach the wire in the charset
// RFC 6749 §5.2 and RFC 6750 §3 allow.
func TestErrorDescriptionCharset(t *testing.T) {
	t.Parallel()
	_, scopeErr := ParseScope(`openid "` + strings.Repeat("x", 50))
	_, dupErr := SingleValues(url.Values{"scope": {"a", "b"}})
	for name, err := range map[string]error{"ParseScope": scopeErr, "SingleValues": dupErr} {
		t.Run("WriteError/"+name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, nil, err)
			if d := decodeBody(t, rec)["error_description"]; !descriptionOK(d) {
				t.Fatalf("BUG: internal/oauth/write.go WriteError sends error_description %q with characters RFC 6749 §5.2 forbids", d)
			}
		})
		t.Run("WriteBearerError/"+name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteBearerError(rec, nil, "api", As(err).WithStatus(401))
			h := rec.Header().Get("WWW-Authenticate")
			_, d, _ := strings.Cut(h, `error_description="`)
			if !descriptionOK(strings.TrimSuffix(d, `"`)) {
				t.Fatalf("BUG: internal/oauth/write.go WriteBearerError sends %s, outside RFC 6750 §3's error_description charset", h)
			}
		})
	}
}

// TestWriteErrorLogLevel checks that a server error is logged as an error
// unless the client went away, which is logged at info.
func TestWriteErrorLogLevel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cause error
		level string
	}{
		{errors.New("disk I/O error"), "level=ERROR"},
		{fmt.Errorf("create token: %w", context.Canceled), "level=INFO"},
		{fmt.Errorf("get token: %w", context.DeadlineExceeded), "level=ERROR"},
	} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		rec := httptest.NewRecorder()
		WriteError(rec, log, Internal(tc.cause))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%v: status %d, want 500", tc.cause, rec.Code)
		}
		if !strings.Contains(logs.String(), tc.level) || !strings.Contains(logs.String(), tc.cause.Error()) {
			t.Errorf("%v: logged %q, want %s with the cause", tc.cause, logs.String(), tc.level)
		}
	}
}

package authorize

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// fuzzClients are the registrations the fuzzer's requests are checked against.
var fuzzClients = map[string]storage.Client{
	"spa": {
		ID: "spa", Type: storage.ClientSPA, Name: "SPA",
		RedirectURIs:        []string{"https://app.example.com/cb", "http://127.0.0.1/cb"},
		RedirectURIPatterns: []string{`https://pr-[0-9]+\.preview\.example\.com/cb`},
		DefaultRedirectURI:  "https://app.example.com/cb",
		Scopes:              []string{"api:read"},
	},
	"web": {
		ID: "web", Type: storage.ClientWeb, Name: "Web", SecretHash: "x",
		RedirectURIs: []string{"https://web.example.com/cb"}, PKCEOptional: true,
	},
	"svc": {ID: "svc", Type: storage.ClientService, Name: "Service", SecretHash: "x"},
}

func fuzzGetClient(id string) (storage.Client, error) {
	c, ok := fuzzClients[id]
	if !ok {
		return storage.Client{}, storage.ErrNotFound
	}
	return c, nil
}

// FuzzParseRequest checks, for arbitrary query strings, that parsing never
// panics, that every error is a protocol error, and that a request is only
// ever accepted, or an error only ever redirected, to a registered URI.
func FuzzParseRequest(f *testing.F) {
	challenge := oauth.S256Challenge("dBjftJeZ4CVP-mJ92K9vN6v0fr9hkq1aGpQe7Z1p7lY")
	seeds := []string{
		"",
		"client_id=spa&response_type=code&scope=openid&code_challenge=" + challenge + "&code_challenge_method=S256",
		"client_id=spa&redirect_uri=https%3A%2F%2Fpr-12.preview.example.com%2Fcb&response_type=code&scope=openid+api:read&code_challenge=" + challenge + "&code_challenge_method=S256&state=x&nonce=y&prompt=login&max_age=0",
		"client_id=spa&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcb&response_type=token&scope=openid",
		"client_id=spa&client_id=web&response_type=code",
		"client_id=web&response_type=code&scope=openid&redirect_uri=https://web.example.com/cb",
		"client_id=web&response_type=code&scope=openid&code_challenge=abc&code_challenge_method=plain",
		"client_id=svc&response_type=code&scope=openid",
		"client_id=spa&redirect_uri=https://evil.example/cb&response_type=code",
		"client_id=spa&response_type=code&scope=openid&prompt=none+login&code_challenge=" + challenge + "&code_challenge_method=S256",
		"client_id=spa&response_type=code&scope=%22bad&state=%00%ff",
		"client_id=spa&response_type=code&request=eyJ&state=s",
		"%zz=1&client_id=spa",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, client, err := ParseRequest(v, fuzzGetClient)
		if err != nil {
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code == "" || oe.Code == oauth.ServerError {
				t.Fatalf("error %v is not a client-facing protocol error", err)
			}
		}
		if req.RedirectURI == "" {
			if err == nil {
				t.Fatal("accepted a request without a redirect URI")
			}
			return
		}
		if _, ok := oauth.MatchRedirectURI(req.RedirectURI, client.RedirectURIs, client.RedirectURIPatterns); !ok && req.RedirectURI != client.DefaultRedirectURI {
			t.Fatalf("redirect URI %q is not registered for %s", req.RedirectURI, client.ID)
		}
		if err != nil {
			return
		}
		if client.Type == storage.ClientService {
			t.Fatal("a service client passed the authorization endpoint")
		}
		for _, s := range req.Scopes {
			if !slices.Contains(oauth.StandardScopes, s) && !slices.Contains(client.Scopes, s) {
				t.Fatalf("scope %q accepted but not allowed", s)
			}
		}
		if client.Type.Public() && (req.CodeChallenge == "" || req.CodeChallengeMethod != oauth.PKCES256) {
			t.Fatalf("public client accepted without S256 PKCE: %+v", req)
		}
		if req.MaxAge < -1 {
			t.Fatalf("max_age %d", req.MaxAge)
		}
	})
}

// TestMaxAgeCapped: a huge max_age must not overflow into "the session is
// too old" (OIDC Core §3.1.2.1): it is capped, and a fresh session passes.
func TestMaxAgeCapped(t *testing.T) {
	challenge := oauth.S256Challenge("dBjftJeZ4CVP-mJ92K9vN6v0fr9hkq1aGpQe7Z1p7lY")
	v, _ := url.ParseQuery("client_id=spa&response_type=code&scope=openid&code_challenge=" + challenge +
		"&code_challenge_method=S256&max_age=9300000000")
	req, _, err := ParseRequest(v, fuzzGetClient)
	if err != nil {
		t.Fatal(err)
	}
	if req.MaxAge != maxMaxAge {
		t.Fatalf("MaxAge = %d, want the cap %d", req.MaxAge, maxMaxAge)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := &Handler{Options: Options{Now: func() time.Time { return now }}}
	if h.needsLogin(req, storage.Session{AuthTime: now.Add(-30 * time.Second)}, false) {
		t.Fatal("a 30-second-old session needs a new login under a huge max_age")
	}
}
